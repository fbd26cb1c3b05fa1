#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: auth
short_description: Log in once and get a token and the VPN endpoint for the other vpnaas.cloud modules
version_added: 0.1.0
description:
  - Authenticate with Keystone (or Huawei IAM) once, and return the token and the resolved VPN API endpoint,
    to be handed to the other modules of the collection through C(module_defaults).
  - Any Keystone login of the connection options works, from options, E(OS_*) variables or C(clouds.yaml)
    (O(cloud)); a password, an application credential (O(application_credential_id) or
    O(application_credential_name), with O(application_credential_secret)), or a token exchanged for a
    project-scoped one (O(auth_token) with O(auth_url) and a project, C(auth_type=v3token)).
  - Without it, every task that authenticates with a password logs in again; a loop over 500 connections
    logs in 500 times.
  - With O(auth_token) and O(endpoint) set, they are returned as they are, without a request.
  - The token of an application credential is bound to the credential's project and carries its roles only.
  - AK/SK authentication signs each request and has no login; the module fails with AK/SK options and says so.
  - The result of this module is never displayed, at any verbosity (it holds a token); use C(register) to keep it.
author:
  - vpnaas.cloud contributors (@vpnaas)
extends_documentation_fragment:
  - vpnaas.cloud.connection
  - vpnaas.cloud.connection.action_group
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The module logs in in check mode too, so that the tasks after it can read in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details:
      - The module changes nothing.
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - The action plugin only censors the result; the module runs where modules run.
options: {}
seealso:
  - module: vpnaas.cloud.ipsec_connection
'''

EXAMPLES = r'''
- name: Update many tunnels with one login
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Log in once (credentials from the OS_* environment variables, a clouds.yaml, or options)
      vpnaas.cloud.auth:
        cloud: production
      register: vpn_login

    - name: Or log in with a Keystone application credential (a clouds.yaml with auth_type v3applicationcredential works too)
      vpnaas.cloud.auth:
        auth_url: https://keystone.example.com:5000/v3
        application_credential_id: 21dced0fd20347869b93710d2b98aae0
        application_credential_secret: "{{ vault_app_cred_secret }}"
      register: vpn_login_appcred
      when: use_application_credential | default(false)

    - name: Use the token for every task of the block
      module_defaults:
        group/vpnaas.cloud.vpnaas:
          auth_token: "{{ vpn_login.auth_token }}"
          endpoint: "{{ vpn_login.endpoint }}"
      block:
        - name: Set the MTU of every branch tunnel
          vpnaas.cloud.ipsec_connection:
            name: "{{ item }}"
            mtu: 1400
          loop: "{{ branch_tunnels }}"
'''

RETURN = r'''
auth_token:
  description: The token, to pass as O(vpnaas.cloud.ipsec_connection#module:auth_token) to the other modules.
  returned: success
  type: str
  sample: gAAAAABk...
endpoint:
  description: The VPN API endpoint, from O(endpoint) or the token's service catalog.
  returned: success
  type: str
  sample: https://neutron.example.com:9696
expires_at:
  description: When the token expires, as Keystone says; absent when it does not say.
  returned: when known
  type: str
  sample: "2026-11-26T18:00:00.000000Z"
'''

from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import AuthModule


def main() -> None:
    """Run the module."""
    AuthModule().run()


if __name__ == '__main__':
    main()
