# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrency and waiting: other clients and the VPN agent act while ``vpnaas.cloud.ipsec_connection`` runs.

Each test runs real ``ansible-playbook`` processes against the emulator and drives
the "other client" from the test through the emulator's control API, timed deterministically with
the emulator's own fault bookkeeping and request log rather than with sleeps:

* a change another client makes between our GET and our PUT (our PUT is held by a ``delay`` fault
  while the test patches another field) survives, because the PUT holds only what we change;
* two playbooks updating one connection at the same time (different fields, and one field to the
  same value) both succeed and both changes are kept, waiting out the PENDING_UPDATE of the other;
* a PUT the API refuses with 400 "Invalid state PENDING_UPDATE" is waited out and sent again;
* ``wait_timeout`` fails naming the last status, ERROR after an update fails naming it, and a delete
  is waited on until the connection is gone.

The tests whose subject depends on the flavour (the error body of the refused PUT) run in both flavours;
the others run against the neutron flavour only, to keep the run short. Each pair of playbooks leaves the
PUTs it caused in ``tests/output/integration/concurrency-<test>-<flavour>.txt``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
import yaml

from tests.emulator.run_with import Emulator

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / 'tests' / 'output' / 'integration'
FLAVOURS = ('neutron', 'huawei')
PLAY_TIMEOUT = 120          # seconds for one playbook; each normally takes well under 20
POLL = 0.05                 # seconds between two looks at the emulator while waiting for a moment
MOMENT_TIMEOUT = 60         # seconds, at most, to wait for a moment (a request arriving, a fault used)
COLLECTION = '/v2.0/vpn/ipsec-site-connections'
SEED_PSK = 'concurrent-Psk-51a7c3'
CONN_ID = '0a1b2c3d-0000-4000-8000-00000000cc01'
OTHER_ID = '0a1b2c3d-0000-4000-8000-00000000cc02'
THIRD_ID = '0a1b2c3d-0000-4000-8000-00000000cc03'
DEFAULT_DPD = {'action': 'hold', 'interval': 30, 'timeout': 120}


def connection(conn_id: str, name: str, **fields: Any) -> Dict[str, Any]:
    """A seeded connection with every field set, so that any unexpected change shows."""
    conn = {'id': conn_id, 'name': name, 'description': '', 'status': 'ACTIVE', 'psk': SEED_PSK,
            'initiator': 'bi-directional', 'admin_state_up': True, 'mtu': 1500, 'peer_address': '198.51.100.30',
            'peer_id': '198.51.100.30', 'peer_cidrs': [], 'dpd': dict(DEFAULT_DPD),
            'vpnservice_id': '0a1b2c3d-0000-4000-8000-0000000cc0a1', 'ikepolicy_id': '0a1b2c3d-0000-4000-8000-0000000cc0b1',
            'ipsecpolicy_id': '0a1b2c3d-0000-4000-8000-0000000cc0c1'}
    conn.update(fields)
    return conn


@pytest.fixture(scope='module', params=FLAVOURS)
def emulator(request: pytest.FixtureRequest) -> Emulator:
    """One emulator per flavour for the module's tests (each test resets it)."""
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        yield emu


@pytest.fixture(scope='module')
def neutron_emulator() -> Emulator:
    """One neutron emulator, for the tests whose subject does not depend on the flavour (to save time)."""
    with Emulator(flavour='neutron') as emu:
        emu.flavour = 'neutron'
        yield emu


