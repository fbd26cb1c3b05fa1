# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load: 200 connections updated by ``ansible-playbook -f 20`` against a rate-limited emulator.

Each of 200 inventory hosts (``tunnel-001`` .. ``tunnel-200``, ``ansible_connection: local``)
stands for one seeded connection and changes its MTU. The emulator answers more than
``RATE_LIMIT`` requests per second with 429 and ``Retry-After: 1``; the modules must retry
them (option ``retries``), so the run ends with ``failed=0`` for every host, every connection
holds the new MTU, and a second run reports ``changed=0`` for every host. Wall time, request
count and 429 count of each run go to ``tests/output/integration/load-figures.txt``.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.integration.test_targets import OUTPUT, ansible_env, failures
from tests.emulator.run_with import Emulator

HOSTS = 200
FORKS = 20
RATE_LIMIT = 30     # requests per second the emulator accepts before answering 429 + Retry-After: 1
#: On a 2-core machine Ansible runs about 5 modules a second, so the rate limit alone refuses only a few
#: bursts; these 429 faults (Retry-After: 1) make sure the retry path is taken whatever the machine's speed.
FORCED_429 = {'GET': 10, 'PUT': 20}
OLD_MTU, NEW_MTU = 1500, 1400
RUN_TIMEOUT = 150   # seconds per ansible-playbook run; both runs together must stay under 3 minutes
FIGURES = OUTPUT / 'load-figures.txt'
PSK = 'load-Psk-6b1d02'

PLAY = [{
    'name': 'Change the MTU of every tunnel, one host per connection',
    'hosts': 'tunnels',
    'gather_facts': False,
    'module_defaults': {'group/vpnaas.cloud.vpnaas': {'endpoint': '{{ vpnaas_emulator_url }}',
                                                      'auth_token': '{{ vpnaas_emulator_token }}'}},
    'tasks': [{'name': 'Set the MTU of the tunnel',
               'vpnaas.cloud.ipsec_connection': {'id': '{{ conn_id }}', 'mtu': NEW_MTU},
               'register': 'tuned'}],
}]

Run = collections.namedtuple('Run', 'seconds requests throttled recap output')


def conn_id(number: int) -> str:
    """The id of connection ``number`` (1-based)."""
    return '0a1b2c3d-0000-4000-8000-%012d' % number


def host_name(number: int) -> str:
    """The inventory host of connection ``number``."""
    return 'tunnel-%03d' % number


def write_inventory(path: Path) -> None:
    """A YAML inventory: one local host per connection, with its id and name."""
    hosts = dict((host_name(n), {'conn_id': conn_id(n), 'conn_name': host_name(n)}) for n in range(1, HOSTS + 1))
    inventory = {'tunnels': {'hosts': hosts, 'vars': {'ansible_connection': 'local',
                                                      'ansible_python_interpreter': sys.executable}}}
    path.write_text(yaml.safe_dump(inventory), encoding='utf-8')


def parse_recap(output: str) -> dict:
    """The PLAY RECAP counters per host: {host: {'ok': n, 'changed': n, 'failed': n, ...}}."""
    recap = {}
    for match in re.finditer(r'^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$', output, re.MULTILINE):
        recap[match.group(1)] = dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(2)))
    return recap


@pytest.fixture(scope='module')
def emulator() -> Iterator[Emulator]:
    """A neutron emulator with the 200 connections, rate-limited."""
    with Emulator(flavour='neutron') as emu:
        emu.seed({'ipsec_site_connections': [
            {'id': conn_id(n), 'name': host_name(n), 'peer_address': '192.0.2.%d' % (n % 250 + 1),
             'peer_id': '192.0.2.%d' % (n % 250 + 1), 'psk': PSK, 'mtu': OLD_MTU, 'status': 'ACTIVE'}
            for n in range(1, HOSTS + 1)]})
        emu.config(rate_limit=RATE_LIMIT)
        yield emu


