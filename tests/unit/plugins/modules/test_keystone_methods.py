# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Keystone login of each method, as the exact HTTP conversation of a module run.

Application credentials (by id, by name with a user), the token exchange (v3token)
and clouds.yaml's ``auth_type``: the token request body, the catalog's endpoint
used next, and no secret in the output.
"""

from __future__ import annotations

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils import _auth
from ansible_collections.vpnaas.cloud.plugins.modules.auth import main as auth_main
from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection_info import main
from ansible_collections.vpnaas.cloud.tests.unit.api import ANY, CID, CONN, PATH

SECRET = 'app-cred-secret-9f1'
GIVEN_TOKEN = 'given-token-3c7'
NEW_TOKEN = 'scoped-token-from-keystone'
CATALOG = [{'type': 'network', 'endpoints': [{'interface': 'public', 'region_id': 'r1', 'url': 'https://net.test'}]}]
NO_OPTIONS = dict(endpoint=None, auth_token=None)


@pytest.fixture(autouse=True)
def no_clouds_yaml(monkeypatch, tmp_path):
    """Keep the user's own clouds.yaml out of these tests."""
    monkeypatch.setattr(_auth, 'CLOUDS_YAML_PATHS', (str(tmp_path / 'none.yaml'),))


def login(api, body, status=201):
    """Expect one token request with exactly ``body``; Keystone answers with a token and the catalog."""
    api.expect('POST', '/v3/auth/tokens', body=body, status=status, headers={'X-Subject-Token': NEW_TOKEN},
               answer={'token': {'catalog': CATALOG, 'expires_at': '2026-12-02T18:00:00.000000Z'}})


def read(api):
    """Expect the read of the connection at the catalog's endpoint."""
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN)})


def credential_body(**credential) -> dict:
    return {'auth': {'identity': {'methods': ['application_credential'], 'application_credential': credential}}}


def test_application_credential_by_id_sends_id_and_secret_and_no_scope(api, run):
    login(api, credential_body(secret=SECRET, id='ac-id-1'))
    read(api)
    # A project given too is not sent: the credential is bound to its project and Keystone refuses a scope.
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID, auth_url='https://id.test/v3', project_name='demo',
                                         application_credential_id='ac-id-1', application_credential_secret=SECRET))
    assert not failed, result
    assert [c['id'] for c in result['ipsec_site_connections']] == [CID]
    assert SECRET not in out and NEW_TOKEN not in out


def test_application_credential_by_name_sends_the_user_and_its_domain(api, run):
    login(api, credential_body(secret=SECRET, name='ci-runner', user={'name': 'demo', 'domain': {'id': 'dom-1'}}))
    read(api)
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID, auth_url='https://id.test', username='demo',
                                         user_domain_id='dom-1', application_credential_name='ci-runner',
                                         application_credential_secret=SECRET))
    assert not failed, result
    assert SECRET not in out


def test_application_credential_by_name_and_user_id(api, run):
    login(api, credential_body(secret=SECRET, name='ci-runner', user={'id': 'uid-7'}))
    read(api)
    result, failed, _out = run(main, dict(NO_OPTIONS, id=CID, auth_url='https://id.test', user_id='uid-7',
                                          application_credential_name='ci-runner', application_credential_secret=SECRET))
    assert not failed, result


def test_application_credential_from_the_os_environment(api, run, monkeypatch):
    for name, value in (('OS_AUTH_TYPE', 'v3applicationcredential'), ('OS_AUTH_URL', 'https://id.test/v3'),
                        ('OS_APPLICATION_CREDENTIAL_ID', 'ac-id-env'), ('OS_APPLICATION_CREDENTIAL_SECRET', SECRET)):
        monkeypatch.setenv(name, value)
    login(api, credential_body(secret=SECRET, id='ac-id-env'))
    read(api)
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID))
    assert not failed, result
    assert SECRET not in out


