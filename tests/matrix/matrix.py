# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make matrix``: the built collection on every supported ansible-core, each with its target Pythons.

For each core with a pin file here (``requirements-<core>.txt``), on the controller Python chosen in
``CONTROLLER`` (one the core supports):

- ``install``: the built tarball installed with that core's ``ansible-galaxy`` into ``.build/matrix/<core>/``,
  then ONE ``ansible-doc`` of every module it holds (fails on a non-zero exit or anything on stderr);
- ``demo``: ``tests/demo/demo.yml`` against the emulator, as ``make demo`` runs it (modules on the controller's
  Python);
- ``smoke``: the integration targets of ``SMOKE_TARGETS`` (``bad_input``, and ``ipsec_connection_lifecycle``
  for create/update/delete) through ``tests/integration/test_targets.py`` (it checks the ``-vvvv`` output for
  secrets and keeps it), with the core's ``ansible-playbook`` and the oldest target Python;
- ``pythons``: one play (``pythons.yml``) with one local host per target Python, from the core's oldest supported
  to 3.13 (our modules need 3.8): each creates, updates, reports and deletes a connection there.

Venvs are cached under ``~/.cache/vpnaas-cloud/matrix/`` (``$VPNAAS_CLOUD_CACHE`` moves the root): one per core
(its pins, the target pins, the Python) and one per target Python (``target-requirements.txt``), shared by all
cores. A name holds a hash of what the venv is built from, so a change of the pins builds a new one (and removes
the old); a venv counts only once its ``.complete`` stamp exists, written last (a venv cannot be moved after it is
built, so it is built in place and an interrupted build is redone), under a lock.

Cores run ``--jobs`` at a time (2); every command has a timeout; only the emulators on 127.0.0.1 are contacted.
The table of results goes to stdout and ``tests/output/matrix/summary.txt``; logs next to it, per core.

Commands (run by the dev venv's python; ``venv`` also by any Python 3.8+, for ``make demo``'s fallback)::

    python tests/matrix/matrix.py run --tarball .build/dist/vpnaas-cloud-X.tar.gz [--jobs 2] [CORE ...]
    python tests/matrix/matrix.py venv [CORE]      # build or find a core's venv on this Python, print its path
    python tests/matrix/matrix.py support          # the README's support table (Markdown)
