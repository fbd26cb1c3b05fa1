# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad input catalogue (bad_input_cases.yml): each case fails naming the option, before any request.

Each case runs its module's ``main()`` in-process against a scripted API that expects nothing, so any
request at all fails the case. The module must fail, its message must hold the case's ``words``, and no
secret of the catalogue may appear anywhere in what it prints. The integration target ``bad_input`` runs
a few of the same cases end to end with real ``ansible-playbook`` against the emulator.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import jinja2
import pytest
import yaml

CATALOGUE = yaml.safe_load((Path(__file__).parent / 'bad_input_cases.yml').read_text(encoding='utf-8'))
VARIABLES = CATALOGUE['bad_input_vars']
SECRETS = [VARIABLES[name] for name in ('bad_input_psk', 'bad_input_password', 'bad_input_secret_key')]
MODULES = ('ipsec_connection', 'ipsec_connection_info', 'vpn_service', 'ike_policy', 'ipsec_policy', 'endpoint_group')
# The modules whose cases get a name when they give neither id nor name (as the target's run_<module>.yml do).
NAMED = {'ipsec_connection': True, 'vpn_service': True, 'ike_policy': False, 'ipsec_policy': False,
         'endpoint_group': False}
DEFAULT_NAME = 'bad-input-tunnel'


def render(value):
    """The case's option value with its Jinja2 expressions rendered, as Ansible templates the task."""
    if isinstance(value, str) and '{{' in value:
        return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(value).render(**VARIABLES)
    if isinstance(value, list):
        return [render(item) for item in value]
    if isinstance(value, dict):
        return dict((key, render(item)) for key, item in value.items())
    return value


def module_args(case: dict) -> dict:
    """The options one case passes to its module."""
    args = render(case['options'])
    if case['module'] in NAMED and 'name' not in args and (not NAMED[case['module']] or 'id' not in args):
        args['name'] = DEFAULT_NAME
    return args


def test_catalogue_is_whole():
    """The catalogue keeps its breadth: at least 90 cases, unique titles, known modules, every option named."""
    cases = CATALOGUE['bad_input_cases']
    titles = [case['title'] for case in cases]
    assert len(cases) >= 90
    assert len(set(titles)) == len(titles), 'duplicate titles'
    assert set(case['module'] for case in cases) == set(MODULES)
    assert all(case['words'] and case['options'] for case in cases)


@pytest.mark.parametrize('case', CATALOGUE['bad_input_cases'], ids=lambda case: case['title'])
def test_bad_input_fails_naming_the_option_before_any_request(case, api, run):
    module = importlib.import_module('ansible_collections.vpnaas.cloud.plugins.modules.' + case['module'])
    result, failed, out = run(module.main, module_args(case))
    assert api.sent == [], 'requests were sent: %s' % api.methods()
    assert failed and result.get('failed') is True, 'the module did not fail: %s' % result
    assert case['words'] in result['msg'], 'expected %r in: %s' % (case['words'], result['msg'])
    assert not [secret for secret in SECRETS if secret in out], 'a secret of the catalogue was printed'
