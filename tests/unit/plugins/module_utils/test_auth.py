# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing the authentication method, clouds.yaml, and AK/SK request signing."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.vpnaas.cloud.plugins.module_utils import _auth as auth
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ConfigError

AKSK = dict(access_key='AKEXAMPLE123', secret_key='sk-secret-1', project_id='p1', region='eu-de')


@pytest.fixture(autouse=True)
def no_clouds_yaml(monkeypatch, tmp_path):
    """Keep the user's own clouds.yaml and OS_* settings out of these tests."""
    monkeypatch.delenv('OS_CLIENT_CONFIG_FILE', raising=False)
    monkeypatch.setattr(auth, 'CLOUDS_YAML_PATHS', (str(tmp_path / 'none.yaml'),))


def test_token_wins_over_everything_else():
    chosen = auth.select_auth(dict(auth_token='t', endpoint='https://x', auth_url='https://k', username='u',
                                   password='p', **AKSK))
    assert chosen.name == 'token'


@pytest.mark.parametrize('params, message', [
    (dict(auth_token='t'), 'auth_token is set but endpoint is not'),
    (dict(auth_url='https://k', username='u'), 'missing: password, project_id or project_name'),
    (dict(username='u', password='p', project_name='x'), 'missing: auth_url'),
    (dict(access_key='AK', project_id='p'), 'AK/SK authentication needs access_key, secret_key and project_id (missing: secret_key)'),
    (dict(access_key='AK', secret_key='SK'), '(missing: project_id)'),
    (dict(access_key='AK', secret_key='SK', project_id='p'), 'AK/SK authentication needs endpoint, or region'),
    (dict(AKSK, username='u', password='p'), 'Both AK/SK (access_key, secret_key) and Keystone password (username, password)'),
    (dict(), 'No authentication configured'),
    (dict(auth_url='https://k', application_credential_id='i'),
     'Keystone application credential authentication needs auth_url, application_credential_secret and '
     'application_credential_id, or application_credential_name with username or user_id (missing: application_credential_secret)'),
    (dict(application_credential_name='n', application_credential_secret='s'), '(missing: auth_url, username or user_id)'),
    (dict(auth_type='v3applicationcredential', auth_url='https://k', application_credential_secret='s'),
     '(missing: application_credential_id or application_credential_name)'),
    (dict(auth_url='https://k', application_credential_id='i', application_credential_secret='s', password='p'),
     'Both a Keystone application credential (application_credential_id, application_credential_secret) and '
     'Keystone password (password) authentication are configured'),
    (dict(AKSK, application_credential_id='i'), 'Both a Keystone application credential (application_credential_id) and AK/SK'),
    (dict(auth_token='t', auth_url='https://k'),
     'Keystone token authentication (v3token) needs auth_url, auth_token and a project to exchange the token for a '
     'project-scoped one (missing: project_id or project_name)'),
    (dict(auth_type='v3token', auth_url='https://k', project_id='p'), '(missing: auth_token)'),
    (dict(auth_type='v3password', auth_url='https://k', password='p', project_id='x'), '(missing: username or user_id)'),
    (dict(auth_type='v3oidcpassword', auth_url='https://k', username='u', password='p', project_id='x'),
     "auth_type: 'v3oidcpassword' is not a supported auth type. Supported are password or v3password"),
])
def test_misconfiguration_names_what_is_missing_or_conflicting(params, message):
    with pytest.raises(ConfigError) as error:
        auth.select_auth(params)
    assert message in str(error.value)


@pytest.mark.parametrize('params, name', [
    (dict(AKSK, auth_type='password', auth_url='https://k', username='u', password='p'), 'password'),
    (dict(auth_type='V3ApplicationCredential', auth_url='https://k', application_credential_id='i',
          application_credential_secret='s', username='u', password='p'), 'application_credential'),
    (dict(auth_type='token', auth_url='https://k', auth_token='t', project_name='x', username='u', password='p'), 'v3token'),
    (dict(auth_url='https://k', user_id='uid', password='p', project_id='x'), 'password'),
])
def test_auth_type_chooses_among_the_options_set(params, name):
    assert auth.select_auth(params).name == name


