# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every integration target with real ``ansible-playbook`` against the emulator, in both flavours.

Each target under ``targets/`` is a role whose tasks drive the installed collection
against the emulator over HTTP on 127.0.0.1 and assert on the emulator's request log.
This runner starts one emulator per flavour, runs each target at ``-vvvv``, keeps
the output under ``tests/output/integration/``, and fails if the play fails or if
any secret of the target (the ``*psk``, ``*password``, ``*secret``, ``*secret_key``
values of its defaults, and the API token) appears anywhere in the output.
Targets whose ``aliases`` hold ``vpnaas/https`` run a second time against an
emulator that serves HTTPS with a test CA (``vpnaas_emulator_ca``); those whose ``aliases`` hold
``vpnaas/one_flavour`` check nothing that depends on the flavour and run in the first one only (over
HTTP and HTTPS): ``bad_input`` fails before any request, and the emulator authenticates
(``auth_methods``: Keystone, tokens, AK/SK) the same way in both flavours.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TARGETS = REPO / 'tests' / 'integration' / 'targets'
# `make matrix` (tests/matrix/matrix.py) runs these tests with another ansible-core and target Python:
# VPNAAS_ANSIBLE_BIN is the directory of its ansible-playbook, VPNAAS_TARGET_PYTHON the Python the modules
# run on, VPNAAS_TEST_OUTPUT where the logs go (each core of the matrix its own). Unset: this venv's.
OUTPUT = Path(os.environ.get('VPNAAS_TEST_OUTPUT') or REPO / 'tests' / 'output' / 'integration')
ANSIBLE_BIN = Path(os.environ.get('VPNAAS_ANSIBLE_BIN') or Path(sys.executable).parent)
TARGET_PYTHON = os.environ.get('VPNAAS_TARGET_PYTHON') or sys.executable
FLAVOURS = ('neutron', 'huawei')
PLAY_TIMEOUT = 900  # seconds; a target normally takes well under a minute
#: Variables of every target's play: ``api_calls`` is templated each time it is used, from the ``api_log``
#: that setup_emulator's log.yml last took (a variable, not a second set_fact task after each read).
PLAY_VARS = {'api_calls': "{{ api_log | map(attribute='method') | list }}"}

from tests.emulator.run_with import Emulator  # noqa: E402  (conftest.py puts the repository root on sys.path)


def target_aliases(target: str) -> list:
    """The aliases of one target."""
    path = TARGETS / target / 'aliases'
    return path.read_text(encoding='utf-8').split() if path.is_file() else []


def target_names(alias: str = None) -> list:
    """Targets that run on their own (setup_* targets are helpers), optionally only those with ``alias``."""
    def wanted(path: Path) -> bool:
        if not (path / 'tasks' / 'main.yml').is_file() or path.name.startswith('setup_'):
            return False
        return alias is None or alias in target_aliases(path.name)
    return sorted(path.name for path in TARGETS.iterdir() if wanted(path))


def target_secrets(target: str) -> list:
    """Values of the target's defaults that are secrets and must never be printed."""
    defaults = TARGETS / target / 'defaults' / 'main.yml'
    if not defaults.is_file():
        return []
    data = yaml.safe_load(defaults.read_text(encoding='utf-8')) or {}
    return [str(value) for key, value in data.items() if re.search(r'(psk|password|secret|secret_key)$', key) and value]


def leaked_lines(output: str, secrets: list) -> list:
    """Line numbers of ``output`` that hold any of ``secrets`` (numbers only: never print a secret)."""
    return [number for number, line in enumerate(output.splitlines(), 1) if any(s in line for s in secrets)]


def failures(output: str) -> str:
    """The failed tasks of a -vvvv run (header, origin and result), and the recap."""
    lines = output.splitlines()
    picked = []
    for number, line in enumerate(lines):
        if line.startswith('fatal:') or line.startswith('failed:') or line.startswith('ERROR!'):
            start = max(0, number - 12)
            picked.extend(lines[start:number + 12] + ['...'])
    recap = [line for line in lines if re.match(r'\S+\s+: ok=', line)]
    return '\n'.join(picked[-200:] + recap) or output[-4000:]


@pytest.fixture(scope='module', params=FLAVOURS)
def emulator(request):
    """One emulator per flavour, shared by the targets."""
    with Emulator(flavour=request.param) as emu:
        emu.flavour = request.param
        yield emu


@pytest.fixture(scope='module', params=FLAVOURS)
def https_emulator(request):
    """One HTTPS emulator per flavour, with a test CA."""
    with Emulator(flavour=request.param, tls=True) as emu:
        emu.flavour = request.param
        yield emu


