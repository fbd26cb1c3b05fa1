# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Untrusted answers, as exact HTTP conversations: redirects, options that would move the host, answers of
the wrong shape, writes whose answer is lost, exactly-once creates and an honest ``changed``."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection import main
from ansible_collections.vpnaas.cloud.plugins.modules import auth as auth_module
from ansible_collections.vpnaas.cloud.tests.unit.api import ANY, CID, ENDPOINT, PATH, TOKEN, connection, got

LIST = '/v2.0/vpn/ipsec-site-connections'
PSK = 'untrusted?Psk-51c2e8'
PASSWORD = 'untrusted-Pass-0d4b'
NEW = dict(name='branch-7', vpnservice_id='svc-1', ikepolicy_id='ike-1', ipsecpolicy_id='ipsec-1',
           peer_address='203.0.113.7', peer_id='203.0.113.7', psk=PSK, peer_cidrs=['10.7.0.0/24'])
KEYSTONE = dict(endpoint=None, auth_token=None, auth_url='https://id.test/v3', username='demo', password=PASSWORD,
                project_name='demo')
CATALOG = {'token': {'catalog': [{'type': 'network', 'endpoints': [{'interface': 'public', 'url': ENDPOINT}]}]}}
PENDING = {'NeutronError': {'type': 'VPNStateInvalidToUpdate',
                            'message': 'Invalid state PENDING_UPDATE of vpnaas resource %s for updating' % CID}}


def created(**changes) -> dict:
    conn = dict(NEW, id=CID, status='ACTIVE', mtu=1500, initiator='bi-directional', admin_state_up=True,
                description='', dpd={'action': 'hold', 'interval': 30, 'timeout': 120})
    conn.update(changes)
    return conn


# -- redirects and origins ---------------------------------------------------------------

@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_names_its_location(api, run, status):
    api.expect('GET', PATH, status=status, headers={'Location': 'http://evil.test:8080/steal'})
    result, failed, out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is False
    assert 'HTTP %d' % status in result['msg'] and 'http://evil.test:8080/steal' in result['msg']
    assert 'redirects are not followed' in result['msg'] and 'set endpoint' in result['msg']
    assert TOKEN not in out


def test_a_redirected_put_is_checked_by_a_read_and_not_reported_as_a_change(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, status=302, headers={'Location': '/x'})
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is False and 'HTTP 302' in result['msg']


def test_a_redirect_after_a_create_is_looked_up_and_never_posted_again(api, run):
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=307, headers={'Location': ENDPOINT + LIST})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': [created()]})
    result, failed, out = run(main, dict(NEW, wait=False))
    assert not failed and result['changed'] is True and result['ipsec_site_connection']['id'] == CID
    assert 'looking it up by name' in json.dumps(result['warnings'])
    assert PSK not in out


def test_a_redirect_after_a_create_that_did_not_happen_fails(api, run):
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=307, headers={'Location': 'https://evil.test/'})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    result, failed, _out = run(main, dict(NEW, wait=False))
    assert failed and result['changed'] is False and 'HTTP 307' in result['msg']


@pytest.mark.parametrize('option, value', [
    ('region', '127.0.0.1:8080/#'), ('region', 'x@evil.test'), ('region', 'eu-de.evil.test'),
    ('cloud_domain', 'evil.test:8080/#'), ('cloud_domain', 'a@evil.test'),
])
def test_aksk_host_options_cannot_move_the_host(api, run, option, value):
    args = dict(endpoint=None, auth_token=None, access_key='AK1', secret_key='sk-untrusted-1', project_id='p1',
                region='eu-de', id=CID, mtu=1400)
    args[option] = value
    result, failed, out = run(main, args)
    assert failed and result['msg'].startswith('%s: must be' % option)
    assert api.sent == [] and 'sk-untrusted-1' not in out


@pytest.mark.parametrize('endpoint', ['https://user:pw@vpn.test', 'https://vpn.test?x=1', 'https://vpn.test/#a',
                                      'https://vpn.test:99999', 'ftp://vpn.test', 'https://'])
def test_endpoints_that_hide_another_host_are_refused(api, run, endpoint):
    result, failed, _out = run(main, dict(id=CID, mtu=1400, endpoint=endpoint))
    assert failed and result['msg'].startswith('endpoint: ')
    assert api.sent == []


@pytest.mark.parametrize('token, where', [(TOKEN + '\r', 'carriage return'), (TOKEN + '\n', 'position'),
                                          ('tok en-1234', 'whitespace')])
def test_a_token_with_control_characters_fails_before_any_request_without_printing_it(api, run, token, where):
    result, failed, out = run(main, dict(id=CID, mtu=1400, auth_token=token))
    assert failed and result['msg'].startswith('auth_token: ') and where in result['msg']
    assert token.strip() not in out and api.sent == []