def test_rejected_application_credential_names_it_and_hides_the_secret(api, run):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=401,
               answer={'error': {'code': 401, 'title': 'Unauthorized', 'message': 'The request you have made requires authentication.'}})
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID, auth_url='https://id.test', application_credential_id='ac-id-1',
                                         application_credential_secret=SECRET))
    assert failed
    assert 'HTTP 401' in result['msg'] and '[Keystone application credential ac-id-1]' in result['msg']
    assert SECRET not in out


def test_token_without_endpoint_is_exchanged_for_a_scoped_one(api, run):
    login(api, {'auth': {'identity': {'methods': ['token'], 'token': {'id': GIVEN_TOKEN}},
                         'scope': {'project': {'name': 'demo', 'domain': {'name': 'Default'}}}}})
    read(api)
    result, failed, out = run(main, dict(id=CID, endpoint=None, auth_token=GIVEN_TOKEN, auth_url='https://id.test',
                                         project_name='demo'))
    assert not failed, result
    assert GIVEN_TOKEN not in out and NEW_TOKEN not in out


def test_token_with_endpoint_is_used_as_it_is_whatever_auth_type_says(api, run, monkeypatch):
    """The once-per-play token of vpnaas.cloud.auth, in a shell where OS_AUTH_TYPE is set."""
    monkeypatch.setenv('OS_AUTH_TYPE', 'v3applicationcredential')
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN)})
    result, failed, _out = run(main, dict(id=CID, auth_url='https://id.test', application_credential_id='x'))
    assert not failed, result


def test_auth_module_returns_the_application_credential_token(api, run):
    login(api, credential_body(secret=SECRET, id='ac-id-1'))
    result, failed, out = run(auth_main, dict(NO_OPTIONS, auth_url='https://id.test', application_credential_id='ac-id-1',
                                              application_credential_secret=SECRET))
    assert not failed, result
    assert result['endpoint'] == 'https://net.test' and result['expires_at'] == '2026-12-02T18:00:00.000000Z'
    assert SECRET not in out


CLOUDS = """
clouds:
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://id.test/v3
      application_credential_id: ac-id-file
      application_credential_secret: %(secret)s
    region_name: r1
  appcred-by-name:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://id.test/v3
      application_credential_name: ci-runner
      application_credential_secret: %(secret)s
      username: demo
      user_domain_name: Default
  token:
    auth_type: v3token
    auth:
      auth_url: https://id.test/v3
      token: %(token)s
      project_id: pid-1
  oidc:
    auth_type: v3oidcpassword
    auth: {auth_url: https://id.test/v3, username: u, password: file-secret-pw}
""" % dict(secret=SECRET, token=GIVEN_TOKEN)


@pytest.fixture
def clouds(tmp_path, monkeypatch):
    path = tmp_path / 'clouds.yaml'
    path.write_text(CLOUDS, encoding='utf-8')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(path))
    return path


@pytest.mark.parametrize('cloud, body', [
    ('appcred', credential_body(secret=SECRET, id='ac-id-file')),
    ('appcred-by-name', credential_body(secret=SECRET, name='ci-runner', user={'name': 'demo', 'domain': {'name': 'Default'}})),
    ('token', {'auth': {'identity': {'methods': ['token'], 'token': {'id': GIVEN_TOKEN}},
                        'scope': {'project': {'id': 'pid-1'}}}}),
])
def test_clouds_yaml_auth_types(api, run, clouds, monkeypatch, cloud, body):
    monkeypatch.setenv('OS_CLOUD', cloud)
    login(api, body)
    read(api)
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID))
    assert not failed, result
    assert SECRET not in out and GIVEN_TOKEN not in out


def test_unsupported_clouds_yaml_auth_type_names_the_supported_ones_before_any_request(api, run, clouds):
    result, failed, out = run(main, dict(NO_OPTIONS, id=CID, cloud='oidc'))
    assert failed and api.sent == []
    assert result['msg'].startswith("auth_type of cloud 'oidc' of %s: 'v3oidcpassword' is not a supported auth type. "
                                    "Supported are password or v3password (auth_url, username or user_id" % clouds)
    assert 'v3applicationcredential (auth_url, application_credential_secret' in result['msg']
    assert 'v3token or token (auth_url, auth_token' in result['msg']
    assert 'file-secret-pw' not in out