"""

from __future__ import annotations

import argparse
import ast
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script: tests/openstack/venvs.py holds the shared venv helpers
from tests.openstack import venvs as shared_venvs  # noqa: E402  pylint: disable=wrong-import-position
BUILD = REPO / '.build' / 'matrix'
OUTPUT = REPO / 'tests' / 'output' / 'matrix'
FIND_PYTHON = REPO / 'tests' / 'tools' / 'find_python.sh'
TARGET_PINS = HERE / 'target-requirements.txt'
PLAY = HERE / 'pythons.yml'
DEMO = REPO / 'tests' / 'demo' / 'demo.yml'
STAMP = '.complete'
FQCN = 'vpnaas.cloud'

# What each core supports, as its own ansible-test says (ansible_test/_util/target/common/constants.py:
# CONTROLLER_PYTHON_VERSIONS, and those plus REMOTE_ONLY_PYTHON_VERSIONS for targets); checked against the
# installed core on every run. A new core: add its requirements-<core>.txt and a line in each table.
SUPPORT: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    '2.16': (('3.10', '3.11', '3.12'), ('2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12')),
    '2.17': (('3.10', '3.11', '3.12'), ('3.7', '3.8', '3.9', '3.10', '3.11', '3.12')),
    '2.18': (('3.11', '3.12', '3.13'), ('3.8', '3.9', '3.10', '3.11', '3.12', '3.13')),
    '2.19': (('3.11', '3.12', '3.13'), ('3.8', '3.9', '3.10', '3.11', '3.12', '3.13')),
    '2.20': (('3.12', '3.13', '3.14'), ('3.9', '3.10', '3.11', '3.12', '3.13', '3.14')),
    '2.21': (('3.12', '3.13', '3.14'), ('3.9', '3.10', '3.11', '3.12', '3.13', '3.14')),
}
# The controller Python of each core: together they cover 3.10 to 3.13 and both ends of most ranges (the dev
# venv adds 2.21 on 3.12). 2.19 on 3.11 is also what `make demo` falls back to with only a python3.11.
CONTROLLER = {'2.16': '3.10', '2.17': '3.12', '2.18': '3.13', '2.19': '3.11', '2.20': '3.12', '2.21': '3.13'}
# The Pythons our modules run on (tests/config.yml: python_requires >=3.8), up to the newest we test.
MODULE_PYTHONS = ('3.8', '3.9', '3.10', '3.11', '3.12', '3.13')
SMOKE_TARGETS = ('bad_input', 'ipsec_connection_lifecycle')
SMOKE_FLAVOUR = 'neutron'

PIP = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps']
VENV_TIMEOUT = 900  # seconds for building one venv; a cold one takes about 30 s
CHECKS = ('demo', 'pythons', 'smoke')  # after install and ansible-doc, which always run
TIMEOUTS = {'install': 180, 'ansible-doc': 180, 'demo': 300, 'pythons': 600, 'smoke': 2400}

_LIVE: Dict[int, subprocess.Popen] = {}  # process groups to kill if we are interrupted
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set on an interrupt: no new command starts


class MatrixError(RuntimeError):
    """Something the matrix needs is missing or could not be built (the message says what)."""


# --- Pythons and venvs ---------------------------------------------------------------------------------------


def cores_available() -> List[str]:
    """The cores with a pin file, oldest first."""
    found = [p.name[len('requirements-'):-len('.txt')] for p in HERE.glob('requirements-*.txt')]
    return sorted(found, key=version_key)


def version_key(version: str) -> Tuple[int, ...]:
    """``'3.10'`` -> ``(3, 10)``, for sorting."""
    return tuple(int(part) for part in version.split('.'))


def target_pythons(core: str, found: Sequence[str]) -> List[str]:
    """The target Pythons of ``core`` that the matrix runs the modules on: ours, supported by the core, found."""
    return [v for v in MODULE_PYTHONS if v in SUPPORT[core][1] and v in found]


def controller_candidates(core: str) -> List[str]:
    """The controller Pythons to try for ``core``: the chosen one, then the others it supports."""
    chosen = CONTROLLER[core]
    return [chosen] + [v for v in SUPPORT[core][0] if v != chosen]


def find_python(version: str) -> Optional[str]:
    """The real path of a working Python ``version`` (tests/tools/find_python.sh), or None."""
    try:
        out = subprocess.run(['bash', str(FIND_PYTHON), version], capture_output=True, text=True, timeout=60,
                             check=False).stdout.strip()
    except subprocess.TimeoutExpired:
        return None
    return out or None


def interpreter(python: str) -> Tuple[str, str]:
    """The real path of an interpreter (never a pyenv shim) and its full version (``3.10.13``)."""
    out = subprocess.run([python, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3], sys.executable)'],
                         capture_output=True, text=True, timeout=60, check=True)
    version, executable = out.stdout.strip().split(' ', 1)
    return os.path.realpath(executable), version


def python_version(python: str) -> str:
    """The full version of an interpreter (``3.10.13``)."""
    return interpreter(python)[1]


def cache_root() -> Path:
    """Where the venvs are cached (created on demand)."""
    root = shared_venvs.cache_root() / 'matrix'
    root.mkdir(exist_ok=True)
    return root


def venv_key(real_path: str, full_version: str, pin_files: Sequence[Path]) -> str:
    """A short hash of the pin files' content, the interpreter's real path and its full version."""
    digest = hashlib.sha256()
    for pins in pin_files:
        digest.update(pins.read_bytes() + b'\0')
    digest.update(('%s %s' % (real_path, full_version)).encode())
    return digest.hexdigest()[:12]


def _run_quiet(command: List[str], what: str, timeout: int) -> None:
    """Run ``command``; raise MatrixError with ``what`` and the end of its output if it fails."""
    try:
        shared_venvs.run_command(command, what, timeout)
    except shared_venvs.VenvError as exc:
        raise MatrixError(str(exc)) from None


def ensure_venv(prefix: str, python: str, pin_files: Sequence[Path]) -> Path:
    """The venv ``<prefix>-<key>`` of ``python`` with exactly ``pin_files`` installed, built if needed."""
    python, full = interpreter(python)
    root = cache_root()
    path = root / ('%s-%s' % (prefix, venv_key(python, full, pin_files)))
    if (path / STAMP).is_file():
        return path
    with open(root / ('%s.lock' % prefix), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it: wait for it
        if (path / STAMP).is_file():
            return path
        shutil.rmtree(path, ignore_errors=True)
        try:
            _run_quiet([python, '-m', 'venv', str(path)], 'creating the venv %s' % path.name, 300)
            requirements: List[str] = []
            for pins in pin_files:
                requirements += ['-r', str(pins)]
            _run_quiet([str(path / 'bin' / 'python')] + PIP + requirements,
                       'installing %s into %s' % (' '.join(p.name for p in pin_files), path.name), VENV_TIMEOUT)
            _run_quiet([str(path / 'bin' / 'python'), '-m', 'pip', 'check'], 'pip check of %s' % path.name, 120)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        (path / STAMP).write_text('Python %s (%s); %s\n' % (full, python, ', '.join(p.name for p in pin_files)),
                                  encoding='utf-8')
        for stale in root.glob('%s-*' % prefix):
            if stale != path and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    return path


def core_pins(core: str) -> List[Path]:
    """The pin files of a core's controller venv: its ansible-core, and what the modules need (the demo)."""
    return [HERE / ('requirements-%s.txt' % core), TARGET_PINS]


def core_venv(core: str, python: str) -> Path:
    """The controller venv of ``core`` on ``python``."""
    return ensure_venv('core-%s-py%s' % (core, python_version(python).rsplit('.', 1)[0]), python, core_pins(core))


