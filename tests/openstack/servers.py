# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start and always stop the real servers (Neutron, Keystone) for pytest.

Each server runs as a child process in its own process group, from its cached venv
(``venvs.py``), in a folder of its own; its first stdout line is its URL. ``stop()`` sends
SIGTERM to the group, then SIGKILL after ``STOP_TIMEOUT`` seconds, so nothing survives a test
run, passed or failed. A server that does not print its URL within ``START_TIMEOUT`` seconds,
or exits first, fails with its log's last lines (a busy port, a missing package, ...).
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.openstack import venvs

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 180  # seconds: the first start also builds the database template
STOP_TIMEOUT = 10


class ServerError(RuntimeError):
    """A server could not be started."""


def free_port() -> int:
    """A port that is free on 127.0.0.1 now (a server told to use it fails clearly if it was taken since)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    """One server process: ``with Server(...) as server: server.url``."""

    def __init__(self, name: str, command: list, workdir: Path, env: dict | None = None) -> None:
        self.name = name
        self.command = command
        self.workdir = workdir
        self.env = env
        self.log_path = workdir / ('%s.log' % name)
        self.process: subprocess.Popen | None = None
        self.url = ''

    def __enter__(self) -> 'Server':
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start the process and wait (bounded) for its URL line."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, 'wb') as log:
            self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                            start_new_session=True, env=self.env)
        self.url = self._read_url()

    def _read_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            while time.monotonic() < deadline:
                if selector.select(timeout=0.5):
                    line = self.process.stdout.readline().decode('utf-8', 'replace').strip()
                    if line.startswith('http://127.0.0.1:'):
                        return line
                    if not line and self.process.poll() is not None:
                        break
                elif self.process.poll() is not None:
                    break
        finally:
            selector.close()
        reason = ('exited with code %s' % self.process.returncode if self.process.poll() is not None
                  else 'printed no URL within %d s' % START_TIMEOUT)
        errors = [line for line in self.log_tail(400).splitlines() if line.startswith('ERROR:')]
        raise ServerError('%s %s%s; last lines of %s:\n%s' % (
            self.name, reason, ''.join('\n  ' + line for line in errors), self.log_path, self.log_tail()))

    def log_tail(self, lines: int = 25) -> str:
        """The end of the server's log."""
        try:
            return '\n'.join(self.log_path.read_text(encoding='utf-8', errors='replace').splitlines()[-lines:])
        except OSError:
            return '(no log)'

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if still there after STOP_TIMEOUT seconds."""
        if self.process is None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None


def keystone(workdir: Path, port: int, admin_password_file: Path) -> Server:
    """A Keystone server on ``port`` (its URL goes into its own catalog), not started yet."""
    venv = venvs.ensure_venv('keystone')
    command = [str(venv / 'bin' / 'python'), str(HERE / 'keystone_server.py'), '--workdir', str(workdir),
               '--port', str(port), '--admin-password-file', str(admin_password_file)]
    return Server('keystone', command, workdir)


def neutron(workdir: Path, agent_delay: float = 0.0, port: int = 0, keystone_url: str | None = None,
            service_password_file: Path | None = None) -> Server:
    """A Neutron server (noauth unless ``keystone_url``), not started yet."""
    venv = venvs.ensure_venv('neutron')
    command = [str(venv / 'bin' / 'python'), str(HERE / 'neutron_server.py'), '--workdir', str(workdir),
               '--port', str(port), '--agent-delay', str(agent_delay)]
    if keystone_url:
        command += ['--keystone-url', keystone_url, '--service-password-file', str(service_password_file)]
    return Server('neutron', command, workdir)
