# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exact HTTP conversation of vpnaas.cloud.ipsec_connections (the fleet), state by state."""

from __future__ import annotations

import copy
import json

import requests

from ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connections import main

from ansible_collections.vpnaas.cloud.tests.unit.api import ANY

SVC = '5c561d9d-eaea-45f6-ae3e-08d1a7080828'
OTHER_SVC = '5c561d9d-eaea-45f6-ae3e-08d1a7080829'
IKE = '9b00d6b0-6c93-4ca5-9747-b8ade7bb514f'
IPSEC = 'e6e23d0c-9519-4d52-8ea4-5b1f96d857b1'
LOCAL = '3e1815dd-e212-43d0-8f13-b494fa553e68'
CONNS = '/v2.0/vpn/ipsec-site-connections'
GROUPS = '/v2.0/vpn/endpoint-groups'
PSK = 'Fl33t-s3cret-psk'
SCOPE = {'vpnservice_id': SVC}


def cid(number: int) -> str:
    """The id of branch ``number``."""
    return '851f280f-5639-4ea3-81aa-%012d' % number


def gid(number: int) -> str:
    """The id of the peer endpoint group of branch ``number``."""
    return '9ad5a7e0-6dac-41b4-b20d-%012d' % number


def branch(number: int, **changes) -> dict:
    """Connection ``branch-<number>`` of the hub as Neutron returns it."""
    conn = {
        'id': cid(number), 'name': 'branch-%d' % number, 'status': 'ACTIVE', 'admin_state_up': True, 'description': '',
        'vpnservice_id': SVC, 'ikepolicy_id': IKE, 'ipsecpolicy_id': IPSEC, 'local_ep_group_id': LOCAL,
        'peer_ep_group_id': gid(number), 'peer_cidrs': [], 'peer_address': '203.0.113.%d' % number,
        'peer_id': '203.0.113.%d' % number, 'psk': 'psk-of-branch-%d' % number, 'mtu': 1500, 'initiator': 'bi-directional',
        'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120}, 'local_id': '', 'route_mode': 'static',
        'auth_mode': 'psk', 'tenant_id': '10039663455a446d8ba2cbb058b0f578',
    }
    conn.update(changes)
    return conn


def group(number: int, *networks: str, name: str = None) -> dict:
    """The peer endpoint group of branch ``number``."""
    return {'id': gid(number), 'name': name or 'branch-%d-peers' % number, 'type': 'cidr',
            'endpoints': list(networks) or ['10.%d.0.0/16' % number], 'description': ''}


def item(number: int, **changes) -> dict:
    """The config item that matches ``branch(number)`` as it is."""
    entry = dict(name='branch-%d' % number, peer_address='203.0.113.%d' % number, peer_id='203.0.113.%d' % number,
                 peer_networks=['10.%d.0.0/16' % number])
    entry.update(changes)
    return entry


def listing(*conns: dict) -> dict:
    return {'ipsec_site_connections': list(conns)}


def groups(*items: dict) -> dict:
    return {'endpoint_groups': list(items)}


def args(**extra) -> dict:
    base = dict(vpnservice_id=SVC, ikepolicy_id=IKE, ipsecpolicy_id=IPSEC, local_ep_group_id=LOCAL, parallel=1)
    base.update(extra)
    return base


def expect_reads(api, conns, peer_groups=None):
    """The reads of a run: the scope's connections, then (when needed) the endpoint groups."""
    api.expect('GET', CONNS, query=SCOPE, answer=listing(*conns))
    if peer_groups is not None:
        api.expect('GET', GROUPS, answer=groups(*peer_groups))


# -- merged ---------------------------------------------------------------------------

def test_unchanged_fleet_is_two_listings_and_no_write(api, run):
    expect_reads(api, [branch(1), branch(2)], [group(1), group(2)])
    result, failed, _out = run(main, args(config=[item(1), item(2)]))
    assert not failed and result['changed'] is False
    assert result['commands'] == []
    assert [entry['name'] for entry in result['before']] == ['branch-1', 'branch-2']
    assert result['before'] == result['after']


