# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Keystone way of authenticating, against a real Keystone 30 and a Neutron that validates each token.

Keystone (``keystone_server.py``) and Neutron (``auth_strategy = keystone``) run on loopback
ports chosen up front, as the catalog holds Neutron's URL. The passwords are random per run
and must never appear in the ``-vvvv`` output. The Neutron request log comes from the control
middleware (``/_emulator/log``); Keystone's requests from its ``requests.log``.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.test_targets import OUTPUT, credential_free_env, leaked_lines, local_inventory
from tests.openstack import identity, servers, topology

# Keystone (Flask/Werkzeug) answers "401 UNAUTHORIZED"; Neutron's keystonemiddleware (WebOb) "401 Unauthorized".
KEYSTONE_UNAUTHORIZED = 'HTTP 401 UNAUTHORIZED: The request you have made requires authentication.'
NEUTRON_UNAUTHORIZED = 'HTTP 401 Unauthorized: The request you have made requires authentication.'


class Cloud:  # pylint: disable=too-few-public-methods
    """The running pair and what the plays need."""

    def __init__(self, keystone: servers.Server, neutron: servers.Server, demo_password: str, conn_id: str,
                 demo_user_id: str = '') -> None:
        self.demo_user_id = demo_user_id
        self.keystone = keystone
        self.neutron = neutron
        self.demo_password = demo_password
        self.conn_id = conn_id

    def keystone_requests(self) -> list:
        """``METHOD PATH STATUS`` lines Keystone served so far."""
        path = self.keystone.workdir / 'requests.log'
        return path.read_text(encoding='utf-8').splitlines() if path.is_file() else []

    def take_neutron_log(self) -> list:
        """Neutron's request log since the last call (read and clear)."""
        return topology.call(self.neutron.url, 'DELETE', '/_emulator/log')['requests']


def secret_file(path: Path, value: str) -> Path:
    """Write a secret for a server to read (never on its command line)."""
    path.write_text(value + '\n', encoding='utf-8')
    path.chmod(0o600)
    return path


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    """Keystone + Neutron (keystone auth) with the topology and one connection of project demo."""
    base = tmp_path_factory.mktemp('keystone-mode')
    admin_password, demo_password, service_password = (secrets.token_urlsafe(12) for _index in range(3))
    neutron_port = servers.free_port()
    neutron_url = 'http://127.0.0.1:%d' % neutron_port
    with servers.keystone(base / 'keystone', servers.free_port(), secret_file(base / 'admin', admin_password)) as ks:
        ids = identity.set_up(ks.url, admin_password, neutron_url, demo_password, service_password)
        with servers.neutron(base / 'neutron', port=neutron_port, keystone_url=ks.url + '/v3',
                             service_password_file=secret_file(base / 'service', service_password)) as nt:
            topo = topology.build(nt.url, token=ids['admin_token'], project_id=ids['demo_project_id'])
            token = identity.login(ks.url, identity.DEMO_USER, demo_password, identity.DEMO_PROJECT)
            conn = topology.call(nt.url, 'POST', '/v2.0/vpn/ipsec-site-connections', {'ipsec_site_connection': {
                'name': 'keystone-mode', 'psk': secrets.token_urlsafe(9), 'peer_address': '192.0.2.60',
                'peer_id': '192.0.2.60', 'vpnservice_id': topo['vpnservice_id'], 'ikepolicy_id': topo['ikepolicy_id'],
                'ipsecpolicy_id': topo['ipsecpolicy_id'], 'local_ep_group_id': topo['local_ep_group_id'],
                'peer_ep_group_id': topo['peer_ep_group_id']}}, token)['ipsec_site_connection']
            found = Cloud(ks, nt, demo_password, conn['id'], ids['demo_user_id'])
            found.take_neutron_log()
            yield found


