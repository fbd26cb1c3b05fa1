# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors that help: the exact request and the exact message of each failure that has a hint or our own words.

A wrong endpoint (404 on a collection), a connection that cannot be made, ``_info`` filters that
cannot match, Huawei's refusal of a psk and Neutron 29's 500 to a policy with sha1 or 3des.
"""

from __future__ import annotations

import socket

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError

from ansible_collections.vpnaas.cloud.plugins.module_utils import _client
from ansible_collections.vpnaas.cloud.plugins.modules import ike_policy, ipsec_connection, ipsec_connection_info
from ansible_collections.vpnaas.cloud.plugins.modules import ipsec_policy, vpn_service_info
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, CONN, ENDPOINT, PATH

LIST = '/v2.0/vpn/ipsec-site-connections'
IKE_LIST = '/v2.0/vpn/ikepolicies'
NOT_FOUND = {'NeutronError': {'type': 'HTTPNotFound', 'message': 'The resource could not be found.', 'detail': ''}}
FORMS = ('An endpoint is the API root, without /v2.0: on OpenStack the network service of the Keystone catalog, e.g. '
         'https://neutron.example.com:9696; on Huawei Cloud https://vpc.<region>.myhuaweicloud.com; on Open Telekom '
         'Cloud / T Cloud Public https://vpc.<region>.otc.t-systems.com')
PSK = 'bad?psk-7c1e0a'
PSK_RULE = ('Hint: Huawei Cloud and Open Telekom Cloud / T Cloud Public accept a psk of 6 to 128 characters, each a '
            'letter, a digit or one of ~ ` ! @ # $ % ^ ( ) - _ + = [ ] { } | \\ , . / : ; with no spaces, no ? and '
            'not only *.')
NEUTRON_500 = {'NeutronError': {'type': 'HTTPInternalServerError', 'detail': '',
                                'message': 'Request Failed: internal server error while processing your request.'}}
ALGORITHMS = ('Hint: Neutron VPNaaS 29 answers HTTP 500 to a policy whose auth_algorithm is left out (the default is '
              'sha1) or is sha1, or whose encryption_algorithm is 3des; send auth_algorithm sha256 or stronger and an '
              'AES encryption_algorithm (aes-128, aes-192 or aes-256).')


# -- a wrong endpoint: 404 on a collection ------------------------------------------------------

def test_404_on_the_list_names_the_url_and_the_endpoint_forms(api, run):
    api.expect('GET', '/network/v2.0/vpn/ipsec-site-connections', query={'status': 'DOWN'}, status=404, answer=NOT_FOUND)
    result, failed, _out = run(ipsec_connection_info.main, dict(endpoint=ENDPOINT + '/network', filters={'status': 'DOWN'}))
    assert failed and result['changed'] is False
    url = ENDPOINT + '/network/v2.0/vpn/ipsec-site-connections'
    assert result['msg'] == (
        'Failed to list IPsec site connections: GET %s answered HTTP 404 Not Found: HTTPNotFound: The resource could '
        'not be found. Hint: no VPN API answers at %s/network/v2.0/vpn (no list of ipsec-site-connections there): '
        'the endpoint %s/network (the endpoint option) is wrong, or the cloud does not offer VPNaaS. %s'
        % (url, ENDPOINT, ENDPOINT, FORMS))


def test_404_on_a_create_names_the_url_too(api, run):
    api.expect('GET', IKE_LIST, query={'name': 'ike-1'}, answer={'ikepolicies': []})
    api.expect('POST', IKE_LIST, body={'ikepolicy': {'name': 'ike-1', 'auth_algorithm': 'sha256'}}, status=404,
               answer={'error_code': 'VPC.0602', 'error_msg': 'The resource could not be found.'})
    result, failed, _out = run(ike_policy.main, dict(name='ike-1', auth_algorithm='sha256'))
    assert failed and result['changed'] is False
    assert result['msg'].startswith("Failed to create IKE policy named 'ike-1': POST %s%s answered HTTP 404 Not Found: "
                                    'VPC.0602: The resource could not be found. Hint: no VPN API answers at %s/v2.0/vpn '
                                    '(no list of ikepolicies there)' % (ENDPOINT, IKE_LIST, ENDPOINT))
    assert result['msg'].endswith(FORMS)


def test_404_on_one_id_still_means_absent(api, run):
    api.expect('GET', PATH, status=404, answer={'NeutronError': {
        'type': 'IPsecSiteConnectionNotFound', 'message': 'ipsec_site_connection %s not found' % CID}})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, state='absent'))
    assert not failed and result['changed'] is False and result['ipsec_site_connection'] == {}
    assert api.methods() == [('GET', PATH)]


def test_404_on_one_id_of_an_info_module_is_an_empty_list(api, run):
    api.expect('GET', PATH, status=404, answer=NOT_FOUND)
    result, failed, _out = run(ipsec_connection_info.main, dict(id=CID))
    assert not failed and result['ipsec_site_connections'] == []


# -- connections that cannot be made ------------------------------------------------------------

def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_jitter(monkeypatch):
    """Backoff at its longest (jitter factor 1), so the waits are exact."""
    monkeypatch.setattr(_client.random, 'uniform', lambda low, high: high)


@pytest.mark.usefixtures('no_jitter')
def test_a_refused_port_is_named_once_in_our_words(clock):
    port = closed_port()
    client = _client.Client(dict(endpoint='http://127.0.0.1:%d' % port, auth_token='t0ken-refused', retries=2))
    with pytest.raises(_client.ApiError) as caught:
        client.call('GET', ('vpn', 'ipsec-site-connections'))
    message = str(caught.value)
    assert message == ('GET /v2.0/vpn/ipsec-site-connections: cannot connect to 127.0.0.1:%d: connection refused '
                       '(3 attempts; retries: 2)' % port)
    url = 'http://127.0.0.1:%d/v2.0/vpn/ipsec-site-connections' % port
    assert client.retried == ['GET %s: connection refused; retry 1 of 2 in 0.5 s' % url,
                              'GET %s: connection refused; retry 2 of 2 in 1.0 s' % url]
    assert clock.sleeps == [0.5, 1.0]
    assert caught.value.url == 'http://127.0.0.1:%d/v2.0/vpn/ipsec-site-connections' % port
    assert caught.value.transport == 'connect'


def test_a_refused_keystone_is_named_once_too(clock):
    port = closed_port()
    client = _client.Client(dict(auth_url='http://127.0.0.1:%d' % port, username='demo', password='pass-w0rd-refused',
                                 project_name='demo', retries=0))
    with pytest.raises(_client.ApiError) as caught:
        client.call('GET', ('vpn', 'vpnservices'))
    assert str(caught.value) == 'POST /v3/auth/tokens: cannot connect to 127.0.0.1:%d: connection refused' % port
    assert client.retried == [] and clock.sleeps == []


@pytest.mark.usefixtures('no_jitter')
def test_a_name_that_does_not_resolve_says_so(api, run):
    gaierror = socket.gaierror(-2, 'Name or service not known')
    cause = NameResolutionError('vpc.nowhere.invalid', None, gaierror)
    cause.__cause__ = gaierror  # as urllib3 raises it (raise ... from)
    for _attempt in range(2):
        api.expect('GET', LIST, query={}, raises=requests.exceptions.ConnectionError(
            MaxRetryError(None, LIST, cause)))
    result, failed, out = run(ipsec_connection_info.main, dict(retries=1))
    assert failed
    assert result['msg'] == ('Failed to list IPsec site connections: GET /v2.0/vpn/ipsec-site-connections: cannot '
                             'connect to vpn.example.test:443: the host name does not resolve (Name or service not '
                             'known) (2 attempts; retries: 1)')
    assert result['retried'] == ['GET %s%s: the host name does not resolve (Name or service not known); retry 1 of 1 in '
                                 '0.5 s' % (ENDPOINT, LIST)]
    assert 'Max retries' not in out and 'object at 0x' not in out and 'NameResolutionError' not in out


@pytest.mark.parametrize('timeout, retries', [(30, 4), (5, 0), (2, 1), (10, 6)])
@pytest.mark.usefixtures('no_jitter')
def test_a_failing_request_ends_within_the_documented_bound(monkeypatch, clock, timeout, retries):
    sent = []

    def never_connects(_session, method, url, **kwargs):
        sent.append((method, url, kwargs['timeout']))
        clock.now += timeout  # each attempt takes its whole timeout
        raise requests.exceptions.ConnectTimeout('connect timeout')
    monkeypatch.setattr(requests.Session, 'request', never_connects)
    client = _client.Client(dict(endpoint='https://vpn.example.test', auth_token='t0ken-bound', timeout=timeout,
                                 retries=retries))
    started = clock.now
    with pytest.raises(_client.ApiError) as caught:
        client.call('GET', ('vpn', 'vpnservices'))
    assert len(sent) == retries + 1
    assert all(entry[2] == (timeout, timeout) for entry in sent)
    assert clock.sleeps == _client.retry_waits(retries)
    assert clock.now - started == _client.failure_bound(timeout, retries)
    assert 'cannot connect to vpn.example.test:443: no connection within %s seconds' % timeout in str(caught.value)


def test_the_bound_of_the_defaults():
    assert _client.retry_waits(4) == [0.5, 1.0, 2.0, 4.0]
    assert _client.failure_bound(30, 4) == 157.5
    assert _client.retry_waits(6) == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert _client.failure_bound(30, 4, retry_after=True) == 150 + 4 * 60.0


def test_retry_after_is_waited_within_its_bound(api, run, clock):
    for _attempt in range(3):
        api.expect('GET', LIST, query={}, status=503, headers={'Retry-After': '600'},
                   answer={'error_code': 'VPC.0503', 'error_msg': 'busy'})
    result, failed, _out = run(ipsec_connection_info.main, dict(retries=2))
    assert failed and clock.sleeps == [60.0, 60.0]
    assert sum(clock.sleeps) <= _client.failure_bound(30, 2, retry_after=True) - 3 * 30
    assert result['msg'].endswith('answered HTTP 503 : VPC.0503: busy (3 attempts; retries: 2)')


# -- _info filters ------------------------------------------------------------------------------

CONNECTION_KEYS = ('admin_state_up, auth_mode, created_at, description, id, ikepolicy_id, initiator, '
                   'ipsecpolicy_id, local_ep_group_id, local_id, mtu, name, order_id, peer_address, '
                   'peer_ep_group_id, peer_id, product_id, project_id, route_mode, status, tags, tenant_id, '
                   'vpnservice_id')


def test_an_unknown_filter_key_fails_naming_the_valid_ones_before_any_request(api, run):
    result, failed, _out = run(ipsec_connection_info.main, dict(filters={'stauts': 'DOWN'}))
    assert failed and api.sent == []
    assert result['msg'] == "filters: unknown key 'stauts'; valid keys: " + CONNECTION_KEYS


def test_the_valid_keys_of_a_vpn_service_hold_its_read_only_fields(api, run):
    result, failed, _out = run(vpn_service_info.main, dict(filters={'external_ip': '198.51.100.7'}))
    assert failed and api.sent == []
    assert result['msg'] == ("filters: unknown key 'external_ip'; valid keys: admin_state_up, description, "
                             'external_v4_ip, external_v6_ip, flavor_id, id, name, project_id, router_id, status, '
                             'subnet_id, tenant_id')


@pytest.mark.parametrize('filters, message', [
    ({'mtu': 'abc'}, 'filters: mtu must be an integer (got "abc")'),
    ({'mtu': [1500, 'x']}, 'filters: mtu must be an integer (got "x")'),
    ({'admin_state_up': 'maybe'}, 'filters: admin_state_up must be true or false (got "maybe")'),
    ({'initiator': 'both'}, 'filters: initiator must be one of bi-directional, response-only (got "both")'),
    ({'dpd': 'hold'}, 'filters: dpd is a dictionary field, which the API does not filter on'),
    ({'status': {'is': 'DOWN'}}, 'filters: status must be a string, a number, a boolean or a list of them (got an object)'),
    ({'psk': 'guess'}, 'filters: psk is a secret, which the API does not filter on'),
])
def test_filter_values_of_the_wrong_type_fail_before_any_request(api, run, filters, message):
    result, failed, _out = run(ipsec_connection_info.main, dict(filters=filters))
    assert failed and api.sent == []
    assert result['msg'] == message
    assert 'guess' not in result['msg']


def test_read_only_keys_and_integers_as_text_are_valid_filters(api, run):
    down = dict(CONN, status='DOWN', route_mode='static')
    api.expect('GET', LIST, query={'status': 'DOWN', 'route_mode': 'static', 'mtu': '1500'},
               answer={'ipsec_site_connections': [down, dict(CONN, id='other', status='ACTIVE')]})
    result, failed, _out = run(ipsec_connection_info.main, dict(filters={'status': 'DOWN', 'route_mode': 'static',
                                                                         'mtu': '1500'}))
    assert not failed and [item['id'] for item in result['ipsec_site_connections']] == [CID]


# -- hints for known pitfalls -------------------------------------------------------------------

NEW = dict(name='branch-1', vpnservice_id='svc-1', ikepolicy_id='ike-1', ipsecpolicy_id='ipsec-1',
           local_ep_group_id='leg-1', peer_ep_group_id='peg-1', peer_address='203.0.113.20', peer_id='203.0.113.20',
           psk=PSK)


def test_a_psk_refused_by_huawei_gets_the_rule_and_the_key_stays_secret(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body={'ipsec_site_connection': dict(NEW)}, status=400,
               answer={'error_code': 'VPC.0601', 'error_msg': 'The PSK "%s" is invalid' % PSK})
    result, failed, out = run(ipsec_connection.main, dict(NEW, wait=False))
    assert failed and result['changed'] is False
    assert result['msg'] == ("Failed to create IPsec site connection named 'branch-1': POST %s%s answered HTTP 400 Bad "
                             'Request: VPC.0601: The PSK "********" is invalid. %s' % (ENDPOINT, LIST, PSK_RULE))
    assert PSK not in out


def test_a_psk_refused_on_update_gets_the_rule_too(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN, psk='old-key-123')})
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'psk': PSK}}, status=400,
               answer={'code': 'VPC.0501',
                       'message': '{"NeutronError": {"type": "InvalidPsk", "message": "The PSK \\"%s\\" is invalid"}}' % PSK})
    result, failed, out = run(ipsec_connection.main, dict(id=CID, psk=PSK))
    assert failed
    assert result['msg'].endswith('answered HTTP 400 Bad Request: VPC.0501: InvalidPsk: The PSK "********" is invalid. '
                                  + PSK_RULE)
    assert PSK not in out


def test_other_400s_of_a_connection_get_no_psk_hint(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'initiator': 'response-only'}}, status=400, answer={
        'NeutronError': {'type': 'VPNStateInvalidToUpdate', 'message': 'Invalid state DOWN for updating'}})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, initiator='response-only', wait=False))
    assert failed and result['msg'].endswith('VPNStateInvalidToUpdate: Invalid state DOWN for updating')


def test_neutron_500_to_a_policy_create_without_auth_algorithm_gets_the_hint(api, run):
    api.expect('GET', IKE_LIST, query={'name': 'ike-1'}, answer={'ikepolicies': []})
    api.expect('POST', IKE_LIST, body={'ikepolicy': {'name': 'ike-1', 'encryption_algorithm': 'aes-256'}}, status=500,
               answer=NEUTRON_500)
    # A 500 may follow a create that happened: the module looks the policy up instead of sending it again.
    api.expect('GET', IKE_LIST, query={'name': 'ike-1'}, answer={'ikepolicies': []})
    result, failed, _out = run(ike_policy.main, dict(name='ike-1', encryption_algorithm='aes-256'))
    assert failed and result['changed'] is False
    assert result['msg'] == (
        "Failed to create IKE policy named 'ike-1': POST %s%s answered HTTP 500 Internal Server Error: "
        'HTTPInternalServerError: Request Failed: internal server error while processing your request. %s This task '
        'left auth_algorithm out.' % (ENDPOINT, IKE_LIST, ALGORITHMS))


def test_neutron_500_to_a_policy_update_to_3des_names_what_was_sent(api, run):
    policy = {'id': CID, 'name': 'esp-1', 'auth_algorithm': 'sha256', 'encryption_algorithm': 'aes-128', 'pfs': 'group14',
              'transform_protocol': 'esp', 'encapsulation_mode': 'tunnel', 'lifetime': {'units': 'seconds', 'value': 3600}}
    path = '/v2.0/vpn/ipsecpolicies/' + CID
    api.expect('GET', path, answer={'ipsecpolicy': policy})
    api.expect('PUT', path, body={'ipsecpolicy': {'encryption_algorithm': '3des'}}, status=500, answer=NEUTRON_500)
    api.expect('GET', path, answer={'ipsecpolicy': policy})
    result, failed, _out = run(ipsec_policy.main, dict(id=CID, encryption_algorithm='3des'))
    assert failed
    assert result['msg'].endswith('processing your request. %s This task sent encryption_algorithm 3des.' % ALGORITHMS)


def test_a_500_of_another_resource_gets_no_algorithm_hint(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, status=500, answer=NEUTRON_500)
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, mtu=1400))
    assert failed and 'Hint' not in result['msg']