def test_merged_updates_changed_fields_only_and_creates_missing(api, run):
    expect_reads(api, [branch(1), branch(2)], [group(1), group(2)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(1, mtu=1400)})
    api.expect('POST', GROUPS, body={'endpoint_group': {
        'name': 'branch-3-peers', 'type': 'cidr', 'endpoints': ['10.3.0.0/16'],
        'description': 'Peer networks of IPsec site connection branch-3 (vpnaas.cloud.ipsec_connections)'}},
        status=201, answer={'endpoint_group': group(3)})
    api.expect('POST', CONNS, status=201, body={'ipsec_site_connection': {
        'name': 'branch-3', 'peer_address': '203.0.113.3', 'peer_id': '203.0.113.3', 'psk': PSK, 'vpnservice_id': SVC,
        'ikepolicy_id': IKE, 'ipsecpolicy_id': IPSEC, 'local_ep_group_id': LOCAL, 'peer_ep_group_id': gid(3)}},
        answer={'ipsec_site_connection': branch(3, status='PENDING_CREATE')})
    # Neutron answers PENDING_CREATE: the module polls the listing (not the item) until it settles.
    expect_reads(api, [branch(1, mtu=1400), branch(2), branch(3, status='DOWN')])
    result, failed, out = run(main, args(config=[item(1, mtu=1400), item(2), item(3, psk=PSK)]), diff=True)
    assert not failed and result['changed'] is True
    assert result['commands'] == [
        'PUT /v2.0/vpn/ipsec-site-connections/%s {"mtu": 1400}' % cid(1),
        'POST /v2.0/vpn/endpoint-groups {"endpoint_group": {"description": "Peer networks of IPsec site connection '
        'branch-3 (vpnaas.cloud.ipsec_connections)", "endpoints": ["10.3.0.0/16"], "name": "branch-3-peers", "type": "cidr"}}',
        'POST /v2.0/vpn/ipsec-site-connections {"ipsec_site_connection": {"ikepolicy_id": "%s", "ipsecpolicy_id": "%s", '
        '"local_ep_group_id": "%s", "name": "branch-3", "peer_address": "203.0.113.3", "peer_ep_group_id": "%s", '
        '"peer_id": "203.0.113.3", "psk": "********", "vpnservice_id": "%s"}}' % (IKE, IPSEC, LOCAL, gid(3), SVC),
    ]
    assert result['diff'][0] == {'before_header': 'branch-1', 'after_header': 'branch-1',
                                 'before': {'mtu': 1500}, 'after': {'mtu': 1400}}
    assert result['diff'][1]['after']['psk'] == '********' and result['diff'][1]['before'] == {}
    assert [entry['name'] for entry in result['after']] == ['branch-1', 'branch-2', 'branch-3']
    assert PSK not in out


def test_check_mode_reads_only_and_returns_the_plan(api, run):
    expect_reads(api, [branch(1)], [group(1)])
    result, failed, _out = run(main, args(config=[item(1, mtu=1400), item(2, psk=PSK)]), check_mode=True, diff=True)
    assert not failed and result['changed'] is True
    assert api.methods() == [('GET', CONNS), ('GET', GROUPS)]
    assert result['commands'][0] == 'PUT /v2.0/vpn/ipsec-site-connections/%s {"mtu": 1400}' % cid(1)
    assert result['commands'][1].startswith('POST /v2.0/vpn/endpoint-groups ')
    assert '"peer_ep_group_id": "(the new endpoint group branch-2-peers)"' in result['commands'][2]
    assert [entry['name'] for entry in result['after']] == ['branch-1', 'branch-2']
    assert result['after'][1]['peer_networks'] == ['10.2.0.0/16']


def test_references_by_name_are_resolved_once_per_collection(api, run):
    api.expect('GET', '/v2.0/vpn/vpnservices', answer={'vpnservices': [{'id': SVC, 'name': 'hub'}]})
    api.expect('GET', CONNS, query=SCOPE, answer=listing(branch(1), branch(2)))
    local = {'id': LOCAL, 'name': 'hub-subnets', 'type': 'subnet', 'endpoints': ['subnet-a']}
    api.expect('GET', GROUPS, answer=groups(group(1), group(2), local))
    api.expect('GET', '/v2.0/vpn/ikepolicies', answer={'ikepolicies': [{'id': IKE, 'name': 'ike-a'}]})
    api.expect('GET', '/v2.0/vpn/ipsecpolicies', answer={'ipsecpolicies': [{'id': IPSEC, 'name': 'ipsec-a'}]})
    result, failed, _out = run(main, dict(vpnservice='hub', ikepolicy='ike-a', ipsecpolicy='ipsec-a',
                                          local_ep_group='hub-subnets', config=[item(1), item(2)]))
    assert not failed and result['changed'] is False, result


