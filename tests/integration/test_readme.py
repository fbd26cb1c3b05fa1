# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's examples, run as written against the emulator.

The README marks the blocks to run with an HTML comment ``<!-- tested -->`` on the line before the fence.
A ``yaml`` block whose first line is ``# <file>.yml ...`` is written to that file; a ``console`` block's
``$ `` lines are run with bash in that directory, with HOME there (so ``~/.vault_pass`` is the test's
vault password file). The test provides the two files that hold what only a user knows: ``secrets.yml``
(encrypted with ``ansible-vault``, the keys the README names) and ``otc.yml`` (the same keys as the README's,
pointing at the emulator). The role commands get their connection from ``VPNAAS_ENDPOINT`` and
``VPNAAS_AUTH_TOKEN``, as the README says credentials may come from the environment.

The role (``site_to_site``) is asserted loosely: success, the parts existing, a second run without writes,
nothing left after the teardown; its exact request counts belong to ``test_site_to_site.py``.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.integration.test_targets import OUTPUT, REPO, credential_free_env, leaked_lines
from tests.emulator.auth import DOMAIN, USER_NAME, USER_PASSWORD
from tests.emulator.config import PROJECT_NAME
from tests.emulator.run_with import Emulator

README = REPO / 'README.md'
BIN = Path(sys.executable).parent
VAULT_PASSWORD = 'readme-Vault-Pass-5e1c'
PSK = 'readme-Branch-Psk-8b2d'
PARTS = ('ipsec_site_connections', 'vpnservices', 'ikepolicies', 'ipsecpolicies', 'endpoint_groups')
BLOCK = re.compile(r'^<!-- tested -->\n```(\w+)\n(.*?)^```$', re.MULTILINE | re.DOTALL)


def readme_blocks() -> list:
    """(language, text) of every block the README marks as tested, in order."""
    return BLOCK.findall(README.read_text(encoding='utf-8'))


def files() -> dict:
    """The README's tested yaml blocks by the file name of their first line."""
    found = {}
    for language, text in readme_blocks():
        if language == 'yaml':
            match = re.match(r'# (\S+\.yml)', text)
            assert match, 'a tested yaml block must start with "# <file>.yml": %r' % text[:60]
            found[match.group(1)] = text
    return found


def commands(playbook: str) -> list:
    """The ``$ `` lines of the tested console blocks that run ``playbook``."""
    lines = [line[2:] for language, text in readme_blocks() if language == 'console'
             for line in text.splitlines() if line.startswith('$ ')]
    return [line for line in lines if line.split()[1] == playbook]


def recap(output: str) -> dict:
    """The numbers of the PLAY RECAP line for localhost."""
    match = re.search(r'^localhost\s+:\s+(.*)$', output, re.MULTILINE)
    assert match, output[-3000:]
    return dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(1)))


