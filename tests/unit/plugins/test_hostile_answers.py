# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based: whatever a server answers, at whatever step, a module ends with our own failure, never a traceback.

Each module's conversation is played by an honest fake server, except for one step (chosen by
hypothesis) whose answer is arbitrary: any status, any headers (``Location`` included), and a body
that is arbitrary JSON, JSON of the right envelope with arbitrary content, or arbitrary text and bytes.
The module runs in-process. The property: it exits through ``exit_json``/``fail_json`` with a JSON
result; nothing but ``SystemExit`` escapes ``main()``; no secret is in the output; and no request goes
to another origin. The same arbitrary answers fed to the client directly raise nothing but ``ApiError``.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st
from requests.structures import CaseInsensitiveDict

from ansible.module_utils.testing import patch_module_args

from ansible_collections.vpnaas.cloud.plugins.module_utils._client import Client
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError
from ansible_collections.vpnaas.cloud.plugins.modules import (
    auth,
    endpoint_group,
    ike_policy,
    ipsec_connection,
    ipsec_connection_info,
    vpn_service_info,
)
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, CONN

ENDPOINT = 'https://vpn.example.test'
KEYSTONE = 'https://keystone.example.test/v3'
TOKEN = 'unit-Token-5d1c0b9e7a'
ISSUED = 'issued-Token-88f2a4c1e0'
PSK = 'unit?Psk-3e9d17'
PASSWORD = 'unit-Password-77ab'
EPG = {'id': '9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1', 'name': 'peer', 'description': '', 'type': 'cidr',
       'endpoints': ['10.20.0.0/16']}
IKE = {'id': '9b00d6b0-6c93-4ca5-9747-b8ade7bb514f', 'name': 'ike-1', 'description': '', 'auth_algorithm': 'sha256',
       'encryption_algorithm': 'aes-256', 'ike_version': 'v1', 'lifetime': {'units': 'seconds', 'value': 3600},
       'pfs': 'group5', 'phase1_negotiation_mode': 'main'}
SVC = {'id': '5c561d9d-eaea-45f6-ae3e-08d1a7080828', 'name': 'vpn-main', 'description': '', 'admin_state_up': True,
       'router_id': 'router-1', 'subnet_id': None, 'status': 'ACTIVE'}
COLLECTIONS = {'ipsec-site-connections': ('ipsec_site_connection', 'ipsec_site_connections', dict(CONN, psk=PSK)),
               'endpoint-groups': ('endpoint_group', 'endpoint_groups', EPG),
               'ikepolicies': ('ikepolicy', 'ikepolicies', IKE),
               'vpnservices': ('vpnservice', 'vpnservices', SVC)}
CATALOG = {'token': {'expires_at': '2030-01-01T00:00:00Z', 'catalog': [
    {'type': 'network', 'endpoints': [{'interface': 'public', 'region_id': 'RegionOne', 'url': ENDPOINT}]}]}}
PASSWORD_AUTH = dict(auth_url=KEYSTONE, username='demo', password=PASSWORD, project_name='demo', region='RegionOne')

#: Each module with its options: updates, creates, deletes, reads and a login, with token or password.
CASES = {
    'ipsec_connection update': (ipsec_connection.main, dict(id=CID, mtu=1400, psk=PSK, dpd={'timeout': 150}, wait=True)),
    'ipsec_connection create': (ipsec_connection.main, dict(
        name='branch-9', vpnservice_id=SVC['id'], ikepolicy_id=IKE['id'], ipsecpolicy_id=IKE['id'],
        peer_address='203.0.113.9', peer_id='203.0.113.9', psk=PSK, peer_cidrs=['10.9.0.0/24'], wait=True)),
    'ipsec_connection delete, password': (ipsec_connection.main, dict(PASSWORD_AUTH, id=CID, state='absent')),
    'ipsec_connection_info': (ipsec_connection_info.main, dict(name='vpnconnection1')),
    'vpn_service_info, password': (vpn_service_info.main, dict(PASSWORD_AUTH)),
    'endpoint_group update': (endpoint_group.main, dict(id=EPG['id'], description='peers')),
    'ike_policy by name': (ike_policy.main, dict(name='ike-1', pfs='group14')),
    'auth, password': (auth.main, dict(PASSWORD_AUTH)),
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
KEYS = st.sampled_from(['ipsec_site_connection', 'ipsec_site_connections', 'ipsec_site_connections_links', 'id',
                        'status', 'psk', 'mtu', 'dpd', 'peer_cidrs', 'name', 'token', 'catalog', 'endpoints',
                        'NeutronError', 'error', 'message', 'type', 'url', 'rel', 'href', 'marker'])
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 70000) | st.sampled_from(
        [CID, 'PENDING_UPDATE', 'ERROR', 'ACTIVE', '10.0.0.0/24', 'not-a-cidr', ENDPOINT, 'https://evil.test',
         PSK, 'next', '', '\r\n']),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=15)


