# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exact HTTP conversation of vpnaas.cloud.ipsec_connection, request by request."""

from __future__ import annotations

import re

import pytest
import requests

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection import main

from ansible_collections.vpnaas.cloud.tests.unit.api import ANY, CID, ENDPOINT, PATH, connection, got

PSK = 'Sup3r-s3cret-psk'


# -- unchanged, changed, check mode, diff -----------------------------------------

def test_unchanged_sends_one_get(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, name='vpnconnection1', mtu=1500, dpd={'action': 'hold'},
                                          peer_cidrs=['10.0.0.0/24'], admin_state_up=True, initiator='bi-directional'))
    assert not failed and result['changed'] is False
    assert api.methods() == [('GET', PATH)]


def test_changed_sends_get_then_put_with_only_changed_fields(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400, 'description': 'new'}},
               answer=got(connection(mtu=1400, description='new')))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, description='new', name='vpnconnection1'))
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['mtu'] == 1400


def test_check_mode_sends_get_only_and_predicts(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, dpd={'timeout': 150}), check_mode=True)
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['mtu'] == 1400
    assert result['ipsec_site_connection']['dpd'] == {'action': 'hold', 'interval': 30, 'timeout': 150}
    assert api.methods() == [('GET', PATH)]


def test_diff_shows_only_changed_fields(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'initiator': 'response-only'}},
               answer=got(connection(initiator='response-only')))
    result, _failed, _out = run(main, dict(id=CID, initiator='response-only', mtu=1500), diff=True)
    assert result['diff'] == {'before': {'initiator': 'bi-directional'}, 'after': {'initiator': 'response-only'}}


def test_no_diff_key_without_diff_mode(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    result, _failed, _out = run(main, dict(id=CID, mtu=1500))
    assert 'diff' not in result


# -- comparison rules -----------------------------------------------------------------

def test_dpd_sends_only_the_changed_sub_key(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'dpd': {'interval': 20}}},
               answer=got(connection(dpd={'action': 'hold', 'interval': 20, 'timeout': 120})))
    result, _failed, _out = run(main, dict(id=CID, dpd={'interval': 20, 'action': 'hold'}), diff=True)
    assert result['changed'] is True
    assert result['diff']['before'] == {'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120}}
    assert result['diff']['after'] == {'dpd': {'action': 'hold', 'interval': 20, 'timeout': 120}}


def test_peer_cidrs_compared_as_normalised_set(api, run):
    api.expect('GET', PATH, answer=got(connection(peer_cidrs=['10.2.0.0/16', '2001:db8::/32', '10.1.0.0/16'])))
    wanted = ['2001:0db8:0000::/32', '10.1.0.0/16', '10.2.0.0/16', '10.1.0.0/16']
    result, _failed, _out = run(main, dict(id=CID, peer_cidrs=wanted))
    assert result['changed'] is False


def test_peer_cidrs_change_sends_the_whole_normalised_list(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'peer_cidrs': ['10.0.0.0/24', '10.9.0.0/16']}},
               answer=got(connection(peer_cidrs=['10.0.0.0/24', '10.9.0.0/16'])))
    result, _failed, _out = run(main, dict(id=CID, peer_cidrs=['10.9.0.0/16', '10.0.0.0/24']))
    assert result['changed'] is True


def test_server_default_for_missing_field_is_no_change(api, run):
    conn = connection()
    del conn['mtu'], conn['initiator'], conn['dpd']
    api.expect('GET', PATH, answer=got(conn))
    result, _failed, _out = run(main, dict(id=CID, mtu=1500, initiator='bi-directional', dpd={'timeout': 120}))
    assert result['changed'] is False


def test_peer_address_ip_spellings_are_equal(api, run):
    api.expect('GET', PATH, answer=got(connection(peer_address='2001:db8::1')))
    result, _failed, _out = run(main, dict(id=CID, peer_address='2001:0db8:0:0::1'))
    assert result['changed'] is False


# -- the pre-shared key ---------------------------------------------------------------