def ansible_env(tmp_path: Path) -> dict:
    """The environment of one ansible-playbook run: the installed collection and the venv's Python.

    Pipelining is on (the module goes to the target's Python on stdin instead of as a file
    in a temporary directory, which saves a few processes per task and about a fifth of the
    time of a target); set ANSIBLE_PIPELINING to choose. test_secrets.py runs with
    Ansible's default (off), so the secrets checks also cover the module files on disk.
    """
    env = dict(os.environ)
    env.setdefault('ANSIBLE_PIPELINING', '1')
    if not env.get('ANSIBLE_COLLECTIONS_PATH'):
        pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: run the integration tests with `make integration`, '
                    'which builds and installs the collection first')
    env.update(
        ANSIBLE_ROLES_PATH=str(TARGETS),
        ANSIBLE_PYTHON_INTERPRETER=TARGET_PYTHON,
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_RETRY_FILES_ENABLED='0',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-local'),
        ANSIBLE_HOME=str(tmp_path / 'ansible-home'),
    )
    return env


@pytest.mark.parametrize('target', target_names())
def test_target(target, emulator, tmp_path):
    if emulator.flavour != FLAVOURS[0] and 'vpnaas/one_flavour' in target_aliases(target):
        pytest.skip('%s checks nothing that depends on the flavour: it runs in the %s flavour only' % (target, FLAVOURS[0]))
    run_target(target, emulator, tmp_path, 'http')


@pytest.mark.parametrize('target', target_names('vpnaas/https'))
def test_target_over_https(target, https_emulator, tmp_path):
    if https_emulator.flavour != FLAVOURS[0] and 'vpnaas/one_flavour' in target_aliases(target):
        pytest.skip('%s checks nothing that depends on the flavour: it runs in the %s flavour only' % (target, FLAVOURS[0]))
    run_target(target, https_emulator, tmp_path, 'https')


def local_inventory(path: Path) -> Path:
    """Write an inventory of localhost, run with this Python (never an interpreter Ansible discovers)."""
    path.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % TARGET_PYTHON)
    return path


def credential_free_env(tmp_path: Path) -> dict:
    """``ansible_env`` without any OS_*, HW_* or VPNAAS_* variable, for tests that set credentials themselves."""
    return dict((name, value) for name, value in ansible_env(tmp_path).items()
                if not name.startswith(('OS_', 'HW_', 'VPNAAS_')))


def run_target(target: str, emulator, tmp_path: Path, scheme: str, more_vars: dict = None) -> None:
    """Run one target with ansible-playbook -vvvv against ``emulator``; assert success and no leaked secret.

    ``emulator`` may also be the real server of ``tests/openstack`` (same url/token/flavour
    attributes, plus ``label``); ``more_vars`` are extra vars added to the run (its topology).
    """
    play = tmp_path / 'play.yml'
    play.write_text(yaml.safe_dump([{'name': 'Integration target %s' % target, 'hosts': 'localhost',
                                     'gather_facts': False, 'vars': PLAY_VARS, 'roles': [target]}]), encoding='utf-8')
    extra_vars = {'vpnaas_emulator_url': emulator.url, 'vpnaas_emulator_token': emulator.token,
                  'vpnaas_emulator_flavour': emulator.flavour}
    if scheme == 'https':
        extra_vars.update(vpnaas_emulator_ca=emulator.ca_path, vpnaas_emulator_other_ca=emulator.other_ca_path)
    extra_vars.update(more_vars or {})
    extra = tmp_path / 'vars.yml'
    extra.write_text(yaml.safe_dump(extra_vars), encoding='utf-8')
    inventory = local_inventory(tmp_path / 'inventory')
    command = [str(ANSIBLE_BIN / 'ansible-playbook'), '-vvvv', '-i', str(inventory), '-e', '@%s' % extra,
               str(play)]
    proc = subprocess.run(command, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=PLAY_TIMEOUT,
                          check=False)
    output = proc.stdout + proc.stderr
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / ('%s-%s-%s.log' % (target, getattr(emulator, 'label', emulator.flavour), scheme))
    log.write_text(output, encoding='utf-8')
    assert proc.returncode == 0, 'ansible-playbook failed (rc %d); full output in %s\n%s' % (
        proc.returncode, log, failures(output))
    assert re.search(r'localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0', output), output[-3000:]
    leaks = leaked_lines(output, target_secrets(target) + [emulator.token])
    assert not leaks, 'secrets of target %s appear in the -vvvv output, at lines %s of %s' % (target, leaks, log)