# -- replaced, overridden, deleted: the scope -------------------------------------------

def test_replaced_returns_options_left_out_to_the_defaults(api, run):
    expect_reads(api, [branch(1, mtu=1400, description='old', dpd={'action': 'restart', 'interval': 30, 'timeout': 120})],
                 [group(1)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {
        'description': '', 'dpd': {'action': 'hold'}, 'mtu': 1500}}, answer={'ipsec_site_connection': branch(1)})
    result, failed, _out = run(main, args(config=[item(1)], state='replaced'))
    assert not failed and result['changed'] is True


def test_overridden_deletes_only_unlisted_connections_of_the_scope(api, run):
    # A server that ignores the filter: the connection of another VPN service is filtered out here, never touched.
    other = branch(9, vpnservice_id=OTHER_SVC, peer_ep_group_id=gid(9))
    expect_reads(api, [branch(1), branch(2), other], [group(1), group(2), group(9)])
    api.expect('DELETE', CONNS + '/' + cid(2), status=204)
    # The managed group goes once the listing shows its connection gone.
    expect_reads(api, [branch(1), other])
    api.expect('DELETE', GROUPS + '/' + gid(2), status=204)
    result, failed, _out = run(main, args(config=[item(1)], state='overridden'))
    assert not failed and result['changed'] is True
    assert result['commands'] == ['DELETE /v2.0/vpn/ipsec-site-connections/%s' % cid(2),
                                  'DELETE /v2.0/vpn/endpoint-groups/%s' % gid(2)]
    assert [entry['name'] for entry in result['after']] == ['branch-1']


def test_deleted_without_config_deletes_every_connection_of_the_scope(api, run):
    expect_reads(api, [branch(1, peer_ep_group_id=None, peer_cidrs=['10.1.0.0/16']),
                       branch(2, peer_ep_group_id=None, peer_cidrs=['10.2.0.0/16'])], [])
    api.expect('DELETE', CONNS + '/' + cid(1), status=204)
    api.expect('DELETE', CONNS + '/' + cid(2), status=204)
    result, failed, _out = run(main, dict(vpnservice_id=SVC, state='deleted', parallel=1))
    assert not failed and result['changed'] is True
    assert result['after'] == []


def test_deleted_keeps_a_group_of_another_name(api, run):
    expect_reads(api, [branch(1)], [group(1, name='shared-peers')])
    api.expect('DELETE', CONNS + '/' + cid(1), status=204)
    result, failed, _out = run(main, args(config=[dict(name='branch-1'), dict(name='absent')], state='deleted'))
    assert not failed and result['changed'] is True
    assert result['commands'] == ['DELETE /v2.0/vpn/ipsec-site-connections/%s' % cid(1)]


# -- peer_networks ----------------------------------------------------------------------

def test_changed_peer_networks_swap_the_group_in_place(api, run):
    expect_reads(api, [branch(1)], [group(1)])
    api.expect('POST', GROUPS, body=ANY, status=201, answer={'endpoint_group': dict(
        group(1, '10.1.0.0/16', '10.9.0.0/16'), id=gid(101))})
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'peer_ep_group_id': gid(101)}},
               answer={'ipsec_site_connection': branch(1, peer_ep_group_id=gid(101))})
    api.expect('DELETE', GROUPS + '/' + gid(1), status=204)
    result, failed, _out = run(main, args(config=[item(1, peer_networks=['10.9.0.0/16', '10.1.0.0/16'])]), diff=True)
    assert not failed and result['changed'] is True
    assert api.sent[2][2]['endpoint_group']['endpoints'] == ['10.1.0.0/16', '10.9.0.0/16']
    assert result['diff'][0]['before'] == {'peer_networks': ['10.1.0.0/16']}
    assert result['diff'][0]['after'] == {'peer_networks': ['10.1.0.0/16', '10.9.0.0/16']}


