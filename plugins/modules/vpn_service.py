#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vpn_service
short_description: Create, update or delete a VPN service (VPNaaS)
version_added: 0.1.0
description:
  - Manage a VPN service of the Neutron VPNaaS API, as served by Huawei Cloud (classic VPN),
    Open Telekom Cloud / T Cloud Public and OpenStack. A VPN service ties the site-to-site
    connections of a router together; every IPsec site connection belongs to one.
  - The service is found by O(id), else by O(name). When it exists, the module sends one C(PUT) that holds
    only the fields that differ, or nothing. When it does not exist, O(state=present) creates it with one C(POST).
    O(state=absent) deletes it, and does nothing if it is already gone.
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
      - The id of the VPN service to manage. When given, O(name) is just a field to set, and with
        O(state=present) the service must exist.
      - One of O(id) and O(name) is required.
    type: str
  state:
    description:
      - V(present) creates the service when it does not exist, and updates it when it differs.
      - V(absent) deletes it. The API refuses that while connections use the service; the module then fails
        naming those connections.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the service, 1 to 255 characters. Used to find it when O(id) is not given.
    type: str
  description:
    description:
      - A description of the service, at most 255 characters.
    type: str
  admin_state_up:
    description:
      - The administrative state of the service. The server default is V(true).
    type: bool
  router_id:
    description:
      - The id of the router whose connections the service carries.
      - Required to create a service. It cannot be changed afterwards; asking for another value fails,
        naming the current and the requested value.
    type: str
  subnet_id:
    description:
      - The id of the local subnet, for connections that list their peer networks in
        O(vpnaas.cloud.ipsec_connection#module:peer_cidrs) (deprecated by OpenStack in favour of endpoint groups).
      - Set on create only.
    type: str
notes:
  - "A new service stays in C(PENDING_CREATE) until the VPN agent takes it up, which on OpenStack happens when a
    connection uses it. So O(wait) does not wait after a create; it does wait before an update (the API refuses to
    update a service in C(PENDING_*)) and after a delete."
seealso:
  - module: vpnaas.cloud.vpn_service_info
  - module: vpnaas.cloud.ipsec_connection
  - name: OpenStack Networking API reference
    description: The VPNaaS section describes the API this module drives.
    link: https://docs.openstack.org/api-ref/network/v2/index.html
'''

EXAMPLES = r'''
- name: Create the VPN service of the main router
  vpnaas.cloud.vpn_service:
    name: vpn-main
    router_id: 8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b
    description: Site-to-site tunnels of the main router
  register: service

- name: Take the service out of use without deleting it
  vpnaas.cloud.vpn_service:
    name: vpn-main
    admin_state_up: false

- name: Delete the service (its connections must be gone first)
  vpnaas.cloud.vpn_service:
    name: vpn-main
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
    - "PUT https://vpn.example.com/v2.0/vpn/vpnservices/5c56... answered HTTP 503; retry 1 of 4 in 1.0 s"
vpnservice:
  description:
    - The service as the API returned it after the create or update, or as it is when nothing changed.
    - In check mode, the service as it would be afterwards.
    - An empty dict when the service is absent (O(state=absent)).
  returned: success
  type: dict
  contains:
    id:
      description: The service id.
      type: str
      sample: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
    name:
      description: The name.
      type: str
      sample: vpn-main
    description:
      description: The description.
      type: str
      sample: Site-to-site tunnels of the main router
    status:
      description: The status, for example C(ACTIVE), C(DOWN) or C(PENDING_CREATE).
      type: str
      sample: ACTIVE
    admin_state_up:
      description: The administrative state.
      type: bool
      sample: true
    router_id:
      description: The router id.
      type: str
      sample: 8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b
    subnet_id:
      description: The local subnet id, or null.
      type: str
      sample: null
    external_v4_ip:
      description: The public IPv4 address of the service, where the API reports it.
      type: str
      sample: 198.51.100.7
  sample:
    id: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
    name: vpn-main
    status: ACTIVE
    admin_state_up: true
    router_id: 8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b
    subnet_id: null
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import declarative_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import VPN_SERVICE


def main() -> None:
    """Run the module."""
    declarative_module(VPN_SERVICE).run()


if __name__ == '__main__':
    main()
