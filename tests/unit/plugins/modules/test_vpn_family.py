# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VPN service, IKE/IPsec policy and endpoint group modules, and names given for ids: the exact HTTP conversation."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vpnaas.cloud.plugins.modules import endpoint_group, endpoint_group_info, ike_policy
from ansible_collections.vpnaas.cloud.plugins.modules import ipsec_connection, ipsec_policy, ipsec_policy_info
from ansible_collections.vpnaas.cloud.plugins.modules import vpn_service, vpn_service_info
from ansible_collections.vpnaas.cloud.plugins.modules import ike_policy_info
from ansible_collections.vpnaas.cloud.tests.unit.api import CID, CONN, ENDPOINT, PATH

IKE_ID = '9b00d6b0-6c93-4ca5-9747-b8ade7bb514f'
IKE_PATH = '/v2.0/vpn/ikepolicies'
IKE = {'id': IKE_ID, 'name': 'ike-1', 'description': '', 'auth_algorithm': 'sha256', 'encryption_algorithm': 'aes-256',
       'ike_version': 'v2', 'pfs': 'group14', 'phase1_negotiation_mode': 'main',
       'lifetime': {'units': 'seconds', 'value': 3600}, 'tenant_id': 't1'}
SVC_ID = '5c561d9d-eaea-45f6-ae3e-08d1a7080828'
SVC_PATH = '/v2.0/vpn/vpnservices'
SVC = {'id': SVC_ID, 'name': 'vpn-main', 'description': '', 'admin_state_up': True, 'router_id': 'router-1',
       'subnet_id': None, 'status': 'ACTIVE', 'external_v4_ip': '198.51.100.7'}
EPG_ID = '9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1'
EPG_PATH = '/v2.0/vpn/endpoint-groups'
EPG = {'id': EPG_ID, 'name': 'peer', 'description': '', 'type': 'cidr', 'endpoints': ['10.20.0.0/16', '10.21.0.0/16']}


# -- IKE policy: update in place, with the lifetime as a subset ------------------------------

def test_unchanged_policy_is_one_get(api, run):
    api.expect('GET', IKE_PATH + '/' + IKE_ID, answer={'ikepolicy': IKE})
    result, failed, _out = run(ike_policy.main, dict(id=IKE_ID, ike_version='v2', lifetime={'value': 3600}, pfs='group14'))
    assert not failed and result['changed'] is False and result['ikepolicy']['id'] == IKE_ID


def test_policy_update_sends_only_what_differs(api, run):
    api.expect('GET', IKE_PATH + '/' + IKE_ID, answer={'ikepolicy': IKE})
    api.expect('PUT', IKE_PATH + '/' + IKE_ID, body={'ikepolicy': {'lifetime': {'value': 7200}, 'pfs': 'group5'}},
               answer={'ikepolicy': dict(IKE, pfs='group5', lifetime={'units': 'seconds', 'value': 7200})})
    result, failed, _out = run(ike_policy.main, dict(id=IKE_ID, lifetime={'units': 'seconds', 'value': 7200}, pfs='group5',
                                                     ike_version='v2'), diff=True)
    assert not failed and result['changed'] is True
    assert result['diff'] == {'before': {'lifetime': {'units': 'seconds', 'value': 3600}, 'pfs': 'group14'},
                              'after': {'lifetime': {'units': 'seconds', 'value': 7200}, 'pfs': 'group5'}}


def test_policy_create_by_name_posts_the_options_given(api, run):
    api.expect('GET', IKE_PATH, query={'name': 'ike-1'}, answer={'ikepolicies': []})
    api.expect('POST', IKE_PATH, body={'ikepolicy': {'name': 'ike-1', 'auth_algorithm': 'sha256', 'ike_version': 'v2'}},
               status=201, answer={'ikepolicy': dict(IKE, pfs='group5')})
    result, failed, _out = run(ike_policy.main, dict(name='ike-1', auth_algorithm='sha256', ike_version='v2'))
    assert not failed and result['changed'] is True and result['ikepolicy']['id'] == IKE_ID


