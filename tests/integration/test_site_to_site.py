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

import hashlib
import json
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
# The Huawei flavour runs with site_to_site_cloud=huawei and the role's Huawei defaults (sha2-256, which the
# emulator's Huawei flavour accepts as Huawei and OTC document, and refuses the OpenStack spelling sha256).
HUAWEI = {'site_to_site_cloud': 'huawei'}


def flavour_variables(flavour: str, variables: dict = None) -> dict:
    """The variables of a tunnel on this emulator flavour (the cloud and its policy values)."""
    return dict(variables or VARIABLES, **(HUAWEI if flavour == 'huawei' else {}))


def recap(output: str) -> dict:
    """The numbers of the PLAY RECAP line for localhost."""
    match = re.search(r'^localhost\s+:\s+(.*)$', output, re.MULTILINE)
    assert match, output[-3000:]
    return dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(1)))


def shown_result(output: str):
    """The fact site_to_site_result as the playbook's last task shows it; None when not shown."""
    start = output.rfind('"site_to_site_result": {')
    if start < 0:
        return None
    return json.JSONDecoder().raw_decode(output, start + len('"site_to_site_result": '))[0]


class Runner:
    """Runs the collection's site_to_site playbook against one emulator and keeps a summary."""

    def __init__(self, emulator: Emulator, tmp_path: Path, prefix: str = 'site_to_site') -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.prefix = prefix
        self.variables = self.write_variables('branch-1', flavour_variables(emulator.flavour))
        self.inventory = local_inventory(tmp_path / 'inventory')
        self.summary = []
        self.entries = []
        self.result = None

    def write_variables(self, name: str, variables: dict) -> Path:
        """A variable file for ``-e @file``."""
        path = self.tmp_path / ('%s.yml' % name)
        path.write_text(yaml.safe_dump(variables), encoding='utf-8')
        return path

    def run(self, step: str, *extra: str, variables: Path = None, succeed: bool = True) -> tuple:
        """One playbook run; returns (recap numbers, output, requests as 'METHOD collection').

        The emulator's log entries are kept in ``entries``, the fact ``site_to_site_result`` that the
        playbook shows in ``result`` (None when the run did not get that far).
        """
        env = credential_free_env(self.tmp_path)
        env.update(VPNAAS_ENDPOINT=self.emulator.url, VPNAAS_AUTH_TOKEN=self.emulator.token)
        self.emulator.clear_log()
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(self.inventory),
                   'vpnaas.cloud.site_to_site', '-e', '@%s' % (variables or self.variables)] + list(extra)
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
        output = proc.stdout + proc.stderr
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ('%s-%s-%s.log' % (self.prefix, self.emulator.flavour, step.replace(' ', '_')))).write_text(
            output, encoding='utf-8')
        assert (proc.returncode == 0) == succeed, 'step %s: return code %d\n%s' % (step, proc.returncode, output[-4000:])
        assert not leaked_lines(output, [PSK, self.emulator.token]), 'a secret appears in the output of %s' % step
        self.entries = self.emulator.log()
        self.result = shown_result(output)
        requests = ['%s %s' % (entry['method'], entry['path'].split('/')[3]) for entry in self.entries]
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


def test_result_fact_for_the_peer(runner):
    """What the peer's administrator needs: public address, ids, networks, algorithms; never the psk."""
    runner.run('build for the result')
    result = runner.result
    state = runner.emulator.state()
    connection, service = state['ipsec_site_connections'][0], state['vpnservices'][0]
    assert result['connection']['id'] == connection['id'] and result['connection']['status'] == connection['status']
    assert result['vpn_service']['external_v4_ip'] == service['external_v4_ip'] != ''
    assert result['local'] == {'address': service['external_v4_ip'], 'id': service['external_v4_ip'],
                               'subnets': VARIABLES['site_to_site_local_subnets']}
    assert result['peer'] == {'address': '203.0.113.20', 'id': '203.0.113.20', 'cidrs': VARIABLES['site_to_site_peer_cidrs']}
    expected = flavour_variables(runner.emulator.flavour)
    for part in ('ike_policy', 'ipsec_policy'):
        for key, value in (expected.get('site_to_site_' + part) or {}).items():
            assert result[part][key] == value, (part, key, result[part])
    if runner.emulator.flavour == 'neutron':
        assert result['ike_policy']['auth_algorithm'] == 'sha256'  # the openstack default
    assert 'psk' not in json.dumps(result) and PSK not in json.dumps(result)
    assert result['kept'] == [] and result['deleted'] == []


def derived_name(base: str, endpoints: list) -> str:
    """The name the role gives a replacement group: base, a dash, 8 hex digits of the sha1 of the sorted endpoints."""
    return '%s-%s' % (base, hashlib.sha1(','.join(sorted(set(e.lower() for e in endpoints))).encode()).hexdigest()[:8])


def by_path(entries: list, method: str, collection: str) -> list:
    """The log entries of one method on one collection."""
    return [entry for entry in entries if entry['method'] == method and entry['path'].split('/')[3] == collection]