#: Where a mutation of an honest answer may land: a field of the resource (or of the first listed one), or a
#: part of a Keystone token's catalog.
FIELDS = ['id', 'status', 'name', 'mtu', 'dpd', 'dpd.interval', 'dpd.action', 'peer_cidrs', 'peer_address', 'psk',
          'admin_state_up', 'initiator', 'description', 'lifetime', 'lifetime.value', 'endpoints', 'type', 'pfs',
          'vpnservice_id', 'local_ep_group_id', 'catalog', 'catalog.0', 'catalog.0.endpoints',
          'catalog.0.endpoints.0', 'catalog.0.endpoints.0.url', 'catalog.0.type', 'expires_at', '*']


@st.composite
def answers(draw):
    """An arbitrary HTTP answer: (status, headers, body bytes)."""
    status = draw(st.sampled_from([200, 201, 202, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 409, 429,
                                   500, 502, 503]))
    headers = {}
    if draw(st.booleans()):
        headers['Location'] = draw(st.sampled_from(['https://evil.test/x', 'http://vpn.example.test/',
                                                    ENDPOINT + '/v2.0/vpn', '', 'javascript:alert(1)']))
    if draw(st.booleans()):
        headers['X-Subject-Token'] = draw(st.sampled_from([ISSUED, ISSUED + '\x07', '', 'tok en']))
    if draw(st.booleans()):
        headers['Retry-After'] = draw(st.sampled_from(['0', '-5', 'nan', 'Wed, 21 Oct 2015 07:28:00 GMT', 'x']))
    kind = draw(st.sampled_from(['mutated', 'mutated', 'mutated', 'json', 'shaped', 'text', 'bytes', 'empty']))
    if kind == 'mutated':
        # An honest answer with a few of its fields replaced (the body is made at request time).
        body = draw(st.lists(st.tuples(st.sampled_from(FIELDS), SHAPED | JSON), min_size=1, max_size=3))
        status = draw(st.sampled_from([200, 201, 200, 201, 204, 202]))
    elif kind == 'json':
        body = json.dumps(draw(JSON)).encode()
    elif kind == 'shaped':
        body = json.dumps(draw(SHAPED)).encode()
    elif kind == 'text':
        body = draw(st.text(max_size=200)).encode('utf-8', 'surrogatepass')
    elif kind == 'bytes':
        body = draw(st.binary(max_size=200))
    else:
        body = b''
    return status, headers, body


