#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: endpoint_group
short_description: Create, update or delete a VPN endpoint group (VPNaaS)
version_added: 0.1.0
description:
  - Manage an endpoint group of the Neutron VPNaaS API, as served by Huawei Cloud (classic VPN),
    Open Telekom Cloud / T Cloud Public and OpenStack. A connection names two of them, the local subnets
    (a group of O(type=subnet)) and the peer networks (a group of O(type=cidr)).
  - The group is found by O(id), else by O(name). Only O(name) and O(description) can be changed; the module
    sends one C(PUT) holding those that differ, or nothing. When the group does not exist, O(state=present) creates it
    with one C(POST). O(state=absent) deletes it, and does nothing if it is already gone.
  - The API refuses to delete a group that connections use; the module then fails naming those connections.
  - Options that are not set are not managed. Check mode only reads; diff mode shows the fields that change.
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
  idempotent:
    description: Running the task again with the same options reports no change.
    support: full
options:
  id:
    description:
      - The id of the endpoint group to manage. When given, O(name) is just a field to set, and with
        O(state=present) the group must exist.
      - One of O(id) and O(name) is required.
    type: str
  state:
    description:
      - V(present) creates the group when it does not exist, and updates it when it differs.
      - V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the group, 1 to 255 characters. Used to find it when O(id) is not given.
    type: str
  description:
    description:
      - A description of the group, at most 255 characters.
    type: str
  type:
    description:
      - What the endpoints are. Connections take a V(subnet) group as their local side and a V(cidr) group as
        their peer side.
      - Required to create a group. It cannot be changed afterwards; asking for another value fails,
        naming the current and the requested value.
    type: str
    choices: [subnet, cidr, network, router, vlan]
  endpoints:
    description:
      - The endpoints, as subnet ids for O(type=subnet) or networks in CIDR notation for O(type=cidr).
      - Compared as a set, so order and repeats do not count, and networks are compared in their canonical form.
      - Required to create a group. They cannot be changed afterwards; asking for others fails, naming the current
        and the requested endpoints. To change them, create a new group, point the connection at it, and delete
        the old one.
    type: list
    elements: str
seealso:
  - module: vpnaas.cloud.endpoint_group_info
  - module: vpnaas.cloud.ipsec_connection
'''

EXAMPLES = r'''
- name: The local side of the tunnel
  vpnaas.cloud.endpoint_group:
    name: hq-local
    type: subnet
    endpoints:
      - 2f0a3c1e-7b4d-4e5f-8a9b-0c1d2e3f4a5b

- name: The networks behind the branch's gateway
  vpnaas.cloud.endpoint_group:
    name: branch-1-peer
    type: cidr
    endpoints:
      - 10.20.0.0/16
      - 10.21.0.0/16

- name: Delete a group no connection uses any more
  vpnaas.cloud.endpoint_group:
    name: branch-1-peer
    state: absent
'''

RETURN = r'''
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "POST https://vpn.example.com/v2.0/vpn/endpoint-groups answered HTTP 429; retry 1 of 4 in 1.0 s"
endpoint_group:
  description:
    - The group as the API returned it after the create or update, or as it is when nothing changed.
    - In check mode, the group as it would be afterwards.
    - An empty dict when the group is absent (O(state=absent)).
  returned: success
  type: dict
  contains:
    id:
      description: The group id.
      type: str
      sample: 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1
    name:
      description: The name.
      type: str
      sample: branch-1-peer
    description:
      description: The description.
      type: str
      sample: ""
    type:
      description: What the endpoints are.
      type: str
      sample: cidr
    endpoints:
      description: The endpoints.
      type: list
      elements: str
      sample: [10.20.0.0/16, 10.21.0.0/16]
  sample:
    id: 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1
    name: branch-1-peer
    description: ""
    type: cidr
    endpoints: [10.20.0.0/16, 10.21.0.0/16]
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import declarative_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import ENDPOINT_GROUP


def main() -> None:
    """Run the module."""
    declarative_module(ENDPOINT_GROUP).run()


if __name__ == '__main__':
    main()