def test_peer_networks_change_in_place(runner):
    """New peer networks: a new group, one PUT of the group id, the old group deleted; the id stays."""
    runner.run('build')
    before = runner.emulator.state()
    connection_id = before['ipsec_site_connections'][0]['id']
    old_peer = before['ipsec_site_connections'][0]['peer_ep_group_id']
    old_local = before['ipsec_site_connections'][0]['local_ep_group_id']
    new_cidrs = ['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/24']
    change = '{"site_to_site_peer_cidrs": %s}' % json.dumps(new_cidrs)
    new_name = derived_name('branch-1-peer', new_cidrs)

    # The plan: the three steps, and nothing written.
    numbers, output, requests = runner.run('peer change (check, diff)', '--check', '--diff', '-e', change)
    assert set(r.split()[0] for r in requests) == {'GET'}, requests
    assert numbers['changed'] == 3, numbers
    assert re.search(r'^\+\s+"name": "%s",?\s*$' % new_name, output, re.MULTILINE), output[-4000:]
    assert re.search(r'^\+\s+"10.22.0.0/24",?\s*$', output, re.MULTILINE), output[-4000:]
    assert re.search(r'^-\s+"peer_ep_group_id": "%s",?\s*$' % old_peer, output, re.MULTILINE), output[-4000:]
    assert re.search(r'^\+\s+"peer_ep_group_id": "%s",?\s*$' % new_name, output, re.MULTILINE), output[-4000:]
    assert re.search(r'TASK \[vpnaas.cloud.site_to_site : Delete the old endpoint groups.*\n(.*\n){0,30}?changed: \[localhost\] '
                     r'=> \(item=branch-1-peer \(%s\)\)' % old_peer, output), output[-4000:]
    assert runner.emulator.state() == before

    # The change: POST the group, PUT the connection with the group id only, then DELETE the old group.
    numbers, output, requests = runner.run('peer change', '-e', change)
    assert numbers['changed'] == 3, numbers
    writes = [r for r in requests if not r.startswith('GET')]
    assert writes == ['POST endpoint-groups', 'PUT ipsec-site-connections', 'DELETE endpoint-groups'], writes
    post, = by_path(runner.entries, 'POST', 'endpoint-groups')
    assert post['body'] == {'endpoint_group': {'name': new_name, 'type': 'cidr', 'endpoints': new_cidrs}}, post
    put, = by_path(runner.entries, 'PUT', 'ipsec-site-connections')
    after = runner.emulator.state()
    new_peer = after['ipsec_site_connections'][0]['peer_ep_group_id']
    assert put['path'].endswith('/' + connection_id)
    assert put['body'] == {'ipsec_site_connection': {'peer_ep_group_id': new_peer}}, put
    delete, = by_path(runner.entries, 'DELETE', 'endpoint-groups')
    assert delete['path'].endswith('/' + old_peer)
    assert [c['id'] for c in after['ipsec_site_connections']] == [connection_id]
    assert sorted(g['id'] for g in after['endpoint_groups']) == sorted([old_local, new_peer])
    assert runner.result['connection']['id'] == connection_id and runner.result['peer']['cidrs'] == new_cidrs
    assert runner.result['deleted'] == [{'part': 'endpoint_group', 'id': old_peer, 'name': 'branch-1-peer'}]

    numbers, _output, requests = runner.run('peer change again', '-e', change)
    assert numbers['changed'] == 0 and len(requests) == 6 and set(r.split()[0] for r in requests) == {'GET'}, requests


def test_interrupted_peer_change_converges(runner):
    """A change that stopped after its POST, or after its PUT, is finished by the next run."""
    runner.run('build')
    state = runner.emulator.state()
    connection_id = state['ipsec_site_connections'][0]['id']
    old_peer = state['ipsec_site_connections'][0]['peer_ep_group_id']
    new_cidrs = ['10.30.0.0/16']
    new_name = derived_name('branch-1-peer', new_cidrs)
    # Stopped after the POST: the replacement group exists, the connection still uses the old one.
    made = runner.emulator.seed({'endpoint_groups': [{'name': new_name, 'type': 'cidr', 'endpoints': new_cidrs}]})
    new_peer = made['endpoint_groups'][0]['id']
    numbers, _output, requests = runner.run('finish after post', '-e', '{"site_to_site_peer_cidrs": ["10.30.0.0/16"]}')
    assert [r for r in requests if not r.startswith('GET')] == ['PUT ipsec-site-connections', 'DELETE endpoint-groups']
    assert numbers['changed'] == 2
    assert runner.emulator.state()['ipsec_site_connections'][0]['peer_ep_group_id'] == new_peer
    # Stopped after the PUT: the old group (named as the role names it) is left, and no connection uses it.
    left = runner.emulator.seed({'endpoint_groups': [{'name': 'branch-1-peer', 'type': 'cidr', 'endpoints': ['10.20.0.0/16']}]})
    numbers, _output, requests = runner.run('finish after put', '-e', '{"site_to_site_peer_cidrs": ["10.30.0.0/16"]}')
    assert [r for r in requests if not r.startswith('GET')] == ['DELETE endpoint-groups'], requests
    assert by_path(runner.entries, 'DELETE', 'endpoint-groups')[0]['path'].endswith('/' + left['endpoint_groups'][0]['id'])
    assert numbers['changed'] == 1
    numbers, _output, requests = runner.run('converged', '-e', '{"site_to_site_peer_cidrs": ["10.30.0.0/16"]}')
    assert numbers['changed'] == 0 and len(requests) == 6, requests
    assert [c['id'] for c in runner.emulator.state()['ipsec_site_connections']] == [connection_id]
    assert old_peer not in [g['id'] for g in runner.emulator.state()['endpoint_groups']]