def test_psk_readable_and_equal_is_not_sent(api, run):
    api.expect('GET', PATH, answer=got(connection(psk=PSK)))
    result, _failed, out = run(main, dict(id=CID, psk=PSK))
    assert result['changed'] is False and result['psk_compared'] is True
    assert PSK not in out


def test_psk_readable_and_different_is_sent_and_masked(api, run):
    api.expect('GET', PATH, answer=got(connection(psk='old-secret-1')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'psk': PSK}}, answer=got(connection(psk=PSK)))
    result, _failed, out = run(main, dict(id=CID, psk=PSK), diff=True)
    assert result['changed'] is True and result['psk_compared'] is True
    assert result['ipsec_site_connection']['psk'] == '********'
    assert result['diff'] == {'before': {'psk': '******** (current)'}, 'after': {'psk': '******** (new)'}}
    assert PSK not in out and 'old-secret-1' not in out


def test_psk_rotation_in_check_mode_shows_in_the_diff_without_a_put(api, run):
    api.expect('GET', PATH, answer=got(connection(psk='old-secret-1')))
    result, failed, out = run(main, dict(id=CID, psk=PSK), check_mode=True, diff=True)
    assert not failed and result['changed'] is True and result['psk_compared'] is True
    assert result['diff'] == {'before': {'psk': '******** (current)'}, 'after': {'psk': '******** (new)'}}
    assert api.methods() == [('GET', PATH)]
    assert PSK not in out and 'old-secret-1' not in out


@pytest.mark.parametrize('masked', ['******', '', None, 'omit'])
def test_psk_masked_or_missing_is_not_sent_by_default(api, run, masked):
    conn = connection(psk=masked)
    if masked == 'omit':
        del conn['psk']
    api.expect('GET', PATH, answer=got(conn))
    result, failed, out = run(main, dict(id=CID, psk=PSK, mtu=1500), diff=True)
    assert not failed and result['changed'] is False
    assert result['psk_compared'] is False
    assert result['diff'] == {'before': {}, 'after': {}}
    assert api.methods() == [('GET', PATH)]
    assert PSK not in out


def test_psk_masked_is_sent_with_always_and_the_diff_shows_it(api, run):
    api.expect('GET', PATH, answer=got(connection(psk='******')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'psk': PSK}}, answer=got(connection(psk='******')))
    result, failed, out = run(main, dict(id=CID, psk=PSK, update_psk='always'), diff=True)
    assert not failed and result['changed'] is True and result['psk_compared'] is False
    assert result['diff'] == {'before': {'psk': '******** (current)'}, 'after': {'psk': '******** (new)'}}
    assert PSK not in out


def test_psk_compared_is_not_returned_without_psk(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    result, _failed, _out = run(main, dict(id=CID, mtu=1500))
    assert 'psk_compared' not in result


@pytest.mark.parametrize('masked', ['******', '', None, 'omit'])
def test_psk_masked_or_missing_is_sent_with_always(api, run, masked):
    conn = connection(psk=masked)
    if masked == 'omit':
        del conn['psk']
    api.expect('GET', PATH, answer=got(conn))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'psk': PSK}}, answer=got(conn))
    result, _failed, out = run(main, dict(id=CID, psk=PSK, update_psk='always'))
    assert result['changed'] is True and result['psk_compared'] is False
    assert PSK not in out


def test_psk_never_sent_on_update_with_on_create(api, run):
    api.expect('GET', PATH, answer=got(connection(psk='******')))
    result, _failed, _out = run(main, dict(id=CID, psk=PSK, update_psk='on_create'))
    assert result['changed'] is False and result['psk_compared'] is False


def test_psk_echoed_by_api_error_is_masked(api, run):
    api.expect('GET', PATH, answer=got(connection(psk='******')))
    api.expect('PUT', PATH, body=ANY, status=400,
               answer={'code': 'VPC.0501', 'message': '{"NeutronError": {"type": "BadRequest", '
                                                      '"message": "The PSK \\"%s\\" is invalid"}}' % PSK})
    result, failed, out = run(main, dict(id=CID, psk=PSK, update_psk='always'))
    assert failed
    assert PSK not in out
    assert 'HTTP 400' in result['msg'] and 'is invalid' in result['msg']