def run_play(cloud: Cloud, tmp_path: Path, name: str, tasks: list, env: dict = None) -> str:
    """Run ``tasks`` with ansible-playbook -vvvv (credentials only from ``env`` and the vars file); return the output."""
    play = tmp_path / 'play.yml'
    play.write_text(yaml.safe_dump([{'name': 'Keystone mode: %s' % name, 'hosts': 'localhost', 'gather_facts': False,
                                     'tasks': tasks}]), encoding='utf-8')
    extra = tmp_path / 'vars.yml'
    extra.write_text(yaml.safe_dump({
        'keystone_url': cloud.keystone.url + '/v3', 'neutron_url': cloud.neutron.url, 'demo_password': cloud.demo_password,
        'conn_id': cloud.conn_id, 'clouds_file': str(write_clouds_yaml(cloud, tmp_path))}), encoding='utf-8')
    run_env = credential_free_env(tmp_path)
    run_env.update(env or {})
    proc = subprocess.run([str(Path(sys.executable).parent / 'ansible-playbook'), '-vvvv', '-i',
                           str(local_inventory(tmp_path / 'inventory')), '-e', '@%s' % extra, str(play)],
                          env=run_env, capture_output=True, text=True, timeout=600, check=False)
    output = proc.stdout + proc.stderr
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / ('keystone-%s.log' % name)
    log.write_text(output, encoding='utf-8')
    assert proc.returncode == 0, 'ansible-playbook failed (rc %d); see %s\n%s' % (proc.returncode, log, output[-3000:])
    assert not leaked_lines(output, [cloud.demo_password]), 'the password appears in %s' % log
    return output


def write_clouds_yaml(cloud: Cloud, tmp_path: Path) -> Path:
    """A clouds.yaml with the test cloud and an unrelated one."""
    path = tmp_path / 'clouds.yaml'
    path.write_text(yaml.safe_dump({'clouds': {
        'real': {'auth': {'auth_url': cloud.keystone.url + '/v3', 'username': identity.DEMO_USER,
                          'password': cloud.demo_password, 'project_name': identity.DEMO_PROJECT,
                          'user_domain_name': 'Default', 'project_domain_name': 'Default'},
                 'region_name': identity.REGION},
        'elsewhere': {'auth': {'auth_url': 'http://192.0.2.1:5000/v3', 'username': 'x', 'password': 'y',
                               'project_name': 'z'}}}}), encoding='utf-8')
    path.chmod(0o600)
    return path


def read_task(name: str, options: dict, env: dict = None, fails: bool = False) -> dict:
    """A task reading the connection with ``options``."""
    task = {'name': name, 'vpnaas.cloud.ipsec_connection_info': dict(options, id='{{ conn_id }}'),
            'register': 'outcome'}
    if env:
        task['environment'] = env
    if fails:
        task['ignore_errors'] = True
    return task


def found_check(name: str) -> dict:
    """Assert the connection was read."""
    return {'name': 'Found: %s' % name, 'ansible.builtin.assert': {'that': [
        "outcome.ipsec_site_connections | map(attribute='id') | list == [conn_id]"]}}


PASSWORD_OPTIONS = {'auth_url': '{{ keystone_url }}', 'username': identity.DEMO_USER, 'password': '{{ demo_password }}',
                    'project_name': identity.DEMO_PROJECT, 'region': identity.REGION}


