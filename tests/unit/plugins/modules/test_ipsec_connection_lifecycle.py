# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create, find by name and delete: the exact HTTP conversation of ipsec_connection."""

from __future__ import annotations

import copy
import json

import pytest
import requests

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection import main
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, CONN, ENDPOINT, PATH

LIST = '/v2.0/vpn/ipsec-site-connections'
PSK = 'create-psk-9d2f'
NEW = dict(name='branch-1', vpnservice_id='svc-1', ikepolicy_id='ike-1', ipsecpolicy_id='ipsec-1',
           local_ep_group_id='leg-1', peer_ep_group_id='peg-1', peer_address='203.0.113.20', peer_id='203.0.113.20',
           psk=PSK)
POSTED = {'ipsec_site_connection': dict(NEW)}


def created(**changes) -> dict:
    """The API's answer to the create of NEW."""
    conn = dict(NEW, id=CID, status='PENDING_CREATE', mtu=1500, initiator='bi-directional', admin_state_up=True,
                description='', peer_cidrs=[], dpd={'action': 'hold', 'interval': 30, 'timeout': 120})
    conn.update(changes)
    return conn


def listed(*conns, links=None) -> dict:
    body = {'ipsec_site_connections': list(conns)}
    if links:
        body['ipsec_site_connections_links'] = links
    return body


# -- create ---------------------------------------------------------------------------

def test_lookup_then_create_is_one_list_and_one_post(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body=POSTED, status=201, answer={'ipsec_site_connection': created()})
    result, failed, out = run(main, dict(NEW, wait=False), diff=True)
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID
    assert result['ipsec_site_connection']['psk'] == '********'
    assert result['diff']['before'] == {}
    assert result['diff']['after']['name'] == 'branch-1' and result['diff']['after']['psk'] == '********'
    assert PSK not in out


def test_create_in_check_mode_only_lists_and_predicts(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    result, failed, _out = run(main, dict(NEW, mtu=1400, dpd={'timeout': 200}), check_mode=True, diff=True)
    assert not failed and result['changed'] is True
    predicted = result['ipsec_site_connection']
    assert predicted['mtu'] == 1400 and predicted['initiator'] == 'bi-directional'
    assert predicted['dpd'] == {'action': 'hold', 'interval': 30, 'timeout': 200}
    assert result['diff'] == {'before': {}, 'after': predicted}


def test_create_sends_only_given_dpd_sub_keys_and_canonical_cidrs(api, run):
    options = dict(NEW, local_ep_group_id=None, peer_ep_group_id=None, peer_cidrs=['10.2.0.0/16', '10.1.0.0/16'],
                   dpd={'action': 'restart'})
    body = dict(NEW, peer_cidrs=['10.1.0.0/16', '10.2.0.0/16'], dpd={'action': 'restart'})
    del body['local_ep_group_id'], body['peer_ep_group_id']
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body={'ipsec_site_connection': body}, status=201, answer={'ipsec_site_connection': created()})
    api.expect('GET', PATH, answer={'ipsec_site_connection': created(status='ACTIVE')})
    result, _failed, _out = run(main, options)
    assert result['ipsec_site_connection']['status'] == 'ACTIVE'
    assert result['changed'] is True


def test_create_names_every_missing_option_before_any_write(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    result, failed, _out = run(main, dict(name='branch-1', peer_address='203.0.113.20'))
    assert failed
    assert result['msg'] == ('Cannot create a new IPsec site connection: missing vpnservice_id or vpnservice, '
                             'ikepolicy_id or ikepolicy, ipsecpolicy_id or ipsecpolicy, peer_id, psk, '
                             'local_ep_group_id or local_ep_group or peer_cidrs, peer_ep_group_id or peer_ep_group or peer_cidrs')


def test_a_post_is_never_sent_twice_after_an_unclear_answer(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body=POSTED, raises=requests.exceptions.ReadTimeout('read timed out'))
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed(created()))
    api.expect('GET', PATH, answer={'ipsec_site_connection': created(status='DOWN')})
    result, failed, _out = run(main, dict(NEW))
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID
    assert 'looking it up by name instead of sending it again' in json.dumps(result['warnings'])


def test_post_504_that_did_not_create_fails_without_resending(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body=POSTED, status=504, raw='<html><title>504 Gateway Time-out</title></html>')
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    result, failed, _out = run(main, dict(NEW))
    assert failed
    assert result['msg'] == ("Failed to create IPsec site connection named 'branch-1': POST %s%s answered HTTP 504 : "
                             'HTML page: 504 Gateway Time-out' % (ENDPOINT, LIST))


def test_post_429_is_retried_and_503_is_not(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body=POSTED, status=429, answer={'error_code': 'APIGW.0308', 'error_msg': 'throttled'},
               headers={'Retry-After': '1'})
    api.expect('POST', LIST, body=POSTED, status=503, answer={'error_code': 'VPC.0503', 'error_msg': 'unavailable'})
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    result, failed, _out = run(main, dict(NEW))
    assert failed and 'HTTP 503' in result['msg']
    assert len(result['retried']) == 1 and 'answered HTTP 429' in result['retried'][0]


