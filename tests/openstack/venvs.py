# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Virtual environments for the real OpenStack servers, built from frozen pins and cached.

Each server (``neutron``, ``keystone``) gets its own venv under ``~/.cache/vpnaas-cloud/``
(``$VPNAAS_CLOUD_CACHE`` overrides), named ``<server>-<hash>`` where the hash covers the pin
file and the Python version: a change of the pins builds a new venv and removes the old one.
A venv counts as built only once its ``.complete`` stamp exists, so an interrupted build is
redone. Builds hold a file lock, so two test runs never build the same venv at once.

Standard library only: this runs in the tools' venv, before the servers exist.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS = {'neutron': HERE / 'requirements-neutron.txt', 'keystone': HERE / 'requirements-keystone.txt'}
PIP_TIMEOUT = 1200  # seconds for one pip install; a cold install takes about 60 s
STAMP = '.complete'


class VenvError(RuntimeError):
    """A server venv could not be built (the message says why and what to do)."""


def cache_root() -> Path:
    """The folder holding the cached venvs (created on demand)."""
    root = Path(os.environ.get('VPNAAS_CLOUD_CACHE') or Path.home() / '.cache' / 'vpnaas-cloud')
    root.mkdir(parents=True, exist_ok=True)
    return root


def pins_key(pins: Path) -> str:
    """A short hash of the pin file's content and of the interpreter version."""
    digest = hashlib.sha256(pins.read_bytes())
    digest.update(('%d.%d' % sys.version_info[:2]).encode())
    return digest.hexdigest()[:16]


def venv_path(server: str) -> Path:
    """Where the venv of ``server`` for the current pins lives (built or not)."""
    return cache_root() / ('%s-%s' % (server, pins_key(PINS[server])))


def run_command(command: list, what: str, timeout: int) -> None:
    """Run ``command``; on failure raise VenvError with ``what`` and the end of its output (tests/matrix uses it too)."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise VenvError('%s took more than %d s: %s' % (what, timeout, ' '.join(command))) from exc
    if proc.returncode != 0:
        tail = '\n'.join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise VenvError('%s failed (exit %d): %s\n%s' % (what, proc.returncode, ' '.join(command), tail))


def _remove_stale(server: str, keep: Path) -> None:
    """Remove the venvs of ``server`` built from other pins."""
    for path in cache_root().glob('%s-*' % server):
        if path != keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def ensure_venv(server: str) -> Path:
    """Return the venv of ``server`` for the current pins, building it if needed; raise VenvError on failure."""
    path = venv_path(server)
    if (path / STAMP).is_file():
        return path
    with open(cache_root() / ('%s.lock' % server), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it; wait for it
        if (path / STAMP).is_file():
            return path
        shutil.rmtree(path, ignore_errors=True)
        try:
            run_command([sys.executable, '-m', 'venv', str(path)], 'creating the %s venv' % server, 120)
            python = str(path / 'bin' / 'python')
            # The pins are a complete freeze, so --no-deps installs exactly them; pip check then
            # proves the set is consistent.
            run_command([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps',
                         '-r', str(PINS[server])], 'installing the pinned %s packages' % server, PIP_TIMEOUT)
            run_command([python, '-m', 'pip', 'check'], 'checking the %s venv' % server, 120)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        (path / STAMP).write_text('built from %s\n' % PINS[server].name, encoding='utf-8')
    _remove_stale(server, path)
    return path


def main(argv: list) -> int:
    """``python venvs.py neutron keystone``: build (or find) the venvs and print their paths."""
    try:
        for server in argv or sorted(PINS):
            print(ensure_venv(server))
    except VenvError as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
