# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exact HTTP conversation of vpnaas.cloud.ipsec_connection_info."""

from __future__ import annotations

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection_info import main
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, CONN, ENDPOINT, PATH

LIST = '/v2.0/vpn/ipsec-site-connections'


def test_all_connections_over_several_pages_psk_masked(api, run):
    page1 = [dict(CONN, id='a'), dict(CONN, id='b')]
    api.expect('GET', LIST, query={}, answer={'ipsec_site_connections': page1, 'ipsec_site_connections_links': [
        {'rel': 'next', 'href': 'https://vpn.example.test/v2.0/vpn/ipsec-site-connections?limit=2&marker=b'}]})
    last_links = [{'rel': 'previous',
                   'href': 'https://vpn.example.test/v2.0/vpn/ipsec-site-connections?limit=2&marker=c&page_reverse=True'}]
    api.expect('GET', LIST, query={'limit': ['2'], 'marker': ['b']},
               answer={'ipsec_site_connections': [dict(CONN, id='c')], 'ipsec_site_connections_links': last_links})
    result, failed, out = run(main, {}, check_mode=True)
    assert not failed and result['changed'] is False
    assert [c['id'] for c in result['ipsec_site_connections']] == ['a', 'b', 'c']
    assert {c['psk'] for c in result['ipsec_site_connections']} == {'********'}
    assert '"secret"' not in out


def test_by_name_and_filters_also_filtered_client_side(api, run):
    keep = dict(CONN, id='keep', status='ACTIVE', admin_state_up=True)
    api.expect('GET', LIST, query={'name': 'vpnconnection1', 'status': ['ACTIVE', 'DOWN'], 'admin_state_up': 'true'},
               answer={'ipsec_site_connections': [keep, dict(CONN, id='wrong-status', status='ERROR'),
                                                  dict(CONN, id='other-name', name='x', status='ACTIVE')]})
    result, failed, _out = run(main, dict(name='vpnconnection1', filters={'status': ['ACTIVE', 'DOWN'], 'admin_state_up': True}))
    assert not failed
    assert [c['id'] for c in result['ipsec_site_connections']] == ['keep']


def test_by_id(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, _failed, _out = run(main, dict(id=CID))
    assert [c['id'] for c in result['ipsec_site_connections']] == [CID]


def test_unknown_id_is_an_empty_list(api, run):
    api.expect('GET', PATH, status=404, answer={'NeutronError': {'type': 'NotFound', 'message': 'no'}})
    result, failed, _out = run(main, dict(id=CID))
    assert not failed and result['ipsec_site_connections'] == []


def test_api_failure_names_status_and_words(api, run):
    api.expect('GET', LIST, query={}, status=500, answer={'error_code': 'VPC.0500', 'error_msg': 'internal trouble'})
    result, failed, _out = run(main, {})
    assert failed
    assert result['msg'] == ('Failed to list IPsec site connections: GET %s/v2.0/vpn/ipsec-site-connections answered '
                             'HTTP 500 Internal Server Error: VPC.0500: internal trouble' % ENDPOINT)
