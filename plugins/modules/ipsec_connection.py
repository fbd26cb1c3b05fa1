#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ipsec_connection
short_description: Create, update or delete an IPsec site-to-site VPN connection (VPNaaS)
version_added: 0.1.0
description:
  - Manage an IPsec site connection of the Neutron VPNaaS API, as served by Huawei Cloud (classic VPN),
    Open Telekom Cloud / T Cloud Public and OpenStack.
  - The connection is found by O(id), else by O(name). When it exists, the module compares it with the options
    given and sends one C(PUT) that holds only the fields that differ; when nothing differs it sends nothing and
    reports no change. When it does not exist, O(state=present) creates it with one C(POST).
    O(state=absent) deletes it, and does nothing if it is already gone.
  - Options that are not set are not managed. Leaving an option out never changes it.
  - Check mode only reads, and reports the change a real run would make, with the predicted
    connection in RV(ipsec_site_connection). Diff mode shows the fields that change, before and after.
  - A create is never sent twice. If the API gives no clear answer to it (a timeout, a reset connection or a
    5xx status), the module looks the connection up by O(name) before it decides anything.
author:
  - vpnaas.cloud contributors (@vpnaas)
extends_documentation_fragment:
  - vpnaas.cloud.connection
  - vpnaas.cloud.connection.wait
  - vpnaas.cloud.connection.action_group
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Only the fields that change are shown.
      - The pre-shared key is never shown. When it is sent, or would be in check mode, the diff shows it changing from
        C(******** (current)) to C(******** (new)), so that a key rotation is visible without the key.
  idempotent:
    description: Running the task again with the same options reports no change.
    support: full
    details:
      - With the default O(update_psk=on_change), an unchanged connection is reported unchanged after one C(GET) on every
        cloud, whether or not the API shows the pre-shared key (RV(psk_compared) tells which).
      - O(update_psk=always) is the explicit rotation run. Where the API masks or omits the key (Huawei Cloud, Open Telekom
        Cloud) it sends the key, and reports a change, on every run.