def test_options_clouds_yaml_and_failures(cloud, tmp_path):
    """Password options with the catalog's endpoint, `cloud`, OS_CLOUD; a wrong password; a bad token."""
    tasks = [
        read_task('Password options, endpoint from the catalog', PASSWORD_OPTIONS), found_check('password options'),
        read_task('clouds.yaml named by the cloud option', {'cloud': 'real'}, env={'OS_CLIENT_CONFIG_FILE': '{{ clouds_file }}'}),
        found_check('cloud option'),
        read_task('clouds.yaml named by OS_CLOUD', {}, env={'OS_CLIENT_CONFIG_FILE': '{{ clouds_file }}', 'OS_CLOUD': 'real'}),
        found_check('OS_CLOUD'),
        read_task('A wrong password', dict(PASSWORD_OPTIONS, password='not-the-Password-3e1'), fails=True),
        {'name': 'Keystone refused the wrong password', 'ansible.builtin.assert': {'that': [
            'outcome.failed', "'%s' in outcome.msg" % KEYSTONE_UNAUTHORIZED,
            "'[Keystone password authentication as user demo, project demo]' in outcome.msg"]}},
        read_task('A token Keystone never issued', {'auth_token': 'gAAAAA-not-a-token', 'endpoint': '{{ neutron_url }}'},
                  fails=True),
        {'name': "Neutron's keystonemiddleware refused the token", 'ansible.builtin.assert': {'that': [
            'outcome.failed', "'%s' in outcome.msg" % NEUTRON_UNAUTHORIZED, "'[token authentication (auth_token)]' in outcome.msg"]}},
    ]
    before = len(cloud.keystone_requests())
    run_play(cloud, tmp_path, 'options', tasks)
    logins = [line for line in cloud.keystone_requests()[before:] if line.startswith('POST /v3/auth/tokens')]
    # Three good logins and the refused one (keystonemiddleware's own login may add a 201).
    assert len([line for line in logins if line.endswith(' 401')]) == 1, logins
    assert len([line for line in logins if line.endswith(' 201')]) >= 3, logins
    reads = [(entry['method'], entry['status']) for entry in cloud.take_neutron_log()]
    assert reads == [('GET', 200)] * 3 + [('GET', 401)], reads


def test_os_environment_variables(cloud, tmp_path):
    """OS_* variables on the ansible-playbook process, as AWX injects them, and no option at all."""
    env = {'OS_AUTH_URL': cloud.keystone.url + '/v3', 'OS_USERNAME': identity.DEMO_USER,
           'OS_PASSWORD': cloud.demo_password, 'OS_PROJECT_NAME': identity.DEMO_PROJECT,
           'OS_USER_DOMAIN_NAME': 'Default', 'OS_PROJECT_DOMAIN_NAME': 'Default', 'OS_REGION_NAME': identity.REGION,
           'OS_INTERFACE': 'public'}
    run_play(cloud, tmp_path, 'os-environment', [read_task('Credentials from OS_* only', {}), found_check('OS_*')], env)
    assert [(entry['method'], entry['status']) for entry in cloud.take_neutron_log()] == [('GET', 200)]


def test_login_once_per_play(cloud, tmp_path):
    """vpnaas.cloud.auth logs in once; five reads then use its token and the catalog's endpoint."""
    tasks = [
        {'name': 'Log in once', 'vpnaas.cloud.auth': PASSWORD_OPTIONS, 'register': 'vpn_login'},
        {'name': 'Read five times with that token', 'vpnaas.cloud.ipsec_connection_info': {'id': '{{ conn_id }}'},
         'module_defaults': {'group/vpnaas.cloud.vpnaas': {'auth_token': '{{ vpn_login.auth_token }}',
                                                           'endpoint': '{{ vpn_login.endpoint }}'}},
         'loop': [1, 2, 3, 4, 5], 'register': 'reads'},
        {'name': 'The login gave the catalog endpoint and every read found the connection',
         'ansible.builtin.assert': {'that': [
             'vpn_login.endpoint == neutron_url', 'vpn_login.expires_at is defined',
             "reads.results | map(attribute='ipsec_site_connections') | map('length') | list == [1, 1, 1, 1, 1]"]}},
    ]
    before = len(cloud.keystone_requests())
    run_play(cloud, tmp_path, 'login-once', tasks)
    logins = [line for line in cloud.keystone_requests()[before:] if line.startswith('POST /v3/auth/tokens')]
    assert logins == ['POST /v3/auth/tokens 201'], logins
    assert [(entry['method'], entry['status']) for entry in cloud.take_neutron_log()] == [('GET', 200)] * 5


