# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback of tests/integration/test_hostile.py: the wall time of each task, one JSON line per task.

Enabled only by that test (``ANSIBLE_CALLBACKS_ENABLED=hostile_timer``, ``ANSIBLE_CALLBACK_PLUGINS`` naming
this directory). The file is ``$HOSTILE_TIMINGS``; each line holds the task name, its status, the wall-clock
start and end (``time.time()``, to match the hostile server's request times) and its duration in seconds.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: hostile_timer
type: aggregate
short_description: Record the wall time of each task
description:
  - Used by tests/integration/test_hostile.py only.
options: {}
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Writes ``{"task", "status", "start", "end", "seconds"}`` per task to ``$HOSTILE_TIMINGS``."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'hostile_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._path = os.environ.get('HOSTILE_TIMINGS')
        self._task = None
        self._start = 0.0
        self._clock = 0.0

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        self._task = task.get_name()
        self._start = time.time()
        self._clock = time.perf_counter()

    def _finish(self, status: str) -> None:
        seconds = time.perf_counter() - self._clock
        if not self._path or self._task is None:
            return
        line = {'task': self._task, 'status': status, 'start': self._start, 'end': time.time(),
                'seconds': round(seconds, 4)}
        with open(self._path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line) + '\n')
        self._task = None

    def v2_runner_on_ok(self, result) -> None:
        self._finish('ok')

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        self._finish('failed')

    def v2_runner_on_skipped(self, result) -> None:
        self._finish('skipped')

    def v2_runner_on_unreachable(self, result) -> None:
        self._finish('unreachable')