def target_venv(version: str, python: str) -> Path:
    """The venv of target Python ``version`` (requests and its needs)."""
    return ensure_venv('target-py%s' % version, python, [TARGET_PINS])


def declared_support(venv: Path) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """The controller and target Pythons the installed ansible-test declares (constants.py)."""
    found = sorted(venv.glob('lib/python*/site-packages/ansible_test/_util/target/common/constants.py'))
    if not found:
        raise MatrixError('no ansible_test constants.py in %s' % venv)
    values: Dict[str, Tuple[str, ...]] = {}
    for node in ast.parse(found[0].read_text(encoding='utf-8')).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ('CONTROLLER_PYTHON_VERSIONS', 'REMOTE_ONLY_PYTHON_VERSIONS'):
                values[node.targets[0].id] = tuple(ast.literal_eval(node.value))
    controller = values['CONTROLLER_PYTHON_VERSIONS']
    return controller, values['REMOTE_ONLY_PYTHON_VERSIONS'] + controller


# --- Running commands ----------------------------------------------------------------------------------------


def base_env(core_dir: Path, venv: Path) -> Dict[str, str]:
    """The environment of every Ansible command of one core: nothing inherited from ANSIBLE_*, OS_*, HW_*,
    VPNAAS_* or PYTHON* variables, the core's tools first on PATH, scratch space under ``core_dir``."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(('ANSIBLE_', 'OS_', 'HW_', 'VPNAAS_', 'PYTHON'))}
    env.update(
        PATH='%s:%s' % (venv / 'bin', env.get('PATH', '/usr/bin:/bin')),
        ANSIBLE_COLLECTIONS_PATH=str(core_dir / 'collections'),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
        ANSIBLE_HOME=str(core_dir / 'ansible-home'),
        ANSIBLE_LOCAL_TEMP=str(core_dir / 'ansible-local'),
        ANSIBLE_REMOTE_TMP=str(core_dir / 'ansible-remote'),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_RETRY_FILES_ENABLED='0',
        ANSIBLE_PYTHON_INTERPRETER=str(venv / 'bin' / 'python'),
    )
    return env


@dataclass
class Ran:
    """The outcome of one command."""
    code: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False


def run(command: List[str], env: Dict[str, str], timeout: int, log: Path, cwd: Path = REPO) -> Ran:
    """Run ``command`` in a process group of its own (killed whole on timeout); write its output to ``log``."""
    start = time.monotonic()
    with _LIVE_LOCK:
        if _STOPPING.is_set():
            raise MatrixError('interrupted')
        proc = subprocess.Popen(command, env=env, cwd=str(cwd), stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        _LIVE[proc.pid] = proc
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        stdout, stderr = proc.communicate()
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(proc.pid, None)
    seconds = time.monotonic() - start
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text('$ %s\n# exit %s after %.1f s%s\n\n== stdout\n%s\n== stderr\n%s' % (
        ' '.join(command), proc.returncode, seconds, ' (timed out after %d s)' % timeout if timed_out else '',
        stdout, stderr), encoding='utf-8')
    return Ran(proc.returncode, stdout, stderr, seconds, timed_out)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Kill every command still running, and start no other (on an interrupt)."""
    with _LIVE_LOCK:
        _STOPPING.set()
        procs = list(_LIVE.values())
    for proc in procs:
        _kill_group(proc)


# --- The checks of one core -----------------------------------------------------------------------------------


@dataclass
class Cell:
    """One line of the table: a check of one core on one target Python (or none)."""
    core: str
    target: str
    check: str
    result: str = 'not run'
    seconds: Optional[float] = None
    log: Optional[Path] = None
    why: str = ''
    shared: bool = False  # the time is that of one play for all the core's target Pythons

    @property
    def failed(self) -> bool:
        return self.result != 'pass'


@dataclass
class Core:
    """One core of the matrix and what it found."""
    name: str
    pin: str = ''
    controller: str = ''
    venv: Optional[Path] = None
    targets: Dict[str, Path] = field(default_factory=dict)  # target Python -> its venv
    cells: List[Cell] = field(default_factory=list)
    seconds: float = 0.0
    warnings: List[str] = field(default_factory=list)


RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)
WARNING = re.compile(r'^\[(?:DEPRECATION )?WARNING\].*$', re.MULTILINE)


def recap(output: str) -> Dict[str, Tuple[int, int, int]]:
    """``host -> (ok, unreachable, failed)`` from a PLAY RECAP."""
    return {m.group(1): (int(m.group(2)), int(m.group(4)), int(m.group(5))) for m in RECAP.finditer(output)}


def warnings_of(text: str) -> List[str]:
    """The distinct [WARNING] and [DEPRECATION WARNING] lines of an output."""
    return list(dict.fromkeys(line.strip() for line in WARNING.findall(text)))


def installed_modules(collections: Path) -> List[str]:
    """The modules of the installed collection (what the tarball ships)."""
    modules = collections / 'ansible_collections' / 'vpnaas' / 'cloud' / 'plugins' / 'modules'
    return sorted(p.stem for p in modules.glob('*.py') if p.name != '__init__.py')