def test_same_peer_networks_in_another_order_or_spelling_change_nothing(api, run):
    expect_reads(api, [branch(1)], [group(1, '10.1.0.0/16', '2001:db8::/32')])
    result, failed, _out = run(main, args(config=[item(1, peer_networks=['2001:0db8:0000::/32', '10.1.0.0/16', '10.1.0.0/16'])]))
    assert not failed and result['changed'] is False


def test_a_create_that_fails_for_sure_removes_the_group_made_for_it(api, run):
    expect_reads(api, [], [])
    api.expect('POST', GROUPS, body=ANY, status=201, answer={'endpoint_group': group(5)})
    api.expect('POST', CONNS, body=ANY, status=400, answer={'NeutronError': {
        'type': 'InvalidInput', 'message': 'Invalid input for peer_address', 'detail': ''}})
    api.expect('DELETE', GROUPS + '/' + gid(5), status=204)
    result, failed, _out = run(main, args(config=[item(5, psk=PSK)]))
    assert failed and result['changed'] is True  # the group was made (and removed): writes happened
    assert result['failures'] == [{'name': 'branch-5', 'msg': result['failures'][0]['msg']}]
    assert 'HTTP 400' in result['failures'][0]['msg'] and 'Invalid input for peer_address' in result['failures'][0]['msg']


# -- failures of single items; input checked before any request -------------------------

def test_a_failed_item_does_not_stop_the_others(api, run):
    expect_reads(api, [branch(1), branch(2)], [group(1), group(2)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}}, status=409,
               answer={'NeutronError': {'type': 'Conflict', 'message': 'branch-1 is locked', 'detail': ''}})
    api.expect('PUT', CONNS + '/' + cid(2), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(2, mtu=1400)})
    result, failed, _out = run(main, args(config=[item(1, mtu=1400), item(2, mtu=1400), item(3)]))
    assert failed and result['changed'] is True
    names = [entry['name'] for entry in result['failures']]
    assert names == ['branch-1', 'branch-3']
    assert 'branch-1 is locked' in result['failures'][0]['msg'] and 'HTTP 409' in result['failures'][0]['msg']
    assert 'missing' in result['failures'][1]['msg'] and 'psk' in result['failures'][1]['msg']
    assert result['msg'].startswith('2 of 3 connections failed: branch-1: ')
    assert [entry['mtu'] for entry in result['after']] == [1500, 1400]


def test_duplicate_names_fail_before_any_request(api, run):
    result, failed, _out = run(main, args(config=[item(1), item(2), item(1, mtu=1400)]))
    assert failed and api.sent == []
    assert result['msg'].startswith("config: the name 'branch-1' is given twice (config[0] and config[2])")


def test_a_bad_item_fails_before_any_request_naming_it(api, run):
    result, failed, _out = run(main, args(config=[item(1), item(2, mtu=10)]))
    assert failed and api.sent == []
    assert result['msg'] == 'config[1] (branch-2): mtu: must be at least 68 (got 10)'


def test_peer_networks_exclude_peer_cidrs(api, run):
    result, failed, _out = run(main, args(config=[item(1, peer_cidrs=['10.1.0.0/16'])]))
    assert failed and api.sent == []
    assert result['msg'] == 'config[0] (branch-1): parameters are mutually exclusive: peer_networks|peer_cidrs'


def test_two_connections_of_one_name_fail_that_item_only(api, run):
    expect_reads(api, [branch(1), branch(7, name='branch-1'), branch(2)], [group(1), group(2), group(7)])
    api.expect('PUT', CONNS + '/' + cid(2), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(2, mtu=1400)})
    result, failed, _out = run(main, args(config=[item(1), item(2, mtu=1400)]))
    assert failed and result['changed'] is True
    assert result['failures'][0]['name'] == 'branch-1' and cid(7) in result['failures'][0]['msg']


# -- PENDING, lost answers ----------------------------------------------------------------