options:
  id:
    description:
      - The id of the IPsec site connection to manage.
      - When given, the connection is found by id, and O(name) is just a field to set.
        A connection cannot be created with a chosen id, so with O(state=present) the connection must exist.
      - One of O(id) and O(name) is required.
    type: str
  state:
    description:
      - V(present) creates the connection when it does not exist, and updates it when it differs.
      - V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  vpnservice_id:
    description:
      - The id of the VPN service the connection belongs to.
      - Required to create a connection (or O(vpnservice)). It cannot be changed afterwards; asking for another value
        fails, naming the current and the requested value.
    type: str
  vpnservice:
    description:
      - The VPN service, by name or id; the module looks the name up (one more request) and uses its id as
        O(vpnservice_id). A value in the form of an id (a UUID) is taken as the id.
      - Fails when no service, or more than one, has that name. In check mode a name that matches nothing
        (a service that the same check run would create) is kept as it is, with a warning.
      - Mutually exclusive with O(vpnservice_id).
    type: str
  ikepolicy_id:
    description:
      - The id of the IKE policy of the connection.
      - Required to create a connection (or O(ikepolicy)). It cannot be changed afterwards.
    type: str
  ikepolicy:
    description:
      - The IKE policy, by name or id, looked up as described for O(vpnservice).
      - Mutually exclusive with O(ikepolicy_id).
    type: str
  ipsecpolicy_id:
    description:
      - The id of the IPsec policy of the connection.
      - Required to create a connection (or O(ipsecpolicy)). It cannot be changed afterwards.
    type: str
  ipsecpolicy:
    description:
      - The IPsec policy, by name or id, looked up as described for O(vpnservice).
      - Mutually exclusive with O(ipsecpolicy_id).
    type: str
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
      - Required to create a connection (or O(local_ep_group)), unless O(peer_cidrs) is given (OpenStack, VPN service
        with a subnet). It can be changed.
    type: str
  local_id:
    description:
      - The local IKE identity of the connection, at most 255 characters, for example an FQDN or the public address
        that the peer sees when the router is behind NAT.
      - The server default is an empty string, which means the router's public address.
      - Part of the OpenStack Neutron API. Huawei Cloud and Open Telekom Cloud do not document it; set it there and the API
        decides (an API that does not know it refuses the update or create with its own message).
    type: str
  local_ep_group:
    description:
      - The local endpoint group, by name or id, looked up as described for O(vpnservice).
      - Mutually exclusive with O(local_ep_group_id).
    type: str
  mtu:
    description:
      - The maximum transmission unit of the tunnel, at least 68.
      - The server default is V(1500); OpenStack requires at least 1280 for IPv6 peers.
    type: int
  name:
    description:
      - The name of the connection, 1 to 64 characters.
      - Without O(id), the connection is found by its name. If several connections have the name,
        the module fails and lists their ids; it never picks one.
    type: str
  peer_address:
    description:
      - The public IPv4 or IPv6 address, or host name, of the peer gateway, at most 250 characters.
      - Required to create a connection.
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
      - Required to create a connection (or O(peer_ep_group)), unless O(peer_cidrs) is given. It can be changed.
    type: str
  peer_ep_group:
    description:
      - The peer endpoint group, by name or id, looked up as described for O(vpnservice).
      - Mutually exclusive with O(peer_ep_group_id).
    type: str
  peer_id:
    description:
      - The peer router's identity for authentication, often its address, at most 250 characters.
      - Required to create a connection.
    type: str
  psk:
    description:
      - The pre-shared key, 1 to 128 characters (Huawei Cloud and Open Telekom Cloud require 6 to 128).
      - Required to create a connection. Whether it is sent to an existing connection is decided by O(update_psk).
    type: str
  update_psk:
    description:
      - When O(psk) is sent to a connection that exists. A create always sends it.
      - V(on_change) compares O(psk) with the connection's key where the API returns the key readably (OpenStack Neutron),
        and sends it only when it differs. Where the API masks the key (for example as C(******)) or omits it
        (Huawei Cloud, Open Telekom Cloud), the key cannot be compared and is never sent; RV(psk_compared) is then V(false).
      - V(always) compares the same way where the key is readable, and sends it where the API masks or omits it, reporting
        a change. Use it for the run that rotates the key on Huawei Cloud or Open Telekom Cloud.
      - V(on_create) never sends O(psk) to an existing connection.
      - V(always) and V(on_create) mean what they mean for C(update_password) in openstack.cloud's user module. The default
        departs from that convention (there V(always)), since on clouds that mask the key V(always) would send it, report a
        change and may renegotiate the tunnel on every run.
    type: str
    choices: [on_change, always, on_create]
    default: on_change
  wait_active:
    description:
      - With V(true) and O(state=present), after the create or update, or when nothing changed, wait until the
        connection's status is C(ACTIVE), polling with a growing interval (0.5 s doubling up to 5 s) for at most
        O(wait_active_timeout) seconds.
      - C(DOWN), C(BUILD) and C(PENDING_*) are not C(ACTIVE), so the wait goes on through them (unlike O(wait), which counts
        C(DOWN) as settled). C(ERROR) fails the task at once. A timeout fails naming the last status seen.
      - A failure after a create or update still reports C(changed=true) and the connection.
      - Not done in check mode. A tunnel becomes C(ACTIVE) only once the peer answers, so set this only when it is up.
    type: bool
    default: false
  wait_active_timeout:
    description:
      - How many seconds, at most, O(wait_active=true) waits for C(ACTIVE); its own limit, apart from O(wait_timeout).
    type: int
    default: 300
notes:
  - "The API refuses to update a connection whose status is C(PENDING_CREATE), C(PENDING_UPDATE) or C(PENDING_DELETE).
    With O(wait=true) the module waits that out; with O(wait=false) it fails naming the status, and only when there is
    something to change."
  - "A new connection starts in C(PENDING_CREATE) until the VPN agent reports on it; with O(wait=true) the module
    returns once it is C(ACTIVE) or C(DOWN). To wait until the tunnel is up, set O(wait_active=true)."
  - "Once the API has accepted a write, the task reports C(changed=true) whatever fails afterwards (a wait that times out,
    C(ERROR) after the create or update, a later request), with the connection and its id in RV(ipsec_site_connection);
    the next run finds it and converges."