def test_an_id_with_a_trailing_newline_is_refused(api, run):
    result, failed, _out = run(main, dict(id=CID + '\n', mtu=1400))
    assert failed and result['msg'].startswith('id: ') and api.sent == []


def test_a_catalog_endpoint_in_clear_is_refused_when_keystone_is_https(api, run):
    endpoint = {'interface': 'public', 'url': 'http://vpn.test'}
    catalog = {'token': {'catalog': [{'type': 'network', 'endpoints': [endpoint]}]}}
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=catalog, headers={'X-Subject-Token': 'tok-1'})
    result, failed, out = run(main, dict(KEYSTONE, id=CID, mtu=1400))
    assert failed and 'plain http while auth_url is https' in result['msg']
    assert PASSWORD not in out and 'tok-1' not in out


@pytest.mark.parametrize('token_body, problem', [
    ({'token': {'catalog': 'nope'}}, 'the catalog is not a list'),
    ({'token': {'catalog': ['x']}}, 'catalog entry 1 is not an object'),
    ({'token': {'catalog': [{'type': 'network', 'endpoints': {}}]}}, 'are not a list'),
    ({'token': []}, 'not a JSON object'),
])
def test_a_catalog_of_the_wrong_shape_names_the_request(api, run, token_body, problem):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=token_body, headers={'X-Subject-Token': 'tok-2'})
    result, failed, out = run(main, dict(KEYSTONE, id=CID, mtu=1400))
    assert failed and 'POST https://id.test/v3/auth/tokens' in result['msg'] and problem in result['msg']
    assert 'tok-2' not in out


# -- answers of the wrong shape ----------------------------------------------------------------

@pytest.mark.parametrize('raw, problem', [
    ('[]', 'a list where a JSON object was expected'),
    ('null', 'null where a JSON object was expected'),
    ('{}', 'without an "ipsec_site_connection" object'),
    ('{"ipsec_site_connection": {"name": "x"}}', 'whose id null is not a resource id'),
    ('{"ipsec_site_connection": {"id": "%s\\n"}}' % CID, 'is not a resource id'),
    ('{"ipsec_site_connection": {"id": "%s", "mtu": "abc"}}' % CID, 'whose mtu is not an integer ("abc")'),
    ('{"ipsec_site_connection": {"id": "%s", "peer_cidrs": ["no-cidr"]}}' % CID, 'whose peer_cidrs is not a list of networks'),
    ('{"ipsec_site_connection": {"id": "%s", "dpd": {"interval": "x"}}}' % CID, 'whose dpd interval is not an integer'),
    ('{"ipsec_site_connection": {"id": "%s", "status": 7}}' % CID, 'whose status is not a string (7)'),
    ('{"ipsec_site_connection": {"id": "0a1b2c3d-0000-4000-8000-00000000ffff"}}', 'not the one asked for'),
    ('[' * 100000 + ']' * 100000, 'nested too deeply'),
    ('{"a":' * 70 + '1' + '}' * 70, 'nested deeper than 64 levels'),
])
def test_a_get_answer_of_the_wrong_shape_names_the_request(api, run, raw, problem):
    api.expect('GET', PATH, raw=raw)
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is False
    assert 'GET %s%s' % (ENDPOINT, PATH) in result['msg'] and problem in result['msg'], result['msg']


def test_host_bits_in_a_server_network_are_normalised_not_fatal(api, run):
    api.expect('GET', PATH, answer=got(connection(peer_cidrs=['10.0.0.1/24'])))
    result, failed, _out = run(main, dict(id=CID, peer_cidrs=['10.0.0.0/24']))
    assert not failed and result['changed'] is False


def test_an_html_page_of_unclosed_tags_is_cheap_and_quoted_short(api, run):
    api.expect('GET', PATH, status=400, raw='<title>' * 40000)
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and 'HTTP 400' in result['msg'] and len(result['msg']) < 1200


def test_a_huge_api_message_is_cut_to_the_documented_length(api, run):
    api.expect('GET', PATH, status=400, answer={'NeutronError': {'type': 'BadRequest', 'message': 'x' * 200000}})
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and len(result['msg']) < 1400 and result['msg'].endswith('...')


# -- writes: exactly once, and an honest changed ------------------------------------------------

def test_a_put_whose_answer_is_lost_but_was_applied_is_a_change(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}},
               raises=requests.exceptions.ReadTimeout('read timed out'))
    api.expect('GET', PATH, answer=got(connection(mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, retries=0))
    assert not failed and result['changed'] is True and result['ipsec_site_connection']['mtu'] == 1400
    assert 'reading it back shows the change was made' in json.dumps(result['warnings'])


def test_a_put_whose_answer_is_lost_and_was_not_applied_fails_unchanged(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body=ANY, status=502, raw='<html><title>502 Bad Gateway</title></html>')
    api.expect('GET', PATH, answer=got(connection()))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, retries=0))
    assert failed and result['changed'] is False and 'HTTP 502' in result['msg']


