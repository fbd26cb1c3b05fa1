#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ipsec_connections
short_description: Manage all the IPsec site connections of a VPN service (a hub's tunnels) as one list
version_added: 0.2.0
description:
  - A resource module, in the way of the network resource modules (ansible.netcommon, cisco.ios). O(config) is the
    list of the connections of one VPN service (the hub), each identified by its O(config[].name). O(state) says what
    to do with it, with the meanings those modules give it.
  - The module reads the VPN service's connections in one listing (all its pages), not one request for each item.
    It resolves references by name once for the run, and sends a create, update or delete only for the items that
    differ. An update holds only the fields that differ, as with M(vpnaas.cloud.ipsec_connection). Nothing is sent
    when nothing differs.
  - Writes run in parallel, at most O(parallel) at a time. Waits poll the listing, one request for all the connections
    waited on.
  - A failed item does not stop the others. The task fails at the end and names every item that failed, with its
    error. C(changed) tells what was done.
  - O(vpnservice) is the scope. Nothing outside this VPN service is ever read for deletion, or changed.
  - Check mode sends no write and returns the whole plan in RV(commands). Diff mode shows, for each connection that
    changes, the changed fields before and after.
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
      - A list of diffs, one for each connection that changes, headed by its name; only the changed fields are shown.
      - The pre-shared key is never shown; one that is sent shows as C(******** (current)) to C(******** (new)).
  idempotent:
    description: Running the task again with the same options reports no change.
    support: full
    details:
      - O(state=gathered) then O(state=overridden) with what it returned reports no change and sends no write.
      - O(update_psk=always) sends each item's O(config[].psk) on every run, as M(vpnaas.cloud.ipsec_connection) does.
options:
  vpnservice:
    description:
      - The VPN service (the hub), by name or id; its connections are the ones this task manages.
      - One of O(vpnservice) and O(vpnservice_id) is required, except with O(state=parsed).
      - With O(state=rendered) the value is used as given, and nothing is looked up.
    type: str
  vpnservice_id:
    description:
      - The id of the VPN service. Mutually exclusive with O(vpnservice).
    type: str
  ikepolicy:
    description:
      - The IKE policy, by name or id, of every item that does not give its own.
    type: str
  ikepolicy_id:
    description:
      - The id of the IKE policy of every item that does not give its own. Mutually exclusive with O(ikepolicy).
    type: str
  ipsecpolicy:
    description:
      - The IPsec policy, by name or id, of every item that does not give its own.
    type: str
  ipsecpolicy_id:
    description:
      - The id of the IPsec policy of every item that does not give its own. Mutually exclusive with O(ipsecpolicy).
    type: str
  local_ep_group:
    description:
      - The local endpoint group (the hub's subnets), by name or id, of every item that does not give its own.
    type: str
  local_ep_group_id:
    description:
      - The id of the local endpoint group of every item that does not give its own. Mutually exclusive with
        O(local_ep_group).
    type: str
  config:
    description:
      - The connections, each identified by its O(config[].name), which must be unique in the list. A name given
        twice fails before any request is sent.
      - Each item takes the options of M(vpnaas.cloud.ipsec_connection), except the VPN service (the task's scope).
        It also takes O(config[].peer_networks).
      - Required with O(state=merged), O(state=replaced), O(state=overridden) and O(state=rendered).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The connection's name, which identifies it in the VPN service (1 to 64 characters).
          - Two connections of the VPN service with this name make the item fail, naming both ids.
        type: str
        required: true
      peer_address:
        description: The peer gateway's public address, or a host name.
        type: str
      peer_id:
        description: The peer router's identity for authentication (usually its address).
        type: str
      psk:
        description:
          - The pre-shared key. Required to create a connection. It follows O(update_psk).
          - Never shown. O(state=gathered) leaves it out, since the APIs do not return it usably.
        type: str
      peer_networks:
        description:
          - The branch's networks (CIDRs). The module keeps them in the connection's peer endpoint group, named
            C(<name>-peers), and creates that group when needed.
          - When the list changes, a new group is created and swapped into the connection in place (the connection is
            updated, not made again). The old group is then deleted, if it is named C(<name>-peers) and no other
            connection of the VPN service uses it.
          - The group is deleted with the connection on the same terms. Groups of other names are never deleted.
          - A C(<name>-peers) group that holds exactly these networks and that no connection of the VPN service uses
            (left behind when the connection was deleted outside this module) is used again rather than made twice.
          - Mutually exclusive with O(config[].peer_ep_group), O(config[].peer_ep_group_id) and O(config[].peer_cidrs).
        type: list
        elements: str
      peer_cidrs:
        description: The peer networks in the API's older form (no endpoint groups); prefer O(config[].peer_networks).
        type: list
        elements: str
      peer_ep_group:
        description: The peer endpoint group, by name or id, when you manage it yourself.
        type: str
      peer_ep_group_id:
        description: The id of the peer endpoint group. Mutually exclusive with O(config[].peer_ep_group).
        type: str
      local_ep_group:
        description: The local endpoint group, by name or id; overrides O(local_ep_group).
        type: str
      local_ep_group_id:
        description: The id of the local endpoint group; overrides O(local_ep_group_id).
        type: str
      ikepolicy:
        description: The IKE policy, by name or id; overrides O(ikepolicy). Set on create only.
        type: str
      ikepolicy_id:
        description: The id of the IKE policy; overrides O(ikepolicy_id).
        type: str
      ipsecpolicy:
        description: The IPsec policy, by name or id; overrides O(ipsecpolicy). Set on create only.
        type: str
      ipsecpolicy_id:
        description: The id of the IPsec policy; overrides O(ipsecpolicy_id).
        type: str
      admin_state_up:
        description: The administrative state. The server default is V(true).
        type: bool
      description:
        description: A description, at most 255 characters.
        type: str
      dpd:
        description: Dead peer detection settings; only the sub-options given are compared (with O(state=merged)).
        type: dict
        suboptions:
          action:
            description: What to do when the peer is found dead. The server default is V(hold).
            type: str
            choices: [clear, hold, restart, disabled, restart-by-peer]
          interval:
            description: Seconds between checks. The server default is V(30).
            type: int
          timeout:
            description: Seconds after which the peer is declared dead; above O(config[].dpd.interval). The default is V(120).
            type: int
      initiator:
        description: Whether the hub initiates and responds, or only responds.
        type: str
        choices: [bi-directional, response-only]
      local_id:
        description: The local IKE identity (OpenStack only); empty for the router's address.
        type: str
      mtu:
        description: The tunnel MTU, at least 68. The server default is V(1500).
        type: int
  state:
    description:
      - V(merged) (the default) creates the items that do not exist and updates the options given of those that
        do; options left out are not managed.
      - V(replaced) makes the items listed exactly as given. Options left out go back to the server's defaults
        (C(admin_state_up), C(description), C(dpd), C(initiator), C(local_id), C(mtu), and C(peer_cidrs) beside an
        endpoint group). A psk left out is left alone, since there is no default to return to.
      - V(overridden) works as V(replaced), and also deletes every connection of the VPN service that is not listed.
      - V(deleted) deletes the items listed. With no O(config), it deletes every connection of the VPN service.
        Only the name of an item is used.
      - V(gathered) only reads. It returns RV(gathered), the connections of the VPN service in exactly the shape
        O(config) accepts (no psk).
      - V(rendered) works offline and sends no request. It returns RV(rendered), the requests that would create the
        items, with references left as given.
      - V(parsed) works offline. It turns O(running_config) into RV(parsed), in the shape O(config) accepts.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered, parsed]
    default: merged
  running_config:
    description:
      - With O(state=parsed), the JSON of a list of connections as the API returns them, either a list or an
        object with the key C(ipsec_site_connections).
    type: str
  update_psk:
    description:
      - When to send an item's O(config[].psk) to a connection that exists, as in M(vpnaas.cloud.ipsec_connection).
      - V(on_change) sends it when the API shows a different key. Huawei Cloud and Open Telekom Cloud mask the key, so
        there it is never sent.
      - V(always) sends it on every run (a rotation). V(on_create) sends it only in a create.
    type: str
    choices: [on_change, always, on_create]
    default: on_change
  parallel:
    description:
      - How many writes at most run at the same time (1 to 16). Each write is one request. A connection's own
        requests (its peer endpoint group, then itself) run in order.
      - Raise it with care. A cloud's rate limit answers HTTP 429, and the module waits and retries then (see
        O(retries)).
    type: int
    default: 4
notes:
  - >-
    Departures from the network resource modules: O(state=rendered) returns API requests rather than device
    commands. RV(commands) holds the requests planned or sent, for example
    C(PUT /v2.0/vpn/ipsec-site-connections/<id> {"mtu": 1400}), with secrets masked. RV(before) and RV(after) list
    only the connections of O(vpnservice).
  - The peer endpoint groups are named C(<name>-peers). A group of another name is never deleted. A group that the
    API refuses to delete (still in use) is kept, with a warning.
  - With O(wait), the module waits as the option says, with one difference. A delete is done once the API accepts
    it. The listing is polled until the connection is gone only when its peer endpoint group is deleted after it.
  - The writes of one run are not a transaction. When some items fail, the others are done. Run the task again once
    the cause is fixed; it picks up where the failed items are.
seealso:
  - module: vpnaas.cloud.ipsec_connection
  - module: vpnaas.cloud.ipsec_connection_info
  - name: Network resource modules
    description: The states and the shape of the results that this module follows.
    link: https://docs.ansible.com/ansible/latest/network/user_guide/network_resource_modules.html
'''

EXAMPLES = r'''
- name: The hub's branches, all in one task (merged; the second run reports no change)
  vpnaas.cloud.ipsec_connections:
    vpnservice: hub
    ikepolicy: ike-aes256
    ipsecpolicy: ipsec-aes256
    local_ep_group: hub-subnets
    config:
      - name: branch-1
        peer_address: 203.0.113.10
        peer_id: 203.0.113.10
        psk: "{{ branch_psks['branch-1'] }}"
        peer_networks: [10.1.0.0/16]
      - name: branch-2
        peer_address: 203.0.113.20
        peer_id: 203.0.113.20
        psk: "{{ branch_psks['branch-2'] }}"
        peer_networks: [10.2.0.0/16, 10.102.0.0/16]
        mtu: 1400

- name: Exactly these branches; every other connection of the hub is deleted
  vpnaas.cloud.ipsec_connections:
    vpnservice: hub
    ikepolicy: ike-aes256
    ipsecpolicy: ipsec-aes256
    local_ep_group: hub-subnets
    config: "{{ branches }}"
    state: overridden

- name: Read what the hub has, in the shape config takes
  vpnaas.cloud.ipsec_connections:
    vpnservice: hub
    state: gathered
  register: hub

- name: Keep it as a variable file to manage from now on (psks to be added, from a vault)
  ansible.builtin.copy:
    content: "{{ {'branches': hub.gathered} | to_nice_yaml }}"
    dest: host_vars/hub/branches.yml
    mode: "0600"

- name: Remove two branches
  vpnaas.cloud.ipsec_connections:
    vpnservice: hub
    config:
      - name: branch-7
      - name: branch-8
    state: deleted
'''

RETURN = r'''
before:
  description: The connections of the VPN service before the task, in the shape of O(config), the psk masked.
  returned: with O(state) merged, replaced, overridden and deleted
  type: list
  elements: dict
  sample:
    - name: branch-1
      peer_address: 203.0.113.10
      peer_id: 203.0.113.10
      mtu: 1500
      peer_networks: [10.1.0.0/16]
      psk: "********"
after:
  description:
    - The connections of the VPN service after the task (in check mode, as they would be), in the shape of O(config),
      the psk masked.
  returned: with O(state) merged, replaced, overridden and deleted
  type: list
  elements: dict
  sample:
    - name: branch-1
      peer_address: 203.0.113.10
      peer_id: 203.0.113.10
      mtu: 1400
      peer_networks: [10.1.0.0/16]
      psk: "********"
commands:
  description:
    - The requests planned (check mode) or sent, in order for each connection, secrets masked.
  returned: with O(state) merged, replaced, overridden and deleted
  type: list
  elements: str
  sample:
    - 'PUT /v2.0/vpn/ipsec-site-connections/851f280f-5639-4ea3-81aa-e298525ab74b {"mtu": 1400}'
failures:
  description: The items that failed, each with its name and error; the task fails when there are any.
  returned: when an item failed
  type: list
  elements: dict
  contains:
    name:
      description: The connection name.
      type: str
    msg:
      description: What went wrong, with the API's own words.
      type: str
  sample:
    - name: branch-9
      msg: "POST https://vpn.example.com/v2.0/vpn/ipsec-site-connections answered HTTP 400: ..."
gathered:
  description: The connections of the VPN service, sorted by name, in exactly the shape O(config) accepts (no psk).
  returned: with O(state=gathered)
  type: list
  elements: dict
  sample:
    - name: branch-1
      description: ""
      admin_state_up: true
      peer_address: 203.0.113.10
      peer_id: 203.0.113.10
      initiator: bi-directional
      mtu: 1500
      dpd: {action: hold, interval: 30, timeout: 120}
      ikepolicy_id: 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f
      ipsecpolicy_id: e6e23d0c-9519-4d52-8ea4-5b1f96d857b1
      local_ep_group_id: 3e1815dd-e212-43d0-8f13-b494fa553e68
      peer_networks: [10.1.0.0/16]
rendered:
  description: The requests that would create the items (method, path, body), offline, references as given, psk masked.
  returned: with O(state=rendered)
  type: list
  elements: dict
  sample:
    - method: POST
      path: /v2.0/vpn/ipsec-site-connections
      body: {ipsec_site_connection: {name: branch-1, peer_address: 203.0.113.10, psk: "********", vpnservice_id: hub}}
parsed:
  description: O(running_config) in the shape O(config) accepts, sorted by name.
  returned: with O(state=parsed)
  type: list
  elements: dict
  sample:
    - name: branch-1
      peer_address: 203.0.113.10
      peer_id: 203.0.113.10
retried:
  description: One line for each request that was retried.
  returned: when a request was retried
  type: list
  elements: str
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._fleet import FleetModule


def main() -> None:
    """Run the module."""
    FleetModule().run()


if __name__ == '__main__':
    main()
