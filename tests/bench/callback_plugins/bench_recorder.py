# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback of ``make bench``: the wall time of each task, and the API requests it caused.

Enabled only by the benchmark (``ANSIBLE_CALLBACKS_ENABLED=bench_recorder``). When a task ends,
its duration is taken first; then the emulator's request log is read and cleared in one call
(``DELETE /_emulator/log``, itself never logged), so each task is charged exactly the requests
it made. One JSON line per task goes to the file named by ``BENCH_RECORD``.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: bench_recorder
type: aggregate
short_description: Record task wall times and the emulator requests of each task
description:
  - Used by C(make bench) only.
options: {}
'''

import json
import os
import time
import urllib.request

from ansible.plugins.callback import CallbackBase

#: Only the local emulator is ever contacted.
LOOPBACK = ('http://127.0.0.1:', 'https://127.0.0.1:')
CONTROL_TIMEOUT = 30.0


def drain_log(url: str) -> list:
    """Read and clear the emulator's request log; returns its entries (oldest first)."""
    if not url.startswith(LOOPBACK):
        raise ValueError('bench_recorder talks to 127.0.0.1 only, not %r' % url)
    request = urllib.request.Request(url.rstrip('/') + '/_emulator/log', method='DELETE')
    with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT) as answer:
        return json.loads(answer.read().decode('utf-8'))['requests']


class CallbackModule(CallbackBase):
    """Writes ``{"play", "task", "seconds", "status", "requests": [...]}`` per task to ``$BENCH_RECORD``."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._record = os.environ.get('BENCH_RECORD')
        self._url = os.environ.get('VPNAAS_EMULATOR_URL', '')
        self._task = None
        self._play = None
        self._started = 0.0

    def v2_playbook_on_play_start(self, play) -> None:
        """Note the play, so that tasks of the same name in several plays stay apart."""
        self._play = play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        """Note which task runs and when it started."""
        self._task = task.get_name()
        self._started = time.perf_counter()

    def _finish(self, status: str, result) -> None:
        """Time the task that just ended, then charge it the requests in the log."""
        seconds = time.perf_counter() - self._started
        if not self._record or self._task is None:
            return
        entries = drain_log(self._url) if self._url else []
        requests = [dict(method=e.get('method'), path=e.get('path'), query=e.get('query') or '',
                         status=e.get('status')) for e in entries]
        line = dict(play=self._play, task=self._task, seconds=round(seconds, 4), status=status, requests=requests,
                    items=len(result._result.get('results') or []) or None)
        with open(self._record, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line) + '\n')
        self._task = None

    def v2_runner_on_ok(self, result) -> None:
        """A task (or a whole loop) succeeded."""
        self._finish('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        """A task (or a loop) failed."""
        self._finish('failed', result)

    def v2_runner_on_skipped(self, result) -> None:
        """A task (or every item of a loop) was skipped."""
        self._finish('skipped', result)

    def v2_runner_on_unreachable(self, result) -> None:
        """The host was unreachable (never expected: localhost with a local connection)."""
        self._finish('unreachable', result)