def test_a_put_accepted_then_error_is_changed_true_with_the_resource(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}},
               answer=got(connection(mtu=1400, status='PENDING_UPDATE')))
    api.expect('GET', PATH, answer=got(connection(status='ERROR', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID and result['ipsec_site_connection']['status'] == 'ERROR'


def test_a_create_that_stays_pending_past_wait_timeout_is_changed_true_with_its_id(api, run):
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=201, answer=got(created(status='PENDING_CREATE')))
    for _poll in range(3):  # after 0.5, 1.5 and 3.5 s; the next would pass 6 s
        api.expect('GET', PATH, answer=got(created(status='PENDING_CREATE')))
    result, failed, out = run(main, dict(NEW, wait_timeout=6))
    assert failed and result['changed'] is True and 'timed out after 6 seconds' in result['msg']
    assert result['ipsec_site_connection']['id'] == CID and result['ipsec_site_connection']['psk'] == '********'
    assert PSK not in out


def test_an_update_waits_out_pending_for_the_whole_wait_timeout(api, run, clock):
    api.expect('GET', PATH, answer=got(connection()))
    for _refused in range(6):  # others keep putting it back into PENDING_UPDATE
        api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, status=400, answer=PENDING)
        api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait_timeout=120))
    assert not failed and result['changed'] is True


def test_an_update_kept_pending_fails_at_wait_timeout_naming_it(api, run, clock):
    api.expect('GET', PATH, answer=got(connection()))
    for _refused in range(2):  # refused at 0 and 0.5 s, each followed by a poll 0.5 s later
        api.expect('PUT', PATH, body=ANY, status=400, answer=PENDING)
        api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    api.expect('PUT', PATH, body=ANY, status=400, answer=PENDING)  # at 1 s: wait_timeout has passed
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait_timeout=1))
    assert failed and result['changed'] is False
    assert 'stayed in a PENDING status for 1 seconds (wait_timeout)' in result['msg']


def test_a_401_to_a_create_logs_in_again_looks_up_and_does_not_post_twice(api, run):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=CATALOG, headers={'X-Subject-Token': 'tok-a'})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=401, answer={'error': {'code': 401, 'message': 'expired'}})
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=CATALOG, headers={'X-Subject-Token': 'tok-b'})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': [created()]})
    result, failed, out = run(main, dict(NEW, wait=False, **KEYSTONE))
    assert not failed and result['changed'] is True
    assert [m for m in api.methods() if m == ('POST', LIST)] == [('POST', LIST)]
    assert 'tok-a' not in out and 'tok-b' not in out and PASSWORD not in out


def test_a_401_to_a_create_that_did_not_happen_posts_once_more_after_the_lookup(api, run):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=CATALOG, headers={'X-Subject-Token': 'tok-a'})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=401, answer={'error': {'code': 401, 'message': 'expired'}})
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=201, answer=CATALOG, headers={'X-Subject-Token': 'tok-b'})
    api.expect('GET', LIST, query={'name': 'branch-7'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body=ANY, status=201, answer=got(created()))
    result, failed, _out = run(main, dict(NEW, wait=False, **KEYSTONE))
    assert not failed and result['changed'] is True


def test_a_delete_whose_answer_is_lost_but_was_carried_out_is_a_change(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('DELETE', PATH, raises=requests.exceptions.ReadTimeout('read timed out'))
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'IPsecSiteConnectionNotFound', 'message': 'x'}})
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'IPsecSiteConnectionNotFound', 'message': 'x'}})
    result, failed, _out = run(main, dict(id=CID, state='absent', retries=0))
    assert not failed and result['changed'] is True


# -- secrets in echoed answers ----------------------------------------------------------------

@pytest.mark.parametrize('echo', [
    'The PSK "%s" is invalid' % PSK.replace('?', '%3F'),
    'The PSK "%s" is invalid' % ''.join('\\u%04x' % ord(c) for c in PSK),
    'The PSK "%s' % PSK[:-2],
    'The PSK "%s\n    %s" is invalid' % (PSK[:8], PSK[8:]),
])
def test_an_echoed_psk_in_any_form_is_masked(api, run, echo):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body=ANY, status=400, answer={'NeutronError': {'type': 'BadRequest', 'message': echo}})
    result, failed, out = run(main, dict(id=CID, psk=PSK, update_psk='always'))
    assert failed and '********' in result['msg']
    assert PSK not in out and PSK[:12] not in out and PSK[-9:] not in out


def test_the_auth_module_fails_on_a_redirecting_keystone_without_sending_the_password_on(api, run):
    api.expect('POST', '/v3/auth/tokens', body=ANY, status=307, headers={'Location': 'https://evil.test/v3/auth/tokens'})
    result, failed, out = run(auth_module.main, dict(KEYSTONE))
    assert failed and 'HTTP 307' in result['msg'] and 'https://evil.test/v3/auth/tokens' in result['msg']
    assert PASSWORD not in out