def check_install(core: Core, tarball: Path, env: Dict[str, str], logs: Path) -> Cell:
    """Install the tarball with the core's ansible-galaxy, then one ansible-doc of every module."""
    cell = Cell(core.name, '-', 'install, ansible-doc')
    assert core.venv is not None
    bin_dir = core.venv / 'bin'
    collections = Path(env['ANSIBLE_COLLECTIONS_PATH'])
    cell.log = logs / 'install.log'
    ran = run([str(bin_dir / 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', '--no-deps',
               '-p', str(collections), str(tarball)], env, TIMEOUTS['install'], cell.log)
    cell.seconds = ran.seconds
    core.warnings += warnings_of(ran.stdout + ran.stderr)
    if ran.code != 0:
        cell.result, cell.why = 'FAIL', 'ansible-galaxy collection install: exit %s' % ran.code
        return cell
    modules = installed_modules(collections)
    if not modules:
        cell.result, cell.why = 'FAIL', 'no module in the installed collection'
        return cell
    cell.check = 'install, ansible-doc of %d modules' % len(modules)
    cell.log = logs / 'ansible-doc.log'
    ran = run([str(bin_dir / 'ansible-doc'), '-t', 'module'] + ['%s.%s' % (FQCN, m) for m in modules], env,
              TIMEOUTS['ansible-doc'], cell.log)
    cell.seconds += ran.seconds
    missing = [m for m in modules if ('%s.%s' % (FQCN, m)).lower() not in ran.stdout.lower()]
    if ran.code != 0:
        cell.result, cell.why = 'FAIL', 'ansible-doc: exit %s' % ran.code
    elif ran.stderr.strip():
        cell.result, cell.why = 'FAIL', 'ansible-doc printed on stderr: %s' % ran.stderr.strip().splitlines()[0]
    elif missing:
        cell.result, cell.why = 'FAIL', 'ansible-doc did not render %s' % ', '.join(missing)
    else:
        cell.result = 'pass'
    return cell


def check_demo(core: Core, env: Dict[str, str], logs: Path) -> Cell:
    """tests/demo/demo.yml against the emulator, as `make demo` runs it (modules on the controller's Python)."""
    assert core.venv is not None
    cell = Cell(core.name, '%s (controller)' % core.controller.rsplit('.', 1)[0], 'demo', log=logs / 'demo.log')
    token = 'matrix-' + secrets.token_hex(12)
    ran = run([sys.executable, str(REPO / 'tests' / 'emulator' / 'run_with.py'), '--run-timeout', str(TIMEOUTS['demo'] - 30),
               '--flavour', 'neutron', '--static-token', token, '--',
               str(core.venv / 'bin' / 'ansible-playbook'), '-i', 'localhost,', str(DEMO)], env, TIMEOUTS['demo'], cell.log)
    cell.seconds = ran.seconds
    core.warnings += warnings_of(ran.stdout + ran.stderr)
    hosts = recap(ran.stdout)
    if ran.code != 0 or hosts.get('localhost', (0, 1, 1))[1:] != (0, 0):
        cell.result, cell.why = 'FAIL', 'the demo failed (exit %s)' % ran.code
    elif token in ran.stdout + ran.stderr:
        cell.result, cell.why = 'FAIL', 'the API token appears in the output'
    else:
        cell.result = 'pass'
    return cell


def pythons_inventory(core: Core, path: Path) -> None:
    """A YAML (here JSON) inventory: one local host per target Python, with the version the play must find there
    (a string: an INI inventory would read 3.10 as the number 3.1) and a peer address of its own."""
    hosts = {}
    for number, (version, venv) in enumerate(sorted(core.targets.items(), key=lambda item: version_key(item[0]))):
        hosts['python%s' % version] = {'ansible_connection': 'local',
                                       'ansible_python_interpreter': str(venv / 'bin' / 'python'),
                                       'matrix_python': version, 'matrix_peer': '192.0.2.%d' % (10 + number)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({'pythons': {'hosts': hosts}}, indent=2) + '\n', encoding='utf-8')


# The objects the play's connections refer to, seeded into the emulator before the play (ids as in pythons.yml).
PYTHONS_SEED = {
    'vpnservices': [{'id': '0a1b2c3d-0000-4000-8000-0000000009a1', 'name': 'matrix-vpn',
                     'router_id': '0a1b2c3d-0000-4000-8000-0000000009f1'}],
    'ikepolicies': [{'id': '0a1b2c3d-0000-4000-8000-0000000009b1', 'name': 'matrix-ike', 'auth_algorithm': 'sha256'}],
    'ipsecpolicies': [{'id': '0a1b2c3d-0000-4000-8000-0000000009c1', 'name': 'matrix-ipsec',
                       'auth_algorithm': 'sha256'}],
    'endpoint_groups': [
        {'id': '0a1b2c3d-0000-4000-8000-0000000009d1', 'name': 'matrix-local', 'type': 'subnet',
         'endpoints': ['0a1b2c3d-0000-4000-8000-0000000009f9']},
        {'id': '0a1b2c3d-0000-4000-8000-0000000009e1', 'name': 'matrix-peer', 'type': 'cidr',
         'endpoints': ['10.90.0.0/16']},
    ],
}


def check_pythons(core: Core, env: Dict[str, str], logs: Path) -> List[Cell]:
    """pythons.yml with one host per target Python: create, update, report and delete a connection on each."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.emulator.run_with import Emulator  # pylint: disable=import-outside-toplevel

    assert core.venv is not None
    log = logs / 'pythons.log'
    cells = [Cell(core.name, version, 'modules: create, update, info, delete', log=log, shared=True)
             for version in sorted(core.targets, key=version_key)]
    if not cells:
        return cells
    inventory = Path(env['ANSIBLE_LOCAL_TEMP']).parent / 'inventory.yml'
    pythons_inventory(core, inventory)
    token, psk = 'matrix-' + secrets.token_hex(12), 'matrix-Psk-' + secrets.token_hex(8)
    try:
        with Emulator(flavour='neutron', pending_seconds=0, static_token=token) as emu:
            emu.seed(PYTHONS_SEED)
            play_env = dict(env, VPNAAS_EMULATOR_URL=emu.url, VPNAAS_EMULATOR_TOKEN=token, VPNAAS_MATRIX_PSK=psk,
                            ANSIBLE_FORKS=str(len(cells)))
            ran = run([str(core.venv / 'bin' / 'ansible-playbook'), '-i', str(inventory), str(PLAY)], play_env,
                      TIMEOUTS['pythons'], log)
            left = emu.state().get('ipsec_site_connections', [])
    except Exception as exc:  # pylint: disable=broad-except
        for cell in cells:
            cell.result, cell.why = 'FAIL', 'emulator: %s' % exc
        return cells
    core.warnings += warnings_of(ran.stdout + ran.stderr)
    hosts = recap(ran.stdout)
    for cell in cells:
        cell.seconds = ran.seconds
        ok, unreachable, failed = hosts.get('python%s' % cell.target, (0, 1, 1))
        if ran.timed_out:
            cell.result, cell.why = 'FAIL', 'the play timed out'
        elif unreachable or failed or not ok:
            cell.result, cell.why = 'FAIL', 'ok=%d unreachable=%d failed=%d (exit %s)' % (ok, unreachable, failed, ran.code)
        elif token in ran.stdout + ran.stderr or psk in ran.stdout + ran.stderr:
            cell.result, cell.why = 'FAIL', 'the API token or the pre-shared key appears in the output'
        elif left:
            cell.result, cell.why = 'FAIL', '%d connections left in the emulator' % len(left)
        else:
            cell.result = 'pass'
    return cells


def check_smoke(core: Core, env: Dict[str, str], logs: Path) -> Cell:
    """The smoke targets with test_targets.py (dev venv's pytest), the core's ansible-playbook, the oldest target."""
    assert core.venv is not None
    oldest = min(core.targets, key=version_key)
    cell = Cell(core.name, oldest, 'smoke: %s' % ', '.join(SMOKE_TARGETS), log=logs / 'smoke.log')
    junit = logs / 'smoke.xml'
    core_dir = Path(env['ANSIBLE_LOCAL_TEMP']).parent
    smoke_env = dict(env, VPNAAS_ANSIBLE_BIN=str(core.venv / 'bin'),
                     VPNAAS_TARGET_PYTHON=str(core.targets[oldest] / 'bin' / 'python'),
                     VPNAAS_TEST_OUTPUT=str(logs / 'integration'))
    nodes = ['tests/integration/test_targets.py::test_target[%s-%s]' % (SMOKE_FLAVOUR, t) for t in SMOKE_TARGETS]
    ran = run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '--rootdir', str(REPO), '-q',
               '--basetemp', str(core_dir / 'pytest'), '--junitxml', str(junit)] + nodes,
              smoke_env, TIMEOUTS['smoke'], cell.log)
    cell.seconds = ran.seconds
    outcomes = junit_outcomes(junit)
    times = ', '.join('%s %ds' % (t, outcomes[t][1]) for t in SMOKE_TARGETS if t in outcomes)
    cell.check = 'smoke: %s' % (times or ', '.join(SMOKE_TARGETS))
    failed = [t for t in SMOKE_TARGETS if outcomes.get(t, ('missing', 0))[0] != 'passed']
    if ran.code != 0 or failed:
        cell.result = 'FAIL'
        cell.why = ('timed out' if ran.timed_out else 'pytest exit %s' % ran.code) + (
            '; failed: %s (logs in %s)' % (', '.join(failed), logs / 'integration') if failed else '')
    else:
        cell.result = 'pass'
    return cell


def junit_outcomes(path: Path) -> Dict[str, Tuple[str, float]]:
    """``target -> (passed|failed|skipped|error, seconds)`` from pytest's JUnit XML."""
    if not path.is_file():
        return {}
    outcomes: Dict[str, Tuple[str, float]] = {}
    for case in ET.parse(str(path)).getroot().iter('testcase'):
        found = re.search(r'\[[^-\]]+-([^\]]+)\]', case.get('name', ''))
        if not found:
            continue
        kinds = [child.tag for child in case if child.tag in ('failure', 'error', 'skipped')]
        outcome = {'failure': 'failed', 'error': 'error', 'skipped': 'skipped'}.get(kinds[0]) if kinds else 'passed'
        outcomes[found.group(1)] = (outcome or 'failed', float(case.get('time', 0)))
    return outcomes


def guarded(core: Core, target: str, check: str, function, *args) -> List[Cell]:
    """Run one check; an unexpected error is a failed cell, not the end of the matrix."""
    try:
        found = function(*args)
    except Exception as exc:  # pylint: disable=broad-except
        return [Cell(core.name, target, check, 'FAIL', why='%s: %s' % (type(exc).__name__, exc))]
    return found if isinstance(found, list) else [found]


def run_core(core: Core, tarball: Path, checks: Sequence[str] = CHECKS) -> Core:
    """The checks of one core, in order (a failed install skips the rest)."""
    start = time.monotonic()
    core_dir = BUILD / core.name
    logs = OUTPUT / core.name
    shutil.rmtree(core_dir, ignore_errors=True)
    shutil.rmtree(logs, ignore_errors=True)
    for sub in ('collections', 'ansible-home', 'ansible-local', 'ansible-remote'):
        (core_dir / sub).mkdir(parents=True, exist_ok=True)
    assert core.venv is not None
    env = base_env(core_dir, core.venv)
    oldest = min(core.targets, key=version_key)
    say('%s: install and ansible-doc' % core.name)
    core.cells += guarded(core, '-', 'install, ansible-doc', check_install, core, tarball, env, logs)
    if core.cells[-1].failed:
        core.cells.append(Cell(core.name, '-', ', '.join(checks), 'FAIL', why='not run: the install failed'))
    else:
        if 'demo' in checks:
            say('%s: demo' % core.name)
            core.cells += guarded(core, core.controller, 'demo', check_demo, core, env, logs)
        if 'pythons' in checks:
            say('%s: the modules on Python %s' % (core.name, ', '.join(sorted(core.targets, key=version_key))))
            core.cells += guarded(core, '-', 'modules', check_pythons, core, env, logs)
        if 'smoke' in checks:
            say('%s: smoke targets on Python %s' % (core.name, oldest))
            core.cells += guarded(core, oldest, 'smoke', check_smoke, core, env, logs)
    core.seconds = time.monotonic() - start
    say('%s: %s in %ds' % (core.name, 'FAILED' if any(c.failed for c in core.cells) else 'passed', core.seconds))
    return core


# --- Preparing, reporting ---------------------------------------------------------------------------------------

_SAY_LOCK = threading.Lock()
_START = time.monotonic()


def say(message: str) -> None:
    """One progress line, with the time since the start."""
    with _SAY_LOCK:
        print('[matrix %4ds] %s' % (time.monotonic() - _START, message), flush=True)


def prepare(names: Sequence[str], jobs: int) -> Tuple[List[Core], List[str]]:
    """Find the Pythons and build (or find) every venv the cores need, ``jobs`` at a time; return the cores and
    notes (Pythons not found)."""
    notes: List[str] = []
    pythons: Dict[str, Optional[str]] = {}
    wanted = set(MODULE_PYTHONS)
    for name in names:
        wanted.update(SUPPORT[name][0])
    for version in sorted(wanted, key=version_key):
        pythons[version] = find_python(version)
    cores = []
    for name in names:
        core = Core(name, pin=pinned_core(name))
        for candidate in controller_candidates(name):
            if pythons.get(candidate):
                core.controller = python_version(pythons[candidate] or '')
                break
        if not core.controller:
            raise MatrixError('no Python %s for the controller of ansible-core %s' % (' or '.join(SUPPORT[name][0]), name))
        if core.controller.rsplit('.', 1)[0] != CONTROLLER[name]:
            notes.append('ansible-core %s: no Python %s, the controller runs on %s' % (name, CONTROLLER[name], core.controller))
        cores.append(core)
    missing = [v for v in MODULE_PYTHONS if not pythons.get(v)]
    if missing:
        notes.append('target Pythons not found, not tested: %s' % ', '.join(missing))
    found = [v for v in MODULE_PYTHONS if pythons.get(v)]

    work = []
    for core in cores:
        work.append(('core', core.name, pythons[core.controller.rsplit('.', 1)[0]]))
    for version in sorted({v for core in cores for v in target_pythons(core.name, found)}, key=version_key):
        work.append(('target', version, pythons[version]))
    say('venvs: %d (cached in %s; building them all takes about 3 minutes)' % (len(work), cache_root()))

    def build(item: Tuple[str, str, Optional[str]]) -> Path:
        kind, name, python = item
        assert python is not None
        return core_venv(name, python) if kind == 'core' else target_venv(name, python)

    with ThreadPoolExecutor(max_workers=max(1, jobs + 1)) as pool:
        built = dict(zip([(kind, name) for kind, name, _python in work], pool.map(build, work)))
    for core in cores:
        core.venv = built[('core', core.name)]
        core.targets = {v: built[('target', v)] for v in target_pythons(core.name, found)}
        declared = declared_support(core.venv)
        if declared != (SUPPORT[core.name][0], SUPPORT[core.name][1]):
            raise MatrixError('ansible-core %s declares controller Pythons %s and targets %s; SUPPORT in %s says %s: '
                              'update the table (and the README)'
                              % (core.name, declared[0], declared[1], __file__, SUPPORT[core.name]))
        if not core.targets:
            raise MatrixError('no target Python for ansible-core %s' % core.name)
    return cores, notes


def pinned_core(name: str) -> str:
    """The ansible-core release a pin file names (``2.16.19``)."""
    found = re.search(r'^ansible-core==(\S+)\s*$', (HERE / ('requirements-%s.txt' % name)).read_text(encoding='utf-8'),
                      re.MULTILINE)
    if not found:
        raise MatrixError('requirements-%s.txt pins no ansible-core' % name)
    return found.group(1)


def table(cores: Sequence[Core], seconds: float, tarball: Path, notes: Sequence[str]) -> str:
    """The summary: one line per check, a grid of core x target Python, the failures with their logs."""
    rows = [('core', 'controller', 'target', 'check', 'result', 'time')]
    for core in cores:
        for cell in core.cells:
            took = '-' if cell.seconds is None else '%ds%s' % (cell.seconds, '*' if cell.shared else '')
            rows.append((core.pin, 'Python %s' % core.controller, cell.target, cell.check, cell.result, took))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ['make matrix: %s (%s) on %d ansible-core releases, %ds in all' % (FQCN, tarball.name, len(cores), seconds), '']
    lines += ['  '.join(value.ljust(width) for value, width in zip(row, widths)).rstrip() for row in rows]
    lines += ['', '* one play for all the target Pythons of the core (one host each)', '']
    versions = [v for v in MODULE_PYTHONS if any(v in core.targets for core in cores)]
    grid = [['core (controller)'] + versions]
    for core in cores:
        line = ['%s (%s)' % (core.pin, core.controller.rsplit('.', 1)[0])]
        for version in versions:
            cells = [c for c in core.cells if c.target == version]
            line.append('-' if not cells else 'FAIL' if any(c.failed for c in cells) else 'pass')
        grid.append(line)
    gw = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    lines += ['Target Python (the modules ran there; on the oldest, the smoke targets too):']
    lines += ['  '.join(value.ljust(width) for value, width in zip(row, gw)).rstrip() for row in grid]
    lines += ['', 'Per core (wall time, two cores at a time): ' + ', '.join('%s %ds' % (c.name, c.seconds) for c in cores)]
    warned = [(core.name, w) for core in cores for w in dict.fromkeys(core.warnings)]
    if warned:
        lines += ['', 'Warnings printed (not failures):'] + ['  %s: %s' % item for item in warned]
    if notes:
        lines += ['', 'Notes:'] + ['  %s' % note for note in notes]
    failed = [(core, cell) for core in cores for cell in core.cells if cell.failed]
    if failed:
        lines += ['', 'FAILED:'] + ['  ansible-core %s, Python %s controller, target %s, %s: %s%s' % (
            core.pin, core.controller, cell.target, cell.check, cell.why, ' (log: %s)' % cell.log if cell.log else '')
            for core, cell in failed]
    else:
        lines += ['', 'Every cell passed.']
    return '\n'.join(lines) + '\n'


def span(versions: Sequence[str]) -> str:
    """``('3.8', '3.9', '3.10')`` -> ``'3.8 to 3.10'``; ``('2.7', '3.6', '3.7')`` -> ``'2.7, 3.6 to 3.7'``."""
    runs: List[List[str]] = []
    for version in versions:
        major, minor = version_key(version)
        if runs and version_key(runs[-1][-1]) == (major, minor - 1):
            runs[-1].append(version)
        else:
            runs.append([version])
    return ', '.join(run[0] if len(run) == 1 else '%s to %s' % (run[0], run[-1]) for run in runs)


def support_table() -> str:
    """The README's support table (Markdown): what the matrix runs for each core, and what the core supports."""
    lines = ['| ansible-core | Controller Python: tested (the core supports) | Target Python: tested (the core supports) |',
             '| --- | --- | --- |']
    for name in cores_available():
        controllers, targets = SUPPORT[name]
        ours = [v for v in MODULE_PYTHONS if v in targets]
        lines.append('| %s (%s) | %s (%s) | %s (%s) |' % (name, pinned_core(name), CONTROLLER[name], span(controllers),
                                                          span(ours), span(targets)))
    return '\n'.join(lines) + '\n'


def command_run(args: argparse.Namespace) -> int:
    """``run``: the whole matrix."""
    tarball = Path(args.tarball).resolve()
    if not tarball.is_file():
        print('ERROR: no tarball %s: run `make matrix` (it builds the collection first)' % tarball, file=sys.stderr)
        return 2
    try:
        import pytest  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        print('ERROR: run this with the dev venv\'s python (it needs pytest): `make matrix`', file=sys.stderr)
        return 2
    names = args.cores or cores_available()
    unknown = [n for n in names if n not in SUPPORT or not (HERE / ('requirements-%s.txt' % n)).is_file()]
    if unknown:
        print('ERROR: no pin file or SUPPORT line for %s (known: %s)' % (', '.join(unknown), ', '.join(cores_available())),
              file=sys.stderr)
        return 2
    start = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupted)
    pool, futures = None, []
    try:
        cores, notes = prepare(names, args.jobs)
        say('running %d cores, %d at a time' % (len(cores), args.jobs))
        # Newest first: the newer cores take longer (their templating costs more), so the two lanes end together.
        pool = ThreadPoolExecutor(max_workers=args.jobs)  # pylint: disable=consider-using-with
        futures = [pool.submit(run_core, core, tarball, args.checks) for core in cores[::-1]]
        while not all(future.done() for future in futures):
            time.sleep(0.5)  # the main thread stays free to take an interrupt
        for future in futures:
            future.result()
        pool.shutdown()
        done = cores
    except MatrixError as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        kill_all()
        if pool is not None:
            for future in futures:
                future.cancel()  # the cores not started yet
            pool.shutdown(wait=True)  # the running checks end at once: their commands are killed, no new one starts
        print('interrupted: every command the matrix started is stopped', file=sys.stderr)
        return 130
    summary = table(done, time.monotonic() - start, tarball, notes)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / 'summary.txt').write_text(summary, encoding='utf-8')
    print('\n' + summary + '(also in %s)' % (OUTPUT / 'summary.txt'))
    return 1 if any(cell.failed for core in done for cell in core.cells) else 0


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def demo_core(version: str) -> Optional[str]:
    """The core ``make demo`` uses on a controller Python ``version`` (``3.11``) when there is no dev venv: the
    newest whose matrix runs on that Python, else the newest that supports it; None if none does."""
    cores = cores_available()
    proven = [core for core in cores if CONTROLLER[core] == version]
    supported = [core for core in cores if version in SUPPORT[core][0]]
    return (proven or supported or [None])[-1]