def test_policy_in_use_names_the_connections_that_use_it(api, run):
    api.expect('GET', IKE_PATH, query={'name': 'ike-1'}, answer={'ikepolicies': [IKE]})
    api.expect('DELETE', IKE_PATH + '/' + IKE_ID, status=409, answer={'NeutronError': {
        'type': 'IKEPolicyInUse', 'message': 'IKEPolicy %s is in use by existing IPsecSiteConnection' % IKE_ID}})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'ikepolicy_id': IKE_ID},
               answer={'ipsec_site_connections': [dict(CONN, ikepolicy_id=IKE_ID, name='branch-1')]})
    result, failed, _out = run(ike_policy.main, dict(name='ike-1', state='absent'))
    assert failed
    assert result['msg'].startswith("Failed to delete IKE policy %s: it is in use by IPsec site connection 'branch-1' (%s);"
                                    " delete those first. The API said: DELETE %s%s/%s answered HTTP 409"
                                    % (IKE_ID, CID, ENDPOINT, IKE_PATH, IKE_ID)), result['msg']
    assert 'HTTP 409' in result['msg'] and 'IKEPolicyInUse' in result['msg']
    assert 'secret' not in result['msg']


def test_policy_update_refused_in_use_says_change_those(api, run):
    api.expect('GET', IKE_PATH + '/' + IKE_ID, answer={'ikepolicy': IKE})
    api.expect('PUT', IKE_PATH + '/' + IKE_ID, body={'ikepolicy': {'pfs': 'group5'}}, status=409,
               answer={'NeutronError': {'type': 'IKEPolicyInUse', 'message': 'in use'}})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'ikepolicy_id': IKE_ID},
               answer={'ipsec_site_connections': [dict(CONN, ikepolicy_id=IKE_ID, name='b1', id='c1'),
                                                  dict(CONN, ikepolicy_id='other', name='b2', id='c2')]})
    result, failed, _out = run(ike_policy.main, dict(id=IKE_ID, pfs='group5'))
    assert failed
    assert ("in use by IPsec site connection 'b1' (c1); the API changes no IKE policy that is in use: make a new one "
            "for the change, or delete those first" in result['msg'])
    assert 'b2' not in result['msg']  # the client-side filter drops what a cloud that ignores filters sends


@pytest.mark.parametrize('options, message', [
    (dict(name='p', lifetime={'value': 59}), 'lifetime: value must be at least 60 (got 59)'),
    (dict(name='p', ike_version='v3'), 'ike_version'),
    (dict(name='p', pfs='group\n5'), 'pfs: must not contain control characters'),
    (dict(name='x' * 256), 'name: must be 1 to 255 characters long'),
])
def test_bad_policy_input_fails_before_any_request(api, run, options, message):
    result, failed, _out = run(ike_policy.main, options)
    assert failed and message in result['msg']
    assert api.sent == []


# -- VPN service: create-only fields, no wait after a create ---------------------------------

def test_service_create_does_not_wait_for_pending_create(api, run):
    api.expect('GET', SVC_PATH, query={'name': 'vpn-main'}, answer={'vpnservices': []})
    api.expect('POST', SVC_PATH, body={'vpnservice': {'name': 'vpn-main', 'router_id': 'router-1'}}, status=201,
               answer={'vpnservice': dict(SVC, status='PENDING_CREATE')})
    result, failed, _out = run(vpn_service.main, dict(name='vpn-main', router_id='router-1'))
    assert not failed and result['changed'] is True and result['vpnservice']['status'] == 'PENDING_CREATE'


def test_service_router_cannot_change(api, run):
    api.expect('GET', SVC_PATH, query={'name': 'vpn-main'}, answer={'vpnservices': [SVC]})
    result, failed, _out = run(vpn_service.main, dict(name='vpn-main', router_id='router-2'))
    assert failed
    assert result['msg'] == ('router_id cannot be changed on an existing VPN service (current: router-1, requested: '
                             'router-2); delete it and create it again to change it')


