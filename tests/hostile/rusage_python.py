#!/usr/bin/env python
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in ``ansible_python_interpreter`` that measures the module process.

Runs the real interpreter (``$HOSTILE_REAL_PYTHON``) with the same arguments as a child, passing
stdin, stdout and stderr through; waits for it (at most ``$HOSTILE_RUSAGE_TIMEOUT`` seconds, default
300, then kills it); appends one JSON line to ``$HOSTILE_RUSAGE_FILE`` with ``label`` (``$HOSTILE_RUSAGE_LABEL``),
the child's max RSS (KiB) and CPU seconds (user + system) from ``getrusage(RUSAGE_CHILDREN)``, its wall time
and exit code; and exits with the child's exit code. The child's address space is capped at
``$HOSTILE_RLIMIT_AS_MB`` MiB (default 4096), so that a module that inflates a bomb fails instead of
taking the machine.
"""

import json
import os
import resource
import subprocess
import sys
import time


def main() -> int:
    real = os.environ.get('HOSTILE_REAL_PYTHON') or sys.executable
    limit_mb = int(os.environ.get('HOSTILE_RLIMIT_AS_MB') or 4096)
    timeout = float(os.environ.get('HOSTILE_RUSAGE_TIMEOUT') or 300)

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 1024 * 1024, limit_mb * 1024 * 1024))

    started = time.monotonic()
    child = subprocess.Popen([real] + sys.argv[1:], preexec_fn=cap_memory)  # pylint: disable=subprocess-popen-preexec-fn
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        code = child.wait(timeout=30)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    record = os.environ.get('HOSTILE_RUSAGE_FILE')
    if record:
        line = {'label': os.environ.get('HOSTILE_RUSAGE_LABEL', ''), 'maxrss_kib': usage.ru_maxrss,
                'cpu_seconds': round(usage.ru_utime + usage.ru_stime, 3), 'wall_seconds': round(time.monotonic() - started, 3),
                'returncode': code, 'rlimit_as_mib': limit_mb}
        with open(record, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line) + '\n')
    return code if code >= 0 else 128 - code


if __name__ == '__main__':
    sys.exit(main())
