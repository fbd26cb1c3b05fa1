#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: endpoint_group_info
short_description: List VPN endpoint groups (VPNaaS)
version_added: 0.1.0
description:
  - Report endpoint groups of the Neutron VPNaaS API (Huawei Cloud classic VPN, Open Telekom Cloud /
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
      - The id of one group. The result is empty when it does not exist.
    type: str
  name:
    description:
      - Only groups with this exact name.
    type: str
  filters:
    description:
      - "Only groups whose top-level fields have these values, for example C({type: cidr}).
        A list as a value matches any of its items."
      - "Valid keys are the options of M(vpnaas.cloud.endpoint_group) and the read-only fields that the API returns:
        C(id), C(name), C(tenant_id), C(project_id). An unknown key (such as a misspelt C(stauts)) fails the task before
        any request, naming the valid keys; so does a value of the wrong type for its field (a word where a number or a
        boolean is expected), a value outside the choices of a field, an object, or a secret."
    type: dict
    default: {}
seealso:
  - module: vpnaas.cloud.endpoint_group
'''

EXAMPLES = r'''
- name: List the peer-side groups
  vpnaas.cloud.endpoint_group_info:
    filters:
      type: cidr
  register: peer_groups
'''

RETURN = r'''
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "GET https://vpn.example.com/v2.0/vpn/endpoint-groups answered HTTP 503; retry 1 of 4 in 1.0 s"
endpoint_groups:
  description:
    - The groups found, as the API returns them. Empty when none.
    - See RV(vpnaas.cloud.endpoint_group#module:endpoint_group) for the fields.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1
      name: branch-1-peer
      description: ""
      type: cidr
      endpoints: [10.20.0.0/16, 10.21.0.0/16]
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import info_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import ENDPOINT_GROUP


def main() -> None:
    """Run the module."""
    info_module(ENDPOINT_GROUP).run_info()


if __name__ == '__main__':
    main()