def test_service_create_needs_a_router(api, run):
    api.expect('GET', SVC_PATH, query={'name': 'vpn-main'}, answer={'vpnservices': []})
    result, failed, _out = run(vpn_service.main, dict(name='vpn-main'))
    assert failed and result['msg'] == 'Cannot create a new VPN service: missing router_id'


def test_service_update_waits_out_pending(api, run, clock):
    api.expect('GET', SVC_PATH + '/' + SVC_ID, answer={'vpnservice': dict(SVC, status='PENDING_CREATE')})
    api.expect('GET', SVC_PATH + '/' + SVC_ID, answer={'vpnservice': SVC})
    api.expect('PUT', SVC_PATH + '/' + SVC_ID, body={'vpnservice': {'admin_state_up': False}},
               answer={'vpnservice': dict(SVC, admin_state_up=False)})
    result, failed, _out = run(vpn_service.main, dict(id=SVC_ID, admin_state_up=False))
    assert not failed and result['changed'] is True and clock.sleeps == [0.5]


def test_service_delete_in_use_names_the_connections(api, run):
    api.expect('GET', SVC_PATH + '/' + SVC_ID, answer={'vpnservice': SVC})
    api.expect('DELETE', SVC_PATH + '/' + SVC_ID, status=409,
               answer={'NeutronError': {'type': 'VPNServiceInUse', 'message': 'VPNService %s is still in use' % SVC_ID}})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'vpnservice_id': SVC_ID},
               answer={'ipsec_site_connections': [CONN]})
    result, failed, _out = run(vpn_service.main, dict(id=SVC_ID, state='absent'))
    assert failed
    assert "it is in use by IPsec site connection 'vpnconnection1' (%s)" % CID in result['msg']
    assert 'VPNService %s is still in use' % SVC_ID in result['msg']


# -- Endpoint group: create-only endpoints compared as a set ---------------------------------

def test_group_endpoints_compare_as_a_set(api, run):
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': [EPG]})
    result, failed, _out = run(endpoint_group.main, dict(name='peer', type='cidr',
                                                         endpoints=['10.21.0.0/16', '10.20.0.0/16', '10.21.0.0/16']))
    assert not failed and result['changed'] is False


def test_group_endpoints_cannot_change(api, run):
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': [EPG]})
    result, failed, _out = run(endpoint_group.main, dict(name='peer', endpoints=['10.20.0.0/16']))
    assert failed and result['msg'].startswith('endpoints cannot be changed on an existing endpoint group')


def test_group_update_of_description_only(api, run):
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': [EPG]})
    api.expect('PUT', EPG_PATH + '/' + EPG_ID, body={'endpoint_group': {'description': 'branch 1'}},
               answer={'endpoint_group': dict(EPG, description='branch 1')})
    result, failed, _out = run(endpoint_group.main, dict(name='peer', type='cidr', endpoints=EPG['endpoints'],
                                                         description='branch 1'))
    assert not failed and result['changed'] is True


def test_group_create_and_delete_with_wait(api, run):
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': []})
    api.expect('POST', EPG_PATH, body={'endpoint_group': {'name': 'peer', 'type': 'cidr', 'endpoints': ['10.20.0.0/16']}},
               status=201, answer={'endpoint_group': dict(EPG, endpoints=['10.20.0.0/16'])})
    result, failed, _out = run(endpoint_group.main, dict(name='peer', type='cidr', endpoints=['10.20.0.0/16', '10.20.0.0/16']))
    assert not failed and result['changed'] is True
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': [EPG]})
    api.expect('DELETE', EPG_PATH + '/' + EPG_ID, status=204)
    api.expect('GET', EPG_PATH + '/' + EPG_ID, status=404, answer={'NeutronError': {'message': 'not found'}})
    result, failed, _out = run(endpoint_group.main, dict(name='peer', state='absent'))
    assert not failed and result['changed'] is True and result['endpoint_group'] == {}


