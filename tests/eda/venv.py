# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The venv of ansible-rulebook for tests/eda, built from frozen pins and cached (as tests/openstack/venvs.py does).

It lives under ``~/.cache/vpnaas-cloud/`` (``$VPNAAS_CLOUD_CACHE`` overrides), named
``rulebook-<hash>`` where the hash covers ``requirements-rulebook.txt`` and the Python version; a change
of either builds a new venv and removes the old one. It counts as built only once its ``.complete``
stamp exists; builds hold a file lock, so two runs never build it at once. The dev venv (.venv) is not
touched: ansible-rulebook's dependencies stay out of its pins.

Also finds the Java 17 that ansible-rulebook (drools-jpy) needs, the way Debian registers it.

Standard library only (and tests/openstack/venvs.py).
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script: tests/openstack/venvs.py holds the shared venv helpers
# VenvError, the cache folder, the pin hash and the command runner are the server venvs' own.
from tests.openstack.venvs import VenvError, cache_root, pins_key, run_command  # noqa: E402  pylint: disable=wrong-import-position
PINS = HERE / 'requirements-rulebook.txt'
PIP_TIMEOUT = 1200  # seconds for the pip install; a cold one takes about a minute
STAMP = '.complete'
NAME = 'rulebook'
JAVA_MAJOR = 17


def venv_path() -> Path:
    """Where the venv for the current pins and Python lives (built or not)."""
    return cache_root() / ('%s-%s' % (NAME, pins_key(PINS)))


def ensure_venv() -> Path:
    """The venv for the current pins, built if needed; raises VenvError on failure."""
    path = venv_path()
    if (path / STAMP).is_file():
        return path
    with open(cache_root() / ('%s.lock' % NAME), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it; wait for it
        if not (path / STAMP).is_file():
            shutil.rmtree(path, ignore_errors=True)
            try:
                run_command([sys.executable, '-m', 'venv', str(path)], 'creating the rulebook venv', 120)
                python = str(path / 'bin' / 'python')
                # The pins are a complete freeze: --no-deps installs exactly them, and pip check proves them consistent.
                run_command([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet',
                             '--no-deps', '-r', str(PINS)], 'installing the pinned ansible-rulebook packages', PIP_TIMEOUT)
                run_command([python, '-m', 'pip', 'check'], 'checking the rulebook venv', 120)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            (path / STAMP).write_text('built from %s with %s\n' % (PINS.name, sys.executable), encoding='utf-8')
    for stale in cache_root().glob('%s-*' % NAME):
        if stale != path and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return path


def java_home() -> Path:
    """JAVA_HOME of a Java 17, from ``update-alternatives --list java`` (Debian's registry); VenvError if none."""
    try:
        proc = subprocess.run(['update-alternatives', '--list', 'java'], capture_output=True, text=True, timeout=30,
                              check=False)
        candidates = proc.stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        candidates = []
    for java in candidates:
        home = Path(java).resolve().parents[1]
        if 'java-%d-' % JAVA_MAJOR in home.name and (home / 'bin' / 'java').is_file():
            return home
    raise VenvError('ansible-rulebook needs Java %d, and `update-alternatives --list java` names none (found: %s). '
                    'Install it, for example `apt-get install openjdk-%d-jre-headless`'
                    % (JAVA_MAJOR, ', '.join(candidates) or 'nothing', JAVA_MAJOR))


def main(argv: list) -> int:
    """``python venv.py``: build (or find) the venv and print its path; ``python venv.py java``: print JAVA_HOME."""
    try:
        print(java_home() if argv[:1] == ['java'] else ensure_venv())
    except VenvError as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
