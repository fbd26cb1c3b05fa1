# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A/B of the single-item module against an older commit: is ``vpnaas.cloud.ipsec_connection`` slower now?

Runs the module process directly (as Ansible runs it on the target, without the
controller's per-task cost) against one emulator seeded with 5,000 connections, for
the code of ``--base`` (a commit, extracted with ``git archive``) and for the working
tree, interleaved round by round so that both see the same load. Three cases per
round: unchanged (GET), changed (GET, PUT) and a change that meets a
``PENDING_UPDATE`` of 0.6 s (GET, poll, PUT: the path through the store's PENDING loop;
its wall time holds the first poll interval, 0.5 s, on both sides).
Prints the median wall time, the median engine time (the process's CPU time) and the
peak RSS of each side, and the ratio new/old.

    make collection && .venv/bin/python tests/bench/engine_ab.py --base 6d02f58^ --rounds 15

``make bench`` does not run this; it compares code, not the machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from tests.bench.bench import (  # noqa: E402  (the repository root is put on sys.path above)
    OTHER_MTU, WANTED_MTU, args_file, conn_id, measured_process, median, module_env, reseed,
)
from tests.emulator.run_with import Emulator  # noqa: E402

MODULE = 'ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connection'
SEEDED = 5000


def extract(commit: str, root: Path) -> Path:
    """The collection of ``commit`` laid out as ``root/ansible_collections/vpnaas/cloud``."""
    target = root / 'ansible_collections' / 'vpnaas' / 'cloud'
    target.mkdir(parents=True)
    archive = subprocess.run(['git', '-C', str(REPO), 'archive', commit], capture_output=True, check=True, timeout=120)
    subprocess.run(['tar', '-x', '-C', str(target)], input=archive.stdout, check=True, timeout=120)
    return root


def working_tree(root: Path) -> Path:
    """The working tree laid out as ``root/ansible_collections/vpnaas/cloud`` (a symlink)."""
    (root / 'ansible_collections' / 'vpnaas').mkdir(parents=True)
    (root / 'ansible_collections' / 'vpnaas' / 'cloud').symlink_to(REPO)
    return root


def one_run(emu: Emulator, work: Path, root: Path, case: str) -> dict:
    """One module process of ``case``; checks it did what the case means."""
    if case == 'unchanged':
        reseed_one(emu, WANTED_MTU)
    else:
        reseed_one(emu, OTHER_MTU)
        if case == 'pending':
            emu.patch('ipsec_site_connections', conn_id(1), status='PENDING_UPDATE', settle_after=0.6)
    args = args_file(work, case, {'auth_token': emu.token, 'endpoint': emu.url, 'id': conn_id(1), 'mtu': WANTED_MTU,
                                  'wait': True})
    outcome = measured_process([sys.executable, '-m', MODULE, str(args)], module_env(str(root)), work)
    output = outcome['output']
    if outcome['exit_code'] != 0 or output.get('failed') or output.get('changed') != (case != 'unchanged'):
        raise RuntimeError('%s run did not end as expected: %s' % (case, str(output)[:400]))
    return outcome


def reseed_one(emu: Emulator, mtu: int) -> None:
    """The seeded connections, the first at ``mtu`` (reset and seeded again only when it is not)."""
    _status, _headers, body = emu.request('GET', '/v2.0/vpn/ipsec-site-connections/%s' % conn_id(1))
    found = body.get('ipsec_site_connection', {}) if isinstance(body, dict) else {}
    if found.get('mtu') != mtu or found.get('status') != 'ACTIVE':
        emu.patch('ipsec_site_connections', conn_id(1), mtu=mtu, status='ACTIVE')


def main() -> int:
    """Command line: ``engine_ab.py --base COMMIT [--rounds N]``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--base', required=True, help='the commit to compare with (e.g. 6d02f58^, before the engine split)')
    parser.add_argument('--rounds', type=int, default=15, help='interleaved rounds (default 15)')
    options = parser.parse_args()
    cases = ('unchanged', 'changed', 'pending')
    with tempfile.TemporaryDirectory(prefix='engine-ab-') as scratch:
        work = Path(scratch)
        sides = {'old': extract(options.base, work / 'old'), 'new': working_tree(work / 'new')}
        samples = {(side, case): [] for side in sides for case in cases}
        with Emulator(flavour='neutron', pending_seconds=0) as emu:
            reseed(emu, SEEDED, WANTED_MTU)
            for number in range(options.rounds):
                order = list(sides) if number % 2 == 0 else list(reversed(list(sides)))
                for case in cases:
                    for side in order:
                        samples[(side, case)].append(one_run(emu, work, sides[side], case))
        print('ipsec_connection module process, %d interleaved rounds, %d seeded connections; old = %s, new = working tree'
              % (options.rounds, SEEDED, options.base))
        print('| case | old wall ms | new wall ms | new/old | old peak MiB | new peak MiB |')
        print('|---|---|---|---|---|---|')
        report = {}
        for case in cases:
            old = [s['seconds'] * 1000 for s in samples[('old', case)]]
            new = [s['seconds'] * 1000 for s in samples[('new', case)]]
            old_mib = median([s['peak_mib'] for s in samples[('old', case)]])
            new_mib = median([s['peak_mib'] for s in samples[('new', case)]])
            report[case] = dict(old_ms=median(old), new_ms=median(new), old_mib=old_mib, new_mib=new_mib)
            row = (case, median(old), median(new), median(new) / median(old), old_mib, new_mib)
            print('| %s | %.0f | %.0f | %.2f | %.1f | %.1f |' % row)
        print(json.dumps(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