def test_application_credential_and_v3token(cloud, tmp_path):
    """An application credential made through Keystone's API logs in by id, by name, from clouds.yaml and OS_*;
    an unscoped token in a v3token clouds.yaml is exchanged for a project-scoped one."""
    keystone = cloud.keystone.url
    demo_token = identity.login(keystone, identity.DEMO_USER, cloud.demo_password, identity.DEMO_PROJECT)
    secret, name = secrets.token_urlsafe(18), 'vpnaas-ci-%s' % secrets.token_hex(4)
    credential_id = identity.application_credential(keystone, cloud.demo_user_id, demo_token, name, secret)
    unscoped = identity.unscoped_login(keystone, identity.DEMO_USER, cloud.demo_password)
    clouds = tmp_path / 'appcred-clouds.yaml'
    clouds.write_text(yaml.safe_dump({'clouds': {
        'appcred': {'auth_type': 'v3applicationcredential', 'region_name': identity.REGION,
                    'auth': {'auth_url': keystone + '/v3', 'application_credential_id': credential_id,
                             'application_credential_secret': secret}},
        'token': {'auth_type': 'v3token', 'auth': {'auth_url': keystone + '/v3', 'token': unscoped,
                                                   'project_name': identity.DEMO_PROJECT, 'project_domain_name': 'Default'}},
    }}), encoding='utf-8')
    clouds.chmod(0o600)
    from_file = {'OS_CLIENT_CONFIG_FILE': str(clouds)}
    by_id = {'auth_url': '{{ keystone_url }}', 'application_credential_id': credential_id,
             'application_credential_secret': secret}
    by_name = {'auth_url': '{{ keystone_url }}', 'application_credential_name': name, 'username': identity.DEMO_USER,
               'user_domain_name': 'Default', 'application_credential_secret': secret}
    tasks = [
        read_task('Application credential by id', by_id), found_check('by id'),
        read_task('Application credential by name and user', by_name), found_check('by name'),
        read_task('clouds.yaml with auth_type v3applicationcredential', {}, env=dict(from_file, OS_CLOUD='appcred')),
        found_check('clouds.yaml v3applicationcredential'),
        read_task('clouds.yaml with auth_type v3token', {}, env=dict(from_file, OS_CLOUD='token')),
        found_check('clouds.yaml v3token'),
        {'name': 'Log in once with the application credential', 'vpnaas.cloud.auth': by_id, 'register': 'vpn_login'},
        {'name': 'The login gave the catalog endpoint', 'ansible.builtin.assert': {'that': [
            'vpn_login.endpoint == neutron_url', 'vpn_login.expires_at is defined']}},
        read_task('A wrong application credential secret', dict(by_id, application_credential_secret='not-the-Secret-1a'),
                  fails=True),
        {'name': 'Keystone refused the wrong secret', 'ansible.builtin.assert': {'that': [
            'outcome.failed', "'%s' in outcome.msg" % KEYSTONE_UNAUTHORIZED,
            "'[Keystone application credential %s]' in outcome.msg" % credential_id]}},
    ]
    before = len(cloud.keystone_requests())
    output = run_play(cloud, tmp_path, 'application-credential', tasks)
    assert not leaked_lines(output, [secret, unscoped, demo_token]), 'a secret appears in the application-credential output'
    logins = [line for line in cloud.keystone_requests()[before:] if line.startswith('POST /v3/auth/tokens')]
    # Five good logins and the refused one (keystonemiddleware's own login may add a 201).
    assert len([line for line in logins if line.endswith(' 401')]) == 1, logins
    assert len([line for line in logins if line.endswith(' 201')]) >= 5, logins
    reads = [(entry['method'], entry['status']) for entry in cloud.take_neutron_log()]
    assert reads == [('GET', 200)] * 4, reads

    # What an application credential's openrc sets, on the ansible-playbook process as AWX injects variables.
    env = {'OS_AUTH_TYPE': 'v3applicationcredential', 'OS_AUTH_URL': keystone + '/v3',
           'OS_APPLICATION_CREDENTIAL_ID': credential_id, 'OS_APPLICATION_CREDENTIAL_SECRET': secret,
           'OS_REGION_NAME': identity.REGION, 'OS_INTERFACE': 'public', 'OS_IDENTITY_API_VERSION': '3'}
    output = run_play(cloud, tmp_path, 'application-credential-environment',
                      [read_task('Application credential from OS_* only', {}), found_check('OS_APPLICATION_CREDENTIAL_*')], env)
    assert not leaked_lines(output, [secret]), 'the application credential secret appears in the output'
    assert [(entry['method'], entry['status']) for entry in cloud.take_neutron_log()] == [('GET', 200)]
