# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWX / Automation Controller hands a job for a credential, without an AWX.

Two ways a credential reaches a job's environment, both reproduced here from AWX's source
(``awx/main/models/credential/__init__.py``, ``CredentialType.inject_credential``, and
``awx_plugins/credentials/injectors.py``, ``openstack``):

* a custom credential type: each ``injectors.env`` template is rendered with Jinja2's
  ``ImmutableSandboxedEnvironment`` (default ``Undefined``) over a namespace that holds only
  the inputs that are set and not empty, so an optional field left empty renders as ``''``
  and the variable is still set, to the empty string;
* the built-in OpenStack credential: a clouds.yaml with one cloud, ``devstack``, written to a
  temporary file under the job's ``private_data_dir/env/``, and ``OS_CLIENT_CONFIG_FILE``
  pointing at it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Dict, List

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
AWX_DOCS = REPO / 'docs' / 'awx'
AKSK_TYPE = AWX_DOCS / 'credential_type_vpnaas_aksk.yml'
TOKEN_TYPE = AWX_DOCS / 'credential_type_vpnaas_token.yml'


def load_credential_type(path: Path) -> Dict[str, Any]:
    """The credential type definition shipped in docs/awx (name, kind, inputs, injectors)."""
    return yaml.safe_load(path.read_text(encoding='utf-8'))


def missing_required(credential_type: Dict[str, Any], inputs: Dict[str, Any]) -> List[str]:
    """The required fields of the type that ``inputs`` leaves unset or empty (AWX refuses such a credential)."""
    return [name for name in credential_type['inputs'].get('required', []) if inputs.get(name) in (None, '')]


def inject_env(credential_type: Dict[str, Any], inputs: Dict[str, Any]) -> Dict[str, str]:
    """The environment variables AWX injects into a job for a credential of this type with these inputs."""
    missing = missing_required(credential_type, inputs)
    if missing:
        raise ValueError(f"AWX would refuse this credential: required field(s) missing: {', '.join(missing)}")
    namespace: Dict[str, Any] = {}
    for field in credential_type['inputs']['fields']:
        value = inputs.get(field['id'])
        if field.get('type') == 'boolean':
            namespace[field['id']] = bool(value)
        elif value is not None and len(value):
            namespace[field['id']] = value
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type['injectors'].get('env', {}).items()}


def openstack_clouds(inputs: Dict[str, Any]) -> Dict[str, Any]:
    """The clouds.yaml content of AWX's built-in OpenStack credential (cloud ``devstack``).

    Inputs as AWX names them: host (the auth URL), username, password, project,
    project_domain_name, domain, region, verify_ssl. Note ``domain`` becomes
    ``auth.domain_name`` (not ``user_domain_name``).
    """
    auth = {
        'auth_url': inputs.get('host', ''),
        'username': inputs.get('username', ''),
        'password': inputs.get('password', ''),
        'project_name': inputs.get('project', ''),
    }
    if inputs.get('project_domain_name'):
        auth['project_domain_name'] = inputs['project_domain_name']
    if inputs.get('domain'):
        auth['domain_name'] = inputs['domain']
    cloud: Dict[str, Any] = {'auth': auth, 'verify': bool(inputs.get('verify_ssl', True))}
    if inputs.get('region'):
        cloud['region_name'] = inputs['region']
    return {'clouds': {'devstack': cloud}}


def inject_openstack(inputs: Dict[str, Any], private_data_dir: Path) -> Dict[str, str]:
    """Write the clouds.yaml as AWX does (a temporary file in ``env/``, mode 0600); return the injected env."""
    env_dir = private_data_dir / 'env'
    env_dir.mkdir(parents=True, exist_ok=True)
    handle, path = tempfile.mkstemp(dir=str(env_dir))
    with os.fdopen(handle, 'w', encoding='utf-8') as stream:
        yaml.safe_dump(openstack_clouds(inputs), stream, default_flow_style=False, allow_unicode=True)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return {'OS_CLIENT_CONFIG_FILE': path}
