# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit-test helpers: a scripted HTTP conversation and a way to run a module in-process.

``install`` replaces ``requests.Session.request`` with a script of expected exchanges.
Any call that is unexpected, out of order, or carries another body fails the test,
and a test also fails if a scripted exchange was never used.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils.testing import patch_module_args

ENDPOINT = 'https://vpn.example.test'
TOKEN = 'unit-test-token'
ANY = object()
"""Use as an expected body to accept any body."""

CID = '851f280f-5639-4ea3-81aa-e298525ab74b'
PATH = '/v2.0/vpn/ipsec-site-connections/' + CID
CONN = {
    'status': 'DOWN', 'psk': 'secret', 'initiator': 'bi-directional', 'name': 'vpnconnection1', 'admin_state_up': True,
    'tenant_id': '10039663455a446d8ba2cbb058b0f578', 'auth_mode': 'psk', 'peer_cidrs': ['10.0.0.0/24'], 'mtu': 1500,
    'peer_ep_group_id': None, 'ikepolicy_id': '9b00d6b0-6c93-4ca5-9747-b8ade7bb514f',
    'vpnservice_id': '5c561d9d-eaea-45f6-ae3e-08d1a7080828', 'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120},
    'route_mode': 'static', 'ipsecpolicy_id': 'e6e23d0c-9519-4d52-8ea4-5b1f96d857b1', 'local_ep_group_id': None,
    'peer_address': '172.24.4.233', 'peer_id': '172.24.4.233', 'id': CID, 'description': '',
    'created_at': '2020-08-05 12:39:35.921257',
}
"""The connection of the API page's example, as Neutron returns it (peer_cidrs rather than endpoint groups)."""


@dataclass
class Exchange:
    """One expected request and the canned answer to it."""

    method: str
    path: str
    body: object = None
    status: int = 200
    answer: object = None
    headers: dict = field(default_factory=dict)
    raw: str = None
    query: dict = None
    raises: Exception = None

    def response(self, url: str) -> requests.Response:
        """The canned answer as a real ``requests.Response``."""
        response = requests.Response()
        response.status_code = self.status
        response.reason = {200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
                           404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error'}.get(self.status, '')
        text = self.raw if self.raw is not None else ('' if self.answer is None else json.dumps(self.answer))
        response._content = text.encode('utf-8')
        response._content_consumed = True  # the client reads the body through iter_content (stream=True)
        response.headers = CaseInsensitiveDict(self.headers)
        response.url = url
        return response


class Conversation:
    """The script; records what was actually sent."""

    def __init__(self) -> None:
        self.expected = []
        self.sent = []
        #: Set by a test of parallel writes: each request may match any expected exchange of the
        #: same method, path and body (threads send in any order); each exchange is used once.
        self.unordered = False
        self._lock = threading.Lock()

    def expect(self, method: str, path: str, **kwargs) -> 'Conversation':
        """Add one expected exchange; returns self for chaining."""
        self.expected.append(Exchange(method, path, **kwargs))
        return self

    def request(self, method, url, json=None, params=None, headers=None, timeout=None, verify=None, **_kw):
        """Stands in for ``requests.Session.request``."""
        parts = urlsplit(url)
        with self._lock:
            self.sent.append((method, parts.path, json))
            if not self.expected:
                pytest.fail('unexpected request %s %s %r (nothing more was expected)' % (method, parts.path, json))
            exchange = self.expected.pop(self._match(method, parts.path, json))
        assert (method, parts.path) == (exchange.method, exchange.path), 'out of order: sent %s %s' % (method, parts.path)
        if exchange.body is not ANY:
            assert json == exchange.body, 'body of %s %s' % (method, parts.path)
        if exchange.query is not None:
            assert params == exchange.query, 'query of %s %s' % (method, parts.path)
        if exchange.raises is not None:
            raise exchange.raises
        return exchange.response(url)

    def _match(self, method: str, path: str, body: object) -> int:
        """The index of the exchange that answers this request: the next one, or (unordered) the first that fits."""
        if not self.unordered:
            return 0
        for index, exchange in enumerate(self.expected):
            if (exchange.method, exchange.path) == (method, path) and (exchange.body is ANY or exchange.body == body):
                return index
        pytest.fail('unexpected request %s %s %r (no expected exchange fits)' % (method, path, body))
        return 0  # pragma: no cover - pytest.fail raises

    def methods(self) -> list:
        """The (method, path) of every request sent."""
        return [(method, path) for method, path, _body in self.sent]


def connection(**changes) -> dict:
    """A copy of the seeded connection ``CONN`` with some fields changed."""
    conn = copy.deepcopy(CONN)
    conn.update(changes)
    return conn


def got(conn: dict) -> dict:
    """The body of an answer holding one connection."""
    return {'ipsec_site_connection': conn}


def install(monkeypatch) -> Conversation:
    """A scripted API; fails the test if any expected exchange is left unused."""
    conversation = Conversation()
    monkeypatch.setattr(requests.Session, 'request', lambda self, *a, **kw: conversation.request(*a, **kw))
    for name in ('VPNAAS_ENDPOINT', 'VPNAAS_AUTH_TOKEN', 'OS_AUTH_TOKEN', 'OS_AUTH_URL', 'OS_USERNAME',
                 'OS_PASSWORD', 'OS_PROJECT_NAME', 'OS_PROJECT_ID', 'OS_REGION_NAME', 'OS_CACERT', 'OS_AUTH_TYPE',
                 'OS_USER_ID', 'OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_NAME',
                 'OS_APPLICATION_CREDENTIAL_SECRET', 'OS_CLOUD', 'OS_CLIENT_CONFIG_FILE'):
        monkeypatch.delenv(name, raising=False)
    return conversation


def run_module(main, capsys, args: dict, check_mode: bool = False, diff: bool = False) -> tuple:
    """Run a module's ``main()`` in-process; returns (result dict, failed?, raw stdout)."""
    full = dict(endpoint=ENDPOINT, auth_token=TOKEN)
    full.update(args)
    full['_ansible_check_mode'] = check_mode
    full['_ansible_diff'] = diff
    with patch_module_args(full):
        with pytest.raises(SystemExit) as exit_info:
            main()
    out = capsys.readouterr().out
    result = json.loads(out)
    return result, exit_info.value.code != 0, out
