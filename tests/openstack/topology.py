# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build, through Neutron's REST API, the network topology a VPN connection needs.

An external flat network ``topo-public`` (203.0.113.0/24), a private network ``topo-private``
with subnet ``topo-private-subnet`` (``SUBNET_CIDR``), a router ``topo-router`` with its gateway
on the external network and an interface on the private subnet; then a VPN service on that
router, an IKE and an IPsec policy and two endpoint groups (local: the subnet; peer: a CIDR).

The ids reach the playbooks as extra vars (``playbook_vars``): ``vpnaas_router_id``,
``vpnaas_subnet_id`` and ``vpnaas_subnet_cidr``. The VPN objects prove the API works and serve
the fixture's own checks; like everything VPN, the first ``/_emulator/reset`` of a target
removes them (the emulator starts empty too), while the networks, subnet and router stay.

Standard library only; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

SUBNET_CIDR = '10.1.0.0/24'
PEER_CIDR = '10.2.0.0/16'
TIMEOUT = 60  # seconds per request
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


class ApiError(RuntimeError):
    """A request to the test server failed."""


def request(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """Send one JSON request to ``url + path``; return (status, parsed body or None). 4xx/5xx are returned too."""
    if not url.startswith(('http://127.0.0.1:', 'http://localhost:')):
        raise ValueError('the tests only talk to 127.0.0.1, not %s' % url)
    data = None if body is None else json.dumps(body).encode()
    headers = {'Content-Type': 'application/json', 'Accept': 'application/json'}
    if token:
        headers['X-Auth-Token'] = token
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with _OPENER.open(req, timeout=TIMEOUT) as answer:
            raw, status = answer.read(), answer.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, (json.loads(raw) if raw.strip() else None)
    except ValueError:
        return status, raw.decode('utf-8', 'replace')


def call(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """``request`` that raises ApiError unless the answer is 2xx."""
    status, answer = request(url, method, path, body, token)
    if status >= 300:
        raise ApiError('%s %s answered %d: %s' % (method, path, status, answer))
    return answer


def build(url: str, token: str | None = None, project_id: str | None = None) -> dict:
    """Create the topology and return its ids (see the module docstring).

    ``token`` is an admin token (Keystone mode); ``project_id`` then owns the private network,
    router and VPN objects, so that a user of that project can use them.
    """
    owner = {'project_id': project_id} if project_id else {}

    def post(path: str, key: str, fields: dict) -> dict:
        return call(url, 'POST', path, {key: dict(fields, **owner)}, token)[key]

    # The external network is the admin's; only owner-less fields for it.
    public = call(url, 'POST', '/v2.0/networks', {'network': {
        'name': 'topo-public', 'router:external': True, 'provider:network_type': 'flat',
        'provider:physical_network': 'public'}}, token)['network']
    call(url, 'POST', '/v2.0/subnets', {'subnet': {
        'name': 'topo-public-subnet', 'network_id': public['id'], 'ip_version': 4, 'cidr': '203.0.113.0/24',
        'gateway_ip': '203.0.113.1', 'enable_dhcp': False}}, token)
    private = post('/v2.0/networks', 'network', {'name': 'topo-private'})
    subnet = post('/v2.0/subnets', 'subnet', {'name': 'topo-private-subnet', 'network_id': private['id'],
                                              'ip_version': 4, 'cidr': SUBNET_CIDR})
    gateway = {'network_id': public['id']}
    router = post('/v2.0/routers', 'router', {'name': 'topo-router', 'external_gateway_info': gateway})
    call(url, 'PUT', '/v2.0/routers/%s/add_router_interface' % router['id'], {'subnet_id': subnet['id']}, token)
    service = post('/v2.0/vpn/vpnservices', 'vpnservice', {'name': 'topo-vpn', 'router_id': router['id']})
    # auth_algorithm must be given: neutron-lib's default (sha1) makes neutron-vpnaas 29 answer 500.
    ike = post('/v2.0/vpn/ikepolicies', 'ikepolicy', {'name': 'topo-ike', 'auth_algorithm': 'sha256'})
    ipsec = post('/v2.0/vpn/ipsecpolicies', 'ipsecpolicy', {'name': 'topo-ipsec', 'auth_algorithm': 'sha256'})
    local = post('/v2.0/vpn/endpoint-groups', 'endpoint_group',
                 {'name': 'topo-local', 'type': 'subnet', 'endpoints': [subnet['id']]})
    peer = post('/v2.0/vpn/endpoint-groups', 'endpoint_group',
                {'name': 'topo-peer', 'type': 'cidr', 'endpoints': [PEER_CIDR]})
    return {
        'external_network_id': public['id'], 'network_id': private['id'], 'subnet_id': subnet['id'],
        'subnet_cidr': SUBNET_CIDR, 'router_id': router['id'], 'vpnservice_id': service['id'],
        'ikepolicy_id': ike['id'], 'ipsecpolicy_id': ipsec['id'], 'local_ep_group_id': local['id'],
        'peer_ep_group_id': peer['id'],
    }


def playbook_vars(topology: dict) -> dict:
    """The extra vars through which targets use the real topology (the emulator's targets have defaults)."""
    return {'vpnaas_router_id': topology['router_id'], 'vpnaas_subnet_id': topology['subnet_id'],
            'vpnaas_subnet_cidr': topology['subnet_cidr']}