def command_venv(args: argparse.Namespace) -> int:
    """``venv [CORE]``: the core's controller venv on this Python (or ``--python``), its path printed on stdout."""
    python = args.python or sys.executable
    try:
        real, full = interpreter(python)
        version = full.rsplit('.', 1)[0]
        core = args.core or demo_core(version)
        if core is None:
            raise MatrixError('no ansible-core of the matrix runs on Python %s (%s) on the controller: %s' % (
                full, real, '; '.join('%s needs %s to %s' % (c, SUPPORT[c][0][0], SUPPORT[c][0][-1]) for c in cores_available())))
        if core not in SUPPORT or not (HERE / ('requirements-%s.txt' % core)).is_file():
            raise MatrixError('no such core in the matrix: %s (known: %s)' % (core, ', '.join(cores_available())))
        if version not in SUPPORT[core][0]:
            raise MatrixError('ansible-core %s needs Python %s to %s on the controller; %s is %s' % (
                core, SUPPORT[core][0][0], SUPPORT[core][0][-1], real, full))
        print('== ansible-core %s on Python %s (%s), venv cached in %s' % (pinned_core(core), full, real, cache_root()),
              file=sys.stderr)
        print(core_venv(core, real))
    except (MatrixError, subprocess.SubprocessError, OSError) as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse the command line and run a command."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    commands = parser.add_subparsers(dest='command', required=True)
    run_parser = commands.add_parser('run', help='the whole matrix')
    run_parser.add_argument('--tarball', required=True, help='the built collection (make collection)')
    run_parser.add_argument('--jobs', type=int, default=2, help='cores at a time (default 2)')
    run_parser.add_argument('--checks', type=lambda text: [c for c in text.split(',') if c], default=list(CHECKS),
                            help='after install and ansible-doc, only these of %s (for a quick look; the matrix is '
                                 'all of them)' % ','.join(CHECKS))
    run_parser.add_argument('cores', nargs='*', help='only these cores (default: every requirements-<core>.txt)')
    venv_parser = commands.add_parser('venv', help="build or find a core's controller venv, print its path")
    venv_parser.add_argument('core', nargs='?', help='default: the one `make demo` uses on this Python (demo_core)')
    venv_parser.add_argument('--python', help='the interpreter (default: the one running this)')
    commands.add_parser('support', help="print the README's support table")
    args = parser.parse_args(argv)
    if args.command == 'run':
        return command_run(args)
    if args.command == 'venv':
        return command_venv(args)
    sys.stdout.write(support_table())
    return 0


if __name__ == '__main__':
    sys.exit(main())