def fresh(emu: Emulator, pending_seconds: float, *conns: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Reset the emulator, set the PENDING window, seed ``conns``; returns them as stored, by id."""
    emu.reset()
    # These scenarios need writes that go through PENDING_UPDATE/PENDING_DELETE windows. The Huawei
    # flavour has them; a real Neutron does not (a PUT keeps the status, a DELETE is at once: see
    # tests/openstack), so the neutron flavour turns them on here.
    emu.config(pending_seconds=pending_seconds, write_windows=True)
    emu.seed({'ipsec_site_connections': list(conns)})
    return {conn['id']: conn for conn in emu.state()['ipsec_site_connections']}


def stored(emu: Emulator, conn_id: str) -> Optional[Dict[str, Any]]:
    """The stored connection (psk replaced by psk_sha256), or None."""
    return next((conn for conn in emu.state()['ipsec_site_connections'] if conn['id'] == conn_id), None)


def differences(before: Dict[str, Any], after: Dict[str, Any], allowed: Dict[str, Any]) -> Dict[str, Tuple[Any, Any]]:
    """Fields of ``after`` that differ from ``before`` updated with ``allowed`` (status is left out)."""
    expected = dict(before, **allowed)
    keys = (set(expected) | set(after)) - {'status'}
    return {key: (expected.get(key), after.get(key)) for key in sorted(keys) if expected.get(key) != after.get(key)}


def wait_until(what: str, condition: Callable[[], Any]) -> Any:
    """Poll ``condition`` every POLL seconds until it returns something true; fail after MOMENT_TIMEOUT."""
    deadline = time.monotonic() + MOMENT_TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL)
    pytest.fail('gave up after %d s waiting for %s' % (MOMENT_TIMEOUT, what))


def fault_used(emu: Emulator, fault_id: int) -> bool:
    """Whether the fault has met its request (for a delay fault: the request is being held now)."""
    _status, _headers, body = emu.request('GET', '/_emulator/faults')
    return any(fault['id'] == fault_id and fault['used'] > 0 for fault in body['faults'])


def conn_requests(emu: Emulator, conn_id: str, method: str = None) -> List[Dict[str, Any]]:
    """Logged requests on the connection's path (optionally of one method)."""
    return [entry for entry in emu.log()
            if entry['path'] == COLLECTION + '/' + conn_id and (method is None or entry['method'] == method)]


class Playbook:
    """One ansible-playbook run in the background: tasks on localhost, results written to a JSON file."""

    def __init__(self, tmp_path: Path, label: str, emu: Emulator, tasks: List[Dict[str, Any]]) -> None:
        self.work = tmp_path / label
        self.work.mkdir()
        self.results = self.work / 'results.json'
        registered = [task['register'] for task in tasks]
        keep = {'name': 'Keep the results', 'ansible.builtin.copy': {
            'content': '{{ %s | to_json }}' % ('{' + ', '.join("'%s': %s" % (name, name) for name in registered) + '}'),
            'dest': str(self.results), 'mode': '0600'}}
        play = [{'name': 'Concurrency: %s' % label, 'hosts': 'localhost', 'gather_facts': False,
                 'module_defaults': {'group/vpnaas.cloud.vpnaas': {'endpoint': emu.url, 'auth_token': emu.token}},
                 'tasks': [dict(task, ignore_errors=True) for task in tasks] + [keep]}]
        (self.work / 'play.yml').write_text(yaml.safe_dump(play, sort_keys=False), encoding='utf-8')
        (self.work / 'inventory').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
        env = {key: value for key, value in os.environ.items() if not key.startswith(('OS_', 'HW_', 'VPNAAS_'))}
        if not env.get('ANSIBLE_COLLECTIONS_PATH'):
            pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: build and install the collection first (see `make integration`)')
        env.update(ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   ANSIBLE_LOCAL_TEMP=str(self.work / 'ansible-local'), ANSIBLE_HOME=str(self.work / 'ansible-home'))
        self.output = self.work / 'output.txt'
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-v', '-i', str(self.work / 'inventory'),
                   str(self.work / 'play.yml')]
        with self.output.open('w', encoding='utf-8') as sink:
            self.process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        self.label = label

    def finish(self) -> Dict[str, Dict[str, Any]]:
        """Wait for the run (bounded) and return the registered results by name; fail when the play itself failed."""
        try:
            self.process.wait(timeout=PLAY_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        text = self.output.read_text(encoding='utf-8', errors='replace')
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ('concurrency-%s.log' % self.label)).write_text(text, encoding='utf-8')
        assert self.process.returncode == 0, 'ansible-playbook %s exited %s:\n%s' % (self.label, self.process.returncode, text[-3000:])
        assert SEED_PSK not in text, 'the psk appears in the output of %s' % self.label
        return json.loads(self.results.read_text(encoding='utf-8'))

    def stop(self) -> None:
        """Kill the run if it is still going (after a failed test)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def update_task(register: str, conn_id: str = None, name: str = None, **options: Any) -> Dict[str, Any]:
    """An ipsec_connection task by id or by name."""
    args = dict(options)
    if conn_id:
        args['id'] = conn_id
    if name:
        args['name'] = name
    return {'name': 'ipsec_connection %s' % register, 'vpnaas.cloud.ipsec_connection': args, 'register': register}


def assert_ok(result: Dict[str, Any], what: str) -> None:
    """The task succeeded and changed something."""
    assert not result.get('failed'), '%s failed: %s' % (what, result.get('msg'))
    assert result.get('changed'), '%s reported no change' % what


def psk_of(conn: Dict[str, Any]) -> str:
    """The psk digest the emulator shows."""
    return conn['psk_sha256']


SEED_DIGEST = hashlib.sha256(SEED_PSK.encode()).hexdigest()


# ---------------------------------------------------------------------------
# (a) Another client changes a field between our GET and our PUT
# ---------------------------------------------------------------------------

def test_change_between_get_and_put_is_kept(neutron_emulator: Emulator, tmp_path: Path) -> None:
    """Our PUT is held 2 s by the emulator; meanwhile another client sets mtu (and a dpd sub-key on a second
    connection). Our PUT carries only the field we change (only the dpd sub-key), so both changes remain."""
    emulator = neutron_emulator
    seeded = fresh(emulator, 0, connection(CONN_ID, 'conc-a'), connection(OTHER_ID, 'conc-b'))
    held = [emulator.fault(method='PUT', path=COLLECTION + '/' + conn_id + '$', kind='delay', delay=2, times=1)
            for conn_id in (CONN_ID, OTHER_ID)]
    play = Playbook(tmp_path, 'between-get-and-put-%s' % emulator.flavour, emulator, [
        update_task('ours', CONN_ID, description='set by us'),
        update_task('ours_dpd', OTHER_ID, dpd={'timeout': 150}),
    ])
    try:
        wait_until('our first PUT to be held', lambda: fault_used(emulator, held[0]))
        emulator.patch('ipsec-site-connections', CONN_ID, mtu=1400)
        wait_until('our second PUT to be held', lambda: fault_used(emulator, held[1]))
        emulator.patch('ipsec-site-connections', OTHER_ID, dpd={'action': 'restart', 'interval': 30, 'timeout': 120})
        results = play.finish()
    finally:
        play.stop()
    assert_ok(results['ours'], 'the description update')
    assert_ok(results['ours_dpd'], 'the dpd update')
    puts = conn_requests(emulator, CONN_ID, 'PUT')
    assert [entry['body'] for entry in puts] == [{'ipsec_site_connection': {'description': 'set by us'}}], puts
    puts = conn_requests(emulator, OTHER_ID, 'PUT')
    assert [entry['body'] for entry in puts] == [{'ipsec_site_connection': {'dpd': {'timeout': 150}}}], puts
    now = stored(emulator, CONN_ID)
    assert differences(seeded[CONN_ID], now, {'description': 'set by us', 'mtu': 1400}) == {}, 'the other change was lost'
    now = stored(emulator, OTHER_ID)
    assert differences(seeded[OTHER_ID], now, {'dpd': {'action': 'restart', 'interval': 30, 'timeout': 150}}) == {}, \
        'the other dpd change was lost'
    assert psk_of(now) == SEED_DIGEST


# ---------------------------------------------------------------------------
# (b) Two playbooks update one connection at the same time
# ---------------------------------------------------------------------------

def run_pair(emu: Emulator, tmp_path: Path, label: str, before_settle: Callable[[], None] = None) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Start two playbooks on the connection named conc-pair (mtu + initiator; description + the same initiator)."""
    first = Playbook(tmp_path, '%s-first-%s' % (label, emu.flavour), emu,
                     [update_task('first', name='conc-pair', mtu=1400, initiator='response-only', wait_timeout=30)])
    second = Playbook(tmp_path, '%s-second-%s' % (label, emu.flavour), emu,
                      [update_task('second', name='conc-pair', description='set by the second', initiator='response-only',
                                   wait_timeout=30)])
    try:
        if before_settle:
            before_settle()
        return first.finish()['first'], second.finish()['second']
    finally:
        first.stop()
        second.stop()