# -- validation before any request --------------------------------------------------

@pytest.mark.parametrize('args, words', [
    (dict(name='x' * 65), 'name: must be 1 to 64'),
    (dict(name=''), 'name: must be 1 to 64'),
    (dict(description='d' * 256), 'description: must be 0 to 255'),
    (dict(peer_address='a' * 251), 'peer_address: must be 1 to 250'),
    (dict(peer_id='a' * 251), 'peer_id: must be 1 to 250'),
    (dict(mtu=67), 'mtu: must be at least 68'),
    (dict(dpd={'interval': 40, 'timeout': 40}), 'dpd: timeout (40) must be greater than interval (40)'),
    (dict(dpd={'interval': 0}), 'dpd: interval must be a positive'),
    (dict(dpd={'timeout': -5}), 'dpd: timeout must be a positive'),
    (dict(peer_cidrs=['10.0.0.0/33']), "peer_cidrs: '10.0.0.0/33' is not a valid network"),
    (dict(peer_cidrs=['10.0.0.1/24']), "did you mean '10.0.0.0/24'"),
    (dict(peer_cidrs=['10.0.0.0']), 'not a network in CIDR notation'),
    (dict(initiator='sometimes'), 'initiator'),
    (dict(dpd={'action': 'explode'}), 'action'),
    (dict(mtu='big'), 'mtu'),
    (dict(psk='k' * 129), 'psk: must be 1 to 128'),
])
def test_bad_input_fails_before_any_request(api, run, args, words):
    args['id'] = CID
    result, failed, _out = run(main, args)
    assert failed
    assert words in result['msg']
    assert api.sent == []


def test_dpd_timeout_checked_against_current_interval_before_put(api, run):
    api.expect('GET', PATH, answer=got(connection(dpd={'action': 'hold', 'interval': 60, 'timeout': 120})))
    result, failed, _out = run(main, dict(id=CID, dpd={'timeout': 50}))
    assert failed
    assert 'timeout (50) must be greater than interval (60)' in result['msg']
    assert api.methods() == [('GET', PATH)]


def test_token_without_endpoint_fails_before_any_request(api, run):
    result, failed, _out = run(main, dict(id=CID, endpoint=None, mtu=1400))
    assert failed and 'endpoint' in result['msg']
    assert api.sent == []


def test_no_authentication_fails_before_any_request(api, run):
    result, failed, _out = run(main, dict(id=CID, auth_token=None, mtu=1400))
    assert failed and result['msg'].startswith('No authentication configured')
    assert api.sent == []


# -- API failures -------------------------------------------------------------------

def test_unknown_connection_says_it_does_not_exist(api, run):
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'IPsecSiteConnectionNotFound',
                                                                 'message': 'IPsec site connection %s could not be found' % CID}})
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed
    assert result['msg'] == 'IPsec site connection %s does not exist; to create one, leave id out and give name' % CID


def test_api_400_is_passed_through_with_status_and_words(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 70}}, status=400,
               answer={'error_code': 'VPC.0601', 'error_msg': 'mtu must be 1500'}, headers={'X-Request-Id': 'req-7'})
    result, failed, _out = run(main, dict(id=CID, mtu=70))
    assert failed
    assert result['msg'] == ('Failed to update IPsec site connection %s: PUT %s%s answered HTTP 400 Bad Request: '
                             'VPC.0601: mtu must be 1500 (request id req-7)' % (CID, ENDPOINT, PATH))


def test_pending_connection_with_changes_fails_without_put_when_not_waiting(api, run):
    api.expect('GET', PATH, answer=got(connection(status='PENDING_UPDATE')))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait=False))
    assert failed and 'is in status PENDING_UPDATE and cannot be updated until it settles' in result['msg']


