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
      - A trailing V(/v2.0) is accepted and ignored. A user name or password in the URL, a query and a fragment
        are refused.
      - Requests go only to this origin (scheme, host and port). Redirects are never followed; an answer
        C(3xx) fails naming its C(Location), so that a credential cannot be sent elsewhere.
      - Required with O(auth_token). With Keystone password authentication it is optional; when left out,
        the C(network) endpoint (else the C(vpc) endpoint) of O(region) and O(interface) is taken from the token's
        service catalog. With AK/SK authentication it is optional; when left out, it is
        C(https://vpc.<region>.<cloud_domain>).
      - If not set, the value of the E(VPNAAS_ENDPOINT) environment variable is used.
    type: str
  auth_token:
    description:
      - A Keystone or Huawei IAM token.
      - With O(endpoint), it is used as it is, sent as C(X-Auth-Token), and takes precedence over every other
        method (so the token of M(vpnaas.cloud.auth) works where E(OS_*) variables are set).
      - Without O(endpoint), it is exchanged with Keystone at O(auth_url) for a token scoped to O(project_id) or
        O(project_name) (the C(token) method, C(auth_type=v3token) in C(clouds.yaml)), whose catalog gives the endpoint.
      - If not set, the value of the E(VPNAAS_AUTH_TOKEN) or E(OS_AUTH_TOKEN) environment variable is used.
    type: str
  auth_type:
    description:
      - The Keystone method to use, by its keystoneauth name, as in C(clouds.yaml) and E(OS_AUTH_TYPE).
        When not set, the method follows from the options that are set (see the notes).
      - V(password) or V(v3password) needs O(auth_url), O(username) or O(user_id), O(password), and O(project_name)
        or O(project_id).
      - V(v3applicationcredential) needs O(auth_url), O(application_credential_secret), and O(application_credential_id),
        or O(application_credential_name) with O(username) or O(user_id) (and its domain). No project is sent.
      - V(v3token) or V(token) needs O(auth_url), O(auth_token), and O(project_name) or O(project_id).
      - When set, the options of the other methods are ignored, except that O(auth_token) with O(endpoint) is
        always used as it is. Any other value (V(v3oidcpassword), V(v3totp), ...) fails before any request,
        naming the supported ones. AK/SK authentication needs no O(auth_type).
      - If not set, the value of the E(OS_AUTH_TYPE) environment variable is used.
    type: str
  application_credential_id:
    description:
      - The id of a Keystone application credential, used with O(application_credential_secret) and O(auth_url).
      - The token request carries no scope, since the credential is bound to the project it was created in;
        O(project_name) and O(project_id) are not sent.
      - If not set, the value of the E(OS_APPLICATION_CREDENTIAL_ID) environment variable is used.
    type: str
  application_credential_name:
    description:
      - The name of a Keystone application credential, instead of O(application_credential_id). Names are unique per
        user only, so O(username) (with O(user_domain_name) or O(user_domain_id)) or O(user_id) is needed too.
      - If not set, the value of the E(OS_APPLICATION_CREDENTIAL_NAME) environment variable is used.
    type: str
  application_credential_secret:
    description:
      - The secret of the application credential. Never shown.
      - If not set, the value of the E(OS_APPLICATION_CREDENTIAL_SECRET) environment variable is used.
    type: str
  auth_url:
    description:
      - The Keystone (or Huawei IAM) URL for password authentication, with or without the trailing V(/v3),
        for example V(https://keystone.example.com:5000/v3).
      - The password goes only to this origin; a redirect fails. The VPN endpoint that the token's catalog names
        must be an http(s) URL, and plain http is refused when O(auth_url) is https (set O(endpoint) to override).
      - If not set, the value of the E(OS_AUTH_URL) environment variable is used.
    type: str
  username:
    description:
      - The user name for Keystone password authentication, or the owner of O(application_credential_name).
      - If not set, the value of the E(OS_USERNAME) environment variable is used.
    type: str
  user_id:
    description:
      - The user by id, instead of O(username) (an id needs no domain). O(username) wins when both are set.
      - If not set, the value of the E(OS_USER_ID) environment variable is used.
    type: str
  password:
    description:
      - The password for Keystone password authentication.
      - If not set, the value of the E(OS_PASSWORD) environment variable is used.
    type: str
  project_name:
    description:
      - The project (tenant) to scope the token to, by name; see also O(project_id).
      - If not set, the value of the E(OS_PROJECT_NAME) or E(OS_TENANT_NAME) environment variable is used.
    type: str
  project_id:
    description:
      - The project (tenant) to scope the token to, by id. Takes precedence over O(project_name).
      - With AK/SK authentication, the project the keys act in (sent as C(X-Project-Id)); required there.
      - If not set, the value of the E(OS_PROJECT_ID), E(OS_TENANT_ID) or E(HW_PROJECT_ID) environment variable is used.
    type: str
  user_domain_name:
    description:
      - The domain of O(username), by name. Keystone's default domain V(Default) when neither this nor
        O(user_domain_id) is set.
      - If not set, the value of the E(OS_USER_DOMAIN_NAME) environment variable is used.
    type: str
  user_domain_id:
    description:
      - The domain of O(username), by id. Takes precedence over O(user_domain_name).
      - If not set, the value of the E(OS_USER_DOMAIN_ID) environment variable is used.
    type: str
  project_domain_name:
    description:
      - The domain of O(project_name), by name. Defaults to the user's domain.
      - If not set, the value of the E(OS_PROJECT_DOMAIN_NAME) environment variable is used.
    type: str
  project_domain_id:
    description:
      - The domain of O(project_name), by id. Takes precedence over O(project_domain_name).
      - If not set, the value of the E(OS_PROJECT_DOMAIN_ID) environment variable is used.
    type: str
  region:
    description:
      - The region whose endpoint is taken from the service catalog when O(endpoint) is not set
        (any region when this is not set either); with AK/SK authentication, the region of the derived endpoint.
      - When it becomes part of a host name (AK/SK without O(endpoint)) it must be a DNS label (letters, digits
        and C(-)), so that no value can lead signed requests to another host.
      - If not set, the value of the E(OS_REGION_NAME) or E(HW_REGION_NAME) environment variable is used.
    type: str
  interface:
    description:
      - Which catalog endpoint to use when O(endpoint) is not set. V(public) when not set.
      - If not set, the value of the E(OS_INTERFACE) environment variable is used.
    type: str
    choices: [public, internal, admin]
  access_key:
    description:
      - The access key (AK) of Huawei Cloud or Open Telekom Cloud AK/SK authentication. Requests are then signed
        with O(secret_key) (C(SDK-HMAC-SHA256)); O(project_id) is required too.
      - If not set, the value of the E(HW_ACCESS_KEY) environment variable is used.
    type: str
  secret_key:
    description:
      - The secret key (SK) that signs requests with O(access_key). Never sent, never shown.
      - If not set, the value of the E(HW_SECRET_KEY) environment variable is used.
    type: str
  security_token:
    description:
      - The security token of a temporary AK/SK pair, sent as C(X-Security-Token).
      - If not set, the value of the E(HW_SECURITY_TOKEN) environment variable is used.
    type: str
  cloud_domain:
    description:
      - The domain that the AK/SK endpoint is derived with, C(https://vpc.<region>.<cloud_domain>), when O(endpoint)
        is not set. V(myhuaweicloud.com) (Huawei Cloud) when not set; V(otc.t-systems.com) for Open Telekom Cloud.
      - Must be a DNS domain (labels of letters, digits and C(-), separated by dots).
      - If not set, the value of the E(HW_CLOUD) environment variable is used.
    type: str
  cloud:
    description:
      - The name of a cloud in a C(clouds.yaml) file, the OpenStack convention. Its settings fill the options
        that are not set (options win over the file).
      - The file is E(OS_CLIENT_CONFIG_FILE), else C(./clouds.yaml), C(~/.config/openstack/clouds.yaml) or
        C(/etc/openstack/clouds.yaml), the first that exists.
      - When no cloud is named, no other authentication option is set, and E(OS_CLIENT_CONFIG_FILE) names a file
        with exactly one cloud, that cloud is used. This is what AWX's OpenStack credential provides.
      - Read from the cloud entry are C(auth_type) (see O(auth_type)), C(auth) (C(auth_url), C(username),
        C(user_id), C(password), C(project_name), C(project_id), the domain names and ids, C(domain_name), C(token),
        C(application_credential_id), C(application_credential_name), C(application_credential_secret)),
        C(region_name), C(interface), C(verify), C(cacert) and C(network_endpoint_override). Reading the file
        needs PyYAML.
      - An C(auth_type) other than those of O(auth_type) fails before any request, naming the cloud, the file and the
        supported types with the options each needs.
      - If not set, the value of the E(OS_CLOUD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the API and of Keystone. Verified when not set,
        unless the C(clouds.yaml) cloud sets C(verify) to false.
      - Set to V(false) only for test endpoints.
      - If not set, the value of the E(VPNAAS_VALIDATE_CERTS) environment variable is used.
    type: bool
  ca_path:
    description:
      - A PEM file with the CA certificates to verify the API's certificate with, instead of the system's.
      - If not set, the value of the E(VPNAAS_CA_PATH) or E(OS_CACERT) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds that one HTTP exchange may take in all, connect, headers and body together (not per read, so a server
        that drips its answer a byte at a time is cut off too).
      - "A failing request ends within (O(retries) + 1) x O(timeout) + W seconds, where W is the sum of the waits
        before each retry: the n-th wait is at most min(8, 0.5 x 2^(n-1)) s (0.5, 1, 2, 4, 8, 8, ...), or the server's
        C(Retry-After) for HTTP 429 and 503, at most 60 s. With the defaults that is 5 x 30 + 7.5 = 157.5 s (390 s if
        the server asks for the longest Retry-After). A task fails at its first request that fails."
      - A connection failure (refused, a host name that does not resolve, a connect or read timeout, TLS) names the
        server's host and port once, and says how many attempts were made.
      - If not set, the value of the E(VPNAAS_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request that failed in a way that is safe to retry, 0 for never.
      - Retried are connection failures, read timeouts, HTTP 429 and 503 (after their C(Retry-After)), and 502 and 504,
        with capped exponential backoff and jitter. A create (C(POST)) is retried only when it certainly was not
        processed (429, or no connection was made); otherwise the resource is looked up by name instead.
      - Each retry is listed in the task result under C(retried), one short line each (the request, what went wrong,
        and the wait).
      - "The bound of a failing request follows from O(retries) and O(timeout): see O(timeout). A password token that
        expired during the task adds one login and one attempt."
      - If not set, the value of the E(VPNAAS_RETRIES) environment variable is used.
    type: int
    default: 4
notes:
  - "Authentication is chosen by which options are set, in this order: O(auth_token) with O(endpoint) (used as it
    is); then the method that O(auth_type) names; else O(auth_token) with O(auth_url) (exchanged for a project-scoped
    token); Keystone application credential with O(application_credential_secret); AK/SK with O(access_key),
    O(secret_key) and O(project_id); Keystone password with O(auth_url), O(username), O(password) and a project.
    O(cloud) (C(clouds.yaml)) fills in options first. A token with an endpoint wins over the other methods (so that
    the token of M(vpnaas.cloud.auth) can be used where E(OS_*) variables are set); without O(auth_type), options of
    two methods together (AK/SK and password, an application credential and a password or AK/SK) are a
    contradiction. A missing piece or a contradiction fails the task before any request is sent, naming what
    is missing."
  - "A token obtained by a Keystone login (password, application credential or token exchange) that expires during the
    task is renewed once, by logging in again."
  - "A failed authentication (HTTP 401 or 403) is reported with the API's words and the method used, never a secret."
  - "Set the connection options once for all modules of the collection with
    C(module_defaults: {group/vpnaas.cloud.vpnaas: {...}})."
  - "Proxies are taken from the usual E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables of the
    host that runs the module."
requirements:
  - python >= 3.8
  - requests >= 2.25
'''

    # Waiting for PENDING_* states, for the modules that write.
    WAIT = r'''
options:
  wait:
    description:
      - Whether to wait for the resource to settle.
      - Before an update, wait while its status is C(PENDING_CREATE), C(PENDING_UPDATE) or C(PENDING_DELETE),
        since the API refuses updates then. After a create or update, wait until the status leaves C(PENDING_*)
        (C(ACTIVE) and C(DOWN) are settled; C(ERROR) fails the task). After a delete, wait until it is gone.
      - With V(false), a resource in C(PENDING_*) that needs a change fails the task, and writes return at once.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, at most, each time the module waits. The status is polled with a growing
        interval (0.5 s doubling up to 5 s); a timeout fails naming the last status seen.
    type: int
    default: 180
'''

    # Attributes of the _info modules, which only read.
    INFO = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The module only reads, so check mode changes nothing about it.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details:
      - The module changes nothing.
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