seealso:
  - module: vpnaas.cloud.ipsec_connection_info
  - module: vpnaas.cloud.vpn_service
  - module: vpnaas.cloud.ike_policy
  - module: vpnaas.cloud.ipsec_policy
  - module: vpnaas.cloud.endpoint_group
  - name: OpenStack Networking API reference
    description: The VPNaaS section describes the API this module drives; Huawei Cloud and Open Telekom Cloud serve a clone of it.
    link: https://docs.openstack.org/api-ref/network/v2/index.html
'''

EXAMPLES = r'''
- name: Create a tunnel to branch 1, or bring it in line if it exists
  vpnaas.cloud.ipsec_connection:
    auth_url: https://keystone.example.com:5000/v3
    username: "{{ vpn_user }}"
    password: "{{ vpn_password }}"
    project_name: network
    name: branch-1
    vpnservice_id: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
    ikepolicy_id: 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f
    ipsecpolicy_id: e6e23d0c-9519-4d52-8ea4-5b1f96d857b1
    local_ep_group_id: 3e1815dd-e212-43d0-8f13-b494fa553e68
    peer_ep_group_id: 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1
    peer_address: 203.0.113.20
    peer_id: 203.0.113.20
    psk: "{{ branch1_psk }}"
  register: tunnel

- name: The same, naming the service, policies and endpoint groups (each name costs one lookup request)
  vpnaas.cloud.ipsec_connection:
    name: branch-1
    vpnservice: vpn-main
    ikepolicy: ike-aes256
    ipsecpolicy: ipsec-aes256
    local_ep_group: hq-local
    peer_ep_group: branch-1-peer
    peer_address: 203.0.113.20
    peer_id: 203.0.113.20
    psk: "{{ branch1_psk }}"
    wait_active: true
    wait_active_timeout: 120

- name: Behind NAT, identify the local end by its public FQDN (OpenStack)
  vpnaas.cloud.ipsec_connection:
    name: branch-1
    local_id: vpn.hq.example.com

- name: Change the MTU and DPD timeout of a connection, by id
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

- name: Rotate the pre-shared key on OpenStack (sent only if it differs; the API shows the key)
  vpnaas.cloud.ipsec_connection:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    psk: "{{ new_psk }}"

- name: Rotate the pre-shared key on Huawei Cloud or OTC, which mask it (sent, and changed, on every run)
  vpnaas.cloud.ipsec_connection:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    psk: "{{ new_psk }}"
    update_psk: always

- name: Rename a connection (found by id, so name is just a field here)
  vpnaas.cloud.ipsec_connection:
    id: 851f280f-5639-4ea3-81aa-e298525ab74b
    name: branch-1-primary

- name: Remove the tunnel to branch 1
  vpnaas.cloud.ipsec_connection:
    name: branch-1
    state: absent
'''

RETURN = r'''
psk_compared:
  description:
    - Whether the module could compare O(psk) with the connection's key. V(true) when the API showed the key and it was
      compared; V(false) when the API masked or omitted it (Huawei Cloud, Open Telekom Cloud), so the key could not be
      verified, or with O(update_psk=on_create), which does not look at it.
  returned: when O(psk) is given, O(state=present) and the connection already existed
  type: bool
  sample: false
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "PUT https://vpn.example.com/v2.0/vpn/ipsec-site-connections/851f... answered HTTP 503; retry 1 of 4 in 1.0 s"
ipsec_site_connection:
  description:
    - The connection as the API returned it after the create or update, or as it is when nothing changed.
    - In check mode, the connection as it would be afterwards.
    - An empty dict when the connection is absent (O(state=absent)).
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
    local_id:
      description: The local IKE identity; empty for the router's address. OpenStack only.
      type: str
      sample: vpn.hq.example.com
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

from ansible_collections.vpnaas.cloud.plugins.module_utils._compare import SECRET_UPDATE_MODES
from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import declarative_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._store import DEFAULT_WAIT_ACTIVE_TIMEOUT
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IPSEC_SITE_CONNECTION


def main() -> None:
    """Run the module."""
    runner = declarative_module(IPSEC_SITE_CONNECTION, dict(
        update_psk=dict(type='str', choices=list(SECRET_UPDATE_MODES), default='on_change', no_log=False),
        wait_active=dict(type='bool', default=False),
        wait_active_timeout=dict(type='int', default=DEFAULT_WAIT_ACTIVE_TIMEOUT),
    ))
    runner.run(runner.params['update_psk'])


if __name__ == '__main__':
    main()