def test_request_bodies_of_the_keystone_methods():
    method = auth.select_auth(dict(auth_url='https://k', user_id='uid', password='p', project_id='x'))
    assert method.request_body() == {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'id': 'uid', 'password': 'p'}}}, 'scope': {'project': {'id': 'x'}}}}
    method = auth.select_auth(dict(auth_url='https://k', application_credential_id='i', application_credential_name='n',
                                   application_credential_secret='s', project_id='ignored'))
    assert method.request_body() == {'auth': {'identity': {'methods': ['application_credential'],
                                                           'application_credential': {'secret': 's', 'id': 'i'}}}}
    assert method.secrets() == ['s'] and 's' not in method.describe().split()
    method = auth.select_auth(dict(auth_url='https://k', auth_token='t0', project_name='p', project_domain_name='D'))
    assert method.request_body() == {'auth': {'identity': {'methods': ['token'], 'token': {'id': 't0'}},
                                              'scope': {'project': {'name': 'p', 'domain': {'name': 'D'}}}}}
    assert method.secrets() == ['t0'] and 't0' not in method.describe()


def test_empty_values_count_as_unset():
    """AWX renders an optional credential field it was not given as an empty string."""
    assert auth.select_auth(dict(AKSK, security_token='', username='', password='')).name == 'aksk'


@pytest.mark.parametrize('params, endpoint', [
    (AKSK, 'https://vpc.eu-de.myhuaweicloud.com'),
    (dict(AKSK, cloud_domain='otc.t-systems.com'), 'https://vpc.eu-de.otc.t-systems.com'),
    (dict(AKSK, endpoint='https://vpn.test'), 'https://vpn.test'),
])
def test_aksk_endpoint(params, endpoint):
    assert auth.aksk_endpoint(params) == endpoint


def test_keystone_url_and_scope():
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k/v3/', username='u', password='p', project_id='pid'))
    assert method.tokens_url() == 'https://k/v3/auth/tokens'
    assert method.request_body()['auth']['scope'] == {'project': {'id': 'pid'}}
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k:5000', username='u', password='p', project_name='n',
                                            user_domain_name='D1'))
    assert method.tokens_url() == 'https://k:5000/v3/auth/tokens'
    assert method.request_body()['auth']['scope'] == {'project': {'name': 'n', 'domain': {'name': 'D1'}}}
    assert method.request_body()['auth']['identity']['password']['user']['domain'] == {'name': 'D1'}


def test_domains_by_id():
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k', username='u', password='p', project_name='n',
                                            user_domain_id='ud', project_domain_id='pd'))
    body = method.request_body()['auth']
    assert body['scope']['project']['domain'] == {'id': 'pd'}
    assert body['identity']['password']['user']['domain'] == {'id': 'ud'}


def test_catalog_honours_region_and_interface():
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k', username='u', password='p', project_id='pid',
                                            region='r1', interface='internal'))
    method.catalog = [{'type': 'network', 'endpoints': [
        {'interface': 'public', 'region_id': 'r1', 'url': 'https://public'},
        {'interface': 'internal', 'region_id': 'r2', 'url': 'https://internal-r2'},
        {'interface': 'internal', 'region_id': 'r1', 'url': 'https://internal-r1'}]}]
    assert method.endpoint_from_catalog() == 'https://internal-r1'


def test_catalog_without_vpn_endpoint_says_so():
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k', username='u', password='p', project_id='pid', region='r9'))
    method.catalog = [{'type': 'network', 'endpoints': [{'interface': 'public', 'region_id': 'r1', 'url': 'https://n'}]}]
    with pytest.raises(ConfigError, match='no public network or vpc endpoint in region r9'):
        method.endpoint_from_catalog()


