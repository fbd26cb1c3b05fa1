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
from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import (
    Field,
    Resource,
    at_least,
    length,
    networks,
    positive_suboptions,
    printable,
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
        Field('ikepolicy_id', dict(type='str'), updatable=False),
        Field('initiator', dict(type='str', choices=['bi-directional', 'response-only']), default='bi-directional'),
        Field('ipsecpolicy_id', dict(type='str'), updatable=False),
        Field('local_ep_group_id', dict(type='str')),
        Field('mtu', dict(type='int'), default=1500, checks=(at_least(68),)),
        Field('name', dict(type='str'), default='', checks=(length(1, 64), printable)),
        Field('peer_address', dict(type='str'), rule=compare.ADDRESS, checks=(length(1, 250), printable)),
        Field('peer_cidrs', dict(type='list', elements='str'), rule=compare.CIDR_SET, default=[], checks=(networks,)),
        Field('peer_ep_group_id', dict(type='str')),
        Field('peer_id', dict(type='str'), checks=(length(1, 250), printable)),
        Field('psk', dict(type='str', no_log=True), rule=compare.SECRET, checks=(length(1, 128),)),
        Field('vpnservice_id', dict(type='str'), updatable=False),
    ),
    create_requires=(('vpnservice_id',), ('ikepolicy_id',), ('ipsecpolicy_id',), ('peer_address',), ('peer_id',),
                     ('psk',), ('local_ep_group_id', 'peer_cidrs'), ('peer_ep_group_id', 'peer_cidrs')),
    cross_checks=(dpd_timeout_above_interval,),
)
