# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AK/SK signer, checked byte for byte against huaweicloudsdkcore's ``Signer`` and the emulator.

huaweicloudsdkcore is a pinned test-only requirement (requirements-dev.txt): when it is missing
this module fails to import, on purpose, instead of skipping.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Iterator, Mapping, NamedTuple
from urllib.parse import unquote, urlsplit

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.vpnaas.cloud.plugins.module_utils import _signer as signer
from ansible_collections.vpnaas.cloud.tests.emulator import aksk
from ansible_collections.vpnaas.cloud.tests.emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, PROJECT_ID, Config
from ansible_collections.vpnaas.cloud.tests.emulator.messages import Request
from ansible_collections.vpnaas.cloud.tests.emulator.server import EmulatorServer, start_server

AK = 'HPUAEXAMPLEACCESSKEY'
SK = 'Exampl3SecretKey/with+odd=chars'
DATE = '20260102T150405Z'
HOST = 'vpc.region-1.example.test'
CONN = '/v2.0/vpn/ipsec-site-connections'
CONN_ID = '9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b'
JSON = {'Content-Type': 'application/json'}
PROJECT = {'X-Project-Id': PROJECT_ID}
TOKEN = {'X-Security-Token': 'gQpjbi1ub3J0aC0x+/=tokenvalue'}
BODY = json.dumps({'ipsec_site_connection': {'name': 'conn-1', 'mtu': 1500}}).encode('utf-8')
UNICODE = {'ipsec_site_connection': {'name': 'Verbindung München ☃', 'description': 'ünïcödé "quoted"'}}
BODY_UTF8 = json.dumps(UNICODE, ensure_ascii=False).encode('utf-8')
BODY_ASCII = json.dumps(UNICODE)


class Case(NamedTuple):
    """One request: ``params`` are decoded (key, value) pairs; ``headers`` exclude X-Sdk-Date."""

    method: str = 'GET'
    path: str = CONN
    params: tuple = ()
    headers: Mapping[str, str] = MappingProxyType({})
    body: Any = None
    host: str = HOST


def url_of(case: Case) -> str:
    """The URL requests sends for this case (path re-quoted, params form-encoded)."""
    prepared = requests.models.PreparedRequest()
    prepared.prepare_url(f'https://{case.host}{case.path}', list(case.params))
    return prepared.url


def headers_of(case: Case) -> dict:
    """The headers given to both signers."""
    return dict(case.headers, **{'X-Sdk-Date': DATE})


def sdk_authorization(case: Case) -> str:
    """The Authorization value huaweicloudsdkcore computes, fed the way its client feeds it."""
    request = SdkRequest(method=case.method, schema='https', host=case.host, resource_path=urlsplit(url_of(case)).path,
                         query_params=list(case.params), header_params=headers_of(case), body=case.body)
    Signer(BasicCredentials(AK, SK, PROJECT_ID)).sign(request)
    return request.header_params['Authorization']


def our_authorization(case: Case, secret_key: str = SK) -> str:
    """The Authorization value of the collection's signer."""
    return signer.sign(case.method, url_of(case), headers_of(case), case.body, AK, secret_key, DATE)


