# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs run the way AWX / Automation Controller runs them: ansible-runner, credentials injected, no secret in the play.

For each credential, a private_data_dir is laid out as AWX lays it out for a job: the playbook
in ``project/``, the inventory in ``inventory/``, and in ``env/envvars`` exactly the variables the
credential injects (rendered from the injector templates of the credential types shipped in
docs/awx, with AWX's own rules, see awx_inject.py); for AWX's built-in OpenStack credential, the
clouds.yaml file AWX writes into ``env/`` and ``OS_CLIENT_CONFIG_FILE``. ansible-runner then runs
the playbook, which sets no authentication option at all, against the emulator on 127.0.0.1.

Checked: the runner's status, the modules' results, the emulator's state and request log, and
that no secret of the credentials (nor the seeded pre-shared key) appears in the job's stdout,
stderr or job events. The runner's ``artifacts/<ident>/command`` file is not searched: runner
records the whole process environment there by design (in AWX it lives and dies with the
job's private_data_dir, and AWX keeps only its own masked copy of the environment).

Run with the installed collection: ``make integration`` sets ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.awx.awx_inject import (  # noqa: E402  pylint: disable=wrong-import-position
    AKSK_TYPE, TOKEN_TYPE, inject_env, inject_openstack, load_credential_type)
from tests.emulator.run_with import Emulator  # noqa: E402  pylint: disable=wrong-import-position

ansible_runner = pytest.importorskip('ansible_runner', reason='ansible-runner is pinned in requirements-dev.txt: run `make venv`')

FLAVOURS = ('neutron', 'huawei')
JOB_TIMEOUT = 300  # seconds for one job; one takes a few seconds
# Credentials of this test; the emulator is started with them. None may appear in any output.
ACCESS_KEY = 'AWXTESTACCESSKEY0042'
SECRET_KEY = 'awx-Secret-Key-9c1f37'
SECURITY_TOKEN = 'awx-Security-Token-5e7d20'
API_TOKEN = 'awx-Api-Token-41b6e8'
KEYSTONE_USER = 'demo'
KEYSTONE_PASSWORD = 'demo-password'
PROJECT_NAME = 'demo'
PROJECT_ID = '0123456789abcdef0123456789abcdef'
REGION = 'RegionOne'
SEED_PSK = 'awx-Seeded-Psk-0d83'
SECRETS = (SECRET_KEY, SECURITY_TOKEN, API_TOKEN, KEYSTONE_PASSWORD, SEED_PSK)
CONN_ID = '0a1b2c3d-0000-4000-8000-0000000a0001'
CONN_NAME = 'awx-tunnel'
# Variables that choose or feed the modules' authentication: a job gets only those its credentials inject.
AUTH_ENV = re.compile(r'^(OS_|HW_|VPNAAS_)')

# The job template's playbook: connection options come from the credential, so none are set here.
PLAYBOOK = [{
    'name': 'VPN tunnels, as an AWX job template runs them',
    'hosts': 'localhost',
    'gather_facts': False,
    'module_defaults': {'group/vpnaas.cloud.vpnaas': {'timeout': 30}},
    'tasks': [
        {'name': 'Find the tunnel by name', 'vpnaas.cloud.ipsec_connection_info': {'name': CONN_NAME}, 'register': 'before'},
        {'name': 'Lower the MTU of the tunnel', 'vpnaas.cloud.ipsec_connection': {'id': '{{ conn_id }}', 'mtu': 1400},
         'register': 'changed_tunnel'},
        {'name': 'Read the tunnel again', 'vpnaas.cloud.ipsec_connection_info': {'id': '{{ conn_id }}'}, 'register': 'after'},
    ],
}]


def credential_env(case: str, url: str, private_data_dir: Path) -> Dict[str, str]:
    """What AWX injects into the job's environment for the credential of ``case``."""
    if case == 'aksk':  # the optional security_token and nothing else left empty
        return inject_env(load_credential_type(AKSK_TYPE), {
            'access_key': ACCESS_KEY, 'secret_key': SECRET_KEY, 'project_id': PROJECT_ID, 'region': REGION, 'endpoint': url})
    if case == 'aksk_temporary':
        return inject_env(load_credential_type(AKSK_TYPE), {
            'access_key': ACCESS_KEY, 'secret_key': SECRET_KEY, 'project_id': PROJECT_ID, 'region': REGION,
            'security_token': SECURITY_TOKEN, 'endpoint': url})
    if case == 'token':
        return inject_env(load_credential_type(TOKEN_TYPE), {'auth_token': API_TOKEN, 'endpoint': url})
    assert case == 'openstack'
    return inject_openstack({
        'host': url + '/v3', 'username': KEYSTONE_USER, 'password': KEYSTONE_PASSWORD, 'project': PROJECT_NAME,
        'project_domain_name': 'Default', 'domain': 'Default', 'region': REGION, 'verify_ssl': True}, private_data_dir)


@pytest.fixture(name='emulator', scope='module', params=FLAVOURS)
def fixture_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """One emulator per flavour that knows this test's AK/SK and API token."""
    with Emulator(flavour=request.param, static_token=API_TOKEN, access_key=ACCESS_KEY, secret_key=SECRET_KEY) as emu:
        emu.flavour = request.param
        yield emu


def runner_env(tmp_path: Path) -> Dict[str, str]:
    """The job's non-credential environment: the installed collection, the venv's tools, scratch space."""
    collections = os.environ.get('ANSIBLE_COLLECTIONS_PATH')
    if not collections:
        pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: run these tests with `make integration`, which builds and installs '
                    'the collection first')
    return {
        'PATH': os.pathsep.join([str(Path(sys.executable).parent), os.environ.get('PATH', '')]),
        'ANSIBLE_COLLECTIONS_PATH': collections,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-local'),
        'ANSIBLE_NOCOLOR': '1',
    }


def lay_out_job(tmp_path: Path, case: str, url: str) -> Path:
    """Lay out the job's private_data_dir as AWX does; ``env/envvars`` holds what the credential injects."""
    root = tmp_path / 'private_data_dir'
    for sub in ('env', 'inventory', 'project'):
        (root / sub).mkdir(parents=True)
    injected = credential_env(case, url, root)
    (root / 'env' / 'envvars').write_text(yaml.safe_dump(injected), encoding='utf-8')
    (root / 'inventory' / 'hosts').write_text(
        f'localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n', encoding='utf-8')
    (root / 'project' / 'vpnaas_job.yml').write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False), encoding='utf-8')
    return root


