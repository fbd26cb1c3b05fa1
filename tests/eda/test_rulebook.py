# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rulebook vpnaas.cloud.tunnel_remediation under the real ansible-rulebook, against the emulator.

The example hub of ``docs/examples/hub`` is built with ansible-playbook (of the rulebook's venv, with the
collection as ``make collection`` built and installed it). ansible-rulebook then runs the collection's
rulebook: its source vpnaas.cloud.tunnel_status polls the emulator. One branch is set DOWN and its mtu
drifts (the control API, as an agent and another client would); after ``tunnel_down_after`` seconds the
rule runs the playbook vpnaas.cloud.tunnel_remediation, which re-applies the hub's declared state: one PUT
puts the mtu back, and its notification tasks write a marker. It runs once only. A failed poll whose error
echoes the token and a psk is logged masked. No psk and no token is in any output. Logs in ``tests/output/eda/``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.eda import venv
from tests.emulator.run_with import Emulator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'docs' / 'examples' / 'hub'
INSTALLED = Path(os.environ.get('ANSIBLE_COLLECTIONS_PATH') or REPO / '.build' / 'collections')
COLLECTION = INSTALLED / 'ansible_collections' / 'vpnaas' / 'cloud'
OUTPUT = Path(os.environ.get('VPNAAS_TEST_OUTPUT') or REPO / 'tests' / 'output') / 'eda'
TOKEN = 'eda-static-Token-8b2f61d4'
PSKS = {'branch-1': 'Eda-psk-one-5c8a1f', 'branch-2': 'Eda-psk-two-7d2e9b', 'branch-3': 'Eda-psk-three-3f6c0a'}
BUILD_TIMEOUT = 300     # seconds for building the hub (about 15 s)
REMEDIATION_WAIT = 120  # seconds, at most, from the DOWN to the marker (about 10 s)
STOP_WAIT = 15          # seconds for ansible-rulebook to end after SIGTERM, before SIGKILL


@pytest.fixture(scope='module')
def tools():
    """(rulebook venv, JAVA_HOME); fails with what to do when either is missing."""
    try:
        home = venv.java_home()
        path = venv.ensure_venv()
    except venv.VenvError as exc:
        pytest.fail(str(exc))
    for wanted in ('extensions/eda/plugins/event_source/tunnel_status.py', 'extensions/eda/rulebooks/tunnel_remediation.yml',
                   'playbooks/tunnel_remediation.yml'):
        if not (COLLECTION / wanted).is_file():
            pytest.fail('%s is not in the built collection at %s: run `make collection` (or `make events`)' % (wanted, COLLECTION))
    return path, home


def environment(rulebook_venv: Path, java: Path, emulator: Emulator, tmp_path: Path) -> dict:
    """The environment of ansible-playbook and ansible-rulebook: only the built collection, the venv's python, the emulator."""
    env = dict((name, value) for name, value in os.environ.items()
               if not name.startswith(('OS_', 'HW_', 'VPNAAS_', 'ANSIBLE_', 'JAVA')))
    env.update(
        PATH='%s:%s:%s' % (rulebook_venv / 'bin', java / 'bin', env.get('PATH', '/usr/bin:/bin')),
        JAVA_HOME=str(java),
        ANSIBLE_COLLECTIONS_PATH=str(INSTALLED),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
        ANSIBLE_PYTHON_INTERPRETER=str(rulebook_venv / 'bin' / 'python'),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
        VPNAAS_ENDPOINT=emulator.url, VPNAAS_AUTH_TOKEN=emulator.token,
    )
    return env


def assert_no_secret(output: str, what: str) -> None:
    """Neither a psk nor the token in ``output`` (counted, never printed)."""
    leaked = [name for name, secret in list(PSKS.items()) + [('token', TOKEN)] if secret in output]
    assert not leaked, 'the secrets of %s appear in the output of %s' % (', '.join(leaked), what)


def notify_tasks(tmp_path: Path) -> tuple:
    """(marker, tasks file): notification tasks that append tunnel_remediation_result to the marker, as JSON lines."""
    marker = tmp_path / 'remediated.jsonl'
    notify = tmp_path / 'notify.yml'
    notify.write_text(yaml.safe_dump([{'name': 'Write the marker', 'ansible.builtin.lineinfile': {
        'path': str(marker), 'create': True, 'mode': '0600',
        'line': '{{ tunnel_remediation_result | to_json }}'}}]), encoding='utf-8')
    return marker, notify


