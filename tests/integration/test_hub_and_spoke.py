# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub-and-spoke with the site_to_site role, and the checks made before the first request.

Two branches share the hub's VPN service, policies and local group (the example of
``docs/examples/hub-and-spoke``). Tearing one down deletes only its connection and peer group,
says what it kept and why, and leaves the other working. Bad input fails before any request.
Against the emulator, in both flavours; logs in ``tests/output/integration/hub_and_spoke-*``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.emulator.run_with import Emulator
from tests.integration.test_site_to_site import PSK, VARIABLES, Runner, by_path, derived_name, flavour_variables
from tests.integration.test_targets import FLAVOURS, OUTPUT

EXAMPLES = Path(__file__).resolve().parents[2] / 'docs' / 'examples' / 'hub-and-spoke'


def branch_variables(flavour: str, name: str) -> dict:
    """A branch's variables as the example files give them, with the test's psk and the flavour's cloud."""
    variables = yaml.safe_load((EXAMPLES / ('%s.yml' % name)).read_text(encoding='utf-8'))
    variables['site_to_site_psk'] = PSK
    return flavour_variables(flavour, variables)


@pytest.fixture(params=FLAVOURS)
def hub(request, tmp_path):
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        the_runner = Runner(emu, tmp_path, prefix='hub_and_spoke')
        yield the_runner
        summary = OUTPUT / ('hub_and_spoke-%s.summary' % emu.flavour)
        summary.write_text('\n'.join(the_runner.summary) + '\n', encoding='utf-8')


def writes(requests: list) -> list:
    """The requests that are not reads."""
    return [r for r in requests if not r.startswith('GET')]


def test_two_branches_share_the_hub(hub):
    branch_1 = hub.write_variables('branch-1', branch_variables(hub.emulator.flavour, 'branch-1'))
    branch_2 = hub.write_variables('branch-2', branch_variables(hub.emulator.flavour, 'branch-2'))
    numbers, _output, requests = hub.run('build branch-1', variables=branch_1)
    assert numbers['changed'] == 6 and len(writes(requests)) == 6
    # The second branch makes only its own parts: its peer group and its connection.
    numbers, _output, requests = hub.run('build branch-2', variables=branch_2)
    assert writes(requests) == ['POST endpoint-groups', 'POST ipsec-site-connections'], requests
    state = hub.emulator.state()
    assert [len(state[part]) for part in ('vpnservices', 'ikepolicies', 'ipsecpolicies', 'endpoint_groups')] == [1, 1, 1, 3]
    one, two = sorted(state['ipsec_site_connections'], key=lambda c: c['name'])
    for field in ('vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id', 'local_ep_group_id'):
        assert one[field] == two[field], field
    assert one['peer_ep_group_id'] != two['peer_ep_group_id']

    # Tearing branch-1 down deletes its connection and peer group only, and says what it kept.
    numbers, output, requests = hub.run('tear down branch-1', '-e', 'site_to_site_state=absent', variables=branch_1)
    assert writes(requests) == ['DELETE ipsec-site-connections', 'DELETE endpoint-groups'], requests
    assert by_path(hub.entries, 'DELETE', 'ipsec-site-connections')[0]['path'].endswith('/' + one['id'])
    assert by_path(hub.entries, 'DELETE', 'endpoint-groups')[0]['path'].endswith('/' + one['peer_ep_group_id'])
    kept = dict((item['part'], item) for item in hub.result['kept'])
    assert sorted(kept) == ['endpoint_group', 'ike_policy', 'ipsec_policy', 'vpn_service'], hub.result
    assert all(item['used_by'] == ['branch-2'] for item in kept.values()), kept
    assert kept['endpoint_group']['id'] == one['local_ep_group_id'] and kept['vpn_service']['id'] == one['vpnservice_id']
    assert sorted((item['part'], item['id']) for item in hub.result['deleted']) == sorted(
        [('endpoint_group', one['peer_ep_group_id'])])
    assert "VPN service 'hub' (%s) kept: connection(s) branch-2 still use it" % one['vpnservice_id'] in output
    assert "endpoint group 'hub-local' (%s) kept: connection(s) branch-2 still use it" % one['local_ep_group_id'] in output

    # Branch-2 is whole: its connection and every part it uses are there, and a run changes nothing.
    state = hub.emulator.state()
    assert [c['id'] for c in state['ipsec_site_connections']] == [two['id']]
    assert sorted(g['id'] for g in state['endpoint_groups']) == sorted([two['local_ep_group_id'], two['peer_ep_group_id']])
    assert [s['id'] for s in state['vpnservices']] == [two['vpnservice_id']]
    assert [p['id'] for p in state['ikepolicies']] == [two['ikepolicy_id']]
    assert [p['id'] for p in state['ipsecpolicies']] == [two['ipsecpolicy_id']]
    numbers, _output, requests = hub.run('run branch-2 again', variables=branch_2)
    assert numbers['changed'] == 0 and writes(requests) == [] and len(requests) == 6, requests

    # The last branch takes the hub's parts with it.
    numbers, _output, requests = hub.run('tear down branch-2', '-e', 'site_to_site_state=absent', variables=branch_2)
    assert numbers['changed'] == 5 and hub.result['kept'] == []
    assert [r.split()[1] for r in writes(requests)] == [
        'ipsec-site-connections', 'endpoint-groups', 'endpoint-groups', 'vpnservices', 'ipsecpolicies', 'ikepolicies']
    assert all(not items for items in hub.emulator.state().values() if isinstance(items, list))