def test_post_400_is_not_followed_by_a_lookup(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    api.expect('POST', LIST, body=POSTED, status=400,
               answer={'NeutronError': {'type': 'BadRequest', 'message': 'Invalid input for peer_address'}})
    result, failed, _out = run(main, dict(NEW))
    assert failed and 'HTTP 400 Bad Request: BadRequest: Invalid input for peer_address' in result['msg']


# -- find by name ---------------------------------------------------------------------------

def test_found_by_name_then_updated(api, run):
    api.expect('GET', LIST, query={'name': 'vpnconnection1'}, answer=listed(CONN))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1300}}, answer={'ipsec_site_connection': dict(CONN, mtu=1300)})
    result, _failed, _out = run(main, dict(name='vpnconnection1', mtu=1300))
    assert result['changed'] is True


def test_server_that_ignores_the_filter_is_filtered_here(api, run):
    other = dict(CONN, id='other-id', name='vpnconnection10')
    api.expect('GET', LIST, query={'name': 'vpnconnection1'}, answer=listed(other, CONN))
    result, _failed, _out = run(main, dict(name='vpnconnection1', mtu=1500))
    assert result['changed'] is False and result['ipsec_site_connection']['id'] == CID


def test_pages_are_followed_on_our_endpoint_with_the_links_query(api, run):
    first = [dict(CONN, id='id-%d' % n, name='x') for n in range(2)]
    link = [{'rel': 'next', 'href': 'http://internal-host:9696/v2.0/vpn/ipsec-site-connections?limit=2&marker=id-1&name=x'}]
    api.expect('GET', LIST, query={'name': 'x'}, answer=listed(*first, links=link))
    api.expect('GET', LIST, query={'limit': ['2'], 'marker': ['id-1'], 'name': ['x']}, answer=listed(dict(CONN, name='x')))
    result, failed, _out = run(main, dict(name='x', mtu=1500))
    assert failed
    assert result['msg'] == "3 IPsec site connections are named 'x' (ids: %s, id-0, id-1); give id to choose one" % CID


def test_duplicate_names_fail_listing_ids_and_write_nothing(api, run):
    twin = dict(CONN, id='twin-id')
    api.expect('GET', LIST, query={'name': 'vpnconnection1'}, answer=listed(CONN, twin))
    result, failed, _out = run(main, dict(name='vpnconnection1', state='absent'))
    assert failed and 'twin-id' in result['msg'] and CID in result['msg']


@pytest.mark.parametrize('field', ['vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id'])
def test_create_only_field_that_differs_fails_naming_both_values(api, run, field):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, failed, _out = run(main, {'id': CID, field: 'another-id', 'mtu': 1400})
    assert failed
    assert result['msg'] == ('%s cannot be changed on an existing IPsec site connection (current: %s, requested: another-id); '
                             'delete it and create it again to change it' % (field, CONN[field]))


def test_create_only_field_that_matches_is_fine(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, failed, _out = run(main, dict(id=CID, vpnservice_id=CONN['vpnservice_id']))
    assert not failed and result['changed'] is False


# -- delete -------------------------------------------------------------------------------------

def test_delete_by_name_is_list_then_delete(api, run):
    api.expect('GET', LIST, query={'name': 'vpnconnection1'}, answer=listed(CONN))
    api.expect('DELETE', PATH, status=204)
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN, status='PENDING_DELETE')})
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'NotFound', 'message': 'gone'}})
    result, failed, out = run(main, dict(name='vpnconnection1', state='absent'), diff=True)
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection'] == {}
    assert result['diff']['after'] == {} and result['diff']['before']['id'] == CID
    assert result['diff']['before']['psk'] == '********' and '"secret"' not in out


def test_delete_in_check_mode_sends_nothing(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, _failed, _out = run(main, dict(id=CID, state='absent'), check_mode=True)
    assert result['changed'] is True


@pytest.mark.parametrize('by', ['id', 'name'])
def test_delete_of_an_absent_connection_is_ok(api, run, by):
    if by == 'id':
        api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'NotFound', 'message': 'gone'}})
    else:
        api.expect('GET', LIST, query={'name': 'nope'}, answer=listed())
    result, failed, _out = run(main, {by: CID if by == 'id' else 'nope', 'state': 'absent'})
    assert not failed and result['changed'] is False and result['ipsec_site_connection'] == {}


def test_delete_that_someone_else_finished_is_ok(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': copy.deepcopy(CONN)})
    api.expect('DELETE', PATH, status=404, answer={'NeutronError': {'type': 'NotFound', 'message': 'gone'}})
    result, failed, _out = run(main, dict(id=CID, state='absent', wait=False))
    assert not failed and result['changed'] is True


def test_neither_id_nor_name_fails_before_any_request(api, run):
    result, failed, _out = run(main, dict(mtu=1400))
    assert failed and result['msg'] == 'one of the following is required: id, name'


def test_create_checks_dpd_against_the_server_defaults(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer=listed())
    result, failed, _out = run(main, dict(NEW, dpd={'timeout': 20}))
    assert failed
    assert result['msg'] == 'dpd: timeout (20) must be greater than interval (30) (the server defaults are interval 30, timeout 120)'