class Readme:
    """A directory holding the README's files (and the test's own secrets), and one emulator."""

    def __init__(self, emulator: Emulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.written = files()
        for name, text in self.written.items():
            if name not in ('secrets.yml', 'otc.yml'):
                (tmp_path / name).write_text(text, encoding='utf-8')
        (tmp_path / '.vault_pass').write_text(VAULT_PASSWORD + '\n', encoding='utf-8')
        self.write_secrets()
        self.write_otc()

    def write_secrets(self) -> None:
        """secrets.yml with the keys the README names (vault_otc_password is named in its text), encrypted."""
        readme_keys = set(yaml.safe_load(self.written['secrets.yml']))
        secrets = {'vault_branch1_psk': PSK, 'vault_otc_password': USER_PASSWORD}
        assert readme_keys <= set(secrets), readme_keys
        path = self.tmp_path / 'secrets.yml'
        path.write_text(yaml.safe_dump(secrets), encoding='utf-8')
        subprocess.run([str(BIN / 'ansible-vault'), 'encrypt', '--vault-password-file', str(self.tmp_path / '.vault_pass'),
                        str(path)], env=credential_free_env(self.tmp_path), check=True, capture_output=True, timeout=120)
        assert path.read_text(encoding='utf-8').startswith('$ANSIBLE_VAULT;')

    def write_otc(self) -> None:
        """otc.yml with the README's keys, pointing at the emulator's Keystone and API."""
        ours = {'otc_auth_url': self.emulator.url + '/v3', 'otc_endpoint': self.emulator.url,
                'otc_user_domain_name': DOMAIN['name'], 'otc_project_name': PROJECT_NAME, 'otc_username': USER_NAME}
        assert set(yaml.safe_load(self.written['otc.yml'])) == set(ours)
        (self.tmp_path / 'otc.yml').write_text(yaml.safe_dump(ours), encoding='utf-8')

    def run(self, step: str, command: str, token_env: bool) -> tuple:
        """Run one README command line with bash; returns (recap numbers, output, /v2.0 requests)."""
        env = credential_free_env(self.tmp_path)
        env.update(HOME=str(self.tmp_path), PATH='%s:%s' % (BIN, env.get('PATH', '')))
        if token_env:
            env.update(VPNAAS_ENDPOINT=self.emulator.url, VPNAAS_AUTH_TOKEN=self.emulator.token)
        self.emulator.clear_log()
        proc = subprocess.run(['bash', '-c', command], cwd=str(self.tmp_path), env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        output = proc.stdout + proc.stderr
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ('readme-%s-%s.log' % (self.emulator.flavour, step))).write_text('$ %s\n%s' % (command, output),
                                                                                   encoding='utf-8')
        assert proc.returncode == 0, 'README command failed (%s): %s\n%s' % (step, command, output[-4000:])
        assert not leaked_lines(output, [PSK, USER_PASSWORD, VAULT_PASSWORD]), 'a secret appears in the output of ' + step
        log = self.emulator.log()
        requests = ['%s %s' % (entry['method'], entry['path'].split('?')[0]) for entry in log]
        return recap(output), output, requests

    def stored(self) -> dict:
        """How many objects of each part the emulator holds."""
        state = self.emulator.state()
        return dict((part, len(state.get(part, []))) for part in PARTS)


def writes(requests: list) -> list:
    """The write requests to the VPN API (not the Keystone login)."""
    return [r for r in requests if r.split()[0] in ('POST', 'PUT', 'DELETE') and ' /v2.0/' in r]


@pytest.mark.parametrize('flavour', ('neutron', 'huawei'))
def test_readme_site_to_site_commands(tmp_path, flavour):
    """build, again, tear down: the README's role commands as written (on Huawei with -e site_to_site_cloud=otc)."""
    lines = commands('vpnaas.cloud.site_to_site')
    assert len(lines) == 3 and all('-e @secrets.yml' in line for line in lines), lines
    if flavour == 'huawei':
        # What the README says to do on OTC and Huawei Cloud.
        lines = [line.replace('-e @branch-1.yml', '-e @branch-1.yml -e site_to_site_cloud=otc', 1) for line in lines]
    with Emulator(flavour=flavour) as emu:
        emu.flavour = flavour
        readme = Readme(emu, tmp_path)
        numbers, _output, requests = readme.run('site_to_site-build', lines[0], token_env=True)
        assert numbers['failed'] == 0 and numbers['changed'] >= 1
        assert readme.stored() == dict((part, 2 if part == 'endpoint_groups' else 1) for part in PARTS)
        state = emu.state()
        connection = state['ipsec_site_connections'][0]
        assert connection['name'] == 'branch-1' and connection['mtu'] == 1400 and connection['dpd']['timeout'] == 150
        assert sorted(connection['peer_cidrs'] or []) in ([], ['10.20.0.0/16', '10.21.0.0/16'])
        expected_hash = 'sha2-256' if flavour == 'huawei' else 'sha256'
        assert [p['auth_algorithm'] for p in state['ikepolicies'] + state['ipsecpolicies']] == [expected_hash] * 2
        assert Counter(r.split()[0] for r in writes(requests))['POST'] >= 6

        numbers, _output, requests = readme.run('site_to_site-again', lines[1], token_env=True)
        assert numbers['failed'] == 0 and numbers['changed'] == 0
        assert requests and not writes(requests), requests

        numbers, _output, requests = readme.run('site_to_site-absent', lines[2], token_env=True)
        assert numbers['failed'] == 0 and numbers['changed'] >= 1
        assert readme.stored() == dict((part, 0) for part in PARTS)


def test_readme_otc_example_playbook(tmp_path):
    """The OTC example: check mode with diff (no write), then the run (one POST), then again (no write)."""
    playbook = yaml.safe_load(files()['branch-tunnels.yml'])
    task = playbook[0]['tasks'][0]['vpnaas.cloud.ipsec_connection']
    defaults = playbook[0]['module_defaults']['group/vpnaas.cloud.vpnaas']
    # OTC needs the user's domain; the emulator's Keystone takes the default one, so check the playbook names it.
    assert defaults['user_domain_name'] == '{{ otc_user_domain_name }}' and task['psk'] == '{{ vault_branch1_psk }}'
    lines = commands('branch-tunnels.yml')
    assert len(lines) == 2 and '--check' in lines[0] and '--check' not in lines[1], lines
    with Emulator(flavour='huawei') as emu:
        emu.flavour = 'huawei'
        emu.seed({
            'vpnservices': [{'id': task['vpnservice_id'], 'name': 'vpn-main', 'router_id': 'router-1'}],
            'ikepolicies': [{'id': task['ikepolicy_id'], 'name': 'ike', 'auth_algorithm': 'sha2-256'}],
            'ipsecpolicies': [{'id': task['ipsecpolicy_id'], 'name': 'ipsec', 'auth_algorithm': 'sha2-256'}],
            'endpoint_groups': [{'id': task['local_ep_group_id'], 'name': 'local', 'type': 'subnet', 'endpoints': ['subnet-1']},
                                {'id': task['peer_ep_group_id'], 'name': 'peer', 'type': 'cidr',
                                 'endpoints': ['10.20.0.0/16']}],
        })
        readme = Readme(emu, tmp_path)

        numbers, output, requests = readme.run('example-check', lines[0], token_env=False)
        assert numbers['failed'] == 0 and numbers['changed'] == 1 and not writes(requests), requests
        assert 'POST /v3/auth/tokens' in requests and '"peer_address": "203.0.113.20"' in output

        numbers, output, requests = readme.run('example-apply', lines[1], token_env=False)
        assert numbers['failed'] == 0 and numbers['changed'] == 1
        assert writes(requests) == ['POST /v2.0/vpn/ipsec-site-connections'], requests
        stored = emu.state()['ipsec_site_connections']
        assert [c['name'] for c in stored] == ['branch-1'] and stored[0]['dpd']['timeout'] == 150
        assert stored[0]['psk_sha256'] == hashlib.sha256(PSK.encode()).hexdigest()

        numbers, output, requests = readme.run('example-again', lines[1], token_env=False)
        assert numbers['failed'] == 0 and numbers['changed'] == 0 and not writes(requests), requests