def test_a_pending_item_is_waited_for_by_polling_the_listing(api, run, clock):
    expect_reads(api, [branch(1, status='PENDING_UPDATE'), branch(2)], [group(1), group(2)])
    api.expect('PUT', CONNS + '/' + cid(2), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(2, mtu=1400)})
    expect_reads(api, [branch(1, status='PENDING_UPDATE'), branch(2, mtu=1400)])
    expect_reads(api, [branch(1, status='ACTIVE'), branch(2, mtu=1400)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(1, mtu=1400)})
    result, failed, _out = run(main, args(config=[item(1, mtu=1400), item(2, mtu=1400)]))
    assert not failed and result['changed'] is True
    assert clock.sleeps[:2] == [0.5, 1.0]


def test_a_pending_item_without_wait_fails_alone(api, run):
    expect_reads(api, [branch(1, status='PENDING_UPDATE'), branch(2)], [group(1), group(2)])
    api.expect('PUT', CONNS + '/' + cid(2), body={'ipsec_site_connection': {'mtu': 1400}},
               answer={'ipsec_site_connection': branch(2, mtu=1400)})
    result, failed, _out = run(main, args(config=[item(1, mtu=1400), item(2, mtu=1400)], wait=False))
    assert failed and result['changed'] is True
    assert 'PENDING_UPDATE' in result['failures'][0]['msg'] and 'wait=true' in result['failures'][0]['msg']


def test_a_put_refused_as_pending_is_planned_again_after_the_wait(api, run):
    expect_reads(api, [branch(1)], [group(1)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}}, status=400, answer={
        'NeutronError': {'type': 'VPNStateInvalidToUpdate', 'message': 'Invalid state PENDING_UPDATE of vpnaas resource',
                         'detail': ''}})
    # Someone else's update settled with the mtu asked for: planned again, nothing is left to send.
    expect_reads(api, [branch(1, mtu=1400)])
    result, failed, _out = run(main, args(config=[item(1, mtu=1400)]))
    assert not failed and result['changed'] is False, result


def test_a_put_refused_as_pending_again_and_again_fails_at_wait_timeout(api, run, clock):
    # The listing shows the connection settled each time, but every PUT is refused: the store's deadline ends it.
    refusal = {'NeutronError': {'type': 'VPNStateInvalidToUpdate', 'message': 'Invalid state PENDING_UPDATE of vpnaas '
                                'resource', 'detail': ''}}
    expect_reads(api, [branch(1)], [group(1)])
    for _round in range(4):
        api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}}, status=400, answer=refusal)
        expect_reads(api, [branch(1)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'mtu': 1400}}, status=400, answer=refusal)
    result, failed, _out = run(main, args(config=[item(1, mtu=1400)], wait_timeout=2))
    assert failed and result['changed'] is False
    assert result['failures'][0]['name'] == 'branch-1'
    assert "connection 'branch-1' stayed in a PENDING status for 2 seconds (wait_timeout)" in result['failures'][0]['msg']
    assert 'Invalid state PENDING_UPDATE' in result['failures'][0]['msg']
    assert clock.sleeps == [0.5, 0.5, 0.5, 0.5]


def test_a_connection_deleted_elsewhere_is_made_again_with_the_peer_group_it_left(api, run):
    # branch-4 was deleted outside Ansible; its group branch-4-peers (same networks, unused) is used again.
    expect_reads(api, [branch(1)], [group(1), group(4)])
    api.expect('POST', CONNS, body=ANY, status=201, answer={'ipsec_site_connection': branch(4)})
    result, failed, _out = run(main, args(config=[item(1), item(4, psk=PSK)]))
    assert not failed and result['changed'] is True, result
    assert [(method, path) for method, path, _body in api.sent].count(('POST', GROUPS)) == 0
    sent = [body for method, path, body in api.sent if (method, path) == ('POST', CONNS)]
    assert sent[0]['ipsec_site_connection']['peer_ep_group_id'] == gid(4)


def test_a_left_group_with_other_networks_or_in_use_is_not_taken(api, run):
    # branch-4-peers holds other networks; branch-5-peers holds branch-5's but branch-1 uses it: both get groups of their own.
    expect_reads(api, [branch(1, peer_ep_group_id=gid(5))], [group(4, '10.99.0.0/16'), group(5)])
    for number in (4, 5):
        api.expect('POST', GROUPS, body=ANY, status=201, answer={'endpoint_group': dict(group(number), id=gid(90 + number))})
        api.expect('POST', CONNS, body=ANY, status=201, answer={'ipsec_site_connection': branch(number,
                   peer_ep_group_id=gid(90 + number))})
    config = [item(1, peer_networks=None), item(4, psk=PSK), item(5, psk=PSK)]
    result, failed, _out = run(main, args(config=config))
    assert not failed and result['changed'] is True, result
    groups_made = [body['endpoint_group']['name'] for method, path, body in api.sent if (method, path) == ('POST', GROUPS)]
    assert groups_made == ['branch-4-peers', 'branch-5-peers']