MATRIX = {
    'get-list': Case(),
    'get-list-trailing-slash': Case(path=CONN + '/'),
    'get-root': Case(path='/'),
    'get-version': Case(path='/v2.0'),
    'get-by-id': Case(path=f'{CONN}/{CONN_ID}'),
    'get-by-id-trailing-slash': Case(path=f'{CONN}/{CONN_ID}/'),
    'get-v5-project-path': Case(path=f'/v5/{PROJECT_ID}/vpn-connection', headers=PROJECT),
    'get-json-project': Case(headers=dict(JSON, **PROJECT)),
    'get-json-project-token': Case(headers=dict(JSON, **PROJECT, **TOKEN)),
    'get-token-only': Case(headers=TOKEN),
    'get-one-param': Case(params=(('name', 'conn-1'),)),
    'get-unsorted-keys': Case(params=(('zeta', '1'), ('alpha', '2'), ('mid', '3'), ('Beta', '4'))),
    'get-repeated-keys': Case(params=(('fields', 'name'), ('fields', 'id'), ('fields', 'status'))),
    'get-repeated-and-other-keys': Case(params=(('name', 'b'), ('limit', '10'), ('name', 'a'), ('marker', CONN_ID))),
    'get-space-in-value': Case(params=(('name', 'my conn'),)),
    'get-space-in-key': Case(params=(('my key', 'v'),)),
    'get-plus-in-value': Case(params=(('name', 'a+b'),)),
    'get-reserved-chars': Case(params=(('q', '&=+/?#%'),)),
    'get-reserved-key': Case(params=(('a&b=c', 'x'), ('a', 'y'))),
    'get-percent-literal': Case(params=(('name', '100%25'),)),
    'get-tilde-and-unreserved': Case(params=(('name', 'a~b_c.d-e'),)),
    'get-empty-value': Case(params=(('name', ''),)),
    'get-empty-and-full-values': Case(params=(('b', ''), ('a', 'x'), ('b', 'y'))),
    'get-unicode-value': Case(params=(('name', 'München ☃'),)),
    'get-unicode-key-sorts-after-ascii': Case(params=(('é', '1'), ('z', '2'), ('a', '3'))),
    'get-unicode-path': Case(path=f'{CONN}/naïve-ïd'),
    'get-space-path': Case(path=f'{CONN}/a b'),
    'get-encoded-slash-path': Case(path=f'{CONN}/a%2Fb'),
    'get-paging-query': Case(params=(('limit', '2'), ('marker', CONN_ID), ('fields', 'id'), ('fields', 'name'))),
    'get-host-with-port': Case(host='127.0.0.1:8443', headers=PROJECT),
    'get-explicit-host': Case(headers=dict(PROJECT, Host=HOST)),
    'get-lowercase-header-names': Case(headers={'content-type': 'application/json', 'x-project-id': PROJECT_ID}),
    'get-header-value-spaces': Case(headers={'X-Project-Id': f'  {PROJECT_ID}  '}),
    'get-underscore-header-unsigned': Case(headers=dict(PROJECT, X_Custom_Header='not signed')),
    'get-user-agent-accept': Case(headers=dict(JSON, **{'User-Agent': 'vpnaas.cloud/1.0', 'Accept': 'application/json'})),
    'get-json-charset': Case(headers={'Content-Type': 'application/json;charset=UTF-8'}),
    'get-empty-body-bytes': Case(body=b'', headers=JSON),
    'delete-by-id': Case(method='DELETE', path=f'{CONN}/{CONN_ID}', headers=dict(JSON, **PROJECT)),
    'delete-by-id-token': Case(method='DELETE', path=f'{CONN}/{CONN_ID}', headers=dict(PROJECT, **TOKEN)),
    'delete-lowercase-method': Case(method='delete', path=f'{CONN}/{CONN_ID}/'),
    'post-json': Case(method='POST', headers=dict(JSON, **PROJECT), body=BODY),
    'post-json-unicode-utf8': Case(method='POST', headers=dict(JSON, **PROJECT), body=BODY_UTF8),
    'post-json-unicode-escaped-str': Case(method='POST', headers=JSON, body=BODY_ASCII),
    'post-json-token': Case(method='POST', headers=dict(JSON, **PROJECT, **TOKEN), body=BODY),
    'post-empty-body': Case(method='POST', headers=JSON, body=b''),
    'post-no-content-type': Case(method='POST', body=BODY),
    'post-query-and-body': Case(method='POST', params=(('dry_run', 'true'),), headers=JSON, body=BODY),
    'post-unsigned-payload': Case(method='POST', body=b'raw text',
                                  headers={'Content-Type': 'text/plain', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD'}),
    'put-by-id': Case(method='PUT', path=f'{CONN}/{CONN_ID}', headers=dict(JSON, **PROJECT), body=BODY),
    'put-by-id-trailing-slash': Case(method='PUT', path=f'{CONN}/{CONN_ID}/', headers=JSON, body=BODY_UTF8),
    'put-by-id-token-query': Case(method='PUT', path=f'{CONN}/{CONN_ID}', params=(('x', 'a b'), ('x', '')),
                                  headers=dict(JSON, **PROJECT, **TOKEN), body=BODY_UTF8),
    'put-empty-body': Case(method='PUT', path=f'{CONN}/{CONN_ID}', headers=JSON, body=b''),
}


@pytest.mark.parametrize('case', list(MATRIX.values()), ids=list(MATRIX))
def test_matches_huaweicloudsdkcore(case: Case) -> None:
    """Each case of the matrix gets the very Authorization value the SDK computes."""
    assert our_authorization(case) == sdk_authorization(case)


def product_cases() -> Iterator[Case]:
    """Every combination of a few methods, paths, queries, header sets and bodies."""
    paths = ('/', CONN, CONN + '/', f'{CONN}/{CONN_ID}', f'{CONN}/ü x')
    queries = ((), (('b', '2'), ('a', '1')), (('k', 'x'), ('k', '')), (('k', '&=+/?#%'),), (('ключ', 'значение ✓'),))
    header_sets = ({}, JSON, dict(JSON, **PROJECT), dict(JSON, **PROJECT, **TOKEN), dict(TOKEN, Host='h.example.test:99'))
    bodies = (None, b'', BODY, BODY_UTF8)
    for method, path, params, headers, body in itertools.product(('GET', 'PUT', 'POST', 'DELETE'), paths, queries,
                                                                 header_sets, bodies):
        yield Case(method, path, params, headers, body)


def test_matches_huaweicloudsdkcore_on_every_combination() -> None:
    """The same over the cross product of methods, paths, queries, headers and bodies."""
    mismatches = [case for case in product_cases() if our_authorization(case) != sdk_authorization(case)]
    assert not mismatches


def emulator_signature(case: Case, secret_key: str = SK) -> str:
    """The signature the emulator's verifier expects for this case, as the request reaches it."""
    parts = urlsplit(url_of(case))
    sent = signer.headers_to_sign(url_of(case), headers_of(case))
    body = case.body.encode('utf-8') if isinstance(case.body, str) else (case.body or b'')
    request = Request(case.method, unquote(parts.path) or '/', parts.query, sent, body)
    names = signer.signed_header_names(sent)
    return aksk.signature(secret_key, DATE, aksk.canonical_request(request, names))


@pytest.mark.parametrize('case', list(MATRIX.values()), ids=list(MATRIX))
def test_emulator_verifier_agrees(case: Case) -> None:
    """The emulator's verifier expects the signature we compute for every case of the matrix."""
    assert our_authorization(case).endswith('Signature=' + emulator_signature(case))


def test_known_signature() -> None:
    """A fixed vector, independent of any other implementation (computed once with huaweicloudsdkcore 3.1.219)."""
    case = Case('PUT', f'{CONN}/{CONN_ID}', (('fields', 'name'), ('fields', 'id')), dict(JSON, **PROJECT), BODY)
    assert our_authorization(case) == (
        'SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=content-type;host;x-project-id;x-sdk-date, '
        'Signature=34a4f0a12c23ab23c3ce75eb1b5f859448630ed09855eaa5c51822fe78cfa7ed')


def test_emulator_vector() -> None:
    """The vector tests/emulator/test_emulator.py pins for the emulator's verifier (its default AK/SK)."""
    headers = {'Content-Type': 'application/json', 'X-Project-Id': PROJECT_ID, 'X-Sdk-Date': DATE}
    url = 'http://127.0.0.1:1234/v2.0/vpn/ipsec-site-connections/abc?name=a+b&fields=id&fields=name'
    body = b'{"ipsec_site_connection": {"name": "x y"}}'
    assert signer.sign('PUT', url, headers, body, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DATE) == (
        'SDK-HMAC-SHA256 Access=EMULATORACCESSKEY0001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, '
        'Signature=facd3e9c15eab9648bb72c06e3fb5dee1ea794cbc3a93df4366cef2d76c671a2')


def test_canonical_request_layout() -> None:
    """The canonical request, line by line."""
    headers = {'X-Sdk-Date': DATE, 'Host': HOST, 'Content-Type': 'application/json'}
    canonical = signer.canonical_request('get', f'https://{HOST}/v2.0/a%20b?b=2&a=x+y&a=', headers, None)
    assert canonical == '\n'.join(('GET', '/v2.0/a%20b/', 'a=&a=x%20y&b=2',
                                   f'content-type:application/json\nhost:{HOST}\nx-sdk-date:{DATE}\n',
                                   'content-type;host;x-sdk-date', signer.EMPTY_BODY_SHA256))


def test_sign_does_not_change_headers() -> None:
    """sign() adds Host for signing only, on a copy."""
    headers = {'X-Sdk-Date': DATE, 'X-Project-Id': PROJECT_ID}
    signer.sign('GET', f'https://{HOST}{CONN}', headers, b'', AK, SK, DATE)
    assert headers == {'X-Sdk-Date': DATE, 'X-Project-Id': PROJECT_ID}


@pytest.mark.parametrize('headers', [{}, {'X-Sdk-Date': '20260102T150406Z'}])
def test_sign_needs_the_date_header(headers: dict) -> None:
    """X-Sdk-Date missing or different from sdk_date is a caller bug: ValueError."""
    with pytest.raises(ValueError, match='X-Sdk-Date'):
        signer.sign('GET', f'https://{HOST}/', headers, b'', AK, SK, DATE)


@pytest.mark.parametrize('now, expected', [
    (datetime(2026, 1, 2, 15, 4, 5, 999999, tzinfo=timezone.utc), DATE),
    (datetime(2026, 1, 2, 15, 4, 5), DATE),
    (datetime(2026, 1, 2, 16, 4, 5, tzinfo=timezone(timedelta(hours=1))), DATE),
    (datetime(2026, 1, 3, 0, 4, 5, tzinfo=timezone(timedelta(hours=9))), DATE),
])
def test_sdk_date(now: datetime, expected: str) -> None:
    """Aware times are converted to UTC, naive ones taken as UTC, microseconds dropped."""
    assert signer.sdk_date(now) == expected


def test_sdk_date_defaults_to_now() -> None:
    """Without an argument, the current UTC time."""
    before = datetime.now(timezone.utc).replace(microsecond=0)
    moment = datetime.strptime(signer.sdk_date(), signer.DATE_FORMAT).replace(tzinfo=timezone.utc)
    assert before <= moment <= before + timedelta(seconds=5)


# --- Real requests to the emulator on 127.0.0.1 ----------------------------------------------

@pytest.fixture(name='emulator')
def emulator_fixture() -> Iterator[EmulatorServer]:
    """An in-process emulator (Huawei flavour) knowing the test AK/SK."""
    server = start_server(Config(flavour='huawei', access_key=AK, secret_key=SK))
    yield server
    server.stop()


def send_signed(url: str, method: str = 'GET', body: bytes = b'', **change: Any) -> requests.Response:
    """Sign the request as the collection will, then send it.

    ``change`` may hold ``secret_key`` (sign with another key), ``skew`` (a timedelta added to the
    date) and ``sent_body`` (send another body than the one signed).
    """
    date = signer.sdk_date(datetime.now(timezone.utc) + change.get('skew', timedelta(0)))
    headers = {'Content-Type': 'application/json', 'Host': urlsplit(url).netloc, 'X-Project-Id': PROJECT_ID,
               'X-Sdk-Date': date}
    headers['Authorization'] = signer.sign(method, url, headers, body, AK, change.get('secret_key', SK), date)
    return requests.request(method, url, headers=headers, data=change.get('sent_body', body), timeout=10)


def test_emulator_accepts_signed_get(emulator: EmulatorServer) -> None:
    """A signed GET with an awkward query string is accepted over real HTTP."""
    prepared = requests.models.PreparedRequest()
    prepared.prepare_url(emulator.url + CONN, [('name', 'my conn ☃'), ('fields', 'id'), ('fields', 'name'), ('q', '&=+/?#%')])
    assert send_signed(prepared.url).status_code == 200


def test_emulator_accepts_signed_post(emulator: EmulatorServer) -> None:
    """A signed POST with a UTF-8 JSON body is accepted and creates the object."""
    body = json.dumps({'vpnservice': {'router_id': 'router-1', 'name': 'VPN ☃'}}, ensure_ascii=False).encode('utf-8')
    answer = send_signed(emulator.url + '/v2.0/vpn/vpnservices', 'POST', body)
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize('change', [
    {'sent_body': b'{"vpnservice": {"router_id": "router-2"}}'},
    {'secret_key': 'wrong-secret'},
    {'skew': timedelta(minutes=-20)},
    {'skew': timedelta(minutes=20)},
], ids=['tampered-body', 'wrong-secret', 'date-20-min-early', 'date-20-min-late'])
def test_emulator_refuses_bad_signatures(emulator: EmulatorServer, change: dict) -> None:
    """Another body than the one signed, a wrong secret or a date 20 minutes off: APIG's 401."""
    body = b'{"vpnservice": {"router_id": "router-1"}}'
    answer = send_signed(emulator.url + '/v2.0/vpn/vpnservices', 'POST', body, **change)
    assert answer.status_code == 401
    assert answer.json()['error_code'] == 'APIGW.0301'
