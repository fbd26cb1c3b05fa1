#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ipsec_connection
short_description: Manage an IPsec site-to-site VPN connection (VPNaaS)
version_added: 0.1.0
description:
  - Change an existing IPsec site connection of the Neutron VPNaaS API, as served by Huawei Cloud (classic VPN),
    Open Telekom Cloud / T Cloud Public and OpenStack.
  - The module reads the connection, compares it with the options given, and sends one C(PUT) that holds only
    the fields that differ. When nothing differs it sends nothing and reports no change.
  - Options that are not set are not managed. Leaving an option out never changes it.
  - Check mode reads the connection only and reports the change a real run would make, with the predicted
    connection in RV(ipsec_site_connection). Diff mode shows the fields that change, before and after.
author:
  - vpnaas.cloud contributors
extends_documentation_fragment:
  - vpnaas.cloud.connection
  - vpnaas.cloud.connection.action_group
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Only the fields that change are shown. The pre-shared key is shown as a fixed mask.
  idempotent:
    description: Running the task again with the same options reports no change.
    support: partial
    details:
      - Fully idempotent when O(psk) is not set, or when O(update_psk=on_create).
      - With O(psk) set and O(update_psk=always), the pre-shared key is compared only when the API returns it readably
        (OpenStack Neutron does). Huawei Cloud and Open Telekom Cloud mask or omit it, so there the key is sent, and a change
        reported, on every run.
options:
  id:
    description:
      - The id of the IPsec site connection to manage.
    type: str
    required: true
  admin_state_up:
    description:
      - The administrative state of the connection.
      - The server default is V(true). Huawei Cloud accepts only V(true).
    type: bool
  description:
    description:
      - A description of the connection, at most 255 characters.
      - Huawei Cloud documents it as reserved for its internal components.
    type: str
  dpd:
    description:
      - Dead peer detection settings.
      - Only the sub-options given are managed; the others keep their current values.
    type: dict
    suboptions:
      action:
        description:
          - What to do when the peer is found dead. The server default is V(hold).
        type: str
        choices: [clear, hold, restart, disabled, restart-by-peer]
      interval:
        description:
          - Seconds between DPD messages, a positive number. The server default is V(30).
          - Must be less than O(dpd.timeout), whether that is given or the connection's current value.
        type: int
      timeout:
        description:
          - Seconds without answer after which the peer is dead, a positive number. The server default is V(120).
          - Must be greater than O(dpd.interval), whether that is given or the connection's current value.
        type: int
  initiator:
    description:
      - Whether the connection initiates and responds (V(bi-directional), the server default), or only responds.
    type: str
    choices: [bi-directional, response-only]
  local_ep_group_id:
    description:
      - The id of the endpoint group (of type C(subnet)) that holds the local subnets.
    type: str
  mtu:
    description:
      - The maximum transmission unit of the tunnel, at least 68.
      - The server default is V(1500); OpenStack requires at least 1280 for IPv6 peers.
    type: int
  name:
    description:
      - The name of the connection, 1 to 64 characters.
    type: str
  peer_address:
    description:
      - The public IPv4 or IPv6 address, or host name, of the peer gateway, at most 250 characters.
      - OpenStack resolves a host name and stores its address; a host name that resolves to the stored
        address is not reported as a change.
    type: str
  peer_cidrs:
    description:
      - The peer's private networks in CIDR notation, compared as a set (order and duplicates do not matter).
      - Deprecated by the API in favour of O(peer_ep_group_id); on OpenStack exclusive with endpoint groups.
    type: list
    elements: str
  peer_ep_group_id:
    description:
      - The id of the endpoint group (of type C(cidr)) that holds the peer's networks.
    type: str
  peer_id:
    description:
      - The peer router's identity for authentication, often its address, at most 250 characters.
    type: str
  psk:
    description:
      - The pre-shared key.
      - When and whether it is sent is decided by O(update_psk).
    type: str
  update_psk:
    description:
      - V(always) compares O(psk) with the connection's key when the API returns the key readably,
        and sends it (reporting a change) when the API masks or omits the key.
      - V(on_create) never sends O(psk) when updating an existing connection.
    type: str
    choices: [always, on_create]
    default: always
notes:
  - "The API refuses to update a connection whose status is C(PENDING_CREATE), C(PENDING_UPDATE) or C(PENDING_DELETE);
    the module then fails with a message naming the status, and only when there is something to change."
seealso:
  - name: OpenStack Networking API reference
    description: The VPNaaS section describes the API this module drives; Huawei Cloud and Open Telekom Cloud serve a clone of it.
    link: https://docs.openstack.org/api-ref/network/v2/index.html
'''

EXAMPLES = r'''
- name: Change the MTU and DPD timeout of a connection
  vpnaas.cloud.ipsec_connection:
    endpoint: https://vpc.eu-de.otc.t-systems.com
    auth_token: "{{ vpn_token }}"
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    mtu: 1400
    dpd:
      timeout: 150

- name: Set the connection options once for every task of the play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/vpnaas.cloud.vpnaas:
      auth_url: https://keystone.example.com:5000/v3
      username: "{{ vpn_user }}"
      password: "{{ vpn_password }}"
      project_name: network
      region: RegionOne
  tasks:
    - name: Point the tunnel at the branch's new gateway
      vpnaas.cloud.ipsec_connection:
        id: 851f280f-5639-4ea3-81aa-e298525ab74b
        peer_address: 203.0.113.20
        peer_id: 203.0.113.20
        peer_cidrs:
          - 10.20.0.0/16
          - 10.21.0.0/16

- name: Rotate the pre-shared key (sent only if it differs, where the API shows the key)
  vpnaas.cloud.ipsec_connection:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    psk: "{{ new_psk }}"
    update_psk: always