def test_a_lost_create_answer_is_looked_up_and_never_sent_again(api, run):
    expect_reads(api, [], [])
    api.expect('POST', GROUPS, body=ANY, status=201, answer={'endpoint_group': group(4)})
    api.expect('POST', CONNS, body=ANY, raises=requests.exceptions.ReadTimeout('read timed out'))
    api.expect('GET', CONNS, query={'vpnservice_id': SVC, 'name': 'branch-4'}, answer=listing(branch(4)))
    result, failed, _out = run(main, args(config=[item(4, psk=PSK)], retries=0))
    assert not failed and result['changed'] is True
    assert [method for method, _path, _body in api.sent].count('POST') == 2  # the group, then the connection once


def test_created_in_error_fails_that_item(api, run):
    expect_reads(api, [], [])
    api.expect('POST', GROUPS, body=ANY, status=201, answer={'endpoint_group': group(4)})
    api.expect('POST', CONNS, body=ANY, status=201, answer={'ipsec_site_connection': branch(4, status='PENDING_CREATE')})
    expect_reads(api, [branch(4, status='ERROR')])
    result, failed, _out = run(main, args(config=[item(4, psk=PSK)]))
    assert failed and result['changed'] is True
    assert result['failures'] == [{'name': 'branch-4', 'msg': 'it is in status ERROR after the create'}]


# -- parallel writes ----------------------------------------------------------------------

def test_parallel_writes_send_each_change_once(api, run):
    api.unordered = True
    numbers = range(1, 9)
    expect_reads(api, [branch(n) for n in numbers], [group(n) for n in numbers])
    for number in numbers:
        api.expect('PUT', CONNS + '/' + cid(number), body={'ipsec_site_connection': {'mtu': 1400}},
                   answer={'ipsec_site_connection': branch(number, mtu=1400)})
    result, failed, _out = run(main, args(config=[item(n, mtu=1400) for n in numbers], parallel=4))
    assert not failed and result['changed'] is True
    puts = sorted(path for method, path, _body in api.sent if method == 'PUT')
    assert puts == sorted(CONNS + '/' + cid(n) for n in numbers)
    assert len(api.sent) == 2 + 8


def test_parallel_must_be_bounded(api, run):
    result, failed, _out = run(main, args(config=[item(1)], parallel=64))
    assert failed and api.sent == [] and result['msg'] == 'parallel: must be between 1 and 16 (got 64)'


# -- gathered, rendered, parsed -------------------------------------------------------------

def test_gathered_then_overridden_is_no_change_and_no_write(api, run):
    conns = [branch(1), branch(2, mtu=1400, description='second', peer_ep_group_id=None, peer_cidrs=['10.2.0.0/16'])]
    expect_reads(api, conns, [group(1)])
    result, failed, out = run(main, dict(vpnservice_id=SVC, state='gathered'))
    assert not failed and result['changed'] is False
    gathered = result['gathered']
    assert gathered[0] == {
        'name': 'branch-1', 'description': '', 'admin_state_up': True, 'peer_address': '203.0.113.1',
        'peer_id': '203.0.113.1', 'local_id': '', 'initiator': 'bi-directional', 'mtu': 1500,
        'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120}, 'ikepolicy_id': IKE, 'ipsecpolicy_id': IPSEC,
        'local_ep_group_id': LOCAL, 'peer_networks': ['10.1.0.0/16']}
    assert gathered[1]['peer_cidrs'] == ['10.2.0.0/16'] and 'peer_networks' not in gathered[1]
    assert 'psk' not in out
    expect_reads(api, conns, [group(1)])
    again, failed, _out = run(main, dict(vpnservice_id=SVC, state='overridden', config=copy.deepcopy(gathered)))
    assert not failed and again['changed'] is False and again['commands'] == []
    assert [method for method, _path, _body in api.sent] == ['GET'] * 4