class HostileAt:
    """An honest fake API except at request number ``step``, whose answer is ``answer``."""

    def __init__(self, step: int, answer: tuple) -> None:
        self.step, self.answer, self.sent = step, answer, []

    def request(self, method, url, json=None, params=None, **_kw):
        self.sent.append((method, url))
        if not url.startswith((ENDPOINT + '/', KEYSTONE + '/')):
            pytest.fail('a request left the configured origins: %s %s' % (method, url))
        if len(self.sent) - 1 == self.step:
            status, headers, body = self.answer
            if isinstance(body, list):
                honest_status, honest_headers, honest_body = self.honest(method, urlsplit(url).path)
                headers = dict(honest_headers, **headers)
                body = mutate(honest_body, body)
        else:
            status, headers, body = self.honest(method, urlsplit(url).path)
        response = requests.Response()
        response.status_code, response.reason, response.url = status, 'Reason', url
        response.headers = CaseInsensitiveDict(headers)
        response._content, response._content_consumed = body, True
        return response

    @staticmethod
    def honest(method: str, path: str) -> tuple:
        """What a well-behaved Neutron with a Keystone in front would answer."""
        if path.endswith('/auth/tokens'):
            return 201, {'X-Subject-Token': ISSUED}, json.dumps(CATALOG).encode()
        parts = path.split('/')
        collection = parts[3] if len(parts) > 3 else ''
        key, list_key, item = COLLECTIONS.get(collection, COLLECTIONS['ipsec-site-connections'])
        if method == 'DELETE':
            return 204, {}, b''
        if len(parts) > 4 or method in ('PUT', 'POST'):
            return (201 if method == 'POST' else 200), {}, json.dumps({key: item}).encode()
        return 200, {}, json.dumps({list_key: [item]}).encode()


def mutate(body: bytes, mutations: list) -> bytes:
    """An honest JSON answer with the value at each (dotted path, value) of ``mutations`` replaced."""
    data = json.loads(body or b'{}')
    (_key, envelope), = data.items() if len(data) == 1 else list(data.items())[:1] or [('', {})]
    target = envelope[0] if isinstance(envelope, list) and envelope else envelope
    for path, value in mutations:
        if path == '*':
            data[next(iter(data))] = value
            continue
        node, parts = target, path.split('.')
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) and part.isdigit() and int(part) < len(node) else (
                node.get(part) if isinstance(node, dict) else None)
        last = parts[-1]
        if isinstance(node, dict):
            node[last] = value
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = value
    return json.dumps(data).encode()


def run_case(monkeypatch, capsys, name: str, step: int, answer: tuple) -> tuple:
    main, options = CASES[name]
    server = HostileAt(step, answer)
    monkeypatch.setattr(requests.Session, 'request', lambda self, *a, **kw: server.request(*a, **kw))
    args = dict(options)
    if 'auth_url' not in args:
        args.update(endpoint=ENDPOINT, auth_token=TOKEN)
    args.update(timeout=5, retries=1, wait_timeout=5, _ansible_check_mode=False, _ansible_diff=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    # The secrets of this run: those among its options, and the token Keystone issued when it logs in.
    secrets = [value for value in (TOKEN, PSK, PASSWORD) if value in json.dumps(args)]
    if 'auth_url' in args:
        secrets.append(ISSUED)
    return json.loads(out), out, secrets


@pytest.mark.parametrize('name', sorted(CASES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(step=st.integers(0, 3), answer=answers())
def test_any_answer_at_any_step_ends_in_our_own_failure_or_success(monkeypatch, capsys, name, step, answer):
    result, out, secrets = run_case(monkeypatch, capsys, name, step, answer)
    assert 'Traceback' not in out and 'exception' not in result
    if result.get('failed'):
        assert isinstance(result.get('msg'), str) and result['msg']
    for secret in secrets:
        if name.startswith('auth') and secret == ISSUED and not result.get('failed'):
            continue  # vpnaas.cloud.auth returns the token it was issued: that is its purpose
        assert secret not in out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(answer=answers(), method=st.sampled_from(['GET', 'PUT', 'POST', 'DELETE']))
def test_the_client_raises_only_api_error(monkeypatch, answer, method):
    server = HostileAt(0, answer)
    monkeypatch.setattr(requests.Session, 'request', lambda self, *a, **kw: server.request(*a, **kw))
    client = Client(dict(endpoint=ENDPOINT, auth_token=TOKEN, timeout=5, retries=0))
    try:
        client.call(method, ('vpn', 'ipsec-site-connections', CID), body={'x': 1} if method in ('PUT', 'POST') else None)
        client.list_all(('vpn', 'ipsec-site-connections'), 'ipsec_site_connections')
    except ApiError as exc:
        assert TOKEN not in str(exc)
