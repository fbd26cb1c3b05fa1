# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential types shipped in docs/awx are well formed and inject what the modules read.

Checks what AWX checks when a credential type is created (field ids, types, required fields,
injector templates that only use declared fields, no forbidden variable names), and what the
collection needs: the variable names of the modules' environment fallbacks, secrets marked
secret. How a job uses the injected variables is tested in test_runner.py.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.awx.awx_inject import AKSK_TYPE, TOKEN_TYPE, inject_env, load_credential_type  # noqa: E402  pylint: disable=wrong-import-position

# Field properties AWX accepts in `inputs.fields` (awx/main/fields.py, CredentialTypeInputField).
FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'secret', 'multiline', 'format', 'choices', 'ask_at_runtime'}
# Variables AWX refuses in `injectors.env` (awx/main/constants.py ENV_BLOCKLIST; it also refuses ANSIBLE_* names).
AWX_FORBIDDEN_ENV = {'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'PROOT_TMP_DIR', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                     'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                     'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST',
                     'PROJECT_REVISION', 'SUPERVISOR_WEB_CONFIG_PATH'}

# type file -> (env variable -> input field, required fields, secret fields)
EXPECTED = {
    'aksk': (AKSK_TYPE,
             {'HW_ACCESS_KEY': 'access_key', 'HW_SECRET_KEY': 'secret_key', 'HW_PROJECT_ID': 'project_id',
              'HW_REGION_NAME': 'region', 'HW_SECURITY_TOKEN': 'security_token', 'VPNAAS_ENDPOINT': 'endpoint',
              'HW_CLOUD': 'cloud_domain'},
             {'access_key', 'secret_key', 'project_id', 'region'},
             {'secret_key', 'security_token'}),
    'application_credential': (REPO / 'docs' / 'awx' / 'credential_type_vpnaas_application_credential.yml',
                               {'OS_AUTH_URL': 'auth_url', 'OS_APPLICATION_CREDENTIAL_ID': 'application_credential_id',
                                'OS_APPLICATION_CREDENTIAL_SECRET': 'application_credential_secret', 'OS_REGION_NAME': 'region'},
                               {'auth_url', 'application_credential_id', 'application_credential_secret'},
                               {'application_credential_secret'}),
    'token': (TOKEN_TYPE,
              {'VPNAAS_AUTH_TOKEN': 'auth_token', 'VPNAAS_ENDPOINT': 'endpoint'},
              {'auth_token', 'endpoint'},
              {'auth_token'}),
}


@pytest.fixture(name='credential_type', params=sorted(EXPECTED))
def fixture_credential_type(request: pytest.FixtureRequest) -> Dict[str, Any]:
    """Each shipped credential type, with what it is expected to hold."""
    path, env, required, secret = EXPECTED[request.param]
    return {'name': request.param, 'data': load_credential_type(path), 'env': env, 'required': required, 'secret': secret}


def test_fields_are_valid_for_awx(credential_type: Dict[str, Any]) -> None:
    """Fields have the properties AWX accepts, unique ids, and required names declared fields."""
    data = credential_type['data']
    assert set(data) == {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert data['kind'] == 'cloud'
    assert set(data['inputs']) <= {'fields', 'required'}
    ids = [field['id'] for field in data['inputs']['fields']]
    assert len(ids) == len(set(ids))
    for field in data['inputs']['fields']:
        assert set(field) <= FIELD_KEYS, field
        assert re.match(r'^[a-z_][a-z0-9_]*$', field['id'])
        assert field['label'] and field['type'] in ('string', 'boolean')
    assert set(data['inputs']['required']) == credential_type['required']
    assert {field['id'] for field in data['inputs']['fields'] if field.get('secret')} == credential_type['secret']
    assert set(data['injectors']) == {'env'}


def test_injectors_set_the_module_variables(credential_type: Dict[str, Any]) -> None:
    """Each variable the modules read is injected from its field, and templates use declared fields only."""
    data = credential_type['data']
    declared = {field['id'] for field in data['inputs']['fields']}
    sandbox = ImmutableSandboxedEnvironment()
    used = {}
    for name, template in data['injectors']['env'].items():
        assert name not in AWX_FORBIDDEN_ENV and not name.startswith('ANSIBLE_'), name
        referenced = meta.find_undeclared_variables(sandbox.parse(template))
        assert referenced <= declared, (name, referenced - declared)
        assert len(referenced) == 1, name
        used[name] = referenced.pop()
    assert used == credential_type['env']


def test_rendering_like_awx(credential_type: Dict[str, Any]) -> None:
    """Set fields come through verbatim; an optional field left empty gives an empty variable, not an error."""
    data = credential_type['data']
    inputs = {field: 'value-of-%s {with} "quotes"' % field for field in credential_type['required']}
    env = inject_env(data, inputs)
    assert set(env) == set(credential_type['env'])
    for name, field in credential_type['env'].items():
        assert env[name] == inputs.get(field, ''), name
    with pytest.raises(ValueError, match='required field'):
        inject_env(data, dict(inputs, **{sorted(credential_type['required'])[0]: ''}))


def guide_yaml_blocks() -> List[Any]:
    """The YAML code blocks of docs/docsite/rst/guide_awx.rst, parsed."""
    text = (REPO / 'docs' / 'docsite' / 'rst' / 'guide_awx.rst').read_text(encoding='utf-8')
    blocks = re.findall(r'^\.\. code-block:: yaml(?:\+jinja)?\n\n((?:    .*\n|\n)+)', text, re.MULTILINE)
    return [yaml.safe_load(textwrap.dedent(block)) for block in blocks]


def test_guide_shows_the_shipped_definitions() -> None:
    """The guide's copies of the EE definition and of the AK/SK type (help texts left out) are the shipped ones."""
    blocks = guide_yaml_blocks()
    shipped_ee = yaml.safe_load((REPO / 'docs' / 'awx' / 'execution-environment.yml').read_text(encoding='utf-8'))
    assert shipped_ee in blocks
    aksk = load_credential_type(AKSK_TYPE)
    inputs = {'fields': [{key: value for key, value in field.items() if key != 'help_text'} for field in aksk['inputs']['fields']],
              'required': aksk['inputs']['required']}
    assert inputs in blocks
    assert aksk['injectors'] in blocks
