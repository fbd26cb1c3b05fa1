# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication from environment variables set on the ansible-playbook process, as AWX injects them.

A playbook with no authentication options reads a seeded connection; the
credentials come only from ``OS_*``, ``HW_*`` or ``VPNAAS_*`` variables of the
process. The run is at ``-vvvv`` and must not show any of the secrets. (Setting
the variables with the task keyword ``environment:`` instead would make Ansible
itself print them at ``-vvv``, which is why these cases are not in a target.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.test_targets import FLAVOURS, OUTPUT, credential_free_env, leaked_lines, local_inventory
from tests.emulator.auth import APP_CRED_ID, APP_CRED_NAME, APP_CRED_SECRET
from tests.emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, PROJECT_ID
from tests.emulator.run_with import Emulator

CONN_ID = '0a1b2c3d-0000-4000-8000-00000000e001'
PASSWORD = 'demo-password'
PLAY = [{
    'name': 'Read a connection with credentials from the environment only',
    'hosts': 'localhost',
    'gather_facts': False,
    'tasks': [
        {'name': 'Read the connection', 'vpnaas.cloud.ipsec_connection_info': {'id': CONN_ID}, 'register': 'found'},
        {'name': 'It was found', 'ansible.builtin.assert': {'that': ['found.ipsec_site_connections | length == 1']}},
    ],
}]


def cases(url: str, token: str) -> dict:
    """Each way of setting credentials in the environment: (variables, the secrets among them, requests expected)."""
    return {
        'OS_password': ({'OS_AUTH_URL': url + '/v3', 'OS_USERNAME': 'demo', 'OS_PASSWORD': PASSWORD,
                         'OS_PROJECT_NAME': 'demo', 'OS_USER_DOMAIN_NAME': 'Default', 'OS_PROJECT_DOMAIN_NAME': 'Default',
                         'OS_REGION_NAME': 'RegionOne', 'OS_INTERFACE': 'public'},
                        [PASSWORD], ['POST', 'GET']),
        # What an application credential's openrc file (Horizon's download) sets.
        'OS_application_credential': ({'OS_AUTH_TYPE': 'v3applicationcredential', 'OS_AUTH_URL': url + '/v3',
                                       'OS_APPLICATION_CREDENTIAL_ID': APP_CRED_ID,
                                       'OS_APPLICATION_CREDENTIAL_SECRET': APP_CRED_SECRET, 'OS_REGION_NAME': 'RegionOne',
                                       'OS_INTERFACE': 'public', 'OS_IDENTITY_API_VERSION': '3'},
                                      [APP_CRED_SECRET], ['POST', 'GET']),
        'OS_application_credential_by_name': ({'OS_AUTH_URL': url, 'OS_APPLICATION_CREDENTIAL_NAME': APP_CRED_NAME,
                                               'OS_USERNAME': 'demo', 'OS_USER_DOMAIN_NAME': 'Default',
                                               'OS_APPLICATION_CREDENTIAL_SECRET': APP_CRED_SECRET},
                                              [APP_CRED_SECRET], ['POST', 'GET']),
        'HW_aksk': ({'HW_ACCESS_KEY': DEFAULT_ACCESS_KEY, 'HW_SECRET_KEY': DEFAULT_SECRET_KEY, 'HW_PROJECT_ID': PROJECT_ID,
                     'HW_REGION_NAME': '', 'HW_SECURITY_TOKEN': '', 'VPNAAS_ENDPOINT': url},
                    [DEFAULT_SECRET_KEY], ['GET']),
        'VPNAAS_token': ({'VPNAAS_AUTH_TOKEN': token, 'VPNAAS_ENDPOINT': url}, [token], ['GET']),
    }


@pytest.fixture(scope='module', params=FLAVOURS)
def emulator(request):
    """One emulator per flavour, with the connection to read."""
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        emu.seed({'ipsec_site_connections': [{'id': CONN_ID, 'name': 'env', 'peer_address': '192.0.2.5',
                                              'peer_id': '192.0.2.5'}]})
        yield emu


@pytest.mark.parametrize('case', ['OS_password', 'OS_application_credential', 'OS_application_credential_by_name',
                                  'HW_aksk', 'VPNAAS_token'])
def test_credentials_from_the_environment(case, emulator, tmp_path):
    variables, secrets, requests_expected = cases(emulator.url, emulator.token)[case]
    play = tmp_path / 'play.yml'
    play.write_text(yaml.safe_dump(PLAY), encoding='utf-8')
    inventory = local_inventory(tmp_path / 'inventory')
    env = credential_free_env(tmp_path)
    env.update(variables)
    emulator.clear_log()
    proc = subprocess.run([str(Path(sys.executable).parent / 'ansible-playbook'), '-vvvv', '-i', str(inventory), str(play)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / ('environment-%s-%s.log' % (case, emulator.flavour))
    log.write_text(output, encoding='utf-8')
    assert proc.returncode == 0, 'ansible-playbook failed; see %s' % log
    entries = emulator.log()
    assert [entry['method'] for entry in entries] == requests_expected
    if case.startswith('OS_application_credential'):
        # The login used the application credential and asked for no scope (Keystone refuses one).
        assert entries[0]['path'] == '/v3/auth/tokens'
        assert entries[0]['body']['auth']['identity']['methods'] == ['application_credential']
        assert 'scope' not in entries[0]['body']['auth']
    leaks = leaked_lines(output, secrets)
    assert not leaks, 'secrets appear in the -vvvv output at lines %s of %s' % (leaks, log)
    assert os.path.getsize(log) > 0