class Hub:  # pylint: disable=too-few-public-methods
    """The example hub built in one emulator, shared by the tests of this file (building it is the slow part)."""

    def __init__(self, rulebook_venv: Path, java: Path, emulator: Emulator, folder: Path) -> None:
        self.venv = rulebook_venv
        self.emu = emulator
        self.env = environment(rulebook_venv, java, emulator, folder)
        self.inventory = folder / 'inventory.yml'
        self.inventory.write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {
            'ansible_connection': 'local', 'ansible_python_interpreter': str(rulebook_venv / 'bin' / 'python')}}}}),
            encoding='utf-8')
        self.secrets = folder / 'secrets.yml'
        self.secrets.write_text(yaml.safe_dump({'vault_hub_psks': PSKS}), encoding='utf-8')
        self.var_files = [str(EXAMPLE / 'hub.yml'), str(self.secrets)]

    def playbook(self, log: str, name: str, *extra: str) -> str:
        """Run a playbook with the rulebook venv's ansible-playbook (output in OUTPUT/<log>.log); success and no secret asserted."""
        return playbook(self.venv, self.env, self.inventory, log, name, *extra)

    def connections(self) -> dict:
        """The connections in the emulator, by name."""
        return dict((item['name'], item) for item in self.emu.state()['ipsec_site_connections'])


@pytest.fixture(scope='module')
def hub(tools, tmp_path_factory):
    """The example hub, built by the rulebook venv's ansible-core from the built collection."""
    rulebook_venv, java = tools
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with Emulator(flavour='neutron', static_token=TOKEN, max_lifetime=600) as emu:
        built = Hub(rulebook_venv, java, emu, tmp_path_factory.mktemp('hub'))
        built.playbook('build-hub', str(EXAMPLE / 'build-hub.yml'), '-e', '@%s' % (EXAMPLE / 'hub.yml'),
                       '-e', '@%s' % built.secrets)
        yield built


def playbook(rulebook_venv: Path, env: dict, inventory: Path, log: str, name: str, *extra: str) -> str:
    """Run a playbook with the rulebook venv's ansible-playbook, output in OUTPUT/<log>.log; success and no secret asserted."""
    proc = subprocess.run([str(rulebook_venv / 'bin' / 'ansible-playbook'), '-i', str(inventory), name] + list(extra),
                          env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    output = proc.stdout + proc.stderr
    (OUTPUT / ('%s.log' % log)).write_text(output, encoding='utf-8')
    assert proc.returncode == 0, output[-4000:]
    assert_no_secret(output, name)
    return output


def test_a_tunnel_that_stays_down_is_remediated_once(hub, tmp_path):
    """Under ansible-rulebook: branch-2 DOWN with a drifted mtu; after tunnel_down_after, one run of the playbook."""
    rulebook_venv, emu, env, inventory = hub.venv, hub.emu, hub.env, hub.inventory
    marker, notify = notify_tasks(tmp_path)
    variables = tmp_path / 'rulebook-vars.yml'
    variables.write_text(yaml.safe_dump({
        'tunnel_vpnservice': 'hub', 'tunnel_interval': 0.5, 'tunnel_down_after': 2,
        'tunnel_remediation_var_files': hub.var_files, 'tunnel_remediation_notify_tasks': str(notify)}), encoding='utf-8')
    branch = hub.connections()['branch-2']
    assert branch['mtu'] == 1400 and branch['status'] == 'ACTIVE'
    emu.clear_log()

    log_path = OUTPUT / 'ansible-rulebook.log'
    with open(log_path, 'w', encoding='utf-8') as log:
        rulebook = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped in finally
            [str(rulebook_venv / 'bin' / 'ansible-rulebook'), '-v', '-i', str(inventory),
             '--rulebook', 'vpnaas.cloud.tunnel_remediation', '-e', str(variables)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(tmp_path),
            start_new_session=True)
        try:
            # Polling has begun once the source has listed the connections (after the one list of the services).
            wait_for(lambda: any(e['path'] == '/v2.0/vpn/ipsec-site-connections' for e in emu.log()), 60,
                     'the source never listed the connections', rulebook, log_path)
            # One failed poll whose error echoes the token and a psk: logged masked, and the source goes on.
            emu.fault(method='GET', path='ipsec-site-connections', kind='status', status=500, times=1, body={
                'NeutronError': {'type': 'HTTPInternalServerError',
                                 'message': 'token %s psk %s' % (TOKEN, PSKS['branch-2'])}})
            wait_for(lambda: any(e.get('fault') for e in emu.log()), 30, 'the source never met the fault', rulebook,
                     log_path)
            emu.patch('ipsec-site-connections', branch['id'], status='DOWN', mtu=1300)
            down_at = time.monotonic()
            wait_for(marker.is_file, REMEDIATION_WAIT, 'the remediation playbook never wrote its marker', rulebook,
                     log_path)
            took = time.monotonic() - down_at
            time.sleep(3)   # more polls: the connection stays DOWN, and must not be remediated again
            still_running = rulebook.poll() is None
        finally:
            stop(rulebook)
    output = log_path.read_text(encoding='utf-8')
    assert still_running, output[-3000:]
    requests = emu.log()

    results = [json.loads(line) for line in marker.read_text(encoding='utf-8').splitlines()]
    assert results == [{'name': 'branch-2', 'id': branch['id'], 'declared': True, 'status_before': 'DOWN',
                        'status_after': 'DOWN', 'changed': True, 'writes': 1}], results
    writes = [entry for entry in requests if entry['method'] != 'GET' and entry['path'].startswith('/v2.0/')]
    assert [(entry['method'], entry['path'], entry['body']) for entry in writes] == [
        ('PUT', '/v2.0/vpn/ipsec-site-connections/' + branch['id'], {'ipsec_site_connection': {'mtu': 1400}})]
    assert took >= 2, 'remediated %.1f s after the DOWN, before tunnel_down_after (2 s)' % took
    assert output.count('PLAY [Bring an IPsec tunnel back to its declared state]') == 1, output[-3000:]
    assert 'status_changed: branch-2 ACTIVE -> DOWN' in output and 'Traceback' not in output, output[-3000:]
    assert 'poll failed (1 in a row' in output and 'token ******** psk ********' in output, output[-3000:]
    assert_no_secret(output, 'ansible-rulebook')
    (OUTPUT / 'summary.txt').write_text('remediated %.1f s after the DOWN; %d requests while the rulebook ran\n'
                                        % (took, len(requests)), encoding='utf-8')


def wait_for(condition, seconds: float, message: str, process: subprocess.Popen, log_path: Path) -> None:
    """Wait (bounded) for ``condition()``; fail with the end of ansible-rulebook's output if it ends or time runs out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            why = 'ansible-rulebook ended (exit %s)' % process.returncode if process.poll() is not None else \
                'not within %s s' % seconds
            tail = log_path.read_text(encoding='utf-8')[-4000:]
            for secret in list(PSKS.values()) + [TOKEN]:
                tail = tail.replace(secret, '********')
            pytest.fail('%s: %s\n%s' % (message, why, tail))
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """End ansible-rulebook and what it started (its session): SIGTERM, then SIGKILL after STOP_WAIT seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_WAIT)