def force_429s(emulator: Emulator) -> None:
    """Answer the next FORCED_429 requests of each method with 429 and Retry-After: 1."""
    for method, times in FORCED_429.items():
        emulator.fault(method=method, path='ipsec-site-connections', kind='status', status=429, times=times,
                       headers={'Retry-After': '1'})


def run_play(emulator: Emulator, tmp_path: Path, label: str) -> Run:
    """One ansible-playbook run over the 200 hosts; returns its figures (the emulator log is read and cleared)."""
    play, inventory, extra = tmp_path / 'play.yml', tmp_path / 'inventory.yml', tmp_path / 'vars.yml'
    play.write_text(yaml.safe_dump(PLAY), encoding='utf-8')
    write_inventory(inventory)
    extra.write_text(yaml.safe_dump({'vpnaas_emulator_url': emulator.url, 'vpnaas_emulator_token': emulator.token}),
                     encoding='utf-8')
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-f', str(FORKS), '-i', str(inventory),
               '-e', '@%s' % extra, str(play)]
    emulator.clear_log()
    emulator.clear_faults()
    force_429s(emulator)
    started = time.monotonic()
    env = ansible_env(tmp_path)  # pipelining on, as ansible_env sets it
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          check=False)
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / ('load-%s.log' % label)).write_text(output, encoding='utf-8')
    log = emulator.clear_log()
    return Run(seconds, len(log), sum(1 for entry in log if entry.get('status') == 429), parse_recap(output), output)


def record(runs: dict) -> None:
    """Write the figures of each run to load-figures.txt."""
    lines = ['# ipsec_connection: %d hosts, -f %d, emulator rate_limit %d/s plus forced 429s %s per run (neutron)'
             % (HOSTS, FORKS, RATE_LIMIT, FORCED_429)]
    for label, run in runs.items():
        failed = sum(1 for counters in run.recap.values() if counters.get('failed'))
        changed = sum(1 for counters in run.recap.values() if counters.get('changed'))
        lines.append('%s: wall %.1f s, %d requests, %d answered 429, hosts changed %d, hosts failed %d'
                     % (label, run.seconds, run.requests, run.throttled, changed, failed))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text('\n'.join(lines) + '\n', encoding='utf-8')


def test_200_connections_with_20_forks_under_a_rate_limit(emulator: Emulator, tmp_path: Path) -> None:
    """Every host ends failed=0 with the new MTU stored, and a second run changes nothing."""
    runs = {}
    try:
        runs['first run'] = first = run_play(emulator, tmp_path, 'first')
        hosts = set(host_name(n) for n in range(1, HOSTS + 1))
        assert set(first.recap) == hosts, 'the recap does not list the 200 hosts:\n%s' % failures(first.output)
        failed = sorted(host for host, counters in first.recap.items() if counters.get('failed') or counters.get('unreachable'))
        assert not failed, '%d hosts failed (%s...), %d requests answered 429:\n%s' % (
            len(failed), ', '.join(failed[:5]), first.throttled, failures(first.output)[-6000:])
        assert all(counters.get('changed') == 1 for counters in first.recap.values())
        assert first.throttled >= sum(FORCED_429.values()), 'fewer 429 answers than forced: the faults did not apply'
        connections = emulator.state()['ipsec_site_connections']
        wrong = sorted(c['name'] for c in connections if c.get('mtu') != NEW_MTU)
        assert len(connections) == HOSTS and not wrong, 'connections without the new MTU: %s' % wrong[:10]

        runs['second run'] = second = run_play(emulator, tmp_path, 'second')
        failed = sorted(host for host, counters in second.recap.items() if counters.get('failed') or counters.get('unreachable'))
        changed = sorted(host for host, counters in second.recap.items() if counters.get('changed'))
        assert set(second.recap) == hosts and not failed, '%d hosts failed on the second run:\n%s' % (
            len(failed), failures(second.output)[-6000:])
        assert not changed, 'the second run changed %d hosts (%s...)' % (len(changed), ', '.join(changed[:5]))
        assert second.requests - second.throttled == HOSTS, 'the second run sent more than one GET per host'
    finally:
        record(runs)
