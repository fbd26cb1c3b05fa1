# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The integration targets with alias ``vpnaas/openstack``, run against a real Neutron 29 + VPNaaS.

One Neutron (noauth, fresh database) serves the whole module; the topology (``topology.py``)
is built once and its ids go to every target as ``vpnaas_router_id``, ``vpnaas_subnet_id`` and
``vpnaas_subnet_cidr``, with ``vpnaas_backend: openstack``. ``vpnaas_emulator_flavour`` stays
``neutron``: the targets expect what the emulator's neutron flavour does, and where the two
differed the emulator was changed (see README.md, "Tested against real OpenStack").
"""

from __future__ import annotations

import time

import pytest

from tests.emulator.config import DEFAULT_STATIC_TOKEN
from tests.integration.test_targets import run_target, target_names
from tests.openstack import servers, topology

ALIAS = 'vpnaas/openstack'
TOKEN = 'noauth-mode-ignores-this-token'
TOKEN_OF_EMULATOR = DEFAULT_STATIC_TOKEN


class RealNeutron:  # pylint: disable=too-few-public-methods
    """What ``run_target`` needs to know about the server."""

    flavour = 'neutron'
    label = 'openstack'

    def __init__(self, url: str, topo: dict) -> None:
        self.url = url
        self.token = TOKEN
        self.topology = topo


@pytest.fixture(scope='module')
def neutron(tmp_path_factory):
    """A real Neutron with the topology, stopped at the end of the module whatever happens."""
    with servers.neutron(tmp_path_factory.mktemp('neutron')) as server:
        topo = topology.build(server.url)
        topology.call(server.url, 'POST', '/_emulator/topology', topo)
        yield RealNeutron(server.url, topo)


def test_topology_is_usable(neutron):
    """The router has its gateway and the subnet as interface; the VPN service sits on that router."""
    url, topo = neutron.url, neutron.topology
    router = topology.call(url, 'GET', '/v2.0/routers/%s' % topo['router_id'])['router']
    assert router['external_gateway_info']['network_id'] == topo['external_network_id']
    ports = topology.call(url, 'GET', '/v2.0/ports?device_id=%s' % topo['router_id'])['ports']
    assert topo['subnet_id'] in [ip['subnet_id'] for port in ports for ip in port['fixed_ips']]
    service = topology.call(url, 'GET', '/v2.0/vpn/vpnservices/%s' % topo['vpnservice_id'])['vpnservice']
    assert service['router_id'] == topo['router_id']


def test_agent_stand_in_settles_a_new_connection(neutron):
    """A POSTed connection answers PENDING_CREATE (no real agent) and the stand-in makes it ACTIVE."""
    url, topo = neutron.url, neutron.topology
    body = {'ipsec_site_connection': {
        'name': 'agent-check', 'psk': 'agent-check-psk', 'peer_address': '192.0.2.44', 'peer_id': '192.0.2.44',
        'vpnservice_id': topo['vpnservice_id'], 'ikepolicy_id': topo['ikepolicy_id'],
        'ipsecpolicy_id': topo['ipsecpolicy_id'], 'local_ep_group_id': topo['local_ep_group_id'],
        'peer_ep_group_id': topo['peer_ep_group_id']}}
    created = topology.call(url, 'POST', '/v2.0/vpn/ipsec-site-connections', body)['ipsec_site_connection']
    path = '/v2.0/vpn/ipsec-site-connections/%s' % created['id']
    try:
        assert created['status'] == 'PENDING_CREATE'
        assert topology.call(url, 'GET', path)['ipsec_site_connection']['status'] == 'ACTIVE'
        # With a delay, the status stays PENDING_CREATE that long (bounded wait for ACTIVE).
        topology.call(url, 'DELETE', path)
        topology.call(url, 'POST', '/_emulator/config', {'pending_seconds': 1.5})
        created = topology.call(url, 'POST', '/v2.0/vpn/ipsec-site-connections', body)['ipsec_site_connection']
        path = '/v2.0/vpn/ipsec-site-connections/%s' % created['id']
        assert topology.call(url, 'GET', path)['ipsec_site_connection']['status'] == 'PENDING_CREATE'
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and topology.call(url, 'GET', path)['ipsec_site_connection']['status'] != 'ACTIVE':
            time.sleep(0.2)
        assert topology.call(url, 'GET', path)['ipsec_site_connection']['status'] == 'ACTIVE'
    finally:
        topology.call(url, 'POST', '/_emulator/config', {'pending_seconds': 0})
        topology.request(url, 'DELETE', path)


def _create_both(neutron, emulator_url: str, collection: str, key: str, body: dict) -> tuple[dict, dict]:
    """POST the same object to the real server and the emulator; both must answer 201."""
    real = topology.call(neutron.url, 'POST', '/v2.0/vpn/%s' % collection, {key: body})[key]
    emulated = topology.call(emulator_url, 'POST', '/v2.0/vpn/%s' % collection, {key: body}, TOKEN_OF_EMULATOR)[key]
    return real, emulated


# Fields whose values differ by nature (ids, the project, addresses the server picks).
UNCOMPARABLE = frozenset(('id', 'tenant_id', 'project_id', 'router_id', 'subnet_id', 'endpoints', 'vpnservice_id',
                          'ikepolicy_id', 'ipsecpolicy_id', 'local_ep_group_id', 'peer_ep_group_id', 'external_v4_ip'))


def _comparable(item: dict) -> dict:
    return {name: value for name, value in item.items() if name not in UNCOMPARABLE}


# Requests both must refuse the same way: (method, path with %(conn)s/%(service)s/%(ike)s/%(local)s, body).
# Not compared: a host name as peer_address (the test server has no DNS; the emulator stores names as given).
ERROR_CASES = (
    ('GET', '/v2.0/vpn/ipsec-site-connections/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/0a1b2c3d-0000-4000-8000-00000000dead', {'ipsec_site_connection': {'mtu': 1400}}),
    ('DELETE', '/v2.0/vpn/ipsec-site-connections/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('GET', '/v2.0/vpn/vpnservices/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('GET', '/v2.0/vpn/ikepolicies/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('GET', '/v2.0/vpn/ipsecpolicies/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('GET', '/v2.0/vpn/endpoint-groups/0a1b2c3d-0000-4000-8000-00000000dead', None),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'mtu': 10}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'mtu': 'abc'}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'initiator': 'sometimes'}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'dpd': {'interval': 60, 'timeout': 60}}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'vpnservice_id': 'x'}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'colour': 'red'}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'mtu': 1400}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'dpd': {'action': 'panic'}}}),
    ('DELETE', '/v2.0/vpn/vpnservices/%(service)s', None),
    ('DELETE', '/v2.0/vpn/endpoint-groups/%(local)s', None),
    ('POST', '/v2.0/vpn/ipsecpolicies', {'ipsecpolicy': {'auth_algorithm': 'sha256', 'lifetime': {'units': 'kilobytes'}}}),
    ('POST', '/v2.0/vpn/ikepolicies', {'ikepolicy': {'auth_algorithm': 'sha256', 'lifetime': {'value': -5}}}),
    ('POST', '/v2.0/vpn/ikepolicies', {'ikepolicy': {'auth_algorithm': 'sha256', 'lifetime': {'value': 'abc'}}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'dpd': {'interval': -1}}}),
    ('PUT', '/v2.0/vpn/ipsec-site-connections/%(conn)s', {'ipsec_site_connection': {'peer_cidrs': ['10.0.0.0/8']}}),
    ('POST', '/v2.0/vpn/ikepolicies', {'ikepolicy': {'name': 'default-algorithm'}}),
    ('POST', '/v2.0/vpn/ikepolicies', {'ikepolicy': {'name': 'sha1', 'auth_algorithm': 'sha1'}}),
    ('POST', '/v2.0/vpn/ipsecpolicies', {'ipsecpolicy': {'name': 'default-algorithm'}}),
    ('POST', '/v2.0/vpn/ipsecpolicies', {'ipsecpolicy': {'name': '3des', 'auth_algorithm': 'sha256',
                                                         'encryption_algorithm': '3des'}}),
    ('PUT', '/v2.0/vpn/ikepolicies/%(ike)s', {'ikepolicy': {'name': 'renamed'}}),
)


def ids_of(placeholders: dict) -> dict:
    """{'conn': id, ...} from {id: '<conn>', ...}."""
    return {name.strip('<>'): rid for rid, name in placeholders.items()}


def _error(url: str, method: str, path: str, body, token, placeholders: dict) -> tuple:
    """(status, NeutronError type, message with the ids replaced by placeholders)."""
    status, answer = topology.request(url, method, path, body, token)
    error = (answer or {}).get('NeutronError', {}) if isinstance(answer, dict) else {}
    message = str(error.get('message'))
    for rid, name in placeholders.items():
        message = message.replace(rid, name)
    return status, error.get('type'), message


def test_emulator_answers_like_the_real_server(neutron):
    """The emulator's neutron flavour answers creates with the same fields and defaults, and errors alike."""
    from tests.emulator.config import Config  # pylint: disable=import-outside-toplevel
    from tests.emulator.server import start_server  # pylint: disable=import-outside-toplevel
    topo = neutron.topology
    server = start_server(Config(flavour='neutron'))
    try:
        answers = {}
        for name, collection, key, body in (
                ('service', 'vpnservices', 'vpnservice', {'name': 'parity', 'router_id': topo['router_id']}),
                ('ike', 'ikepolicies', 'ikepolicy', {'name': 'parity', 'auth_algorithm': 'sha256'}),
                ('ipsec', 'ipsecpolicies', 'ipsecpolicy', {'name': 'parity', 'auth_algorithm': 'sha256'}),
                ('local', 'endpoint-groups', 'endpoint_group', {'type': 'subnet', 'endpoints': [topo['subnet_id']]}),
                ('peer', 'endpoint-groups', 'endpoint_group', {'type': 'cidr', 'endpoints': ['10.44.0.0/16']})):
            answers[name] = _create_both(neutron, server.url, collection, key, body)
            real, emulated = answers[name]
            assert _comparable(emulated) == _comparable(real), name
        connection = {'name': 'parity', 'psk': 'parity-psk', 'peer_address': '192.0.2.80', 'peer_id': '192.0.2.80'}
        real, emulated = ({'vpnservice_id': answers['service'][side]['id'], 'ikepolicy_id': answers['ike'][side]['id'],
                           'ipsecpolicy_id': answers['ipsec'][side]['id'],
                           'local_ep_group_id': answers['local'][side]['id'],
                           'peer_ep_group_id': answers['peer'][side]['id']} for side in (0, 1))
        real_conn = topology.call(neutron.url, 'POST', '/v2.0/vpn/ipsec-site-connections',
                                  {'ipsec_site_connection': dict(connection, **real)})['ipsec_site_connection']
        emulated_conn = topology.call(server.url, 'POST', '/v2.0/vpn/ipsec-site-connections',
                                      {'ipsec_site_connection': dict(connection, **emulated)},
                                      TOKEN_OF_EMULATOR)['ipsec_site_connection']
        assert _comparable(emulated_conn) == _comparable(real_conn)
        for side, (url, conn, token) in enumerate(((neutron.url, real_conn, None),
                                                   (server.url, emulated_conn, TOKEN_OF_EMULATOR))):
            ids = {answers['service'][side]['id']: '<service>', answers['ike'][side]['id']: '<ike>', conn['id']: '<conn>',
                   answers['local'][side]['id']: '<local>'}
            answers['errors', side] = [_error(url, method, path % ids_of(ids), body, token, ids)
                                       for method, path, body in ERROR_CASES]
        differences = [(case[:2], emulated_error, real_error) for case, emulated_error, real_error
                       in zip(ERROR_CASES, answers['errors', 1], answers['errors', 0]) if emulated_error != real_error]
        assert not differences, '\n'.join('%s %s:\n  emulator %s\n  real     %s' % (*case, emulated_error, real_error)
                                          for case, emulated_error, real_error in differences)
    finally:
        server.stop()
        topology.call(neutron.url, 'POST', '/_emulator/reset')


@pytest.mark.parametrize('target', target_names(ALIAS))
def test_target_against_neutron(target, neutron, tmp_path):
    run_target(target, neutron, tmp_path, 'http',
               more_vars=dict(topology.playbook_vars(neutron.topology), vpnaas_backend='openstack'))