def check_pair(emu: Emulator, seeded: Dict[str, Any], first: Dict[str, Any], second: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Both succeeded, both changes are in, nothing else changed; returns the PUTs."""
    assert_ok(first, 'the playbook updating mtu and initiator')
    assert_ok(second, 'the playbook updating description and initiator')
    for result in (first, second):
        assert result['ipsec_site_connection'].get('status') not in ('PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE'), \
            'the module returned before the connection settled: %s' % result['ipsec_site_connection'].get('status')
    now = stored(emu, CONN_ID)
    assert differences(seeded, now, {'mtu': 1400, 'initiator': 'response-only', 'description': 'set by the second'}) == {}
    assert now['status'] == 'ACTIVE' and psk_of(now) == SEED_DIGEST
    puts = conn_requests(emu, CONN_ID, 'PUT')
    bodies = [entry['body']['ipsec_site_connection'] for entry in puts]
    mine = ({'mtu', 'initiator'}, {'description', 'initiator'})
    assert all(any(set(body) <= fields for fields in mine) for body in bodies), 'a PUT mixes the two playbooks: %s' % bodies
    assert any('mtu' in body for body in bodies) and any('description' in body for body in bodies), bodies
    assert len([entry for entry in puts if entry['status'] == 200]) >= 2, puts
    return puts


def note_puts(label: str, flavour: str, puts: List[Dict[str, Any]]) -> None:
    """Keep the PUTs of a pair of playbooks (status and fields) for the report."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    lines = ['%s %s' % (entry['status'], sorted(entry['body']['ipsec_site_connection'])) for entry in puts]
    (OUTPUT / ('concurrency-%s-%s.txt' % (label, flavour))).write_text('\n'.join(lines) + '\n', encoding='utf-8')


def test_two_playbooks_wait_for_each_other(emulator: Emulator, tmp_path: Path) -> None:
    """Both playbooks find the connection in PENDING_UPDATE (another update in flight) and must wait it out.

    The connection is seeded in PENDING_UPDATE; once both have read it, the test settles it (as the VPN agent
    would). Then both PUT, each making it PENDING_UPDATE for 1 s, which the other must wait out or have refused
    and send again. Both end successfully with both changes kept, and no PUT was sent while it was PENDING.
    """
    seeded = fresh(emulator, 1, connection(CONN_ID, 'conc-pair', status='PENDING_UPDATE'))[CONN_ID]
    settled_at = []

    def settle_when_both_have_read() -> None:
        def both_read() -> bool:
            # Each playbook finds the connection by name once; its polls while waiting are by id.
            finds = [entry for entry in emulator.log()
                     if entry['method'] == 'GET' and entry['path'] == COLLECTION and 'conc-pair' in entry['query']]
            return len(finds) >= 2
        wait_until('both playbooks to read the connection', both_read)
        time.sleep(0.3)
        settled_at.append(len(emulator.log()))
        emulator.patch('ipsec-site-connections', CONN_ID, status='ACTIVE')

    first, second = run_pair(emulator, tmp_path, 'pending', settle_when_both_have_read)
    log = emulator.log()
    early = [entry for entry in log[:settled_at[0]] if entry['method'] == 'PUT']
    assert not early, 'a PUT was sent while the connection was PENDING_UPDATE: %s' % early
    puts = check_pair(emulator, seeded, first, second)
    note_puts('pending', emulator.flavour, puts)
    refused = [entry for entry in puts if entry['status'] == 400]
    assert all(entry['status'] in (200, 400) for entry in puts), puts
    assert len(puts) == 2 + len(refused), 'a PUT refused as PENDING was not sent again exactly once: %s' % puts


def test_two_playbooks_race(neutron_emulator: Emulator, tmp_path: Path) -> None:
    """The same two playbooks started together on a settled connection (PENDING window 1 s): whichever PUTs
    second meets PENDING_UPDATE (refused PUT, or a GET that shows it) and waits; both succeed, both changes kept."""
    emulator = neutron_emulator
    seeded = fresh(emulator, 1, connection(CONN_ID, 'conc-pair'))[CONN_ID]
    first, second = run_pair(emulator, tmp_path, 'race')
    puts = check_pair(emulator, seeded, first, second)
    note_puts('race', emulator.flavour, puts)
    assert all(entry['status'] in (200, 400) for entry in puts), puts


# ---------------------------------------------------------------------------
# (c) A PUT refused as PENDING is waited out and sent again
# ---------------------------------------------------------------------------

def test_put_refused_as_pending_is_sent_again(emulator: Emulator, tmp_path: Path) -> None:
    """Our GET sees ACTIVE; while our PUT is held, another update makes the connection PENDING_UPDATE, so the API
    refuses the PUT with 400 "Invalid state PENDING_UPDATE". The module waits until the test settles the connection,
    then sends the PUT again: success, one refused PUT and one accepted, both holding only mtu."""
    seeded = fresh(emulator, 0, connection(CONN_ID, 'conc-refused'))[CONN_ID]
    held = emulator.fault(method='PUT', path=COLLECTION + '/' + CONN_ID + '$', kind='delay', delay=1.5, times=1)
    play = Playbook(tmp_path, 'refused-put-%s' % emulator.flavour, emulator,
                    [update_task('ours', CONN_ID, mtu=1400, wait_timeout=30)])
    try:
        wait_until('our PUT to be held', lambda: fault_used(emulator, held))
        emulator.patch('ipsec-site-connections', CONN_ID, status='PENDING_UPDATE')
        wait_until('the API to refuse our PUT', lambda: [e for e in conn_requests(emulator, CONN_ID, 'PUT') if e['status'] == 400])
        time.sleep(0.7)
        assert not [e for e in conn_requests(emulator, CONN_ID, 'PUT') if e['status'] != 400], 'the PUT was sent again while PENDING'
        emulator.patch('ipsec-site-connections', CONN_ID, status='ACTIVE')
        result = play.finish()['ours']
    finally:
        play.stop()
    assert_ok(result, 'the update refused once as PENDING')
    puts = conn_requests(emulator, CONN_ID, 'PUT')
    body = {'ipsec_site_connection': {'mtu': 1400}}
    assert [(entry['status'], entry['body']) for entry in puts] == [(400, body), (200, body)], puts
    now = stored(emulator, CONN_ID)
    assert differences(seeded, now, {'mtu': 1400}) == {} and psk_of(now) == SEED_DIGEST


# ---------------------------------------------------------------------------
# (d) Waiting: timeout, ERROR, delete
# ---------------------------------------------------------------------------

def test_waits_time_out_fail_on_error_and_follow_deletes(neutron_emulator: Emulator, tmp_path: Path) -> None:
    """wait_timeout fails naming the last status (and sends nothing); an update that ends in ERROR fails naming
    ERROR; a delete is waited on until GET answers 404."""
    emulator = neutron_emulator
    seeded = fresh(emulator, 1, connection(CONN_ID, 'conc-stuck', status='PENDING_UPDATE'),
                   connection(OTHER_ID, 'conc-error', status='ERROR'), connection(THIRD_ID, 'conc-gone'))
    started = time.monotonic()
    play = Playbook(tmp_path, 'waits-%s' % emulator.flavour, emulator, [
        update_task('stuck', CONN_ID, mtu=1400, wait_timeout=2),
        update_task('error', OTHER_ID, mtu=1400, wait_timeout=20),
        update_task('gone', THIRD_ID, state='absent', wait_timeout=20),
    ])
    try:
        results = play.finish()
    finally:
        play.stop()
    assert time.monotonic() - started < PLAY_TIMEOUT
    stuck, error, gone = results['stuck'], results['error'], results['gone']
    assert stuck.get('failed'), 'waiting on a connection stuck in PENDING_UPDATE did not time out'
    for words in ('timed out', 'PENDING_UPDATE', CONN_ID):
        assert words in stuck['msg'], 'the timeout message lacks %r: %s' % (words, stuck['msg'])
    assert not conn_requests(emulator, CONN_ID, 'PUT'), 'a PUT was sent to a connection stuck in PENDING_UPDATE'
    assert differences(seeded[CONN_ID], stored(emulator, CONN_ID), {}) == {}
    assert error.get('failed'), 'an update that left the connection in ERROR succeeded'
    assert 'ERROR' in error['msg'] and OTHER_ID in error['msg'], error['msg']
    assert stored(emulator, OTHER_ID)['mtu'] == 1400
    assert_ok(gone, 'the delete')
    assert stored(emulator, THIRD_ID) is None
    reads = conn_requests(emulator, THIRD_ID, 'GET')
    deletes = conn_requests(emulator, THIRD_ID, 'DELETE')
    assert deletes and deletes[0]['status'] == 204 and len(deletes) == 1, deletes
    assert reads[-1]['status'] == 404 and reads[-1]['seq'] > deletes[0]['seq'], \
        'the module did not wait until GET answered 404: %s' % [(entry['seq'], entry['status']) for entry in reads]
