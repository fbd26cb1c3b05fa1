# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hub and all its branches from one variable file: the role ``vpnaas.cloud.hub``.

Against the emulator, in both flavours, with real ``ansible-playbook -vvvv``: the example playbook of
``docs/examples/hub`` builds the example hub (three branches) and runs again (changed=0, list requests
only); then (in the Neutron flavour) a generated variable file of 300 branches does the same, with the same
tasks (one task for all the branches, no loop) and the same six list requests on its second run as three
branches. A check
mode run with ``hub_prune`` shows the deletion of an unlisted branch and writes nothing. No psk and no
token appears in the output. Logs and a summary in ``tests/output/integration/hub-*``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.emulator.run_with import Emulator
from tests.integration.test_site_to_site import recap
from tests.integration.test_targets import FLAVOURS, OUTPUT, credential_free_env, local_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / 'docs' / 'examples' / 'hub'
PLAYBOOK = EXAMPLE / 'build-hub.yml'
RUN_TIMEOUT = 300  # seconds for one playbook run; a 300-branch run takes about 15 s
BRANCHES = 300
# The parts of the hub (local group, IKE and IPsec policies, service) and the branches' task.
CHANGED_TASKS = 5
#: The list requests of an unchanged hub, whatever its size: the four parts by name, the hub's connections, the groups.
UNCHANGED = ['GET endpoint-groups', 'GET ikepolicies', 'GET ipsecpolicies', 'GET vpnservices',
             'GET ipsec-site-connections', 'GET endpoint-groups']


def psk_of(name: str) -> str:
    """The test's psk of a branch: distinct for every branch, and valid on every cloud."""
    return 'Hub-Psk-%s-q7Zx' % name


class HubRunner:
    """Runs the example playbook against one emulator, keeps a summary line for each run."""

    def __init__(self, emulator: Emulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.inventory = local_inventory(tmp_path / 'inventory')
        self.summary = []
        self.entries = []

    def write(self, name: str, data: dict) -> Path:
        path = self.tmp_path / ('%s.yml' % name)
        path.write_text(yaml.safe_dump(data), encoding='utf-8')
        return path

    def run(self, step: str, variables: Path, secrets: list, *extra: str, succeed: bool = True) -> tuple:
        """One run at -vvvv; returns (recap numbers, output, requests as 'METHOD collection')."""
        env = credential_free_env(self.tmp_path)
        env.update(VPNAAS_ENDPOINT=self.emulator.url, VPNAAS_AUTH_TOKEN=self.emulator.token)
        cloud = ['-e', 'hub_cloud=huawei'] if self.emulator.flavour == 'huawei' else []
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-vvvv', '-i', str(self.inventory), str(PLAYBOOK),
                   '-e', '@%s' % variables] + cloud + list(extra)
        self.emulator.clear_log()
        started = time.monotonic()
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
        seconds = time.monotonic() - started
        output = proc.stdout + proc.stderr
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ('hub-%s-%s.log' % (self.emulator.flavour, step.replace(' ', '_')))).write_text(output, encoding='utf-8')
        assert (proc.returncode == 0) == succeed, 'step %s: return code %d\n%s' % (step, proc.returncode, output[-4000:])
        # Count only: never print a secret. 300 psks, so each is searched in the whole output at once.
        leaked = [secret for secret in secrets + [self.emulator.token] if secret in output]
        assert not leaked, '%d secret(s) appear in the -vvvv output of %s' % (len(leaked), step)
        # Ansible prints its settings, 'verbosity: 4' among them, only at -vvvv (the length of the output
        # depends on pipelining and the ansible-core version).
        assert '\nverbosity: 4\n' in output, 'the output of %s is not at -vvvv' % step
        self.entries = self.emulator.log()
        requests = ['%s %s' % (entry['method'], entry['path'].split('/')[3]) for entry in self.entries]
        numbers = recap(output)
        counts = ', '.join('%d %s' % (n, request) for request, n in sorted(Counter(requests).items()))
        self.summary.append('%-28s %5.1f s  changed=%d  %d requests: %s' % (step, seconds, numbers['changed'], len(requests), counts))
        return numbers, output, requests

    def list_requests_only(self) -> bool:
        """Whether every request of the last run was a list (a GET of a collection, no id in the path)."""
        return all(entry['method'] == 'GET' and len(entry['path'].strip('/').split('/')) == 3 for entry in self.entries)


def tasks_of(output: str) -> list:
    """The task headers of a run, in order."""
    return re.findall(r'^TASK \[(.*?)\]', output, re.MULTILINE)


def example_secrets(tmp_path: Path, names: list) -> tuple:
    """The vault variables the example expects (vault_hub_psks), as a variable file; and the psks."""
    psks = dict((name, psk_of(name)) for name in names)
    path = tmp_path / 'secrets.yml'
    path.write_text(yaml.safe_dump({'vault_hub_psks': psks}), encoding='utf-8')
    return path, list(psks.values())


