# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site_to_site role's day-two work against a real Neutron 29 + VPNaaS.

``ansible-playbook vpnaas.cloud.site_to_site -e @vars.yml`` (the ``Runner`` of
``tests/integration/test_site_to_site.py``) runs against the real server of
``test_neutron_targets.py`` (its ``neutron`` fixture: noauth, the topology's router and subnet).
What is asserted comes from Neutron's own API (``/v2.0/vpn/...`` listings) and from the play's
output and the server's request log; the psk never appears in either.

* A peer-network change of a built tunnel keeps the connection: a new endpoint group, one PUT
  holding only ``peer_ep_group_id``, then the old group deleted. Neutron refuses to delete a
  group that a connection uses (checked here too), so the order is proven by the real server.
* Hub-and-spoke: two branches share the VPN service, the policies and the local group; tearing
  one down leaves the other's connection and every shared part, and a run of the other changes
  nothing. Logs and a summary per test in ``tests/output/integration/neutron_role-openstack-*``.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.emulator.run_with import EmulatorClient
from tests.integration.test_hub_and_spoke import EXAMPLES, writes
from tests.integration.test_site_to_site import PSK, Runner, by_path, derived_name
from tests.integration.test_targets import OUTPUT
from tests.openstack import topology
from tests.openstack.test_neutron_targets import TOKEN, neutron  # noqa: F401  pylint: disable=unused-import

COLLECTIONS = {'ipsec_site_connections': 'ipsec-site-connections', 'vpnservices': 'vpnservices',
               'ikepolicies': 'ikepolicies', 'ipsecpolicies': 'ipsecpolicies', 'endpoint_groups': 'endpoint-groups'}


class RealNeutronClient(EmulatorClient):
    """The real server's control API (log, state) as the ``Runner`` expects an emulator to offer it."""

    flavour = 'openstack'


def listed(url: str) -> dict:
    """Every VPN object as Neutron's own API lists it, the psk replaced by whether it is the test's psk."""
    result = {}
    for plural, path in COLLECTIONS.items():
        items = topology.call(url, 'GET', '/v2.0/vpn/%s' % path)[plural]
        for item in items:
            if 'psk' in item:
                item['psk'] = 'the test psk' if item['psk'] == PSK else 'another psk'
        result[plural] = items
    return result


def counts(state: dict) -> dict:
    """How many objects of each part."""
    return dict((plural, len(items)) for plural, items in state.items())


def no_secret_in_log(runner: Runner) -> None:
    """The server's request log of the last run holds no psk (masked); every write was answered 2xx.

    A GET may answer 404: after a DELETE the module reads the object until it is gone.
    """
    text = json.dumps(runner.entries)
    assert PSK not in text
    refused = ['%s %s %s' % (e['method'], e['path'], e['status']) for e in runner.entries
               if not 200 <= (e['status'] or 0) < 300 and not (e['method'] == 'GET' and e['status'] == 404)]
    assert refused == []


@pytest.fixture
def real(request, neutron, tmp_path):  # pylint: disable=redefined-outer-name
    """A Runner on the real server, VPN objects removed before and after (networks and router stay)."""
    topology.call(neutron.url, 'POST', '/_emulator/reset')
    client = RealNeutronClient(neutron.url, TOKEN)
    the_runner = Runner(client, tmp_path, prefix='neutron_role')
    the_runner.topology = neutron.topology
    yield the_runner
    summary = OUTPUT / ('neutron_role-openstack-%s.summary' % request.node.name[len('test_'):])
    summary.write_text('\n'.join(the_runner.summary) + '\n', encoding='utf-8')
    topology.call(neutron.url, 'POST', '/_emulator/reset')


def on_topology(runner: Runner, variables: dict) -> dict:
    """The variables with the real router and subnet (peer addresses outside the topology's networks)."""
    return dict(variables, site_to_site_router_id=runner.topology['router_id'],
                site_to_site_local_subnets=[runner.topology['subnet_id']])


def test_peer_change_keeps_the_connection_on_real_neutron(real):
    url = real.emulator.url
    variables = real.write_variables('nrole-1', on_topology(real, {
        'site_to_site_name': 'nrole-1', 'site_to_site_peer_address': '198.51.100.20',
        'site_to_site_peer_cidrs': ['10.20.0.0/16', '10.21.0.0/16'], 'site_to_site_psk': PSK}))
    numbers, _output, requests = real.run('build', variables=variables)
    assert numbers['changed'] == 6 and len(writes(requests)) == 6, (numbers, requests)
    no_secret_in_log(real)
    before = listed(url)
    assert counts(before) == {'ipsec_site_connections': 1, 'vpnservices': 1, 'ikepolicies': 1, 'ipsecpolicies': 1,
                              'endpoint_groups': 2}
    connection = before['ipsec_site_connections'][0]
    assert connection['status'] == 'ACTIVE' and connection['psk'] == 'the test psk'
    old_peer, local = connection['peer_ep_group_id'], connection['local_ep_group_id']
    # What makes the order matter: Neutron refuses to delete a group that a connection uses.
    status, answer = topology.request(url, 'DELETE', '/v2.0/vpn/endpoint-groups/%s' % old_peer)
    assert status == 400 and answer['NeutronError']['type'] == 'EndpointGroupInUse', (status, answer)

    new_cidrs = ['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/24']
    change = '{"site_to_site_peer_cidrs": %s}' % json.dumps(new_cidrs)
    numbers, _output, requests = real.run('peer change', '-e', change, variables=variables)
    assert numbers['changed'] == 3, numbers
    assert writes(requests) == ['POST endpoint-groups', 'PUT ipsec-site-connections', 'DELETE endpoint-groups'], requests
    no_secret_in_log(real)
    after = listed(url)
    new_peer = after['ipsec_site_connections'][0]['peer_ep_group_id']
    put, = by_path(real.entries, 'PUT', 'ipsec-site-connections')
    assert put['path'] == '/v2.0/vpn/ipsec-site-connections/%s' % connection['id']
    assert put['body'] == {'ipsec_site_connection': {'peer_ep_group_id': new_peer}}, put
    delete, = by_path(real.entries, 'DELETE', 'endpoint-groups')
    assert delete['path'] == '/v2.0/vpn/endpoint-groups/%s' % old_peer
    # Neutron's own view: the same connection (id, psk, local group), the new group with the new networks, the old one gone.
    assert [c['id'] for c in after['ipsec_site_connections']] == [connection['id']]
    unchanged = dict((k, v) for k, v in after['ipsec_site_connections'][0].items() if k != 'peer_ep_group_id')
    assert unchanged == dict((k, v) for k, v in connection.items() if k != 'peer_ep_group_id')
    groups = dict((g['id'], g) for g in after['endpoint_groups'])
    assert sorted(groups) == sorted([local, new_peer]) and new_peer != old_peer
    assert groups[new_peer]['name'] == derived_name('nrole-1-peer', new_cidrs)
    assert groups[new_peer]['type'] == 'cidr' and sorted(groups[new_peer]['endpoints']) == sorted(new_cidrs)
    assert topology.request(url, 'GET', '/v2.0/vpn/endpoint-groups/%s' % old_peer)[0] == 404
    assert real.result['connection']['id'] == connection['id'] and real.result['peer']['cidrs'] == new_cidrs
    assert real.result['deleted'] == [{'part': 'endpoint_group', 'id': old_peer, 'name': 'nrole-1-peer'}]
    assert PSK not in json.dumps(real.result)

    numbers, _output, requests = real.run('peer change again', '-e', change, variables=variables)
    assert numbers['changed'] == 0 and writes(requests) == [], requests
    assert listed(url) == after

    numbers, _output, requests = real.run('tear down', '-e', 'site_to_site_state=absent', variables=variables)
    assert numbers['changed'] == 5 and len(writes(requests)) == 6, (numbers, requests)
    assert counts(listed(url)) == dict((plural, 0) for plural in COLLECTIONS)


def branch(runner: Runner, name: str, peer_address: str) -> dict:
    """A branch of docs/examples/hub-and-spoke on the real topology, with the test's psk."""
    variables = yaml.safe_load((EXAMPLES / ('%s.yml' % name)).read_text(encoding='utf-8'))
    variables.update(site_to_site_psk=PSK, site_to_site_peer_address=peer_address)
    return on_topology(runner, variables)


def test_hub_and_spoke_on_real_neutron(real):
    url = real.emulator.url
    branch_1 = real.write_variables('branch-1', branch(real, 'branch-1', '198.51.100.31'))
    branch_2 = real.write_variables('branch-2', branch(real, 'branch-2', '198.51.100.32'))
    numbers, _output, requests = real.run('build branch-1', variables=branch_1)
    assert numbers['changed'] == 6 and len(writes(requests)) == 6, (numbers, requests)
    numbers, _output, requests = real.run('build branch-2', variables=branch_2)
    assert writes(requests) == ['POST endpoint-groups', 'POST ipsec-site-connections'], requests
    no_secret_in_log(real)
    built = listed(url)
    assert counts(built) == {'ipsec_site_connections': 2, 'vpnservices': 1, 'ikepolicies': 1, 'ipsecpolicies': 1,
                             'endpoint_groups': 3}
    one, two = sorted(built['ipsec_site_connections'], key=lambda c: c['name'])
    assert (one['name'], two['name']) == ('branch-1', 'branch-2')
    for field in ('vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id', 'local_ep_group_id'):
        assert one[field] == two[field], field
    assert one['peer_ep_group_id'] != two['peer_ep_group_id']
    assert one['status'] == two['status'] == 'ACTIVE'

    numbers, output, requests = real.run('tear down branch-1', '-e', 'site_to_site_state=absent', variables=branch_1)
    assert numbers['changed'] == 2, numbers
    assert writes(requests) == ['DELETE ipsec-site-connections', 'DELETE endpoint-groups'], requests
    assert by_path(real.entries, 'DELETE', 'ipsec-site-connections')[0]['path'].endswith('/' + one['id'])
    assert by_path(real.entries, 'DELETE', 'endpoint-groups')[0]['path'].endswith('/' + one['peer_ep_group_id'])
    no_secret_in_log(real)
    kept = dict((item['part'], item) for item in real.result['kept'])
    assert sorted(kept) == ['endpoint_group', 'ike_policy', 'ipsec_policy', 'vpn_service'], real.result
    assert all(item['used_by'] == ['branch-2'] for item in kept.values()), kept
    assert "VPN service 'hub' (%s) kept: connection(s) branch-2 still use it" % one['vpnservice_id'] in output
    assert "endpoint group 'hub-local' (%s) kept: connection(s) branch-2 still use it" % one['local_ep_group_id'] in output
    # Neutron's own view: branch-2's connection exactly as it was, and every part it uses.
    left = listed(url)
    assert left['ipsec_site_connections'] == [two]
    assert sorted(g['id'] for g in left['endpoint_groups']) == sorted([two['local_ep_group_id'], two['peer_ep_group_id']])
    assert left['vpnservices'] == built['vpnservices']
    assert left['ikepolicies'] == built['ikepolicies'] and left['ipsecpolicies'] == built['ipsecpolicies']

    numbers, _output, requests = real.run('run branch-2 again', variables=branch_2)
    assert numbers['changed'] == 0 and writes(requests) == [] and len(requests) == 6, requests
    assert listed(url) == left

    numbers, _output, requests = real.run('tear down branch-2', '-e', 'site_to_site_state=absent', variables=branch_2)
    assert numbers['changed'] == 5 and real.result['kept'] == [], numbers
    assert [r.split()[1] for r in writes(requests)] == [
        'ipsec-site-connections', 'endpoint-groups', 'endpoint-groups', 'vpnservices', 'ipsecpolicies', 'ikepolicies']
    assert counts(listed(url)) == dict((plural, 0) for plural in COLLECTIONS)