def seed(emulator: Emulator) -> None:
    """Start from one known tunnel and an empty request log."""
    emulator.reset()
    emulator.seed({'ipsec_site_connections': [{
        'id': CONN_ID, 'name': CONN_NAME, 'psk': SEED_PSK, 'peer_address': '198.51.100.20', 'peer_id': '198.51.100.20',
        'peer_cidrs': ['10.20.0.0/16'], 'mtu': 1500, 'status': 'ACTIVE',
        'vpnservice_id': '0a1b2c3d-0000-4000-8000-0000000a00a1', 'ikepolicy_id': '0a1b2c3d-0000-4000-8000-0000000a00b1',
        'ipsecpolicy_id': '0a1b2c3d-0000-4000-8000-0000000a00c1'}]})
    emulator.clear_log()


def task_results(events: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The result of each task of the job, by task name (from the job events, as AWX shows them)."""
    results = {}
    for event in events:
        if event.get('event') in ('runner_on_ok', 'runner_on_failed', 'runner_on_unreachable'):
            data = event['event_data']
            results[data['task']] = dict(data.get('res') or {}, _event=event['event'])
    return results


def leaked_files(artifacts: Path) -> List[str]:
    """Artifacts (stdout, stderr, job events...) that hold any secret; names only, never the secret."""
    leaks = []
    for path in sorted(artifacts.rglob('*')):
        if path.is_file() and path.name != 'command':
            text = path.read_text(encoding='utf-8', errors='replace')
            leaks.extend(f'{path.relative_to(artifacts)} (secret #{number})' for number, secret in enumerate(SECRETS) if secret in text)
    return leaks


def check_results(results: Dict[str, Dict[str, Any]], emulator: Emulator) -> None:
    """The job found the tunnel, changed its MTU and read the change back; the emulator holds the change."""
    before = results['Find the tunnel by name']['ipsec_site_connections']
    assert [(conn['id'], conn['name'], conn['mtu']) for conn in before] == [(CONN_ID, CONN_NAME, 1500)]
    assert before[0].get('psk') != SEED_PSK
    changed = results['Lower the MTU of the tunnel']
    assert changed['changed'] is True and changed['ipsec_site_connection']['mtu'] == 1400
    after = results['Read the tunnel again']['ipsec_site_connections']
    assert [(conn['id'], conn['mtu']) for conn in after] == [(CONN_ID, 1400)]
    assert [conn['mtu'] for conn in emulator.state()['ipsec_site_connections'] if conn['id'] == CONN_ID] == [1400]


def check_requests(case: str, log: List[Dict[str, Any]]) -> None:
    """Every API call succeeded; only the OpenStack credential logs in to Keystone."""
    api = [entry for entry in log if entry['path'].startswith('/v2.0/')]
    assert api and all(entry['status'] < 400 for entry in api), api
    assert ('PUT', f'/v2.0/vpn/ipsec-site-connections/{CONN_ID}') in [(entry['method'], entry['path']) for entry in api]
    logins = [entry['status'] for entry in log if entry['path'].startswith('/v3') and entry['method'] == 'POST']
    if case == 'openstack':  # Keystone password from the clouds.yaml, endpoint from the catalog
        assert logins and set(logins) == {201}, log
    else:  # a ready token, or signed requests: no login at all
        assert not [entry for entry in log if entry['path'].startswith('/v3')], log


@pytest.mark.parametrize('case', ['aksk', 'aksk_temporary', 'token', 'openstack'])
def test_job_with_credential(case: str, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job with one credential lists, changes and re-reads a seeded tunnel with no auth option in the playbook."""
    for name in list(os.environ):  # the job gets the credential's variables and nothing of this shell's
        if AUTH_ENV.match(name):
            monkeypatch.delenv(name)
    seed(emulator)
    root = lay_out_job(tmp_path, case, emulator.url)
    ident = f'{case}-{emulator.flavour}'

    result = ansible_runner.run(private_data_dir=str(root), playbook='vpnaas_job.yml', ident=ident, envvars=runner_env(tmp_path),
                                extravars={'conn_id': CONN_ID}, verbosity=3, quiet=True, timeout=JOB_TIMEOUT)

    artifacts = root / 'artifacts' / ident
    leaks = leaked_files(artifacts)
    assert not leaks, f'secrets in the job output: {leaks}'
    results = task_results(list(result.events))
    if result.status != 'successful' or result.rc != 0:
        stdout = (artifacts / 'stdout').read_text(encoding='utf-8', errors='replace') if (artifacts / 'stdout').exists() else ''
        failed = {name: res.get('msg') for name, res in results.items() if res['_event'] != 'runner_on_ok'}
        pytest.fail(f'job {result.status} (rc {result.rc}); failed tasks: {failed}\n{stdout[-3000:]}')
    check_results(results, emulator)
    check_requests(case, emulator.log())
