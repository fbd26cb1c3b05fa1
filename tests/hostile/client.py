# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``HostileServer``: start ``python -m tests.hostile`` in a subprocess from pytest, read and reset its log.

    with HostileServer(tmp_path) as hostile:
        hostile.api_url            # http://127.0.0.1:<api>
        hostile.elsewhere_port
        hostile.reset(); hostile.log()   # {'entries': [...], 'counts': {...}, 'dropped': n, 'issued': [...]}
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
CONTROL_TIMEOUT = 60.0


class HostileServerError(RuntimeError):
    """The server did not start, or a control call failed."""


class HostileServer:
    """The hostile server as a subprocess (it exits by itself when this process dies)."""

    def __init__(self, directory: Path = None, max_lifetime: float = 900.0) -> None:
        self.directory = Path(directory or tempfile.mkdtemp(prefix='hostile-'))
        self.max_lifetime = max_lifetime
        self.port_file = self.directory / 'hostile-ports.json'
        self.log_file = self.directory / 'hostile-requests.jsonl'
        self.stderr_file = self.directory / 'hostile-stderr.txt'
        self.process = None
        self.api_port = 0
        self.elsewhere_port = 0

    @property
    def api_url(self) -> str:
        return 'http://127.0.0.1:%d' % self.api_port

    def start(self) -> 'HostileServer':
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.port_file.exists():
            self.port_file.unlink()
        with open(self.stderr_file, 'wb') as stderr:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, '-m', 'tests.hostile', '--port-file', str(self.port_file), '--log', str(self.log_file),
                 '--max-lifetime', str(self.max_lifetime)],
                cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HostileServerError('the hostile server exited with %s: %s'
                                         % (self.process.returncode, self.stderr_file.read_text(errors='replace')[-2000:]))
            if self.port_file.exists():
                ports = json.loads(self.port_file.read_text(encoding='utf-8'))
                self.api_port, self.elsewhere_port = ports['api'], ports['elsewhere']
                return self
            time.sleep(0.05)
        self.stop()
        raise HostileServerError('the hostile server wrote no port file within %.0f s' % START_TIMEOUT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def __enter__(self) -> 'HostileServer':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _control(self, method: str, path: str) -> dict:
        request = urllib.request.Request(self.api_url + '/_hostile/' + path, method=method,
                                         data=b'{}' if method == 'POST' else None)
        with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT) as answer:
            return json.loads(answer.read().decode('utf-8'))

    def log(self) -> dict:
        """The request log: entries (oldest first), exact counts, dropped entries, tokens issued."""
        return self._control('GET', 'log')

    def reset(self) -> None:
        """Clear the log and every scenario's state."""
        self._control('POST', 'reset')