- name: Manage everything but the key, which another process rotates
  vpnaas.cloud.ipsec_connection:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    name: branch-1
    description: Tunnel to branch 1
    initiator: response-only
    psk: "{{ initial_psk }}"
    update_psk: on_create
'''

RETURN = r'''
ipsec_site_connection:
  description:
    - The connection as the API returned it after the update, or as it is when nothing changed.
    - In check mode, the connection as it would be after the update.
    - The pre-shared key, when the API returns it, is replaced by a fixed mask.
  returned: success
  type: dict
  contains:
    id:
      description: The connection id.
      type: str
      sample: 851f280f-5639-4ea3-81aa-e298525ab74b
    name:
      description: The connection name.
      type: str
      sample: branch-1
    status:
      description: The connection status.
      type: str
      sample: ACTIVE
    admin_state_up:
      description: The administrative state.
      type: bool
      sample: true
    description:
      description: The description.
      type: str
      sample: Tunnel to branch 1
    dpd:
      description: Dead peer detection settings.
      type: dict
      sample: {action: hold, interval: 30, timeout: 120}
    initiator:
      description: Whether the connection initiates and responds, or only responds.
      type: str
      sample: bi-directional
    mtu:
      description: The tunnel MTU.
      type: int
      sample: 1500
    peer_address:
      description: The peer gateway address.
      type: str
      sample: 203.0.113.20
    peer_id:
      description: The peer router identity.
      type: str
      sample: 203.0.113.20
    peer_cidrs:
      description: The peer networks (deprecated by the API).
      type: list
      elements: str
      sample: [10.20.0.0/16]
    local_ep_group_id:
      description: The local endpoint group id.
      type: str
      sample: 3e1815dd-e212-43d0-8f13-b494fa553e68
    peer_ep_group_id:
      description: The peer endpoint group id.
      type: str
      sample: 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1
    psk:
      description: The pre-shared key, masked; absent when the API does not return it.
      type: str
      sample: "********"
    vpnservice_id:
      description: The VPN service id.
      type: str
      sample: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
    ikepolicy_id:
      description: The IKE policy id.
      type: str
      sample: 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f
    ipsecpolicy_id:
      description: The IPsec policy id.
      type: str
      sample: e6e23d0c-9519-4d52-8ea4-5b1f96d857b1
  sample:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    name: branch-1
    status: ACTIVE
    admin_state_up: true
    dpd: {action: hold, interval: 30, timeout: 120}
    initiator: bi-directional
    mtu: 1400
    peer_address: 203.0.113.20
    peer_id: 203.0.113.20
    peer_cidrs: []
    psk: "********"
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import (
    Field,
    Resource,
    ResourceModule,
    at_least,
    length,
    networks,
    positive_suboptions,
)


def dpd_timeout_above_interval(current: dict, predicted: dict, desired: dict):
    """The API requires dpd.timeout > dpd.interval: check the merged result before the PUT.

    Only one of the two may be given, so this needs the connection's current value.
    """
    dpd = predicted.get('dpd') or {}
    interval, timeout = dpd.get('interval', 30), dpd.get('timeout', 120)
    if not desired.get('dpd') or timeout > interval:
        return None
    return ("dpd: timeout (%s) must be greater than interval (%s); the connection's current dpd is %s"
            % (timeout, interval, current.get('dpd')))


def dpd_values_consistent(value: dict):
    """When both are given, timeout must exceed interval (checked before any request)."""
    if value.get('interval') is not None and value.get('timeout') is not None and value['timeout'] <= value['interval']:
        return 'timeout (%s) must be greater than interval (%s)' % (value['timeout'], value['interval'])
    return None


IPSEC_SITE_CONNECTION = Resource(
    noun='IPsec site connection',
    collection='ipsec-site-connections',
    key='ipsec_site_connection',
    fields=(
        Field('admin_state_up', dict(type='bool'), default=True),
        Field('description', dict(type='str'), default='', checks=(length(0, 255),)),
        Field('dpd', dict(type='dict', options=dict(
            action=dict(type='str', choices=['clear', 'hold', 'restart', 'disabled', 'restart-by-peer']),
            interval=dict(type='int'),
            timeout=dict(type='int'),
        )), rule=compare.SUBSET, default={'action': 'hold', 'interval': 30, 'timeout': 120},
            checks=(positive_suboptions('interval', 'timeout'), dpd_values_consistent)),
        Field('initiator', dict(type='str', choices=['bi-directional', 'response-only']), default='bi-directional'),
        Field('local_ep_group_id', dict(type='str')),
        Field('mtu', dict(type='int'), default=1500, checks=(at_least(68),)),
        Field('name', dict(type='str'), default='', checks=(length(1, 64),)),
        Field('peer_address', dict(type='str'), rule=compare.ADDRESS, checks=(length(1, 250),)),
        Field('peer_cidrs', dict(type='list', elements='str'), rule=compare.CIDR_SET, default=[], checks=(networks,)),
        Field('peer_ep_group_id', dict(type='str')),
        Field('peer_id', dict(type='str'), checks=(length(1, 250),)),
        Field('psk', dict(type='str', no_log=True), rule=compare.SECRET, checks=(length(1, 128),)),
    ),
    cross_checks=(dpd_timeout_above_interval,),
)


def main() -> None:
    """Run the module."""
    runner = ResourceModule(IPSEC_SITE_CONNECTION, dict(
        id=dict(type='str', required=True),
        update_psk=dict(type='str', choices=['always', 'on_create'], default='always', no_log=False),
    ))
    runner.run_update(runner.params['id'], runner.params['update_psk'])


if __name__ == '__main__':
    main()