def test_a_local_change_keeps_the_shared_group(hub):
    """Branch-1 moves to other local subnets: a new local group, one PUT, and the hub's group kept for branch-2."""
    branch_1 = hub.write_variables('branch-1', branch_variables(hub.emulator.flavour, 'branch-1'))
    branch_2 = hub.write_variables('branch-2', branch_variables(hub.emulator.flavour, 'branch-2'))
    hub.run('build branch-1', variables=branch_1)
    hub.run('build branch-2', variables=branch_2)
    one, two = sorted(hub.emulator.state()['ipsec_site_connections'], key=lambda c: c['name'])
    subnets = ['2f0a3c1e-7b4d-4e5f-8a9b-0c1d2e3f4a5b', '2f0a3c1e-7b4d-4e5f-8a9b-0c1d2e3f4a5c']
    change = '{"site_to_site_local_subnets": %s}' % json.dumps(subnets)
    numbers, output, requests = hub.run('local change of branch-1', '-e', change, variables=branch_1)
    assert writes(requests) == ['POST endpoint-groups', 'PUT ipsec-site-connections'], requests
    assert numbers['changed'] == 2
    post, = by_path(hub.entries, 'POST', 'endpoint-groups')
    assert post['body'] == {'endpoint_group': {'name': derived_name('hub-local', subnets), 'type': 'subnet', 'endpoints': subnets}}
    put, = by_path(hub.entries, 'PUT', 'ipsec-site-connections')
    state = dict((c['name'], c) for c in hub.emulator.state()['ipsec_site_connections'])
    assert put['path'].endswith('/' + one['id'])
    assert put['body'] == {'ipsec_site_connection': {'local_ep_group_id': state['branch-1']['local_ep_group_id']}}
    assert state['branch-2'] == two and state['branch-1']['id'] == one['id']
    assert hub.result['kept'] == [{'part': 'endpoint_group', 'name': 'hub-local', 'id': one['local_ep_group_id'], 'used_by': ['branch-2'],
                                   'reason': "endpoint group 'hub-local' (%s) kept: connection(s) branch-2 still use it"
                                             % one['local_ep_group_id']}]
    assert "endpoint group 'hub-local' (%s) kept: connection(s) branch-2 still use it" % one['local_ep_group_id'] in output
    # Both branches are in line afterwards (the left-over check reads the connections once more, and keeps).
    numbers, _output, requests = hub.run('branch-1 again', '-e', change, variables=branch_1)
    assert numbers['changed'] == 0 and writes(requests) == [], requests
    numbers, _output, requests = hub.run('branch-2 again', variables=branch_2)
    assert numbers['changed'] == 0 and writes(requests) == [], requests