def test_rendered_sends_nothing(api, run):
    result, failed, out = run(main, dict(vpnservice='hub', ikepolicy='ike-a', ipsecpolicy_id=IPSEC, state='rendered',
                                         config=[item(1, psk=PSK)]))
    assert not failed and api.sent == [] and result['changed'] is False
    assert result['rendered'][0] == {'method': 'POST', 'path': GROUPS, 'body': {'endpoint_group': {
        'name': 'branch-1-peers', 'type': 'cidr', 'endpoints': ['10.1.0.0/16']}}}
    body = result['rendered'][1]['body']['ipsec_site_connection']
    assert body['vpnservice_id'] == 'hub' and body['ikepolicy_id'] == 'ike-a' and body['ipsecpolicy_id'] == IPSEC
    assert body['psk'] == '********' and PSK not in out


def test_parsed_sends_nothing_and_leaves_the_psk_out(api, run):
    running = json.dumps({'ipsec_site_connections': [branch(2), branch(1, peer_ep_group_id=None, peer_cidrs=['10.1.0.0/16'])]})
    result, failed, out = run(main, dict(state='parsed', running_config=running))
    assert not failed and api.sent == []
    assert [entry['name'] for entry in result['parsed']] == ['branch-1', 'branch-2']
    assert result['parsed'][1]['peer_ep_group_id'] == gid(2)
    assert 'psk-of-branch' not in out


def test_parsed_refuses_what_is_not_json(api, run):
    result, failed, _out = run(main, dict(state='parsed', running_config='not json'))
    assert failed and api.sent == [] and result['msg'].startswith('running_config: is not JSON')


# -- secrets ----------------------------------------------------------------------------------

def test_psks_never_appear_in_the_result_even_in_diff_and_failures(api, run):
    expect_reads(api, [branch(1, psk=PSK)], [group(1)])
    api.expect('PUT', CONNS + '/' + cid(1), body={'ipsec_site_connection': {'psk': PSK + '-new'}}, status=400,
               answer={'NeutronError': {'type': 'InvalidPsk', 'message': 'The PSK "%s-new" is invalid' % PSK, 'detail': ''}})
    result, failed, out = run(main, args(config=[item(1, psk=PSK + '-new')], update_psk='always'), diff=True)
    assert failed
    assert PSK not in out
    assert result['before'][0]['psk'] == '********'


# -- untrusted answers --------------------------------------------------------------------------

def test_a_listing_holding_garbage_fails_cleanly(api, run):
    api.expect('GET', CONNS, query=SCOPE, answer={'ipsec_site_connections': [branch(1), 'x']})
    result, failed, out = run(main, args(config=[item(1)]))
    assert failed and 'Traceback' not in out
    assert result['msg'] == ('Failed to read the connections of VPN service %s: GET https://vpn.example.test/v2.0/vpn/'
                             'ipsec-site-connections answered a list holding a string where an IPsec site connection '
                             'object was expected' % SVC)


def test_a_group_with_odd_endpoints_is_swapped_not_a_crash(api, run):
    expect_reads(api, [branch(1)], [dict(group(1), endpoints=['not-a-network', 7])])
    result, failed, out = run(main, args(config=[item(1)]), check_mode=True)
    assert 'Traceback' not in out
    assert failed and 'endpoint group' in result['msg'], result['msg']


def test_a_write_answer_of_the_wrong_shape_fails_that_item(api, run):
    expect_reads(api, [branch(1), branch(2)], [group(1), group(2)])
    api.expect('PUT', CONNS + '/' + cid(1), body=ANY, answer={'ipsec_site_connection': ['odd']})
    api.expect('PUT', CONNS + '/' + cid(2), body=ANY, answer={'ipsec_site_connection': branch(2, mtu=1400)})
    result, failed, out = run(main, args(config=[item(1, mtu=1400), item(2, mtu=1400)]))
    assert failed and result['changed'] is True and 'Traceback' not in out
    assert result['failures'][0]['name'] == 'branch-1' and 'answered without an "ipsec_site_connection" object' in result['failures'][0]['msg']
