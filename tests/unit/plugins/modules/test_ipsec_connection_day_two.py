# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Day two of ipsec_connection: honest ``changed`` after a write, ``wait_active`` and ``local_id``, request by request."""

from __future__ import annotations


import pytest

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection import main
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, ENDPOINT, PATH, connection, got

LIST = '/v2.0/vpn/ipsec-site-connections'
NEW = dict(name='branch-1', vpnservice_id='svc-1', ikepolicy_id='ike-1', ipsecpolicy_id='ipsec-1',
           local_ep_group_id='leg-1', peer_ep_group_id='peg-1', peer_address='203.0.113.20', peer_id='203.0.113.20',
           psk='day-two-psk-4c1e')


def created(**changes) -> dict:
    conn = dict(NEW, id=CID, status='PENDING_CREATE', mtu=1500, initiator='bi-directional', admin_state_up=True,
                description='', peer_cidrs=[], dpd={'action': 'hold', 'interval': 30, 'timeout': 120}, psk='******')
    conn.update(changes)
    return conn


# -- honest changed ------------------------------------------------------------------

def test_create_that_stays_pending_past_wait_timeout_is_changed_with_its_id(api, run, clock):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body={'ipsec_site_connection': NEW}, status=201, answer=got(created()))
    for _poll in range(2):  # polls after 0.5 and 1.5 s; 2 more would pass 3 s
        api.expect('GET', PATH, answer=got(created()))
    result, failed, out = run(main, dict(NEW, wait_timeout=3))
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID
    assert result['ipsec_site_connection']['status'] == 'PENDING_CREATE'
    assert result['msg'] == ("Failed to create IPsec site connection %s: timed out after 3 seconds waiting for "
                             "IPsec site connection %s to leave status PENDING_CREATE after the create; the last status "
                             "seen was PENDING_CREATE" % (CID, CID))
    assert NEW['psk'] not in out


def test_create_followed_by_a_failing_read_is_changed_with_its_id(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body={'ipsec_site_connection': NEW}, status=201, answer=got(created()))
    api.expect('GET', PATH, status=403, answer={'NeutronError': {'type': 'Forbidden', 'message': 'policy says no'}})
    result, failed, _out = run(main, NEW)
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID
    assert 'HTTP 403' in result['msg'] and 'policy says no' in result['msg']


def test_create_that_ends_in_error_is_changed_with_its_id(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body={'ipsec_site_connection': NEW}, status=201, answer=got(created()))
    api.expect('GET', PATH, answer=got(created(status='ERROR')))
    result, failed, _out = run(main, NEW)
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection'] == dict(created(status='ERROR'), psk='********')
    assert result['msg'].endswith('IPsec site connection %s is in status ERROR after the create' % CID)


