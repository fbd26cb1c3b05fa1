# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A whole tunnel from one playbook: ``ansible-playbook vpnaas.cloud.site_to_site -e @vars.yml``.

Against the emulator, in both flavours: build the five parts, run again (changed=0, reads
only), change the MTU in check mode with a readable diff, tear down with state=absent
(everything gone), and tear down again (changed=0). The recap lines and the requests of
each run are written to ``tests/output/integration/site_to_site-<flavour>.summary``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.integration.test_targets import FLAVOURS, OUTPUT, credential_free_env, leaked_lines, local_inventory
from tests.emulator.run_with import Emulator

PSK = 'site-To-Site-Psk-3f9a'
VARIABLES = {
    'site_to_site_name': 'branch-1',
    'site_to_site_router_id': '0a1b2c3d-0000-4000-8000-00000000f001',
    'site_to_site_local_subnets': ['0a1b2c3d-0000-4000-8000-00000000f002'],
    'site_to_site_peer_address': '203.0.113.20',
    'site_to_site_peer_cidrs': ['10.20.0.0/16', '10.21.0.0/16'],
    'site_to_site_psk': PSK,
    'site_to_site_connection': {'mtu': 1400, 'dpd': {'action': 'restart', 'timeout': 150}},
}
PARTS = ('ipsec_site_connections', 'vpnservices', 'ikepolicies', 'ipsecpolicies', 'endpoint_groups')


def recap(output: str) -> dict:
    """The numbers of the PLAY RECAP line for localhost."""
    match = re.search(r'^localhost\s+:\s+(.*)$', output, re.MULTILINE)
    assert match, output[-3000:]
    return dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(1)))


class Runner:
    """Runs the collection's site_to_site playbook against one emulator and keeps a summary."""

    def __init__(self, emulator: Emulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.variables = tmp_path / 'branch-1.yml'
        self.variables.write_text(yaml.safe_dump(VARIABLES), encoding='utf-8')
        self.inventory = local_inventory(tmp_path / 'inventory')
        self.summary = []

    def run(self, step: str, *extra: str) -> tuple:
        """One playbook run; returns (recap numbers, output, requests as 'METHOD collection')."""
        env = credential_free_env(self.tmp_path)
        env.update(VPNAAS_ENDPOINT=self.emulator.url, VPNAAS_AUTH_TOKEN=self.emulator.token)
        self.emulator.clear_log()
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(self.inventory),
                   'vpnaas.cloud.site_to_site', '-e', '@%s' % self.variables] + list(extra)
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
        output = proc.stdout + proc.stderr
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ('site_to_site-%s-%s.log' % (self.emulator.flavour, step.replace(' ', '_')))).write_text(
            output, encoding='utf-8')
        assert proc.returncode == 0, 'step %s failed:\n%s' % (step, output[-4000:])
        assert not leaked_lines(output, [PSK, self.emulator.token]), 'a secret appears in the output of %s' % step
        requests = ['%s %s' % (entry['method'], entry['path'].split('/')[3]) for entry in self.emulator.log()]
        numbers = recap(output)
        line = re.search(r'^localhost\s+:.*$', output, re.MULTILINE).group(0)
        counts = ', '.join('%d %s' % (n, request) for request, n in sorted(Counter(requests).items()))
        self.summary.append('%-22s %s\n%-22s %d requests: %s' % (step, ' '.join(line.split()), '', len(requests), counts))
        return numbers, output, requests

    def stored(self) -> dict:
        """How many objects of each part the emulator holds."""
        state = self.emulator.state()
        return dict((part, len(state.get(part, []))) for part in PARTS)


@pytest.fixture(params=FLAVOURS)
def runner(request, tmp_path):
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        the_runner = Runner(emu, tmp_path)
        yield the_runner
        summary = OUTPUT / ('site_to_site-%s.summary' % emu.flavour)
        summary.write_text('\n'.join(the_runner.summary) + '\n', encoding='utf-8')


def test_a_whole_tunnel_from_one_playbook(runner):
    numbers, _output, requests = runner.run('build')
    assert numbers['failed'] == 0 and numbers['changed'] == 6
    assert runner.stored() == dict((part, 2 if part == 'endpoint_groups' else 1) for part in PARTS)
    assert Counter(r.split()[0] for r in requests)['POST'] == 6

    numbers, _output, requests = runner.run('run again')
    assert numbers['changed'] == 0
    assert set(r.split()[0] for r in requests) == {'GET'}
    # One lookup per part, and none for the connection's references: the role hands over the ids.
    assert len(requests) == 6

    numbers, output, requests = runner.run('change (check, diff)', '--check', '--diff',
                                           '-e', '{"site_to_site_connection": {"mtu": 1300}}')
    assert numbers['changed'] == 1
    assert set(r.split()[0] for r in requests) == {'GET'}
    assert re.search(r'^-\s+"mtu": 1400\s*$', output, re.MULTILINE), output[-3000:]
    assert re.search(r'^\+\s+"mtu": 1300\s*$', output, re.MULTILINE), output[-3000:]

    numbers, _output, requests = runner.run('tear down', '-e', 'site_to_site_state=absent')
    assert numbers['changed'] == 5
    assert runner.stored() == dict((part, 0) for part in PARTS)
    # Dependency order: the connection goes before what it uses, the policies last.
    deletes = [r.split()[1] for r in requests if r.startswith('DELETE')]
    assert deletes == ['ipsec-site-connections', 'endpoint-groups', 'endpoint-groups', 'vpnservices', 'ipsecpolicies',
                       'ikepolicies']

    numbers, _output, requests = runner.run('tear down again', '-e', 'site_to_site_state=absent')
    assert numbers['changed'] == 0
    assert set(r.split()[0] for r in requests) == {'GET'}