@pytest.mark.parametrize('options, message', [
    (dict(name='g', type='cidr', endpoints=['10.0.0.1/16']), "endpoints: '10.0.0.1/16' has host bits set"),
    (dict(name='g', type='cidr', endpoints=['nope']), "endpoints: 'nope' is not a network"),
    (dict(name='g', type='subnet', endpoints=[]), 'endpoints: must hold at least one item'),
    (dict(name='g', type='port', endpoints=['x']), 'type'),
])
def test_bad_group_input_fails_before_any_request(api, run, options, message):
    result, failed, _out = run(endpoint_group.main, options)
    assert failed and message in result['msg'], result['msg']
    assert api.sent == []


# -- Names for ids in ipsec_connection ---------------------------------------------------------

def test_names_are_resolved_to_ids_before_the_connection_is_compared(api, run):
    api.expect('GET', IKE_PATH, query={'name': 'ike-1'}, answer={'ikepolicies': [IKE]})
    api.expect('GET', SVC_PATH, query={'name': 'vpn-main'}, answer={'vpnservices': [SVC]})
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN, ikepolicy_id=IKE_ID, vpnservice_id=SVC_ID)})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, ikepolicy='ike-1', vpnservice='vpn-main'))
    assert not failed and result['changed'] is False


def test_a_name_in_the_form_of_an_id_costs_no_lookup(api, run):
    api.expect('GET', PATH, answer={'ipsec_site_connection': CONN})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, vpnservice=CONN['vpnservice_id']))
    assert not failed and result['changed'] is False


def test_a_resolved_name_for_another_service_fails_as_create_only(api, run):
    api.expect('GET', SVC_PATH, query={'name': 'vpn-main'}, answer={'vpnservices': [SVC]})
    api.expect('GET', PATH, answer={'ipsec_site_connection': dict(CONN, vpnservice_id='other-service')})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, vpnservice='vpn-main'))
    assert failed and result['msg'].startswith('vpnservice_id cannot be changed on an existing IPsec site connection '
                                               '(current: other-service, requested: %s)' % SVC_ID)


def test_an_ambiguous_name_fails_listing_the_ids(api, run):
    api.expect('GET', EPG_PATH, query={'name': 'peer'}, answer={'endpoint_groups': [EPG, dict(EPG, id='epg-2')]})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, peer_ep_group='peer'))
    assert failed
    assert result['msg'] == ("peer_ep_group: 2 endpoint groups are named 'peer' (ids: %s, epg-2); give peer_ep_group_id "
                             "instead" % EPG_ID)


def test_an_unknown_name_fails_naming_the_option(api, run):
    api.expect('GET', '/v2.0/vpn/ipsecpolicies', query={'name': 'nope'}, answer={'ipsecpolicies': []})
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, ipsecpolicy='nope'))
    assert failed and result['msg'] == "ipsecpolicy: no IPsec policy is named 'nope'"


def test_an_unknown_name_in_check_mode_warns_and_predicts(api, run):
    api.expect('GET', SVC_PATH, query={'name': 'vpn-new'}, answer={'vpnservices': []})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'name': 'branch-9'}, answer={'ipsec_site_connections': []})
    result, failed, _out = run(ipsec_connection.main, dict(
        name='branch-9', vpnservice='vpn-new', ikepolicy_id=IKE_ID, ipsecpolicy_id='p2', peer_cidrs=['10.9.0.0/16'],
        peer_address='203.0.113.9', peer_id='203.0.113.9', psk='k-123456'), check_mode=True)
    assert not failed and result['changed'] is True
    assert result['ipsec_site_connection']['vpnservice_id'] == 'vpn-new'
    assert "vpnservice: no VPN service is named 'vpn-new' yet" in json.dumps(result['warnings'])


def test_name_and_id_of_one_reference_exclude_each_other(api, run):
    result, failed, _out = run(ipsec_connection.main, dict(id=CID, vpnservice='a', vpnservice_id=SVC_ID))
    assert failed and 'mutually exclusive: vpnservice_id|vpnservice' in result['msg']
    assert api.sent == []