def test_catalog_falls_back_to_vpc_type():
    method = auth.KeystonePasswordAuth(dict(auth_url='https://k', username='u', password='p', project_id='pid'))
    method.catalog = [{'type': 'vpc', 'endpoints': [{'interface': 'public', 'region': 'eu-de', 'url': 'https://vpc'}]}]
    assert method.endpoint_from_catalog() == 'https://vpc'


# -- clouds.yaml ------------------------------------------------------------------

CLOUDS = """
clouds:
  devstack:
    auth:
      auth_url: https://keystone.test:5000/v3
      username: demo
      password: from-file-pw
      project_name: demo
      domain_name: Default
    region_name: RegionOne
    verify: false
  other:
    auth: {auth_url: https://other.test, username: o, password: o-pw, project_id: op}
    interface: internal
    cacert: /etc/ssl/other.pem
    network_endpoint_override: https://neutron.other.test:9696
"""


@pytest.fixture
def clouds_file(tmp_path, monkeypatch):
    path = tmp_path / 'clouds.yaml'
    path.write_text(CLOUDS, encoding='utf-8')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(path))
    return path


def test_named_cloud_fills_unset_options(clouds_file):
    params = auth.resolve(dict(cloud='devstack', region=None, validate_certs=None))
    assert params['auth_url'] == 'https://keystone.test:5000/v3'
    assert params['password'] == 'from-file-pw'
    assert params['user_domain_name'] == 'Default' and params['project_domain_name'] == 'Default'
    assert params['region'] == 'RegionOne' and params['validate_certs'] is False
    assert auth.select_auth(params).name == 'password'


def test_options_win_over_the_file(clouds_file):
    params = auth.resolve(dict(cloud='other', project_id='mine', interface='public', endpoint=None))
    assert params['project_id'] == 'mine' and params['interface'] == 'public'
    assert params['ca_path'] == '/etc/ssl/other.pem'
    assert params['endpoint'] == 'https://neutron.other.test:9696'


def test_several_clouds_and_none_named_is_an_error(clouds_file):
    with pytest.raises(ConfigError, match=r'holds 2 clouds \(devstack, other\); choose one'):
        auth.resolve(dict())


def test_the_only_cloud_of_os_client_config_file_is_used(tmp_path, monkeypatch):
    path = tmp_path / 'awx.yaml'
    path.write_text('clouds:\n  devstack:\n    auth: {auth_url: "https://k", username: u, password: p, project_name: n}\n',
                    encoding='utf-8')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(path))
    assert auth.resolve(dict())['username'] == 'u'


def test_unknown_cloud_names_where_it_looked(clouds_file):
    with pytest.raises(ConfigError, match="No clouds.yaml defines the cloud 'nope'"):
        auth.resolve(dict(cloud='nope'))


def test_clouds_yaml_is_not_read_when_another_method_is_set(clouds_file):
    params = dict(auth_token='t', endpoint='https://x')
    assert auth.resolve(params) is params


# -- AK/SK ---------------------------------------------------------------------------

def test_aksk_signs_a_prepared_request_and_keeps_the_secret_out_of_headers():
    method = auth.AkSkAuth(dict(AKSK, security_token='temp-token-1'))
    request = requests.Request('PUT', 'https://vpc.eu-de.myhuaweicloud.com/v2.0/vpn/ipsec-site-connections/x?a=1',
                               json={'ipsec_site_connection': {'mtu': 1400}}).prepare()
    method(request)
    header = request.headers['Authorization']
    assert header.startswith('SDK-HMAC-SHA256 Access=AKEXAMPLE123, SignedHeaders=content-type;host;x-project-id;'
                             'x-sdk-date;x-security-token, Signature=')
    assert request.headers['X-Project-Id'] == 'p1' and request.headers['X-Security-Token'] == 'temp-token-1'
    assert request.headers['Host'] == 'vpc.eu-de.myhuaweicloud.com'
    assert 'sk-secret-1' not in str(request.headers)
    assert 'sk-secret-1' not in method.describe() and 'AKEX...' in method.describe()