def test_the_playbook_by_hand_recreates_a_deleted_branch_and_leaves_others_alone(hub, tmp_path):
    """By name: a deleted branch is created again (the connection, with the peer group it left). By id: a connection
    the hub does not declare is left alone (no write), and the notification tasks still run, with declared false."""
    emu = hub.emu
    marker, notify = notify_tasks(tmp_path)
    files = json.dumps({'tunnel_remediation_var_files': hub.var_files, 'tunnel_remediation_notify_tasks': str(notify)})
    state = hub.connections()
    status, _headers, _body = emu.request('DELETE', '/v2.0/vpn/ipsec-site-connections/' + state['branch-3']['id'])
    assert status == 204
    stray = emu.seed({'ipsec_site_connections': [dict(
        name='stray', vpnservice_id=state['branch-1']['vpnservice_id'], psk=PSKS['branch-1'], status='DOWN',
        peer_address='192.0.2.99', peer_id='192.0.2.99')]})['ipsec_site_connections'][0]
    emu.clear_log()
    hub.playbook('remediation-deleted', 'vpnaas.cloud.tunnel_remediation', '-e', 'tunnel_remediation_name=branch-3',
                 '-e', files)
    created = [(e['method'], e['path']) for e in emu.take_log() if e['method'] != 'GET']
    hub.playbook('remediation-undeclared', 'vpnaas.cloud.tunnel_remediation', '-e', 'tunnel_remediation_id=' + stray['id'],
                 '-e', files)
    untouched = [(e['method'], e['path']) for e in emu.take_log() if e['method'] != 'GET']
    after = hub.connections()
    # The deleted connection's peer group (branch-3-peers, same networks, now unused) is used again: one POST only.
    assert created == [('POST', '/v2.0/vpn/ipsec-site-connections')]
    assert after['branch-3']['peer_ep_group_id'] == state['branch-3']['peer_ep_group_id']
    assert untouched == []
    results = [json.loads(line) for line in marker.read_text(encoding='utf-8').splitlines()]
    assert results == [
        {'name': 'branch-3', 'id': after['branch-3']['id'], 'declared': True, 'status_before': 'absent',
         'status_after': after['branch-3']['status'], 'changed': True, 'writes': 1},
        {'name': 'stray', 'id': stray['id'], 'declared': False, 'status_before': 'DOWN', 'status_after': 'DOWN',
         'changed': False, 'writes': 0}], results
    assert set(after) == {'branch-1', 'branch-2', 'branch-3', 'stray'}