# -- The _info modules ---------------------------------------------------------------------------

@pytest.mark.parametrize('module, path, key, item', [
    (vpn_service_info, SVC_PATH, 'vpnservices', SVC),
    (ike_policy_info, IKE_PATH, 'ikepolicies', IKE),
    (ipsec_policy_info, '/v2.0/vpn/ipsecpolicies', 'ipsecpolicies', dict(IKE, transform_protocol='esp')),
    (endpoint_group_info, EPG_PATH, 'endpoint_groups', EPG),
])
def test_info_lists_with_filters(api, run, module, path, key, item):
    other = dict(item, id='other', name='other')
    api.expect('GET', path, query={'name': item['name']}, answer={key: [item, other]})
    result, failed, _out = run(module.main, dict(name=item['name']))
    assert not failed and result['changed'] is False and result[key] == [item]


def test_ipsec_policy_update_and_check_mode(api, run):
    policy = dict(IKE, transform_protocol='esp', encapsulation_mode='tunnel')
    del policy['ike_version'], policy['phase1_negotiation_mode']
    path = '/v2.0/vpn/ipsecpolicies/' + IKE_ID
    api.expect('GET', path, answer={'ipsecpolicy': policy})
    result, failed, _out = run(ipsec_policy.main, dict(id=IKE_ID, transform_protocol='ah', encapsulation_mode='tunnel'),
                               check_mode=True, diff=True)
    assert not failed and result['changed'] is True and result['ipsecpolicy']['transform_protocol'] == 'ah'
    assert result['diff'] == {'before': {'transform_protocol': 'esp'}, 'after': {'transform_protocol': 'ah'}}
    api.expect('GET', path, answer={'ipsecpolicy': policy})
    api.expect('PUT', path, body={'ipsecpolicy': {'transform_protocol': 'ah'}},
               answer={'ipsecpolicy': dict(policy, transform_protocol='ah')})
    result, failed, _out = run(ipsec_policy.main, dict(id=IKE_ID, transform_protocol='ah'))
    assert not failed and result['changed'] is True


def test_group_in_use_answered_with_400_as_neutron_does(api, run):
    """Neutron 29 refuses to delete a used endpoint group with 400 EndpointGroupInUse, not 409."""
    api.expect('GET', EPG_PATH + '/' + EPG_ID, answer={'endpoint_group': EPG})
    api.expect('DELETE', EPG_PATH + '/' + EPG_ID, status=400, answer={'NeutronError': {
        'type': 'EndpointGroupInUse', 'message': 'Endpoint group %s is in use and cannot be deleted' % EPG_ID}})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'local_ep_group_id': EPG_ID},
               answer={'ipsec_site_connections': []})
    api.expect('GET', '/v2.0/vpn/ipsec-site-connections', query={'peer_ep_group_id': EPG_ID},
               answer={'ipsec_site_connections': [dict(CONN, peer_ep_group_id=EPG_ID)]})
    result, failed, _out = run(endpoint_group.main, dict(id=EPG_ID, state='absent'))
    assert failed
    assert "in use by IPsec site connection 'vpnconnection1' (%s); delete those first" % CID in result['msg']
    assert 'HTTP 400' in result['msg']


def test_other_400_on_delete_is_passed_through_without_lookups(api, run):
    api.expect('GET', EPG_PATH + '/' + EPG_ID, answer={'endpoint_group': EPG})
    api.expect('DELETE', EPG_PATH + '/' + EPG_ID, status=400, answer={'NeutronError': {
        'type': 'BadRequest', 'message': 'the group is not in use but something else is wrong'}})
    result, failed, _out = run(endpoint_group.main, dict(id=EPG_ID, state='absent'))
    assert failed and result['msg'].startswith('Failed to delete endpoint group %s: DELETE %s%s/%s answered HTTP 400'
                                               % (EPG_ID, ENDPOINT, EPG_PATH, EPG_ID))
