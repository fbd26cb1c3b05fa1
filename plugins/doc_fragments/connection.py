# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Shared option docs of the vpnaas.cloud modules."""

    # Where the VPN API is and how to authenticate.
    DOCUMENTATION = r'''
options:
  endpoint:
    description:
      - Base URL of the VPN API, for example V(https://vpc.eu-de.otc.t-systems.com) (Open Telekom Cloud),
        V(https://vpc.ap-southeast-1.myhuaweicloud.com) (Huawei Cloud) or V(https://neutron.example.com:9696) (OpenStack).
      - A trailing V(/v2.0) is accepted and ignored.
      - Required with O(auth_token). With Keystone password authentication it is optional; when left out,
        the public C(network) endpoint (else the C(vpc) endpoint) of O(region) is taken from the token's service catalog.
      - If not set, the value of the E(VPNAAS_ENDPOINT) environment variable is used.
    type: str
  auth_token:
    description:
      - A ready Keystone or Huawei IAM token, sent as C(X-Auth-Token).
      - When set, it takes precedence over password authentication, and O(endpoint) is required.
      - If not set, the value of the E(VPNAAS_AUTH_TOKEN) or E(OS_AUTH_TOKEN) environment variable is used.
    type: str
  auth_url:
    description:
      - The Keystone (or Huawei IAM) URL for password authentication, with or without the trailing V(/v3),
        for example V(https://keystone.example.com:5000/v3).
      - If not set, the value of the E(OS_AUTH_URL) environment variable is used.
    type: str
  username:
    description:
      - The user name for Keystone password authentication.
      - If not set, the value of the E(OS_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password for Keystone password authentication.
      - If not set, the value of the E(OS_PASSWORD) environment variable is used.
    type: str
  project_name:
    description:
      - The project (tenant) to scope the token to, by name; see also O(project_id).
      - If not set, the value of the E(OS_PROJECT_NAME) environment variable is used.
    type: str
  project_id:
    description:
      - The project (tenant) to scope the token to, by id. Takes precedence over O(project_name).
      - If not set, the value of the E(OS_PROJECT_ID) environment variable is used.
    type: str
  user_domain_name:
    description:
      - The domain of O(username). Keystone's default domain V(Default) when not set.
      - If not set, the value of the E(OS_USER_DOMAIN_NAME) environment variable is used.
    type: str
  project_domain_name:
    description:
      - The domain of O(project_name). Defaults to the user's domain.
      - If not set, the value of the E(OS_PROJECT_DOMAIN_NAME) environment variable is used.
    type: str
  region:
    description:
      - The region whose endpoint is taken from the service catalog when O(endpoint) is not set.
        Any region when not set.
      - If not set, the value of the E(OS_REGION_NAME) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the API and of Keystone.
      - Set to V(false) only for test endpoints.
      - If not set, the value of the E(VPNAAS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificates to verify the API's certificate with, instead of the system's.
      - If not set, the value of the E(VPNAAS_CA_PATH) or E(OS_CACERT) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
      - If not set, the value of the E(VPNAAS_TIMEOUT) environment variable is used.
    type: int
    default: 30
notes:
  - "Authentication is chosen by which options are set: O(auth_token) with O(endpoint) first, else Keystone
    password authentication with O(auth_url), O(username), O(password) and a project. A missing piece fails the task
    before any request is sent, naming what is missing."
  - "Set the connection options once for all modules of the collection with
    C(module_defaults: {group/vpnaas.cloud.vpnaas: {...}})."
  - "Proxies are taken from the usual E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables."
requirements:
  - python >= 3.8
  - requests >= 2.25
'''

    # Attributes shared by every module of the collection.
    ACTION_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/vpnaas.cloud.vpnaas) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - vpnaas.cloud.vpnaas
'''
