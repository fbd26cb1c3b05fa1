# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One module process, measured from the inside (used by ``bench.py``; runs in a fresh interpreter).

``probe.py imports uri|module``
    Wall time of each import a module process makes, in the order it makes them: Ansible's
    module runtime (``ansible.module_utils.basic``, which every module pays), then either
    ``ansible.module_utils.urls`` (what ``ansible.builtin.uri`` adds) or ``requests`` and the
    collection's code (what ``vpnaas.cloud.ipsec_connection`` adds). Prints JSON.

``probe.py measure OUTPUT_FILE COMMAND...``
    Runs COMMAND (its stdout and stderr to OUTPUT_FILE) and prints JSON: wall seconds, exit code and
    peak RSS (KiB) from ``os.wait4``. Linux charges a child the resident size of the process it was
    forked from, so the benchmark runs this small process between itself (which holds a lot) and the
    module it measures: the floor is this process's size, well below any module's.

``probe.py profile MODULE ARGS_FILE``
    Imports the module (timed), then runs its ``main()`` once under cProfile with the
    arguments in ``ARGS_FILE`` (``{"ANSIBLE_MODULE_ARGS": {...}}``) and splits the run into
    argument parsing, authentication, HTTP, output and the engine's own work (finding,
    validating, planning, masking). Prints JSON.

The collection must be importable (``PYTHONPATH`` holding the ``ansible_collections`` root).
"""

from __future__ import annotations

import contextlib
import cProfile
import importlib
import io
import json
import os
import pstats
import sys
import time
from typing import Callable

#: (file suffix, function name) of the functions whose cumulative time makes up each part.
AUTH_FUNCTIONS = (('module_utils/_auth.py', 'resolve'), ('module_utils/_auth.py', 'select_auth'),
                  ('module_utils/_auth.py', 'login'), ('module_utils/_auth.py', '__call__'))
LOGIN_AND_SIGNING = (('module_utils/_auth.py', 'login'), ('module_utils/_auth.py', '__call__'))
HTTP_FUNCTIONS = (('module_utils/_client.py', 'send'),)
ARGUMENT_FUNCTIONS = (('module_utils/basic.py', '__init__'),)
OUTPUT_FUNCTIONS = (('module_utils/basic.py', 'exit_json'), ('module_utils/basic.py', 'fail_json'))


def timed_import(name: str) -> float:
    """Import ``name`` and return the seconds it took (0 when something imported it already)."""
    started = time.perf_counter()
    importlib.import_module(name)
    return time.perf_counter() - started


def import_split(kind: str) -> dict:
    """Seconds spent importing, step by step, for ``uri`` or for ``module`` (ipsec_connection)."""
    steps = {'ansible.module_utils.basic': timed_import('ansible.module_utils.basic')}
    if kind == 'uri':
        steps['ansible.module_utils.urls'] = timed_import('ansible.module_utils.urls')
        steps['ansible.modules.uri'] = timed_import('ansible.modules.uri')
    else:
        steps['requests'] = timed_import('requests')
        steps['vpnaas.cloud (module_utils + module)'] = timed_import(
            'ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection')
    return steps


def cumulative(stats: pstats.Stats, functions: tuple) -> float:
    """Sum of the cumulative seconds of the listed (file suffix, name) functions (every definition)."""
    total = 0.0
    for (filename, _line, name), (_calls, _primitive, _own, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(filename.endswith(suffix) and name == wanted for suffix, wanted in functions):
            total += cum
    return total


def run_main(main: Callable[[], None], args_file: str) -> tuple[str, int]:
    """Run a module's ``main()`` with ``args_file`` as its arguments; returns (stdout, exit code)."""
    sys.argv = [sys.argv[0], args_file]
    output = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(output):
        try:
            main()
        except SystemExit as done:
            code = int(done.code or 0)
    return output.getvalue(), code


def profile(module: str, args_file: str) -> dict:
    """Import ``module`` (timed) and profile one run of its ``main()``; returns the split in seconds."""
    started = time.perf_counter()
    imported = importlib.import_module(module)
    import_seconds = time.perf_counter() - started
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    output, code = run_main(imported.main, args_file)
    profiler.disable()
    run_seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    auth = cumulative(stats, AUTH_FUNCTIONS)
    http = cumulative(stats, HTTP_FUNCTIONS) - cumulative(stats, LOGIN_AND_SIGNING)
    arguments = cumulative(stats, ARGUMENT_FUNCTIONS)
    result_output = cumulative(stats, OUTPUT_FUNCTIONS)
    engine = run_seconds - auth - http - arguments - result_output
    result = json.loads(output) if output.strip().startswith('{') else {}
    return dict(import_seconds=import_seconds, run_seconds=run_seconds, arguments=arguments, auth=auth, http=max(http, 0.0),
                output=result_output, engine=max(engine, 0.0), exit_code=code, failed=bool(result.get('failed')),
                changed=result.get('changed'), msg=result.get('msg'))


def measure(output_file: str, command: list) -> dict:
    """Run ``command`` to its end; its wall seconds, exit code and peak RSS (KiB, ``os.wait4``)."""
    import subprocess  # pylint: disable=import-outside-toplevel
    with open(output_file, 'wb') as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                   stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return {'seconds': seconds, 'exit_code': process.returncode, 'peak_kib': usage.ru_maxrss}


def main() -> int:
    """Command line: see the module docstring."""
    if len(sys.argv) >= 4 and sys.argv[1] == 'measure':
        print(json.dumps(measure(sys.argv[2], sys.argv[3:])))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == 'imports' and sys.argv[2] in ('uri', 'module'):
        print(json.dumps(import_split(sys.argv[2])))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == 'profile':
        report = profile(sys.argv[2], sys.argv[3])
        sys.argv = sys.argv[:1]
        print(json.dumps(report))
        return 0
    sys.stderr.write(__doc__ or '')
    return 2


if __name__ == '__main__':
    sys.exit(main())
