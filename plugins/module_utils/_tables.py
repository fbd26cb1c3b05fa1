# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource tables: each VPN resource as the engine sees it (fields, rules, checks).

Private to the collection: the names and signatures here may change at any time.

A table is shared by a resource's declarative module and its ``_info`` module,
which is why tables live here rather than in the module files (a module cannot
import another module).
"""

from __future__ import annotations

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import (
    Field,
    Hint,
    Resource,
    Usage,
    at_least,
    length,
    networks,
    positive_suboptions,
    printable,
)


#: Huawei Cloud / OTC refuse a psk with 400 (the emulator: ``InvalidPsk``, 'The PSK "..." is invalid', echoing it).
PSK_RULE = Hint(400, ('POST', 'PUT'), pattern=r'\bpsk\b', text=(
    'Huawei Cloud and Open Telekom Cloud / T Cloud Public accept a psk of 6 to 128 characters, each a letter, '
    'a digit or one of ~ ` ! @ # $ % ^ ( ) - _ + = [ ] { } | \\ , . / : ; with no spaces, no ? and not only *.'))


def _algorithms_sent(params: dict, error) -> str:
    """What this task sent of the two algorithms that Neutron VPNaaS 29 answers with 500."""
    said = []
    if params.get('auth_algorithm') is None and error.method == 'POST':
        said.append('left auth_algorithm out')
    elif params.get('auth_algorithm') == 'sha1':
        said.append('sent auth_algorithm sha1')
    if params.get('encryption_algorithm') == '3des':
        said.append('sent encryption_algorithm 3des')
    return 'This task %s.' % ' and '.join(said) if said else ''


#: neutron-lib still accepts sha1 (its default) and 3des, but the database of neutron-vpnaas 29 holds neither.
NEUTRON_ALGORITHMS = Hint(500, ('POST', 'PUT'), words=_algorithms_sent, text=(
    'Neutron VPNaaS 29 answers HTTP 500 to a policy whose auth_algorithm is left out (the default is sha1) or is '
    'sha1, or whose encryption_algorithm is 3des; send auth_algorithm sha256 or stronger and an AES '
    'encryption_algorithm (aes-128, aes-192 or aes-256).'))


def used_by_connections(*fields: str) -> tuple:
    """The connections whose ``fields`` hold the id of a resource (which then cannot be deleted)."""
    return (Usage('IPsec site connection', 'ipsec-site-connections', 'ipsec_site_connections', fields),)


def common_fields(name_length: int = 255) -> tuple:
    """The name and description every VPN resource has."""
    return (
        Field('description', dict(type='str'), default='', checks=(length(0, 255), printable)),
        Field('name', dict(type='str'), default='', checks=(length(1, name_length), printable)),
    )


def text(name: str, default: str) -> Field:
    """An updatable text field whose values each cloud defines (algorithms, DH groups): the API checks them."""
    return Field(name, dict(type='str'), default=default, checks=(length(1, 64), printable))


def lifetime_value(value: dict):
    """Neutron and Huawei refuse a lifetime under 60 (seconds)."""
    if value.get('value') is not None and value['value'] < 60:
        return 'value must be at least 60 (got %s)' % value['value']
    return None


#: The key lifetime of IKE and IPsec policies; only the sub-keys given are managed.
LIFETIME = Field('lifetime', dict(type='dict', options=dict(
    units=dict(type='str', choices=['seconds', 'kilobytes']),
    value=dict(type='int'),
)), rule=compare.SUBSET, default={'units': 'seconds', 'value': 3600}, checks=(lifetime_value,))


def at_least_one_item(value: list):
    """A list that is not empty."""
    return None if value else 'must hold at least one item'


def cidr_endpoints(params: dict):
    """Endpoints of a group of type cidr are networks in CIDR notation (checked before any request)."""
    if params.get('type') != 'cidr' or not params.get('endpoints'):
        return None
    problem = networks(params['endpoints'])
    return 'endpoints: %s' % problem if problem else None


VPN_SERVICE = Resource(
    noun='VPN service',
    collection='vpnservices',
    key='vpnservice',
    list_key='vpnservices',
    fields=common_fields() + (
        Field('admin_state_up', dict(type='bool'), default=True),
        Field('router_id', dict(type='str'), updatable=False, checks=(length(1, 255), printable)),
        Field('subnet_id', dict(type='str'), updatable=False, checks=(length(1, 255), printable)),
    ),
    create_requires=(('router_id',),),
    used_by=used_by_connections('vpnservice_id'),
    read_only=('external_v4_ip', 'external_v6_ip', 'flavor_id', 'status'),
    wait_after_create=False,
)

IKE_POLICY = Resource(
    noun='IKE policy',
    collection='ikepolicies',
    key='ikepolicy',
    list_key='ikepolicies',
    fields=common_fields() + (
        text('auth_algorithm', 'sha1'),
        text('encryption_algorithm', 'aes-128'),
        Field('ike_version', dict(type='str', choices=['v1', 'v2']), default='v1'),
        LIFETIME,
        text('pfs', 'group5'),
        Field('phase1_negotiation_mode', dict(type='str', choices=['main', 'aggressive']), default='main'),
    ),
    used_by=used_by_connections('ikepolicy_id'),
    hints=(NEUTRON_ALGORITHMS,),
)

IPSEC_POLICY = Resource(
    noun='IPsec policy',
    collection='ipsecpolicies',
    key='ipsecpolicy',
    list_key='ipsecpolicies',
    fields=common_fields() + (
        text('auth_algorithm', 'sha1'),
        Field('encapsulation_mode', dict(type='str', choices=['tunnel', 'transport']), default='tunnel'),
        text('encryption_algorithm', 'aes-128'),
        LIFETIME,
        text('pfs', 'group5'),
        Field('transform_protocol', dict(type='str', choices=['esp', 'ah', 'ah-esp']), default='esp'),
    ),
    used_by=used_by_connections('ipsecpolicy_id'),
    hints=(NEUTRON_ALGORITHMS,),
)

ENDPOINT_GROUP = Resource(
    noun='endpoint group',
    collection='endpoint-groups',
    key='endpoint_group',
    list_key='endpoint_groups',
    fields=common_fields() + (
        Field('endpoints', dict(type='list', elements='str'), rule=compare.SET, updatable=False,
              checks=(at_least_one_item,)),
        Field('type', dict(type='str', choices=['subnet', 'cidr', 'network', 'router', 'vlan']), updatable=False),
    ),
    create_requires=(('type',), ('endpoints',)),
    option_checks=(cidr_endpoints,),
    used_by=used_by_connections('local_ep_group_id', 'peer_ep_group_id'),
)


def dpd_timeout_above_interval(current: dict, predicted: dict, desired: dict):
    """The API requires dpd.timeout > dpd.interval: check the merged result before the PUT.

    Only one of the two may be given, so this needs the connection's current value.
    """
    dpd = predicted.get('dpd') or {}
    interval, timeout = dpd.get('interval', 30), dpd.get('timeout', 120)
    if not desired.get('dpd') or timeout > interval:
        return None
    message = 'dpd: timeout (%s) must be greater than interval (%s)' % (timeout, interval)
    if current.get('dpd'):
        message += "; the connection's current dpd is %s" % current['dpd']
    else:
        message += ' (the server defaults are interval 30, timeout 120)'
    return message


def dpd_values_consistent(value: dict):
    """When both are given, timeout must exceed interval (checked before any request)."""
    if value.get('interval') is not None and value.get('timeout') is not None and value['timeout'] <= value['interval']:
        return 'timeout (%s) must be greater than interval (%s)' % (value['timeout'], value['interval'])
    return None


IPSEC_SITE_CONNECTION = Resource(
    noun='IPsec site connection',
    collection='ipsec-site-connections',
    key='ipsec_site_connection',
    list_key='ipsec_site_connections',
    fields=(
        Field('admin_state_up', dict(type='bool'), default=True),
        Field('description', dict(type='str'), default='', checks=(length(0, 255), printable)),
        Field('dpd', dict(type='dict', options=dict(
            action=dict(type='str', choices=['clear', 'hold', 'restart', 'disabled', 'restart-by-peer']),
            interval=dict(type='int'),
            timeout=dict(type='int'),
        )), rule=compare.SUBSET, default={'action': 'hold', 'interval': 30, 'timeout': 120},
            checks=(positive_suboptions('interval', 'timeout'), dpd_values_consistent)),
        Field('ikepolicy_id', dict(type='str'), updatable=False, refers=IKE_POLICY),
        Field('initiator', dict(type='str', choices=['bi-directional', 'response-only']), default='bi-directional'),
        Field('ipsecpolicy_id', dict(type='str'), updatable=False, refers=IPSEC_POLICY),
        Field('local_ep_group_id', dict(type='str'), refers=ENDPOINT_GROUP),
        # The local IKE identity; '' (Neutron's default) means the router's public address. Huawei/OTC do not document it.
        Field('local_id', dict(type='str'), default='', checks=(length(0, 255), printable)),
        Field('mtu', dict(type='int'), default=1500, checks=(at_least(68),)),
        Field('name', dict(type='str'), default='', checks=(length(1, 64), printable)),
        Field('peer_address', dict(type='str'), rule=compare.ADDRESS, checks=(length(1, 250), printable)),
        Field('peer_cidrs', dict(type='list', elements='str'), rule=compare.CIDR_SET, default=[], checks=(networks,)),
        Field('peer_ep_group_id', dict(type='str'), refers=ENDPOINT_GROUP),
        Field('peer_id', dict(type='str'), checks=(length(1, 250), printable)),
        Field('psk', dict(type='str', no_log=True), rule=compare.SECRET, checks=(length(1, 128),)),
        Field('vpnservice_id', dict(type='str'), updatable=False, refers=VPN_SERVICE),
    ),
    create_requires=(('vpnservice_id',), ('ikepolicy_id',), ('ipsecpolicy_id',), ('peer_address',), ('peer_id',),
                     ('psk',), ('local_ep_group_id', 'peer_cidrs'), ('peer_ep_group_id', 'peer_cidrs')),
    cross_checks=(dpd_timeout_above_interval,),
    read_only=('auth_mode', 'created_at', 'local_id', 'order_id', 'product_id', 'route_mode', 'status', 'tags'),
    hints=(PSK_RULE,),
)