def test_update_that_ends_in_error_is_changed_with_the_connection(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(status='ERROR', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID and result['ipsec_site_connection']['mtu'] == 1400
    assert result['msg'] == ('Failed to update IPsec site connection %s: IPsec site connection %s is in status ERROR after '
                             'the update' % (CID, CID))


def test_a_failure_before_any_write_is_not_changed(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, status=400,
               answer={'NeutronError': {'type': 'BadRequest', 'message': 'no'}})
    result, failed, _out = run(main, dict(id=CID, mtu=1400))
    assert failed and result['changed'] is False
    assert 'ipsec_site_connection' not in result


# -- wait_active -----------------------------------------------------------------------

def test_wait_active_polls_through_down_until_active(api, run, clock):
    api.expect('GET', PATH, answer=got(connection(status='DOWN')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'mtu': 1400}}, answer=got(connection(status='DOWN', mtu=1400)))
    api.expect('GET', PATH, answer=got(connection(status='DOWN', mtu=1400)))
    api.expect('GET', PATH, answer=got(connection(status='BUILD', mtu=1400)))
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE', mtu=1400)))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait_active=True))
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['status'] == 'ACTIVE'
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_wait_active_on_an_active_unchanged_connection_is_one_get(api, run, clock):
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    result, failed, _out = run(main, dict(id=CID, mtu=1500, wait_active=True))
    assert not failed and result['changed'] is False
    assert clock.sleeps == []


def test_wait_active_waits_when_nothing_changed(api, run):
    api.expect('GET', PATH, answer=got(connection(status='DOWN')))
    api.expect('GET', PATH, answer=got(connection(status='ACTIVE')))
    result, failed, _out = run(main, dict(id=CID, mtu=1500, wait_active=True))
    assert not failed and result['changed'] is False
    assert result['ipsec_site_connection']['status'] == 'ACTIVE'


def test_wait_active_timeout_names_the_last_status_and_keeps_changed_false(api, run, clock):
    for _poll in range(4):  # the lookup, then polls after 0.5, 1 and 2 s; 4 more would pass 5 s
        api.expect('GET', PATH, answer=got(connection(status='DOWN')))
    result, failed, _out = run(main, dict(id=CID, mtu=1500, wait_active=True, wait_active_timeout=5, wait_timeout=600))
    assert failed and result['changed'] is False
    assert result['msg'] == ('IPsec site connection %s did not become ACTIVE: timed out after 5 seconds (wait_active_timeout) '
                             'waiting for IPsec site connection %s to become ACTIVE; the last status seen was DOWN' % (CID, CID))
    assert result['ipsec_site_connection']['status'] == 'DOWN'
    assert sum(clock.sleeps) <= 5


def test_wait_active_timeout_after_a_create_is_changed_with_the_id(api, run):
    api.expect('GET', LIST, query={'name': 'branch-1'}, answer={'ipsec_site_connections': []})
    api.expect('POST', LIST, body={'ipsec_site_connection': NEW}, status=201, answer=got(created()))
    api.expect('GET', PATH, answer=got(created(status='DOWN')))  # wait: settled (DOWN)
    api.expect('GET', PATH, answer=got(created(status='DOWN')))  # wait_active: after 0.5 s
    result, failed, _out = run(main, dict(NEW, wait_active=True, wait_active_timeout=1))
    assert failed and result['changed'] is True
    assert result['ipsec_site_connection']['id'] == CID
    assert 'the last status seen was DOWN' in result['msg']


def test_wait_active_error_fails_at_once(api, run, clock):
    api.expect('GET', PATH, answer=got(connection(status='DOWN')))
    api.expect('GET', PATH, answer=got(connection(status='ERROR')))
    result, failed, _out = run(main, dict(id=CID, wait_active=True))
    assert failed and result['changed'] is False
    assert result['msg'] == 'IPsec site connection %s did not become ACTIVE: IPsec site connection %s is in status ERROR' % (CID, CID)
    assert clock.sleeps == [0.5]


def test_wait_active_is_not_done_in_check_mode_nor_for_absent(api, run):
    api.expect('GET', PATH, answer=got(connection(status='DOWN')))
    result, failed, _out = run(main, dict(id=CID, mtu=1400, wait_active=True), check_mode=True)
    assert not failed and result['changed'] is True
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'IPsecSiteConnectionNotFound', 'message': 'gone'}})
    result, failed, _out = run(main, dict(id=CID, state='absent', wait_active=True))
    assert not failed and result['changed'] is False


def test_wait_active_timeout_must_be_positive(api, run):
    result, failed, _out = run(main, dict(id=CID, wait_active=True, wait_active_timeout=0))
    assert failed and result['msg'] == 'wait_active_timeout: must be a positive number of seconds (got 0)'
    assert api.sent == []


# -- local_id ----------------------------------------------------------------------------

def test_local_id_change_is_one_put_and_shows_in_the_diff(api, run):
    api.expect('GET', PATH, answer=got(connection(local_id='')))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'local_id': 'vpn.hq.example.com'}},
               answer=got(connection(local_id='vpn.hq.example.com')))
    result, failed, _out = run(main, dict(id=CID, local_id='vpn.hq.example.com'), diff=True)
    assert not failed and result['changed'] is True
    assert result['diff'] == {'before': {'local_id': ''}, 'after': {'local_id': 'vpn.hq.example.com'}}


def test_local_id_default_matches_an_api_that_omits_it(api, run):
    api.expect('GET', PATH, answer=got(connection()))  # Huawei answers no local_id
    result, failed, _out = run(main, dict(id=CID, local_id=''))
    assert not failed and result['changed'] is False


@pytest.mark.parametrize('value, words', [('x' * 256, 'local_id: must be 0 to 255'), ('a\nb', 'local_id: must not contain control')])
def test_bad_local_id_fails_before_any_request(api, run, value, words):
    result, failed, _out = run(main, dict(id=CID, local_id=value))
    assert failed and words in result['msg']
    assert api.sent == []


def test_local_id_refused_by_the_api_names_status_url_and_words(api, run):
    api.expect('GET', PATH, answer=got(connection()))
    api.expect('PUT', PATH, body={'ipsec_site_connection': {'local_id': 'vpn.hq.example.com'}}, status=400,
               answer={'error_code': 'VPC.0601', 'error_msg': "Unrecognized attribute(s) 'local_id'"})
    result, failed, _out = run(main, dict(id=CID, local_id='vpn.hq.example.com'))
    assert failed and result['changed'] is False
    assert result['msg'] == ("Failed to update IPsec site connection %s: PUT %s%s answered HTTP 400 Bad Request: VPC.0601: "
                             "Unrecognized attribute(s) 'local_id'" % (CID, ENDPOINT, PATH))
