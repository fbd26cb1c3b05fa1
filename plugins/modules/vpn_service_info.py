#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vpn_service_info
short_description: List VPN services (VPNaaS)
version_added: 0.1.0
description:
  - Report VPN services of the Neutron VPNaaS API (Huawei Cloud classic VPN, Open Telekom Cloud /
    T Cloud Public, OpenStack). Report one by O(id), those with a O(name), or all of them, optionally filtered.
  - Pages through the whole listing where the API pages. Filters are sent to the API and applied here as well,
    because some clouds ignore them.
author:
  - vpnaas.cloud contributors (@vpnaas)
extends_documentation_fragment:
  - vpnaas.cloud.connection
  - vpnaas.cloud.connection.info
  - vpnaas.cloud.connection.action_group
options:
  id:
    description:
      - The id of one service. The result is empty when it does not exist.
    type: str
  name:
    description:
      - Only services with this exact name.
    type: str
  filters:
    description:
      - "Only services whose top-level fields have these values, for example C({router_id: ...}) or
        C({status: ACTIVE}). A list as a value matches any of its items."
      - "Valid keys are the options of M(vpnaas.cloud.vpn_service) and the read-only fields that the API returns: C(id),
        C(name), C(tenant_id), C(project_id), C(status), C(external_v4_ip), C(external_v6_ip), C(flavor_id). An unknown
        key (such as a misspelt C(stauts)) fails the task before any request, naming the valid keys; so does a value of
        the wrong type for its field (a word where a number or a boolean is expected), a value outside the choices of a
        field, an object, or a secret."
    type: dict
    default: {}
seealso:
  - module: vpnaas.cloud.vpn_service
'''

EXAMPLES = r'''
- name: Find the VPN service of a router
  vpnaas.cloud.vpn_service_info:
    filters:
      router_id: 8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b
  register: found

- name: Show its public address
  ansible.builtin.debug:
    msg: "{{ found.vpnservices | map(attribute='external_v4_ip') | list }}"
'''

RETURN = r'''
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "GET https://vpn.example.com/v2.0/vpn/vpnservices answered HTTP 503; retry 1 of 4 in 1.0 s"
vpnservices:
  description:
    - The services found, as the API returns them. Empty when none.
    - See RV(vpnaas.cloud.vpn_service#module:vpnservice) for the fields.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
      name: vpn-main
      status: ACTIVE
      admin_state_up: true
      router_id: 8d9e2a5c-0d6f-4a8e-9f3b-1c2d3e4f5a6b
      subnet_id: null
      external_v4_ip: 198.51.100.7
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import info_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import VPN_SERVICE


def main() -> None:
    """Run the module."""
    info_module(VPN_SERVICE).run_info()


if __name__ == '__main__':
    main()