BAD_INPUTS = [
    ('a word for a network', {'site_to_site_peer_cidrs': ['10.20.0.0/16', 'branch-lan']},
     "site_to_site_peer_cidrs holds 'branch-lan', which is not a network in CIDR notation"),
    ('host bits', {'site_to_site_peer_cidrs': ['10.20.0.1/16']}, "site_to_site_peer_cidrs holds '10.20.0.1/16', which has host bits set"),
    ('prefix too long', {'site_to_site_peer_cidrs': ['10.20.0.0/33']}, "holds '10.20.0.0/33', which is not a network"),
    ('no peer address', {'site_to_site_peer_address': ''}, 'site_to_site_peer_address is not set'),
    ('no networks', {'site_to_site_peer_cidrs': []}, 'site_to_site_peer_cidrs is empty'),
    ('unknown cloud', {'site_to_site_cloud': 'aws'}, 'site_to_site_cloud'),
]


@pytest.mark.parametrize('case', BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_request(hub, case):
    _label, changes, message = case
    variables = hub.write_variables('bad', dict(flavour_variables(hub.emulator.flavour), **changes))
    numbers, output, requests = hub.run('bad input', variables=variables, succeed=False)
    assert numbers['failed'] == 1 and requests == [], requests
    assert message in output, output[-3000:]


@pytest.mark.parametrize('cloud, changes, message', [
    ('openstack', {'site_to_site_ike_policy': {'auth_algorithm': 'sha2-256'}},
     "site_to_site_ike_policy.auth_algorithm is 'sha2-256', which openstack does not accept"),
    ('openstack', {'site_to_site_ipsec_policy': {'auth_algorithm': 'sha1'}},
     "site_to_site_ipsec_policy.auth_algorithm is 'sha1', which openstack does not accept"),
    ('huawei', {'site_to_site_ike_policy': {'auth_algorithm': 'sha256'}},
     "site_to_site_ike_policy.auth_algorithm is 'sha256', which huawei does not accept"),
    ('otc', {'site_to_site_ipsec_policy': {'pfs': 'group31'}}, "site_to_site_ipsec_policy.pfs is 'group31', which otc does not accept"),
    ('huawei', {'site_to_site_psk': 'Has space?'}, 'site_to_site_psk breaks the rules of huawei (6 to 128 letters'),
    ('otc', {'site_to_site_psk': 'abc12'}, 'site_to_site_psk breaks the rules of otc'),
])
def test_values_of_the_wrong_cloud_fail_before_any_request(hub, cloud, changes, message):
    variables = hub.write_variables('bad', dict(VARIABLES, site_to_site_cloud=cloud, **changes))
    numbers, output, requests = hub.run('wrong cloud', variables=variables, succeed=False)
    assert numbers['failed'] == 1 and requests == [], requests
    assert message in output, output[-3000:]
    if 'site_to_site_psk' in changes:
        assert changes['site_to_site_psk'] not in output


def test_the_default_policies_follow_the_cloud(hub):
    """With site_to_site_cloud=huawei and nothing else, the policies are Huawei's spelling (sha2-256)."""
    variables = dict(VARIABLES, site_to_site_cloud='huawei')
    _numbers, _output, _requests = hub.run('huawei defaults (check)', '--check', variables=hub.write_variables('hw', variables))
    assert hub.result['ike_policy']['auth_algorithm'] == 'sha2-256' and hub.result['ipsec_policy']['auth_algorithm'] == 'sha2-256'
    assert hub.result['ike_policy']['encryption_algorithm'] == 'aes-256' and hub.result['ike_policy']['pfs'] == 'group14'
