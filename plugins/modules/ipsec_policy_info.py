#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ipsec_policy_info
short_description: List IPsec policies (VPNaaS)
version_added: 0.1.0
description:
  - Report IPsec policies of the Neutron VPNaaS API (Huawei Cloud classic VPN, Open Telekom Cloud /
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
      - The id of one policy. The result is empty when it does not exist.
    type: str
  name:
    description:
      - Only policies with this exact name.
    type: str
  filters:
    description:
      - "Only policies whose top-level fields have these values, for example C({transform_protocol: esp}).
        A list as a value matches any of its items."
      - "Valid keys are the options of M(vpnaas.cloud.ipsec_policy) and the read-only fields that the API returns:
        C(id), C(name), C(tenant_id), C(project_id). An unknown key (such as a misspelt C(stauts)) fails the task before
        any request, naming the valid keys; so does a value of the wrong type for its field (a word where a number or a
        boolean is expected), a value outside the choices of a field, an object, or a secret."
    type: dict
    default: {}
seealso:
  - module: vpnaas.cloud.ipsec_policy
'''

EXAMPLES = r'''
- name: List the IPsec policies that still use 3DES
  vpnaas.cloud.ipsec_policy_info:
    filters:
      encryption_algorithm: 3des
  register: old_policies
'''

RETURN = r'''
retried:
  description:
    - One line for each request that was retried (what failed, and after how long it was tried again).
  returned: when a request was retried
  type: list
  elements: str
  sample:
    - "GET https://vpn.example.com/v2.0/vpn/ipsecpolicies answered HTTP 503; retry 1 of 4 in 1.0 s"
ipsecpolicies:
  description:
    - The policies found, as the API returns them. Empty when none.
    - See RV(vpnaas.cloud.ipsec_policy#module:ipsecpolicy) for the fields.
  returned: always
  type: list
  elements: dict
  sample:
    - id: e6e23d0c-9519-4d52-8ea4-5b1f96d857b1
      name: ipsec-aes256
      auth_algorithm: sha256
      encapsulation_mode: tunnel
      encryption_algorithm: aes-256
      lifetime: {units: seconds, value: 3600}
      pfs: group14
      transform_protocol: esp
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import info_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IPSEC_POLICY


def main() -> None:
    """Run the module."""
    info_module(IPSEC_POLICY).run_info()


if __name__ == '__main__':
    main()
