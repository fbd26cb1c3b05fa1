#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ike_policy
short_description: Create, update or delete an IKE policy (VPNaaS)
version_added: 0.1.0
description:
  - Manage an IKE policy (the phase 1 settings of a tunnel) of the Neutron VPNaaS API, as served by
    Huawei Cloud (classic VPN), Open Telekom Cloud / T Cloud Public and OpenStack.
  - The policy is found by O(id), else by O(name). When it exists, the module sends one C(PUT) that holds
    only the fields that differ (only the O(lifetime) sub-options that differ), or nothing. When it does not
    exist, O(state=present) creates it with one C(POST). O(state=absent) deletes it, and does nothing if it is
    already gone.
  - The API refuses to change or delete a policy that connections use; the module then fails naming those connections.
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
      - The id of the IKE policy to manage. When given, O(name) is just a field to set, and with
        O(state=present) the policy must exist.
      - One of O(id) and O(name) is required.
    type: str
  state:
    description:
      - V(present) creates the policy when it does not exist, and updates it when it differs.
      - V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the policy, 1 to 64 characters (the limit of Huawei Cloud and OTC; the module checks it on every
        cloud, although OpenStack would take 255). Used to find it when O(id) is not given.
    type: str
  description:
    description:
      - A description of the policy, at most 255 characters.
    type: str
  auth_algorithm:
    description:
      - The integrity (hash) algorithm.
      - "The values differ between clouds, and the API checks them. OpenStack (Neutron VPNaaS 29) accepts C(sha256),
        C(sha384), C(sha512), C(aes-xcbc) and C(aes-cmac). Huawei Cloud and Open Telekom Cloud accept C(md5), C(sha1),
        C(sha2-256), C(sha2-384) and C(sha2-512): the same SHA-2 algorithms, spelt differently, so a value valid on
        one cloud is refused on the other."
      - The server default is V(sha1). OpenStack 2026.2 answers a policy with V(sha1), or with no O(auth_algorithm)
        at all, with C(HTTP 500), so give it when creating a policy there.
      - The guide R(Values per cloud,ansible_collections.vpnaas.cloud.docsite.guide_clouds) has the full lists.
    type: str
  encryption_algorithm:
    description:
      - The encryption algorithm. The server default is V(aes-128).
      - Huawei Cloud and OTC accept C(3des), C(aes-128), C(aes-192) and C(aes-256).
      - OpenStack accepts C(aes-128), C(aes-192), C(aes-256), the CTR modes (C(aes-128-ctr), ...) and the CCM and GCM
        modes with an ICV of 8, 12 or 16 octets (C(aes-256-gcm-16), ...). OpenStack 2026.2 answers C(3des) with
        C(HTTP 500).
    type: str
  ike_version:
    description:
      - The IKE version. The server default is V(v1) (OpenStack, Huawei Cloud, OTC; the Swiss OTC region documents V(v2)).
    type: str
    choices: [v1, v2]
  lifetime:
    description:
      - The lifetime of the security association. Only the sub-options given are managed; the other keeps its
        current value.
    type: dict
    suboptions:
      units:
        description:
          - The unit of O(lifetime.value). The server default is V(seconds).
          - OpenStack 2026.2, Huawei Cloud and OTC accept only V(seconds); V(kilobytes) is kept for older OpenStack
            releases.
        type: str
        choices: [seconds, kilobytes]
      value:
        description:
          - The lifetime in seconds, at least 60; at most 604800 on Huawei Cloud and OTC. The server default is V(3600).
        type: int
  pfs:
    description:
      - The Diffie-Hellman group for perfect forward secrecy. The server default is V(group5).
      - OpenStack accepts C(group2), C(group5) and C(group14) to C(group31).
      - Huawei Cloud and OTC accept C(group1), C(group2), C(group5), C(group14), C(group15), C(group16), C(group19),
        C(group20), C(group21) and C(disable) (no PFS).
    type: str
  phase1_negotiation_mode:
    description:
      - The IKE phase 1 mode. The server default is V(main).
    type: str
    choices: [main, aggressive]
notes:
  - IKE policies have no status, so O(wait) only makes a delete check that the policy is gone.
seealso:
  - ref: ansible_collections.vpnaas.cloud.docsite.guide_clouds
    description: The values each cloud accepts, side by side, and those to use for the site_to_site role.
  - module: vpnaas.cloud.ike_policy_info
  - module: vpnaas.cloud.ipsec_policy
  - module: vpnaas.cloud.ipsec_connection
'''

EXAMPLES = r'''
- name: An IKEv2 policy with AES-256 and SHA-256 (OpenStack spelling)
  vpnaas.cloud.ike_policy:
    name: ike-aes256
    auth_algorithm: sha256
    encryption_algorithm: aes-256
    ike_version: v2
    pfs: group14
    lifetime:
      units: seconds
      value: 28800

- name: The same policy on Huawei Cloud or OTC, which spell SHA-256 sha2-256
  vpnaas.cloud.ike_policy:
    name: ike-aes256
    auth_algorithm: sha2-256
    encryption_algorithm: aes-256
    ike_version: v2
    pfs: group14

- name: Shorten the lifetime only (the rest of the policy is left as it is)
  vpnaas.cloud.ike_policy:
    name: ike-aes256
    lifetime:
      value: 14400

- name: Delete the policy
  vpnaas.cloud.ike_policy:
    name: ike-aes256
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
    - "PUT https://vpn.example.com/v2.0/vpn/ikepolicies/9b00... answered HTTP 503; retry 1 of 4 in 1.0 s"
ikepolicy:
  description:
    - The policy as the API returned it after the create or update, or as it is when nothing changed.
    - In check mode, the policy as it would be afterwards.
    - An empty dict when the policy is absent (O(state=absent)).
  returned: success
  type: dict
  contains:
    id:
      description: The policy id.
      type: str
      sample: 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f
    name:
      description: The name.
      type: str
      sample: ike-aes256
    description:
      description: The description.
      type: str
      sample: ""
    auth_algorithm:
      description: The integrity algorithm.
      type: str
      sample: sha256
    encryption_algorithm:
      description: The encryption algorithm.
      type: str
      sample: aes-256
    ike_version:
      description: The IKE version.
      type: str
      sample: v2
    lifetime:
      description: The lifetime, with C(units) and C(value).
      type: dict
      sample: {units: seconds, value: 28800}
    pfs:
      description: The Diffie-Hellman group.
      type: str
      sample: group14
    phase1_negotiation_mode:
      description: The phase 1 mode.
      type: str
      sample: main
  sample:
    id: 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f
    name: ike-aes256
    auth_algorithm: sha256
    encryption_algorithm: aes-256
    ike_version: v2
    lifetime: {units: seconds, value: 28800}
    pfs: group14
    phase1_negotiation_mode: main
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import declarative_module
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IKE_POLICY


def main() -> None:
    """Run the module."""
    declarative_module(IKE_POLICY).run()


if __name__ == '__main__':
    main()