def test_pending_connection_is_waited_out_then_updated(api, run, clock):
    api.expect('GET', PATH, answer=got(connection(status='PENDING_UPDATE')))
    api.expect('GET', PATH, answer=got(connection(status='PENDING_UPDATE')))
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(status='ACTIVE', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert not failed and result['changed'] is True
    assert clock.sleeps == [0.5, 1.0]  # the first poll waits: the status was just seen PENDING


def test_a_change_made_while_waiting_is_planned_again(api, run):
    api.expect('GET', PATH, answer=got(connection(status='PENDING_UPDATE')))
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert not failed and result['changed'] is False


def test_put_refused_as_pending_is_waited_out_and_sent_again(api, run):
    refused = {'NeutronError': {'type': 'VPNStateInvalidToUpdate',
                                'message': 'Invalid state PENDING_UPDATE of vpnaas resource %s for updating' % CID}}
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, status=400, answer=refused)
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(status='ACTIVE', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert not failed and result['changed'] is True


def test_wait_timeout_names_the_last_status(api, run, clock):
    for _poll in range(5):  # the lookup, then polls after 0.5, 1, 2 and 4 s; 8 more would pass 10 s
        api.expect('GET', PATH, answer=got(connection(status='PENDING_UPDATE')))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait_timeout=10))
    assert failed
    assert result['msg'] == ('Failed to update IPsec site connection %s: timed out after 10 seconds waiting for IPsec site '
                             'connection %s to leave status PENDING_UPDATE; the last status seen was PENDING_UPDATE' % (CID, CID))
    assert sum(clock.sleeps) <= 10


def test_update_that_ends_in_error_fails_naming_it(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(status='PENDING_UPDATE')))
    api.expect('GET', PATH, answer=got(connection(status='ERROR', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['msg'].endswith('is in status ERROR after the update')


# -- retries --------------------------------------------------------------------------

def test_503_with_retry_after_is_retried_and_reported(api, run, clock):
    api.expect('GET', PATH, status=503, answer={'error_code': 'VPC.0503', 'error_msg': 'busy'}, headers={'Retry-After': '2'})
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, mtu=1500))
    assert not failed and result['changed'] is False
    assert clock.sleeps == [2.0]
    assert result['retried'] == ['GET %s%s answered HTTP 503; retry 1 of 4 in 2.0 s' % (ENDPOINT, PATH)]


def test_502_and_reset_on_put_are_retried_with_backoff(api, run, clock):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body=ANY, status=502, raw='<html><title>502 Bad Gateway</title></html>')
    api.expect('PUT', PATH, body=ANY, raises=requests.exceptions.ConnectionError('Connection aborted.'))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert not failed and len(result['retried']) == 2
    assert 0.25 <= clock.sleeps[0] <= 0.5 and 0.5 <= clock.sleeps[1] <= 1.0


def test_persistent_503_fails_after_the_retries(api, run):
    for _attempt in range(3):
        api.expect('GET', PATH, status=503, answer={'NeutronError': {'type': 'ServiceUnavailable', 'message': 'down'}})
    result, failed, _out = run(main, dict(id=CID, mtu=1500, retries=2))
    assert failed
    assert result['msg'] == ('Failed to read IPsec site connection %s: GET %s%s answered HTTP 503 : ServiceUnavailable: down'
                             ' (3 attempts; retries: 2)' % (CID, ENDPOINT, PATH))
    assert len(result['retried']) == 2


def test_retries_zero_does_not_retry(api, run):
    api.expect('GET', PATH, status=504, raw='')
    result, failed, _out = run(main, dict(id=CID, mtu=1500, retries=0))
    assert failed and 'HTTP 504' in result['msg'] and 'empty response body' in result['msg']


def test_400_is_not_retried(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body=ANY, status=400, answer={'NeutronError': {'type': 'BadRequest', 'message': 'no'}})
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and 'retried' not in result


