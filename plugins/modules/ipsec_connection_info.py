#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ipsec_connection_info
short_description: List IPsec site-to-site VPN connections (VPNaaS)
version_added: 0.1.0
description:
  - Report IPsec site connections of the Neutron VPNaaS API (Huawei Cloud classic VPN, Open Telekom Cloud /
    T Cloud Public, OpenStack). Report one by O(id), those with a O(name), or all of them, optionally filtered.
  - Pages through the whole listing where the API pages. Filters are sent to the API and applied here as well,
    because some clouds ignore them.
  - The pre-shared keys are masked.
author:
  - vpnaas.cloud contributors (@vpnaas)
extends_documentation_fragment:
  - vpnaas.cloud.connection
  - vpnaas.cloud.connection.info
  - vpnaas.cloud.connection.action_group
options:
  id:
    description:
      - The id of one connection. The result is empty when it does not exist.
    type: str
  name:
    description:
      - Only connections with this exact name.
    type: str
  filters:
    description:
      - "Only connections whose top-level fields have these values, for example C({status: ACTIVE}),
        C({vpnservice_id: ...}) or C({peer_address: 203.0.113.20})."
      - "A list as a value matches any of its items, for example C({status: [DOWN, ERROR]})."
      - "Valid keys are the options of M(vpnaas.cloud.ipsec_connection) and the read-only fields that the API returns:
        C(id), C(name), C(tenant_id), C(project_id), C(status), C(route_mode), C(auth_mode), C(local_id),
        C(created_at). An unknown key (such as a misspelt C(stauts)) fails the task before any request, naming the
        valid keys; so does a value of the wrong type for its field (a word where a number or a boolean is
        expected), a value outside the choices of a field, an object, or a secret."
    type: dict
    default: {}
seealso:
  - module: vpnaas.cloud.ipsec_connection
'''

EXAMPLES = r'''
- name: Report every tunnel that is not up
  vpnaas.cloud.ipsec_connection_info:
    filters:
      status: [DOWN, ERROR]
  register: broken

- name: Show them
  ansible.builtin.debug:
    msg: "{{ broken.ipsec_site_connections | map(attribute='name') | list }}"

- name: Find a connection by name
  vpnaas.cloud.ipsec_connection_info:
    name: branch-1
  register: branch

- name: All connections of one VPN service
  vpnaas.cloud.ipsec_connection_info:
    filters:
      vpnservice_id: 5c561d9d-eaea-45f6-ae3e-08d1a7080828
'''

RETURN = r'''
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "PUT https://vpn.example.com/v2.0/vpn/ipsec-site-connections/851f... answered HTTP 503; retry 1 of 4 in 1.0 s"
ipsec_site_connections:
  description:
    - The connections found, as the API returns them, with the pre-shared key masked. Empty when none.
    - See RV(vpnaas.cloud.ipsec_connection#module:ipsec_site_connection) for the fields.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 851f280f-5639-4ea3-81aa-e298525ab74b
      name: branch-1
      status: ACTIVE
      peer_address: 203.0.113.20
      peer_id: 203.0.113.20
      psk: "********"
      mtu: 1500
      dpd: {action: hold, interval: 30, timeout: 120}
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import info_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IPSEC_SITE_CONNECTION


def main() -> None:
    """Run the module."""
    info_module(IPSEC_SITE_CONNECTION).run_info()


if __name__ == '__main__':
    main()