def big_hub(tmp_path: Path, example: dict) -> tuple:
    """A variable file of 300 branches (another hub, on another router), psks in hub_psks; and the psks."""
    branches = [{'name': 'b%03d' % index, 'peer_address': '198.18.%d.%d' % (index // 200, index % 200 + 1),
                 'peer_networks': ['10.%d.%d.0/24' % (100 + index // 200, index % 200)]} for index in range(BRANCHES)]
    psks = dict((branch['name'], psk_of(branch['name'])) for branch in branches)
    variables = dict(example, hub_name='hub-300', hub_router_id='8d9e2a5c-0d6f-4a8e-9f3b-000000000300',
                     hub_branches=branches, hub_psks=psks)
    path = tmp_path / 'hub-300.yml'
    path.write_text(yaml.safe_dump(variables), encoding='utf-8')
    return path, list(psks.values())


@pytest.fixture(params=FLAVOURS)
def hub(request, tmp_path):
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        runner = HubRunner(emu, tmp_path)
        yield runner
        (OUTPUT / ('hub-%s.summary' % emu.flavour)).write_text('\n'.join(runner.summary) + '\n', encoding='utf-8')


def test_one_task_for_3_or_300_branches(hub, tmp_path):
    example = yaml.safe_load((EXAMPLE / 'hub.yml').read_text(encoding='utf-8'))
    names = [branch['name'] for branch in example['hub_branches']]
    assert names == ['branch-1', 'branch-2', 'branch-3']
    secrets, psks = example_secrets(tmp_path, names)

    # The example as written (its secrets from the vault variables): the hub's four parts and three branches.
    numbers, output, requests = hub.run('example build', EXAMPLE / 'hub.yml', psks, '-e', '@%s' % secrets)
    assert numbers['failed'] == 0 and numbers['changed'] == CHANGED_TASKS, numbers
    writes = Counter(request for request in requests if not request.startswith('GET'))
    assert writes == Counter({'POST endpoint-groups': 4, 'POST ikepolicies': 1, 'POST ipsecpolicies': 1,
                              'POST vpnservices': 1, 'POST ipsec-site-connections': 3}), writes
    small_tasks = tasks_of(output)
    assert small_tasks.count('vpnaas.cloud.hub : All the branches, in one task') == 1, small_tasks
    state = hub.emulator.state()
    connections = dict((conn['name'], conn) for conn in state['ipsec_site_connections'])
    groups = dict((group['id'], group) for group in state['endpoint_groups'])
    assert sorted(connections) == names
    service, = state['vpnservices']
    for name, branch in zip(names, example['hub_branches']):
        conn = connections[name]
        assert conn['vpnservice_id'] == service['id'] and service['name'] == 'hub'
        assert conn['peer_address'] == conn['peer_id'] == branch['peer_address']
        assert groups[conn['peer_ep_group_id']]['name'] == name + '-peers'
        assert sorted(groups[conn['peer_ep_group_id']]['endpoints']) == sorted(branch['peer_networks'])
        assert groups[conn['local_ep_group_id']]['name'] == 'hub-local'
        assert conn['mtu'] == branch.get('mtu', 1400) and conn['dpd'] == {'action': 'restart', 'interval': 30, 'timeout': 150}
    assert connections['branch-3']['initiator'] == 'response-only' and connections['branch-1']['initiator'] == 'bi-directional'
    assert len(set(conn['local_ep_group_id'] for conn in connections.values())) == 1

    numbers, output, requests = hub.run('example again', EXAMPLE / 'hub.yml', psks, '-e', '@%s' % secrets)
    assert numbers['changed'] == 0 and requests == UNCHANGED and hub.list_requests_only(), requests
    assert hub.emulator.state()['ipsec_site_connections'] == state['ipsec_site_connections']

    # hub_prune in check mode, with branch-3 left out of the list: its deletion is planned and shown, nothing is
    # sent. (The plan does not depend on the flavour: once is enough.)
    if hub.emulator.flavour == FLAVOURS[0]:
        smaller = hub.write('two-branches', dict(example, hub_branches=example['hub_branches'][:2]))
        numbers, output, requests = hub.run('prune (check, diff)', smaller, psks, '-e', '@%s' % secrets,
                                            '-e', 'hub_prune=true', '--check', '--diff')
        assert numbers['changed'] == 1 and hub.list_requests_only(), requests
        assert 'DELETE /v2.0/vpn/ipsec-site-connections/%s' % connections['branch-3']['id'] in output
        assert re.search(r'^-\s+"name": "branch-3",?\s*$', output, re.MULTILINE), output[-3000:]
        assert hub.emulator.state()['ipsec_site_connections'] == state['ipsec_site_connections']

    # 300 branches: the same tasks, one of them for all the branches; the second run the same six list requests.
    # What differs by flavour (policy values, psk answers, PENDING on create) the three branches above show;
    # the scale is the same in both, so the 300 run in the first flavour only.
    if hub.emulator.flavour != FLAVOURS[0]:
        return
    variables, psks = big_hub(tmp_path, example)
    numbers, output, requests = hub.run('300 branches build', variables, psks)
    assert numbers['failed'] == 0 and numbers['changed'] == CHANGED_TASKS, numbers
    writes = Counter(request for request in requests if not request.startswith('GET'))
    assert writes == Counter({'POST endpoint-groups': BRANCHES + 1, 'POST ikepolicies': 1, 'POST ipsecpolicies': 1,
                              'POST vpnservices': 1, 'POST ipsec-site-connections': BRANCHES}), writes
    assert tasks_of(output) == small_tasks
    assert not re.search(r'^(ok|changed): \[localhost\] => \(item=', output, re.MULTILINE), 'a task looped'
    big_state = hub.emulator.state()
    assert len(big_state['ipsec_site_connections']) == BRANCHES + len(names)
    numbers, output, requests = hub.run('300 branches again', variables, psks)
    assert numbers['changed'] == 0 and requests == UNCHANGED and hub.list_requests_only(), requests
    assert tasks_of(output) == small_tasks
    assert hub.emulator.state()['ipsec_site_connections'] == big_state['ipsec_site_connections']


BAD_HUB = {
    'hub_name': 'hub', 'hub_router_id': '8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b',
    'hub_local_subnets': ['2f0a3c1e-7b4d-4e5f-8a9b-0c1d2e3f4a5b'],
    'hub_psks': {'b1': psk_of('b1'), 'b2': psk_of('b2')},
    'hub_branches': [{'name': 'b1', 'peer_address': '203.0.113.1', 'peer_networks': ['10.1.0.0/16']},
                     {'name': 'b2', 'peer_address': '203.0.113.2', 'peer_networks': ['10.2.0.0/16']}],
}
BAD_INPUTS = [
    # The role's checks, every problem in one message: the psks (missing, or against the cloud's rules) ...
    ({'hub_cloud': 'huawei', 'hub_psks': {'b1': 'short', 'b2': psk_of('b2')},
      'hub_branches': BAD_HUB['hub_branches'] + [{'name': 'b3', 'peer_address': '203.0.113.3'}]},
     ['Nothing was changed: no psk for the branches b3 (give psk in the branch, or in hub_psks by name); the psks of the '
      'branches b1 break the rules of huawei']),
    # ... names given twice (which stop the branches' checks) and the policies against the cloud's values.
    ({'hub_branches': BAD_HUB['hub_branches'] * 2, 'hub_cloud': 'otc', 'hub_ike_policy': {'auth_algorithm': 'sha256'}},
     ['Nothing was changed: hub_branches names these branches more than once (names identify the connections): b1, b2; '
      "hub_ike_policy.auth_algorithm is 'sha256', which otc does not accept"]),
]


def test_bad_input_fails_before_any_request(tmp_path):
    """Bad variables fail with every problem named, and not one request (the checks depend on no flavour)."""
    with Emulator(flavour=FLAVOURS[0]) as emu:
        emu.flavour = FLAVOURS[0]
        runner = HubRunner(emu, tmp_path)
        for number, (changes, messages) in enumerate(BAD_INPUTS):
            variables = runner.write('bad-%d' % number, dict(BAD_HUB, **changes))
            numbers, output, requests = runner.run('bad input %d' % number, variables, [psk_of('b1'), psk_of('b2')],
                                                   succeed=False)
            assert numbers['failed'] == 1 and requests == [], requests
            for message in messages:
                assert message in output, output[-3000:]
        # A bad branch: the branches' task fails before its first request, naming the item; no branch is written.
        # (On a first build the hub's shared parts are made before that task; the next run uses them.)
        branches = [dict(BAD_HUB['hub_branches'][0], peer_networks=['10.1.0.1/16']), dict(BAD_HUB['hub_branches'][1], mtu=20)]
        variables = runner.write('bad-branch', dict(BAD_HUB, hub_branches=branches))
        numbers, output, requests = runner.run('bad branch', variables, [psk_of('b1'), psk_of('b2')], succeed=False)
        assert numbers['failed'] == 1, numbers
        assert "config[0] (b1): peer_networks: '10.1.0.1/16' has host bits set" in output, output[-3000:]
        assert [r for r in requests if r.startswith('POST')] == [
            'POST endpoint-groups', 'POST ikepolicies', 'POST ipsecpolicies', 'POST vpnservices'], requests
        assert not [r for r in requests if r.endswith('ipsec-site-connections')], requests
        assert emu.state()['ipsec_site_connections'] == [] and len(emu.state()['endpoint_groups']) == 1