def test_pending_connection_without_changes_is_ok(api, run):
    api.expect('GET', PATH, answer=got(connection(status='PENDING_CREATE')))
    result, failed, _out = run(main, dict(id=CID, mtu=1500))
    assert not failed and result['changed'] is False


def test_get_answer_that_is_not_json_fails_clearly(api, run):
    api.expect('GET', PATH, raw='{"ipsec_site_connection": {"id": "8', status=200)
    result, failed, _out = run(main, dict(id=CID, mtu=1500))
    assert failed
    assert 'Failed to read IPsec site connection' in result['msg'] and 'not valid JSON' in result['msg']


# -- Keystone password authentication ------------------------------------------------

def test_password_auth_logs_in_once_and_uses_the_catalog(api, run):
    catalog = [{'type': 'identity', 'endpoints': [{'interface': 'public', 'url': 'https://id.test'}]},
               {'type': 'network', 'endpoints': [{'interface': 'internal', 'region_id': 'r1', 'url': 'https://internal.test'},
                                                 {'interface': 'public', 'region_id': 'r2', 'url': 'https://other.test'},
                                                 {'interface': 'public', 'region_id': 'r1', 'url': 'https://net.test/v2.0/'}]}]
    api.expect('POST', '/v3/auth/tokens', body={'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {'name': 'demo', 'domain': {'name': 'Default'},
                                                                    'password': 'pw-123456'}}},
        'scope': {'project': {'name': 'demo', 'domain': {'name': 'Default'}}}}},
        status=201, answer={'token': {'catalog': catalog}}, headers={'X-Subject-Token': 'tok-from-keystone'})
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, out = run(main, dict(id=CID, endpoint=None, auth_token=None, auth_url='https://id.test/v3',
                                         username='demo', password='pw-123456', project_name='demo', region='r1',
                                         mtu=1500))
    assert not failed and result['changed'] is False
    assert 'pw-123456' not in out and 'tok-from-keystone' not in out


def test_password_auth_rejected_names_keystone_and_hides_password(api, run):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=401,
               answer={'error': {'code': 401, 'title': 'Unauthorized', 'message': 'The request you have made requires authentication.'}})
    result, failed, out = run(main, dict(id=CID, endpoint=None, auth_token=None, auth_url='https://id.test',
                                         username='demo', password='wrong-pass-1', project_id='p1', mtu=1500))
    assert failed
    assert 'HTTP 401' in result['msg'] and 'requires authentication' in result['msg']
    assert 'wrong-pass-1' not in out


def test_a_bad_dict_option_names_it_and_keeps_secrets_out(api, run):
    """ansible-core 2.19 forgets no_log values when a dict option cannot be parsed; the module makes up for it."""
    result, failed, out = run(main, dict(id=CID, dpd='not-a-dict', psk=PSK))
    assert failed and result['msg'].startswith('dpd: ')
    assert PSK not in out and 'unit-test-token' not in out
    assert api.sent == []


def test_ca_path_that_is_not_a_file_fails_before_any_request(api, run):
    result, failed, _out = run(main, dict(id=CID, mtu=1400, ca_path='/nonexistent/ca.pem'))
    assert failed and result['msg'] == "ca_path: '/nonexistent/ca.pem' is not a file"
    assert api.sent == []


@pytest.mark.parametrize('bad_id', ['a/b', '..', 'x?y', 'x#y', 'a b', ''])
def test_ids_that_would_change_the_url_fail_before_any_request(api, run, bad_id):
    result, failed, _out = run(main, dict(id=bad_id, mtu=1400))
    assert failed and result['msg'].startswith('id: ')
    assert api.sent == []


def test_an_answer_cut_short_is_retried_on_get(api, run):
    api.expect('GET', PATH, raises=requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead'))
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, mtu=1500))
    assert not failed and len(result['retried']) == 1
    assert re.fullmatch(r'GET %s%s: the answer was cut short or could not be decoded; retry 1 of 4 in 0\.[2-5] s' % (ENDPOINT, PATH),
                        result['retried'][0]), result['retried']
