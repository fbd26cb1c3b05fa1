# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make bench``: how many requests each task sends, how fast a loop runs, how much a run costs.

Everything runs against the bundled emulator on 127.0.0.1 (fixed id seed, fixed data), with real
``ansible-playbook`` and the collection as installed by ``make collection``
(``ANSIBLE_COLLECTIONS_PATH``). Three parts:

1. Requests per task, read from the emulator's request log by the ``bench_recorder`` callback:
   unchanged (by id, by name), changed, create, delete, and info over 5,000 connections; with
   token, Keystone password and AK/SK authentication, and with the once-per-play login of
   ``vpnaas.cloud.auth``; plus a change that meets a PENDING_UPDATE window (the only polls).
2. Wall time of one loop over ``--items`` connections: ``vpnaas.cloud.ipsec_connection`` (unchanged,
   changed), the ``ansible.builtin.uri`` GET + conditional PUT a user would write (unchanged,
   changed), and one ``ansible.builtin.uri`` GET per item (the floor). ``--rounds`` rounds, each
   running every variant in a rotated order; each variant is reported as the median over the
   rounds of its ratio to the floor of the same round, so machine noise mostly cancels.
3. One module process: peak RSS (``os.wait4``), the import split, and a cProfile split of one run.
4. A hub's fleet with ``vpnaas.cloud.ipsec_connections``: a VPN service of 500 branches (each with
   its peer endpoint group) seeded through ``POST /_emulator/seed``; 500 unchanged, 50 of 500
   changed, 500 created from empty, overridden with 450, gathered over 5,000: task time, the
   requests of the task, and the module's peak RSS as a bare process; beside a loop of
   ``vpnaas.cloud.ipsec_connection`` over ``--fleet-loop-items`` of the same branches, scaled to 500.
   ``--fleet-rounds`` rounds, the order rotated each round.

Then the targets (of issue 7, and of the fleet) are checked and any one missed is reported as
MISSED. The report is printed and written to ``<output>/bench.md`` (plus a dated copy and
``bench.json``); ``--parts`` runs some parts only, and then writes ``bench-<parts>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.emulator.run_with import Emulator  # noqa: E402  pylint: disable=wrong-import-position

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / 'playbooks'
CONNECTIONS = 5000          # seeded connections: the info task lists them all, lookups by name filter them
ID_SEED = 7                 # emulator id sequence (only the create gets a generated id)
WANTED_MTU, OTHER_MTU = 1400, 1500
PSK = 'bench-Psk-5e2a91'
PLAYBOOK_TIMEOUT = 900.0    # seconds, at most, for one ansible-playbook run
PROBE_TIMEOUT = 120.0       # seconds, at most, for one probe or module process
IMPORT_SAMPLES = 5          # fresh interpreters per import measurement (median reported)
PROCESS_SAMPLES = 3         # runs per module process measured or profiled (median reported)
PROFILE_PARTS = ('import_seconds', 'arguments', 'auth', 'http', 'engine', 'output', 'run_seconds')
PENDING_SECONDS = 1.0       # PENDING_UPDATE window of the "changed while pending" case
LOOP_RATIO_TARGET = 1.15

# The emulator's one user, project and access key (tests/emulator/README.md).
EMU_USER, EMU_PASSWORD, EMU_PROJECT = 'demo', 'demo-password', 'demo'
EMU_PROJECT_ID = '0123456789abcdef0123456789abcdef'
EMU_ACCESS_KEY, EMU_SECRET_KEY = 'EMULATORACCESSKEY0001', 'emulator-secret-key'

SIBLINGS = {
    'vpnservices': [{'id': 'bench-vpnservice', 'name': 'bench', 'router_id': 'bench-router', 'subnet_id': 'bench-subnet'}],
    'ikepolicies': [{'id': 'bench-ikepolicy', 'name': 'bench'}],
    'ipsecpolicies': [{'id': 'bench-ipsecpolicy', 'name': 'bench'}],
}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def conn_id(number: int) -> str:
    """The fixed id of seeded connection ``number`` (1-based)."""
    return '0b3e7c5a-0000-4000-8000-%012d' % number


def conn_name(number: int) -> str:
    """The name of seeded connection ``number``."""
    return 'bench-%05d' % number


def connection(number: int, mtu: int) -> dict:
    """One seeded connection, ACTIVE, with the given MTU."""
    return {'id': conn_id(number), 'name': conn_name(number), 'psk': PSK, 'mtu': mtu, 'status': 'ACTIVE',
            'peer_address': '192.0.2.%d' % (number % 250 + 1), 'peer_id': '192.0.2.%d' % (number % 250 + 1),
            'peer_cidrs': ['10.%d.%d.0/24' % (number // 250 % 250, number % 250)],
            'vpnservice_id': 'bench-vpnservice', 'ikepolicy_id': 'bench-ikepolicy', 'ipsecpolicy_id': 'bench-ipsecpolicy'}


def reseed(emu: Emulator, count: int, mtu: int) -> None:
    """Reset the emulator and seed the siblings and ``count`` connections at ``mtu``."""
    emu.reset()
    emu.seed(dict(SIBLINGS, ipsec_site_connections=[connection(n, mtu) for n in range(1, count + 1)]))


def median(values: list) -> float:
    """Median of a non-empty list."""
    return statistics.median(values)


# ---------------------------------------------------------------------------
# Running ansible-playbook
# ---------------------------------------------------------------------------

@dataclass
class Runner:
    """Runs playbooks with one set of Ansible settings, equal for every variant."""

    work: Path
    emu: Emulator
    python: str = sys.executable
    env: dict = field(default_factory=dict)
    runs: int = 0

    def __post_init__(self) -> None:
        inventory = self.work / 'inventory.ini'
        inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % self.python,
                             encoding='utf-8')
        playbook_bin = Path(self.python).with_name('ansible-playbook')
        self.command = [str(playbook_bin) if playbook_bin.exists() else 'ansible-playbook', '-i', str(inventory)]
        self.env = dict(os.environ, ANSIBLE_PIPELINING='True', ANSIBLE_FORKS='5', ANSIBLE_NOCOLOR='1',
                        ANSIBLE_CALLBACK_PLUGINS=str(HERE / 'callback_plugins'),
                        ANSIBLE_CALLBACKS_ENABLED='bench_recorder', ANSIBLE_RETRY_FILES_ENABLED='False',
                        ANSIBLE_PYTHON_INTERPRETER=self.python, ANSIBLE_HOST_KEY_CHECKING='False',
                        ANSIBLE_LOCAL_TEMP=str(self.work / 'ansible-tmp'),
                        VPNAAS_EMULATOR_URL=self.emu.url, VPNAAS_EMULATOR_TOKEN=self.emu.token)
        for name in [key for key in self.env if key.startswith(('OS_', 'HW_', 'VPNAAS_AUTH', 'VPNAAS_ENDPOINT'))]:
            del self.env[name]  # the benchmark's options only, never the caller's cloud

    def run(self, playbook: Path, extra_vars: dict | None = None) -> list:
        """Run one playbook; returns the callback's task records. Fails loudly on a failed task."""
        return self.run_measured(playbook, extra_vars)[0]

    def run_measured(self, playbook: Path, extra_vars: dict | None = None) -> tuple[list, float]:
        """Run one playbook; returns its task records and the CPU seconds of the whole process tree."""
        self.runs += 1
        record = self.work / ('record-%03d.jsonl' % self.runs)
        log = self.work / ('run-%03d-%s.log' % (self.runs, playbook.stem))
        command = list(self.command)
        if extra_vars is not None:
            vars_file = self.work / ('vars-%03d.json' % self.runs)
            vars_file.write_text(json.dumps(extra_vars), encoding='utf-8')
            command += ['-e', '@%s' % vars_file]
        self.emu.clear_log()
        with open(log, 'w', encoding='utf-8') as output:
            code, _seconds, usage = run_with_usage(command + [str(playbook)], dict(self.env, BENCH_RECORD=str(record)),
                                                   output, PLAYBOOK_TIMEOUT)
        records = [json.loads(line) for line in record.read_text(encoding='utf-8').splitlines()] if record.exists() else []
        if code != 0 or any(r['status'] in ('failed', 'unreachable') for r in records):
            tail = log.read_text(encoding='utf-8')[-3000:]
            raise RuntimeError('%s failed (exit code %d); see %s:\n%s' % (playbook.name, code, log, tail))
        return records, usage.ru_utime + usage.ru_stime


def run_with_usage(command: list, env: dict, output: Any, timeout: float, cwd: str | None = None) -> tuple:
    """Run a process to its end (killed after ``timeout`` s); returns (exit code, wall seconds, rusage).

    The rusage comes from ``os.wait4`` and so covers the process and every descendant it waited
    for (Ansible's workers and their module processes); only its CPU time is used (its peak RSS
    starts at this process's own size, see ``probe.py measure``).
    """
    with open(os.devnull, 'rb') as devnull:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdin=devnull, stdout=output,  # pylint: disable=consider-using-with
                                   stderr=subprocess.STDOUT, cwd=cwd)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                raise RuntimeError('%s did not finish within %.0f s' % (' '.join(command[:3]), timeout))
            time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.perf_counter() - started, usage


# ---------------------------------------------------------------------------
# Part 1: requests per task
# ---------------------------------------------------------------------------

#: Connections each play of part 1 works on: play k uses numbers k*10+1 .. k*10+4.
PLAY_STRIDE = 10


def scenario_tasks(play: int) -> list:
    """The module tasks of one play of part 1, as (column, task); each play touches its own connections."""
    base = play * PLAY_STRIDE
    return [
        ('unchanged, by id', {'vpnaas.cloud.ipsec_connection': {'id': conn_id(base + 1), 'mtu': WANTED_MTU}}),
        ('unchanged, by name', {'vpnaas.cloud.ipsec_connection': {'name': conn_name(base + 2), 'mtu': WANTED_MTU}}),
        ('changed', {'vpnaas.cloud.ipsec_connection': {'id': conn_id(base + 3), 'mtu': WANTED_MTU - 100}}),
        ('create', {'vpnaas.cloud.ipsec_connection': {
            'name': 'bench-new-%d' % play, 'vpnservice_id': 'bench-vpnservice', 'ikepolicy_id': 'bench-ikepolicy',
            'ipsecpolicy_id': 'bench-ipsecpolicy', 'peer_address': '198.51.100.7', 'peer_id': '198.51.100.7',
            'peer_cidrs': ['10.250.0.0/16'], 'psk': PSK}}),
        # One created, one deleted: the listing still holds CONNECTIONS.
        ('delete', {'vpnaas.cloud.ipsec_connection': {'id': conn_id(base + 4), 'state': 'absent'}}),
        ('info, all %d' % CONNECTIONS, {'vpnaas.cloud.ipsec_connection_info': {}, 'register': 'listed'}),
    ]


@dataclass(frozen=True)
class AuthSetup:
    """One way of authenticating: the options of every task, or of one login task first."""

    key: str          # short name: token, password, aksk
    label: str
    options: dict
    login: bool = False


def auth_setups(url: str, token: str) -> list:
    """Token, Keystone password and AK/SK, each task on its own; then password through vpnaas.cloud.auth.

    (Token through vpnaas.cloud.auth is the token case again: the module hands the token back unused.)
    """
    token_options = {'auth_token': token, 'endpoint': url}
    password_options = {'auth_url': url + '/v3', 'username': EMU_USER, 'password': EMU_PASSWORD,
                        'project_name': EMU_PROJECT, 'user_domain_name': 'Default'}
    aksk_options = {'access_key': EMU_ACCESS_KEY, 'secret_key': EMU_SECRET_KEY, 'project_id': EMU_PROJECT_ID,
                    'endpoint': url}
    return [AuthSetup('token', 'token', token_options),
            AuthSetup('password', 'password (each task logs in)', password_options),
            AuthSetup('aksk', 'AK/SK (each request signed)', aksk_options),
            AuthSetup('password', 'password + vpnaas.cloud.auth', password_options, login=True)]


LOGIN_TASK = 'login (once per play)'
CHECK_TASK = 'check the listing'


def requests_play(setup: AuthSetup, tasks: list) -> dict:
    """The play of one auth setup: an optional login, then the scenario tasks with the setup's module_defaults."""
    body: list = []
    defaults = setup.options
    if setup.login:
        body.append({'name': LOGIN_TASK, 'vpnaas.cloud.auth': dict(setup.options), 'register': 'vpn_login'})
        defaults = {'auth_token': '{{ vpn_login.auth_token }}', 'endpoint': '{{ vpn_login.endpoint }}'}
    scenario = [dict(task, name=name) for name, task in tasks]
    if any(name.startswith('info') for name, _task in tasks):
        scenario.append({'name': CHECK_TASK, 'ansible.builtin.assert': {
            'that': ['listed.ipsec_site_connections | length == %d' % CONNECTIONS], 'quiet': True}})
    body.append({'name': 'scenarios', 'module_defaults': {'group/vpnaas.cloud.vpnaas': defaults}, 'block': scenario})
    return {'name': setup.label, 'hosts': 'localhost', 'gather_facts': False, 'tasks': body}


def spell_request(entry: dict, after_write: bool) -> str:
    """A request as a short word: ``login`` (Keystone), ``GET(list)``, ``poll`` (a GET by id after a write), or the method."""
    if entry['path'].startswith('/v3'):
        return 'login'
    if entry['method'] == 'GET' and entry['path'].rstrip('/').endswith('-site-connections'):
        return 'GET(list)'
    if entry['method'] == 'GET' and after_write:
        return 'poll'
    return entry['method']


def describe(requests: list) -> dict:
    """Count and spell the requests of one task: total, API ones (without login), polls and the sequence."""
    words, written = [], False
    for entry in requests:
        words.append(spell_request(entry, written))
        written = written or (entry['method'] in ('PUT', 'POST', 'DELETE') and not entry['path'].startswith('/v3'))
    return {'total': len(words), 'api': sum(1 for w in words if w != 'login'),
            'polls': sum(1 for w in words if w == 'poll'), 'sequence': words,
            'statuses': [entry['status'] for entry in requests]}


def write_playbook(path: Path, play: list) -> Path:
    """Write a generated playbook (kept in the output for reading)."""
    path.write_text('---\n' + yaml.safe_dump(play, sort_keys=False), encoding='utf-8')
    return path


def by_play(records: list) -> dict:
    """Task records as {play: {task: counted requests and seconds}}, without the listing check."""
    results: dict = {}
    for record in records:
        if record['task'] != CHECK_TASK:
            results.setdefault(record['play'], {})[record['task']] = dict(describe(record['requests']),
                                                                          seconds=record['seconds'])
    return results


def part_requests(runner: Runner, emu: Emulator) -> dict:
    """Part 1: one play per auth setup, each on its own connections; then a change meeting a PENDING window."""
    reseed(emu, CONNECTIONS, WANTED_MTU)
    setups = auth_setups(emu.url, emu.token)
    plays = [requests_play(setup, scenario_tasks(number)) for number, setup in enumerate(setups)]
    results = by_play(runner.run(write_playbook(runner.work / 'requests.yml', plays)))
    # A PUT that starts a PENDING_UPDATE window of PENDING_SECONDS (the emulator's Neutron flavour
    # otherwise answers a PUT settled, as Neutron does when it has no agent to report).
    before = emu.config()
    windows = dict(pending_seconds=PENDING_SECONDS)
    if 'write_windows' in before:
        windows['write_windows'] = True
    emu.config(**windows)
    try:
        column = 'changed, %.0f s PENDING window' % PENDING_SECONDS
        play = requests_play(setups[0], [(column, scenario_tasks(len(setups))[2][1])])
        pending = by_play(runner.run(write_playbook(runner.work / 'requests-pending.yml', [play])))
    finally:
        emu.config(**dict((key, before[key]) for key in windows))
    results[setups[0].label].update(pending[setups[0].label])
    return results


# ---------------------------------------------------------------------------
# Part 2: loop wall time
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One loop: a playbook and the state the connections start in."""

    label: str
    playbook: str
    start_mtu: int
    floor: bool = False


VARIANTS = (
    Variant('ansible.builtin.uri GET per item (floor)', 'loop_uri_get.yml', WANTED_MTU, floor=True),
    Variant('vpnaas.cloud.ipsec_connection, unchanged', 'loop_module.yml', WANTED_MTU),
    Variant('vpnaas.cloud.ipsec_connection, changed', 'loop_module.yml', OTHER_MTU),
    Variant('ansible.builtin.uri GET + PUT when differs, unchanged', 'loop_uri_get_put.yml', WANTED_MTU),
    Variant('ansible.builtin.uri GET + PUT when differs, changed', 'loop_uri_get_put.yml', OTHER_MTU),
)


def loop_vars(emu: Emulator, items: int) -> dict:
    """The extra vars of the loop playbooks."""
    return {'bench_url': emu.url, 'bench_token': emu.token, 'desired_mtu': WANTED_MTU,
            'conn_ids': [conn_id(n) for n in range(1, items + 1)]}


def run_loop(runner: Runner, emu: Emulator, variant: Variant, items: int) -> dict:
    """Seed ``items`` connections in the variant's start state, run its loop; returns times and requests."""
    reseed(emu, items, variant.start_mtu)
    records, cpu = runner.run_measured(PLAYBOOKS / variant.playbook, loop_vars(emu, items))
    methods: dict = {}
    for record in records:
        for entry in record['requests']:
            methods[entry['method']] = methods.get(entry['method'], 0) + 1
    if not variant.floor:
        wrong = [c['id'] for c in emu.state()['ipsec_site_connections'] if c.get('mtu') != WANTED_MTU]
        if wrong:
            raise RuntimeError('%s left %d connections at the wrong MTU' % (variant.label, len(wrong)))
    return {'seconds': sum(r['seconds'] for r in records), 'cpu': cpu, 'methods': methods}


def startup_cpu(runner: Runner, emu: Emulator) -> float:
    """CPU seconds of ansible-playbook running the floor playbook over no item: what every run pays to start."""
    return runner.run_measured(PLAYBOOKS / VARIANTS[0].playbook, loop_vars(emu, 0))[1]


def part_loops(runner: Runner, emu: Emulator, items: int, rounds: int, progress: Callable[[str], None]) -> dict:
    """Part 2: ``rounds`` rounds of every variant, the order rotated each round.

    Wall time is the loop's task time (callback). CPU time is that of the whole ansible-playbook
    process tree minus the round's start-up run: far less sensitive to other load on the machine.
    """
    samples: dict = dict((v.label, {'seconds': [], 'cpu': []}) for v in VARIANTS)
    methods: dict = {}
    for round_number in range(rounds):
        base = startup_cpu(runner, emu)
        shift = round_number % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:
            outcome = run_loop(runner, emu, variant, items)
            samples[variant.label]['seconds'].append(outcome['seconds'])
            samples[variant.label]['cpu'].append(max(outcome['cpu'] - base, 0.001))
            methods[variant.label] = outcome['methods']
            progress('  round %d/%d  %-55s %7.2f s wall %7.2f s CPU  (load %s)'
                     % (round_number + 1, rounds, variant.label, outcome['seconds'], outcome['cpu'] - base, load_average()))
    floor = samples[VARIANTS[0].label]
    table = {}
    for variant in VARIANTS:
        own = samples[variant.label]
        ratios = [value / base for value, base in zip(own['seconds'], floor['seconds'])]
        cpu_ratios = [value / base for value, base in zip(own['cpu'], floor['cpu'])]
        table[variant.label] = {'seconds': own['seconds'], 'median': median(own['seconds']), 'ratio': median(ratios),
                                'ratios': ratios, 'per_item_ms': 1000 * median(own['seconds']) / items,
                                'cpu': own['cpu'], 'cpu_median': median(own['cpu']), 'cpu_ratio': median(cpu_ratios),
                                'requests_per_item': dict((m, n / items) for m, n in methods[variant.label].items())}
    return table


# ---------------------------------------------------------------------------
# Part 3: one module process
# ---------------------------------------------------------------------------

def module_env(collections_root: str) -> dict:
    """Environment of a module process run directly: the installed collection importable, no cloud variables."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('OS_', 'HW_', 'VPNAAS_')))
    env['PYTHONPATH'] = collections_root
    return env


def measured_process(command: list, env: dict, work: Path) -> dict:
    """Run a module process through ``probe.py measure``; returns wall seconds, peak RSS (MiB) and its JSON output."""
    out_path = work / 'process-output.json'
    probe = [sys.executable, str(HERE / 'probe.py'), 'measure', str(out_path)]
    completed = subprocess.run(probe + command, env=env, capture_output=True, text=True, timeout=PROBE_TIMEOUT,
                               check=True, cwd=str(work))
    figures = json.loads(completed.stdout)
    text = out_path.read_text(encoding='utf-8', errors='replace')
    try:
        output = json.loads(text[text.index('{'):]) if '{' in text else {}
    except ValueError:
        output = {'unparsed': text[:300]}
    return {'seconds': figures['seconds'], 'peak_mib': figures['peak_kib'] / 1024.0, 'exit_code': figures['exit_code'],
            'output': output}


def args_file(work: Path, name: str, args: dict) -> Path:
    """Write ``{"ANSIBLE_MODULE_ARGS": args}`` for a module run directly."""
    path = work / ('args-%s.json' % name)
    path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}), encoding='utf-8')
    return path


def part_process(emu: Emulator, work: Path, python: str, collections_root: str) -> dict:
    """Part 3: memory and time of single module processes, the import split and a profile per auth method."""
    env = module_env(collections_root)
    reseed(emu, CONNECTIONS, WANTED_MTU)
    token = {'auth_token': emu.token, 'endpoint': emu.url}
    setups = dict((s.key, s.options) for s in auth_setups(emu.url, emu.token) if not s.login)
    module = 'ansible_collections.vpnaas.cloud.plugins.modules.'
    unchanged_args = args_file(work, 'unchanged', dict(token, id=conn_id(1), mtu=WANTED_MTU))
    info_args = args_file(work, 'info', token)
    uri_args = args_file(work, 'uri', {'url': '%s/v2.0/vpn/ipsec-site-connections/%s' % (emu.url, conn_id(1)),
                                       'headers': {'X-Auth-Token': emu.token}})
    runs = {
        'ipsec_connection, unchanged (token)': [python, '-m', module + 'ipsec_connection', str(unchanged_args)],
        'ipsec_connection_info, all %d (token)' % CONNECTIONS: [python, '-m', module + 'ipsec_connection_info',
                                                                str(info_args)],
        'ansible.builtin.uri, one GET': [python, '-m', 'ansible.modules.uri', str(uri_args)],
    }
    memory = {}
    for label, command in runs.items():
        outcomes = [measured_process(command, env, work) for _repeat in range(PROCESS_SAMPLES)]
        for outcome in outcomes:
            if outcome['exit_code'] != 0 or outcome['output'].get('failed'):
                raise RuntimeError('%s failed: %s' % (label, str(outcome['output'])[:500]))
        listed = outcomes[0]['output'].get('ipsec_site_connections')
        memory[label] = {'seconds': median([o['seconds'] for o in outcomes]),
                         'peak_mib': median([o['peak_mib'] for o in outcomes]),
                         'items': len(listed) if isinstance(listed, list) else None}
    probe = str(HERE / 'probe.py')
    imports = {}
    for kind in ('uri', 'module'):
        samples = [json.loads(subprocess.run([python, probe, 'imports', kind], env=env, capture_output=True, text=True,
                                             timeout=PROBE_TIMEOUT, check=True).stdout) for _repeat in range(IMPORT_SAMPLES)]
        imports[kind] = dict((step, median([s[step] for s in samples])) for step in samples[0])
    profiles = {}
    for method, options in setups.items():
        path = args_file(work, 'profile-' + method, dict(options, id=conn_id(1), mtu=WANTED_MTU))
        samples = []
        for _repeat in range(PROCESS_SAMPLES):
            completed = subprocess.run([python, probe, 'profile', module + 'ipsec_connection', str(path)], env=env,
                                       capture_output=True, text=True, timeout=PROBE_TIMEOUT, check=True)
            sample = json.loads(completed.stdout.strip().splitlines()[-1])
            if sample['failed'] or sample['changed']:
                raise RuntimeError('profiled run (%s) did not end unchanged: %s' % (method, sample['msg']))
            samples.append(sample)
        profiles[method] = dict((key, median([s[key] for s in samples])) for key in PROFILE_PARTS)
    return {'memory': memory, 'imports': imports, 'profiles': profiles}


# ---------------------------------------------------------------------------
# Part 4: a hub's fleet, vpnaas.cloud.ipsec_connections
# ---------------------------------------------------------------------------

FLEET_SIZE = 500            # branches (connections) of the hub in scenarios 1 to 4
FLEET_CHANGED_EVERY = 10    # scenario 2: every 10th branch (50 of 500) starts at OTHER_MTU
FLEET_KEPT = 450            # scenario 4: overridden with the first 450, so 50 are deleted
FLEET_GATHERED = 5000       # scenario 5: branches of the hub that is gathered
FLEET_LOOP_ITEMS = 50       # default of --fleet-loop-items: the single-item loop over the first branches
FLEET_TASK = 'fleet task'
FLEET_SPEEDUP_TARGET = 50.0
FLEET_RSS_TARGET_MIB = 150.0
#: The hub: its VPN service (no subnet_id, so Neutron wants endpoint groups on both sides), policies, local group.
HUB = {'vpnservice_id': '0b3e7c5a-0000-4000-a000-000000000001', 'ikepolicy_id': '0b3e7c5a-0000-4000-a000-000000000002',
       'ipsecpolicy_id': '0b3e7c5a-0000-4000-a000-000000000003', 'local_ep_group_id': '0b3e7c5a-0000-4000-a000-000000000004'}
HUB_NAMES = {'vpnservice': 'hub', 'ikepolicy': 'hub-ike', 'ipsecpolicy': 'hub-ipsec', 'local_ep_group': 'hub-local'}


def branch_name(number: int) -> str:
    """The name of branch ``number`` (1-based) of the hub."""
    return 'branch-%04d' % number


def branch_address(number: int) -> str:
    """The peer gateway address of branch ``number``."""
    return '198.51.100.%d' % (number % 250 + 1)


def branch_network(number: int) -> str:
    """The one peer network of branch ``number`` (unique up to 62,500 branches)."""
    return '10.%d.%d.0/24' % (number // 250 % 250, number % 250)


def branch_group_id(number: int) -> str:
    """The fixed id of the seeded peer endpoint group of branch ``number``."""
    return '0b3e7c5a-0000-4000-b000-%012d' % number


def branch_item(number: int, mtu: int = WANTED_MTU) -> dict:
    """Branch ``number`` as an item of the fleet module's ``config``."""
    return {'name': branch_name(number), 'peer_address': branch_address(number), 'peer_id': branch_address(number),
            'psk': PSK, 'mtu': mtu, 'peer_networks': [branch_network(number)]}


def hub_seed(count: int, mtu_of: Callable[[int], int]) -> dict:
    """The hub with ``count`` ACTIVE branches, each with its peer endpoint group ``<name>-peers``, as the module keeps them."""
    groups = [{'id': HUB['local_ep_group_id'], 'name': HUB_NAMES['local_ep_group'], 'type': 'subnet',
               'endpoints': ['bench-subnet']}]
    groups += [{'id': branch_group_id(n), 'name': branch_name(n) + '-peers', 'type': 'cidr', 'endpoints': [branch_network(n)]}
               for n in range(1, count + 1)]
    branches = [{'id': conn_id(n), 'name': branch_name(n), 'psk': PSK, 'mtu': mtu_of(n), 'status': 'ACTIVE',
                 'peer_address': branch_address(n), 'peer_id': branch_address(n), 'peer_cidrs': [],
                 'peer_ep_group_id': branch_group_id(n), **HUB} for n in range(1, count + 1)]
    return {'vpnservices': [{'id': HUB['vpnservice_id'], 'name': HUB_NAMES['vpnservice'], 'router_id': 'bench-router'}],
            'ikepolicies': [{'id': HUB['ikepolicy_id'], 'name': HUB_NAMES['ikepolicy']}],
            'ipsecpolicies': [{'id': HUB['ipsecpolicy_id'], 'name': HUB_NAMES['ipsecpolicy']}],
            'endpoint_groups': groups, 'ipsec_site_connections': branches}


def wanted_mtu(_number: int) -> int:
    """The starting MTU of every branch but in scenario 2: the one config asks for."""
    return WANTED_MTU


def changed_mtu(number: int) -> int:
    """Scenario 2's starting MTU: every FLEET_CHANGED_EVERY-th branch differs."""
    return OTHER_MTU if number % FLEET_CHANGED_EVERY == 0 else WANTED_MTU


def hub_state(emu: Emulator) -> tuple:
    """The hub's connections {name: connection} and the names of the peer endpoint groups, as the emulator holds them."""
    state = emu.state()
    branches = dict((c['name'], c) for c in state['ipsec_site_connections'] if c.get('vpnservice_id') == HUB['vpnservice_id'])
    groups = sorted(g['name'] for g in state['endpoint_groups'] if g.get('type') == 'cidr')
    return branches, groups


def expect_hub(emu: Emulator, count: int) -> str | None:
    """What is wrong with the hub after a scenario (None: branches 1..count, each at WANTED_MTU with its group)."""
    branches, groups = hub_state(emu)
    names = [branch_name(n) for n in range(1, count + 1)]
    if sorted(branches) != names:
        return 'the hub holds %d connections, not branches 1 to %d' % (len(branches), count)
    wrong = [name for name, conn in branches.items() if conn.get('mtu') != WANTED_MTU or conn.get('status') != 'ACTIVE']
    if wrong:
        return '%d connections are not ACTIVE at MTU %d (%s ...)' % (len(wrong), WANTED_MTU, wrong[0])
    if groups != [name + '-peers' for name in names]:
        return '%d peer endpoint groups, not one for each of the %d branches' % (len(groups), count)
    return None


@dataclass(frozen=True)
class FleetScenario:
    """One run of vpnaas.cloud.ipsec_connections on a seeded hub."""

    key: str
    label: str
    state: str
    seeded: int                   # branches seeded before the run
    listed: int                   # branches in config (0: no config)
    writes: dict                  # the writes expected, e.g. {'PUT ipsec-site-connections': 50}; the rest list pages
    target_seconds: float | None  # task time target (None: none set)
    after: int                    # branches the hub holds afterwards
    mtu_of: Callable[[int], int] = wanted_mtu


FLEET_SCENARIOS = (
    FleetScenario('unchanged', '1. %d unchanged (merged, same config)' % FLEET_SIZE, 'merged', FLEET_SIZE, FLEET_SIZE, {},
                  2.0, FLEET_SIZE),
    FleetScenario('changed', '2. %d of %d changed (merged, mtu)' % (FLEET_SIZE // FLEET_CHANGED_EVERY, FLEET_SIZE), 'merged',
                  FLEET_SIZE, FLEET_SIZE, {'PUT ipsec-site-connections': FLEET_SIZE // FLEET_CHANGED_EVERY}, 4.0, FLEET_SIZE,
                  changed_mtu),
    FleetScenario('create', '3. %d created from empty (merged)' % FLEET_SIZE, 'merged', 0, FLEET_SIZE,
                  {'POST endpoint-groups': FLEET_SIZE, 'POST ipsec-site-connections': FLEET_SIZE}, None, FLEET_SIZE),
    FleetScenario('overridden', '4. overridden with %d of %d (%d deleted)' % (FLEET_KEPT, FLEET_SIZE, FLEET_SIZE - FLEET_KEPT),
                  'overridden', FLEET_SIZE, FLEET_KEPT, {'DELETE ipsec-site-connections': FLEET_SIZE - FLEET_KEPT,
                                                         'DELETE endpoint-groups': FLEET_SIZE - FLEET_KEPT}, None, FLEET_KEPT),
    FleetScenario('gathered', '5. gathered over %d' % FLEET_GATHERED, 'gathered', FLEET_GATHERED, 0, {}, 3.0, FLEET_GATHERED),
)


def fleet_options(scenario: FleetScenario) -> dict:
    """The options of a scenario's fleet task but ``config`` and auth (references by name, as a user writes them)."""
    if scenario.state == 'gathered':
        return {'vpnservice': HUB_NAMES['vpnservice'], 'state': scenario.state}
    return dict(HUB_NAMES, state=scenario.state)


def fleet_config(scenario: FleetScenario) -> list:
    """The ``config`` of a scenario's fleet task (none for gathered)."""
    return [branch_item(n) for n in range(1, scenario.listed + 1)]


def fleet_play(emu: Emulator, scenario: FleetScenario) -> list:
    """The playbook of a scenario: the fleet task (``config`` from the extra var fleet_config), and a check of gathered."""
    options = fleet_options(scenario)
    if scenario.state != 'gathered':
        options['config'] = '{{ fleet_config }}'
    tasks: list = [{'name': FLEET_TASK, 'vpnaas.cloud.ipsec_connections': options, 'register': 'fleet'}]
    if scenario.state == 'gathered':
        tasks.append({'name': CHECK_TASK, 'ansible.builtin.assert': {
            'that': ['fleet.gathered | length == %d' % FLEET_GATHERED], 'quiet': True}})
    return [{'name': scenario.label, 'hosts': 'localhost', 'gather_facts': False,
             'module_defaults': {'group/vpnaas.cloud.vpnaas': {'endpoint': emu.url, 'auth_token': emu.token}},
             'tasks': tasks}]


def request_kind(entry: dict) -> str:
    """A request of the fleet as ``list`` (a GET of a collection: a listing page, or the wait's poll of the listing)
    or ``METHOD collection`` (``PUT ipsec-site-connections``; a GET by id shows as ``GET <collection>/id``)."""
    parts = entry['path'].strip('/').split('/')
    collection = parts[2] if len(parts) > 2 and parts[:2] == ['v2.0', 'vpn'] else entry['path']
    if entry['method'] == 'GET':
        return 'list' if len(parts) == 3 else 'GET %s/id' % collection
    return '%s %s' % (entry['method'], collection)


def count_requests(requests: list) -> dict:
    """Requests counted by kind (see ``request_kind``), plus the listed collections (``list <collection>``)."""
    counts: dict = {}
    for entry in requests:
        kind = request_kind(entry)
        counts[kind] = counts.get(kind, 0) + 1
        if kind == 'list':
            name = 'list ' + entry['path'].strip('/').split('/')[-1]
            counts[name] = counts.get(name, 0) + 1
    return counts


def requests_text(counts: dict) -> str:
    """Request counts as ``5 list pages (vpnservices 1, ...) + 50 PUT ipsec-site-connections``."""
    lists = sorted((kind[5:], n) for kind, n in counts.items() if kind.startswith('list '))
    text = '%d list pages (%s)' % (counts.get('list', 0), ', '.join('%s %d' % pair for pair in lists))
    writes = sorted((kind, n) for kind, n in counts.items() if kind != 'list' and not kind.startswith('list '))
    return ' + '.join([text] + ['%d %s' % (n, kind) for kind, n in writes])


def writes_of(counts: dict) -> dict:
    """The requests that are not list pages."""
    return dict((kind, n) for kind, n in counts.items() if kind != 'list' and not kind.startswith('list '))


def run_fleet_scenario(runner: Runner, emu: Emulator, scenario: FleetScenario, root: str) -> dict:
    """Seed the hub, run the scenario's playbook (task time, requests), check the hub; then the module's own peak RSS.

    The RSS comes from a second run of the same module with the same options on the same seed, as a bare
    process (``python -m`` with an args file) under ``probe.py measure`` (``os.wait4``'s ru_maxrss).
    """
    work = runner.work
    emu.reset()
    emu.seed(hub_seed(scenario.seeded, scenario.mtu_of))
    config = fleet_config(scenario)
    path = write_playbook(work / ('fleet-%s.yml' % scenario.key), fleet_play(emu, scenario))
    records = runner.run(path, {'fleet_config': config})
    task = next(r for r in records if r['task'] == FLEET_TASK)
    problem = expect_hub(emu, scenario.after)
    if problem:
        raise RuntimeError('fleet scenario %s: %s' % (scenario.label, problem))
    emu.reset()
    emu.seed(hub_seed(scenario.seeded, scenario.mtu_of))
    args = dict(fleet_options(scenario), auth_token=emu.token, endpoint=emu.url)
    if scenario.state != 'gathered':
        args['config'] = config
    command = [sys.executable, '-m', 'ansible_collections.vpnaas.cloud.plugins.modules.ipsec_connections',
               str(args_file(work, 'fleet-' + scenario.key, args))]
    process = measured_process(command, module_env(root), work)
    if process['exit_code'] != 0 or process['output'].get('failed'):
        raise RuntimeError('%s as a bare process failed: %s' % (scenario.label, str(process['output'])[:500]))
    return {'seconds': task['seconds'], 'requests': count_requests(task['requests']),
            'process_seconds': process['seconds'], 'peak_mib': process['peak_mib']}


def run_fleet_loop(runner: Runner, emu: Emulator, items: int, mtu_of: Callable[[int], int]) -> dict:
    """The single-item module over branches 1..items of the hub of FLEET_SIZE seeded by ``mtu_of``."""
    emu.reset()
    emu.seed(hub_seed(FLEET_SIZE, mtu_of))
    loop_items = []
    for number in range(1, items + 1):
        item = branch_item(number)
        del item['peer_networks']
        loop_items.append(dict(item, peer_ep_group_id=branch_group_id(number)))
    extra_vars = {'bench_url': emu.url, 'bench_token': emu.token, 'hub': HUB, 'fleet_items': loop_items}
    records = runner.run(PLAYBOOKS / 'loop_fleet_items.yml', extra_vars)
    branches, _groups = hub_state(emu)
    wrong = [n for n in range(1, items + 1) if branches[branch_name(n)].get('mtu') != WANTED_MTU]
    if wrong:
        raise RuntimeError('the ipsec_connection loop left %d branches at the wrong MTU' % len(wrong))
    counts: dict = {}
    for record in records:
        for entry in record['requests']:
            counts[entry['method']] = counts.get(entry['method'], 0) + 1
    return {'seconds': sum(r['seconds'] for r in records), 'requests_per_item': dict((m, n / items) for m, n in counts.items())}


#: The single-item loops beside the fleet scenarios they compare with: (key, label, scenario key, start MTUs).
FLEET_LOOPS = (
    ('loop unchanged', 'vpnaas.cloud.ipsec_connection loop, unchanged', 'unchanged', wanted_mtu),
    ('loop changed', 'vpnaas.cloud.ipsec_connection loop, 1 in %d changed' % FLEET_CHANGED_EVERY, 'changed', changed_mtu),
)


def part_fleet(runner: Runner, emu: Emulator, root: str, rounds: int, loop_items: int,
               progress: Callable[[str], None]) -> dict:
    """Part 4: ``rounds`` rounds of the five fleet scenarios and the two single-item loops, the order rotated each round."""
    runs: list = [('scenario', s) for s in FLEET_SCENARIOS] + [('loop', loop) for loop in FLEET_LOOPS]
    samples: dict = dict((s.key, []) for s in FLEET_SCENARIOS)
    loops: dict = dict((loop[0], []) for loop in FLEET_LOOPS)
    for round_number in range(rounds):
        shift = round_number % len(runs)
        for kind, what in runs[shift:] + runs[:shift]:
            if kind == 'scenario':
                outcome = dict(run_fleet_scenario(runner, emu, what, root), load=os.getloadavg()[0])
                samples[what.key].append(outcome)
                progress('  round %d/%d  %-48s %6.2f s task, %d requests, %5.1f MiB  (load %s)'
                         % (round_number + 1, rounds, what.label, outcome['seconds'],
                            sum(n for k, n in outcome['requests'].items() if not k.startswith('list ')),
                            outcome['peak_mib'], load_average()))
            else:
                outcome = run_fleet_loop(runner, emu, loop_items, what[3])
                loops[what[0]].append(outcome)
                progress('  round %d/%d  %-48s %6.2f s for %d items  (load %s)'
                         % (round_number + 1, rounds, what[1], outcome['seconds'], loop_items, load_average()))
    table = {}
    for scenario in FLEET_SCENARIOS:
        own = samples[scenario.key]
        requests = [o['requests'] for o in own]
        table[scenario.key] = {
            'label': scenario.label, 'seconds': [o['seconds'] for o in own], 'median': median([o['seconds'] for o in own]),
            'process_median': median([o['process_seconds'] for o in own]), 'peak_mib': median([o['peak_mib'] for o in own]),
            'requests': requests[-1], 'requests_same': all(r == requests[0] for r in requests),
            'requests_text': '; '.join(sorted(set(requests_text(r) for r in requests))),
            'target_seconds': scenario.target_seconds, 'writes_expected': scenario.writes,
            'load': median([o['load'] for o in own])}
    compared = {}
    for key, label, scenario_key, _mtu_of in FLEET_LOOPS:
        own = loops[key]
        scale = float(FLEET_SIZE) / loop_items
        ratios = [o['seconds'] * scale / s['seconds'] for o, s in zip(own, samples[scenario_key])]
        compared[key] = {'label': label, 'scenario': scenario_key, 'items': loop_items, 'seconds': [o['seconds'] for o in own],
                         'median': median([o['seconds'] for o in own]), 'scaled_median': median([o['seconds'] * scale for o in own]),
                         'ratio': median(ratios), 'ratios': ratios, 'requests_per_item': own[-1]['requests_per_item']}
    return {'scenarios': table, 'loops': compared, 'rounds': rounds, 'loop_items': loop_items}


def fleet_checks(fleet: dict) -> list:
    """The fleet targets, each as {scenario, target, measured, met, cause} (cause: why a miss, '' when met)."""
    checks = []
    for scenario in FLEET_SCENARIOS:
        figures = fleet['scenarios'][scenario.key]
        if scenario.target_seconds is not None:
            met = figures['median'] <= scenario.target_seconds
            overhead = figures['median'] - figures['process_median']
            cause = '' if met else ('the module alone takes %.2f s as a bare process; the other %.2f s are Ansible\'s '
                                    '(templating and checking the items, AnsiballZ, the result); 1-minute load average '
                                    '%.1f on %d CPUs' % (figures['process_median'], overhead, figures['load'], os.cpu_count()))
            checks.append(dict(scenario=scenario.key, target='task time <= %.0f s' % scenario.target_seconds,
                               measured='%.2f s' % figures['median'], met=met, cause=cause))
        writes = writes_of(figures['requests'])
        expected = ' + '.join(['list pages'] + ['%d %s' % (n, kind) for kind, n in sorted(scenario.writes.items())])
        met = writes == scenario.writes and figures['requests_same']
        cause = ''
        if not met:
            extra = dict((kind, n - scenario.writes.get(kind, 0)) for kind, n in writes.items() if n != scenario.writes.get(kind))
            missing = dict((kind, n) for kind, n in scenario.writes.items() if kind not in writes)
            cause = 'requests beyond the expected: %s; expected but not sent: %s%s' % (
                extra or 'none', missing or 'none', '' if figures['requests_same'] else '; the rounds differ')
        checks.append(dict(scenario=scenario.key, target='requests = %s' % expected, measured=figures['requests_text'],
                           met=met, cause=cause))
    gathered = fleet['scenarios']['gathered']
    met = gathered['peak_mib'] <= FLEET_RSS_TARGET_MIB
    checks.append(dict(scenario='gathered', target='module peak RSS <= %.0f MiB' % FLEET_RSS_TARGET_MIB,
                       measured='%.1f MiB' % gathered['peak_mib'], met=met,
                       cause='' if met else 'the module holds the listings of %d connections and endpoint groups and its '
                       'result at once' % FLEET_GATHERED))
    for key, target in (('loop unchanged', FLEET_SPEEDUP_TARGET), ('loop changed', None)):
        loop = fleet['loops'][key]
        met = target is None or loop['ratio'] >= target
        checks.append(dict(scenario=loop['scenario'],
                           target=('fleet >= %.0fx faster than the ipsec_connection loop' % target) if target
                           else 'fleet vs ipsec_connection loop (reported, no target)',
                           measured='%.0fx' % loop['ratio'], met=met,
                           cause='' if met else 'the fleet task takes %.2f s, the loop %.1f s scaled to %d items'
                           % (fleet['scenarios'][loop['scenario']]['median'], loop['scaled_median'], FLEET_SIZE)))
    return checks


def fleet_targets(fleet: dict) -> list:
    """The fleet targets as (target, measured, met, cause), each named after its scenario."""
    labels = dict((s.key, s.label) for s in FLEET_SCENARIOS)
    return [('%s: %s' % (labels[c['scenario']], c['target']), c['measured'], c['met'], c['cause'])
            for c in fleet_checks(fleet) if 'no target' not in c['target']]


# ---------------------------------------------------------------------------
# Targets and the report
# ---------------------------------------------------------------------------

def check_targets(data: dict) -> list:
    """Each target (of issue 7, and of the fleet) of the parts that ran, with what was measured and whether it was met."""
    targets = []
    if 'requests' in data:
        targets += request_targets(data['requests'])
    if 'loops' in data:
        targets += loop_targets(data['loops'])
    if 'fleet' in data:
        targets += [(name, measured, met) for name, measured, met, _cause in fleet_targets(data['fleet'])]
    return targets


def request_targets(requests: dict) -> list:
    """The request targets of issue 7 (part 1)."""
    targets = []
    for setup, tasks in requests.items():
        unchanged = [tasks[k]['api'] for k in ('unchanged, by id', 'unchanged, by name')]
        targets.append(('unchanged = 1 API request (%s)' % setup, ', '.join(map(str, unchanged)),
                        all(n == 1 for n in unchanged)))
        targets.append(('changed = 2 API requests (%s)' % setup, str(tasks['changed']['api']), tasks['changed']['api'] == 2))
        logins = sum(t['total'] - t['api'] for name, t in tasks.items() if not name.startswith('changed, '))
        if '+ vpnaas.cloud.auth' in setup:
            expected = 1 if setup.startswith('password') else 0
            targets.append(('login once per play (%s)' % setup, '%d login(s) in the play' % logins, logins == expected))
    for name, first in (('create', ['GET(list)', 'POST']), ('delete', ['GET', 'DELETE'])):
        sequences = [tasks[name]['sequence'] for tasks in requests.values()]
        ok = all([w for w in seq if w != 'login'][:2] == first and
                 all(w == 'poll' for w in [w for w in seq if w != 'login'][2:]) for seq in sequences)
        targets.append(('%s = %s, plus polls only while PENDING' % (name, ' + '.join(first)),
                        '; '.join(sorted(set(' '.join(seq) for seq in sequences))), ok))
    pending = next((t for tasks in requests.values() for n, t in tasks.items() if n.startswith('changed, ')), None)
    if pending is not None:
        targets.append(('changed meeting a PENDING window = GET + PUT + polls while PENDING',
                        ' '.join(pending['sequence']),
                        pending['sequence'][:2] == ['GET', 'PUT'] and all(w == 'poll' for w in pending['sequence'][2:])
                        and pending['polls'] > 0))
    return targets


def loop_targets(loops: dict) -> list:
    """The loop targets of issue 7 (part 2)."""
    targets = []
    labels = [v.label for v in VARIANTS]
    for state, own in (('unchanged', labels[1]), ('changed', labels[2])):
        targets.append(('ipsec_connection loop within %.2fx of the uri GET floor, wall (%s)' % (LOOP_RATIO_TARGET, state),
                        '%.3fx (CPU %.3fx)' % (loops[own]['ratio'], loops[own]['cpu_ratio']),
                        loops[own]['ratio'] <= LOOP_RATIO_TARGET))
    for state, own, pair in (('unchanged', labels[1], labels[3]), ('changed', labels[2], labels[4])):
        targets.append(('ipsec_connection faster than uri GET + PUT, wall (%s)' % state,
                        '%.3fx vs %.3fx (CPU %.3fx vs %.3fx)' % (loops[own]['ratio'], loops[pair]['ratio'],
                                                                 loops[own]['cpu_ratio'], loops[pair]['cpu_ratio']),
                        loops[own]['ratio'] < loops[pair]['ratio']))
    return targets


def machine() -> dict:
    """What the figures were measured on."""
    model = ''
    try:
        for line in Path('/proc/cpuinfo').read_text(encoding='utf-8').splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    from ansible import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    return {'cpus': os.cpu_count(), 'cpu_model': model, 'python': platform.python_version(),
            'ansible_core': ansible_version, 'system': '%s %s' % (platform.system(), platform.release())}


def markdown_table(header: list, rows: list) -> list:
    """A Markdown table as lines."""
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join('---' for _column in header) + '|']
    return lines + ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]


def cell(task: dict | None) -> str:
    """A part-1 cell: API requests, the logins on top, and the sequence."""
    if task is None:
        return '-'
    logins = task['total'] - task['api']
    return '%d%s (%s)' % (task['api'], ' + %d login' % logins if logins else '', ' '.join(task['sequence']) or 'none')


def report(data: dict) -> str:
    """The whole report as Markdown."""
    info = data['machine']
    lines = ['# make bench: %s' % data['date'], '',
             'Machine: %d CPUs (%s), %s, Python %s, ansible-core %s. Load average before: %s, after: %s.'
             % (info['cpus'], info['cpu_model'] or 'unknown model', info['system'], info['python'], info['ansible_core'],
                data['load_before'], data['load_after']),
             'Emulator on 127.0.0.1 (Neutron flavour, id seed %d), %d seeded connections; %d-item loops, %d rounds; '
             'parts run: %s; total %.0f s.'
             % (ID_SEED, CONNECTIONS, data['items'], data['rounds'], ', '.join(data['parts']), data['total_seconds']), '']
    for part, section in (('requests', report_requests), ('loops', report_loops), ('process', report_process),
                          ('fleet', report_fleet)):
        if part in data:
            lines += section(data)
    lines += ['## Targets', '']
    lines += markdown_table(['target', 'measured', 'result'],
                            [[name, measured, 'met' if met else '**MISSED**'] for name, measured, met in data['targets']])
    return '\n'.join(lines) + '\n'


def report_requests(data: dict) -> list:
    """Part 1 of the report: requests per task."""
    lines: list = []
    requests = data['requests']
    columns = list(next(iter(requests.values())).keys())
    setup_columns = [c for c in columns if c != LOGIN_TASK]
    lines += ['## 1. Requests per task', '',
              'API requests the task sent (+ Keystone logins), then the sequence. `GET(list)` is a listing '
              '(name lookup or info); `poll` is a GET by id after a write, sent while the status is PENDING_* '
              '(Neutron answers a POST with PENDING_CREATE) or until a deleted connection is gone.', '']
    rows = []
    for setup, tasks in requests.items():
        rows.append([setup, cell(tasks.get(LOGIN_TASK))] + [cell(tasks.get(c)) for c in setup_columns])
    lines += markdown_table(['auth', 'login task'] + setup_columns, rows) + ['']
    info_column = next(c for c in columns if c.startswith('info'))
    lines += ['Info over %d connections, one task, token auth: %.2f s (task wall time, inside ansible-playbook).'
              % (CONNECTIONS, requests['token'][info_column]['seconds']), '']
    return lines


def report_loops(data: dict) -> list:
    """Part 2 of the report: the loops."""
    lines: list = []
    loops = data['loops']
    lines += ['## 2. Loop of %d items' % data['items'], '',
              'Wall: the loop task(s) timed by the callback (ansible-playbook start-up excluded). CPU: user + system '
              'time of the whole ansible-playbook process tree (workers and module processes included) minus a '
              'start-up run of the same round. Medians of %d interleaved rounds; each ratio is the median over the '
              'rounds of (variant / floor of the same round).' % data['rounds'], '']
    rows = []
    for label, figures in loops.items():
        per_item = ', '.join('%s %.2g' % (m, n) for m, n in sorted(figures['requests_per_item'].items()))
        rows.append([label, per_item, '%.2f' % figures['median'], '%.0f' % figures['per_item_ms'],
                     '**%.3fx**' % figures['ratio'], '%.2f' % figures['cpu_median'], '%.3fx' % figures['cpu_ratio'],
                     ' '.join('%.1f' % s for s in figures['seconds'])])
    lines += markdown_table(['variant', 'requests/item', 'wall s', 'wall ms/item', 'wall ratio to floor', 'CPU s',
                             'CPU ratio to floor', 'wall of each round (s)'], rows) + ['']
    return lines


def report_process(data: dict) -> list:
    """Part 3 of the report: one module process."""
    lines: list = []
    process = data['process']
    lines += ['## 3. One module process', '',
              'Run directly (`python -m <module> args.json`, no AnsiballZ), medians of %d runs; peak RSS from '
              '`os.wait4` in a small parent process (`probe.py measure`).' % PROCESS_SAMPLES, '']
    rows = [[label, '%.3f' % m['seconds'], '%.1f' % m['peak_mib'], m['items'] if m['items'] is not None else '']
            for label, m in process['memory'].items()]
    lines += markdown_table(['process', 'wall s', 'peak RSS MiB', 'items returned'], rows) + ['']
    lines += ['Imports, medians of %d fresh interpreters (ms):' % IMPORT_SAMPLES, '']
    rows = [[kind, step, '%.1f' % (seconds * 1000)] for kind, steps in process['imports'].items()
            for step, seconds in steps.items()]
    lines += markdown_table(['process', 'import', 'ms'], rows) + ['']
    lines += ['Profile of an unchanged run by id, median of %d runs (cProfile, whose overhead inflates the '
              'figures), ms. Auth: choosing the method, Keystone login, AK/SK signing; HTTP: the rest of the '
              'requests; engine: finding, validating, planning, masking:' % PROCESS_SAMPLES, '']
    rows = []
    for method, prof in process['profiles'].items():
        rows.append([method] + ['%.1f' % (prof[k] * 1000) for k in PROFILE_PARTS])
    lines += markdown_table(['auth', 'import', 'argument parsing', 'auth', 'HTTP', 'engine (find, plan, mask)',
                             'output', 'run total (excl. import)'], rows) + ['']
    return lines


def report_fleet(data: dict) -> list:
    """Part 4 of the report: the hub's fleet, each figure beside its target."""
    fleet = data['fleet']
    checks = fleet_checks(fleet)
    lines = ['## 4. A hub\'s fleet: vpnaas.cloud.ipsec_connections', '',
             'The hub, seeded through `POST /_emulator/seed`: one VPN service (a router, no subnet, so endpoint groups on '
             'both sides), its IKE and IPsec policies, its local endpoint group and, for each branch, an ACTIVE connection '
             '(psk, peer address, MTU %d) with its own peer endpoint group `branch-NNNN-peers` of one CIDR, as the module '
             'keeps them. The task names the VPN service, policies and local group by name, and gives each item\'s '
             '`peer_networks`; no PENDING window (emulator `pending_seconds` 0). Task time: the callback, inside '
             'ansible-playbook; requests: the emulator\'s log of that task (a wait\'s poll is a list page too); peak RSS: '
             'the same module with the same options on the same seed, run again as a bare process (`python -m` with an '
             'args file) under `probe.py measure` (`ru_maxrss` from `os.wait4`). Medians of %d rounds, the order rotated '
             'each round.' % (WANTED_MTU, fleet['rounds']), '']
    rows = []
    for scenario in FLEET_SCENARIOS:
        figures = fleet['scenarios'][scenario.key]
        own = [c for c in checks if c['scenario'] == scenario.key and c['target'].startswith(('task', 'requests', 'module'))]
        rows.append([scenario.label, '**%.2f**' % figures['median'], ' '.join('%.2f' % v for v in figures['seconds']),
                     '%.2f' % figures['process_median'], '%.1f' % figures['peak_mib'], figures['requests_text'],
                     '; '.join(c['target'] for c in own),
                     '; '.join(('met' if c['met'] else '**MISSED** (%s)' % c['cause']) for c in own)])
    lines += markdown_table(['scenario', 'task s', 'task s, each round', 'bare module s', 'peak RSS MiB', 'requests',
                             'target', 'result'], rows) + ['']
    lines += ['The loop of `vpnaas.cloud.ipsec_connection` over the first %d branches of the same seeds (each reference '
              'by id, its fastest form), scaled to %d items (x%g); the ratio is the median over the rounds of (loop scaled '
              '/ fleet task of the same round).' % (fleet['loop_items'], FLEET_SIZE, float(FLEET_SIZE) / fleet['loop_items']),
              '']
    rows = []
    for loop in fleet['loops'].values():
        check = next(c for c in checks if c['scenario'] == loop['scenario'] and 'loop' in c['target'])
        per_item = ', '.join('%s %.2g' % (m, n) for m, n in sorted(loop['requests_per_item'].items()))
        rows.append([loop['label'], loop['items'], '%.1f' % loop['median'], '%.0f' % loop['scaled_median'],
                     '%.2f' % fleet['scenarios'][loop['scenario']]['median'], '**%.0fx**' % loop['ratio'], per_item,
                     check['target'] if 'no target' not in check['target'] else '-',
                     'reported' if 'no target' in check['target'] else 'met' if check['met'] else '**MISSED** (%s)' % check['cause']])
    lines += markdown_table(['loop', 'items run', 'loop s', 'scaled to %d, s' % FLEET_SIZE, 'fleet task s', 'fleet faster by',
                             'requests/item', 'target', 'result'], rows) + ['']
    return lines


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return ' '.join('%.2f' % value for value in os.getloadavg())


def collections_root() -> str:
    """The first entry of ANSIBLE_COLLECTIONS_PATH (the installed build, as ``make collection`` leaves it)."""
    value = os.environ.get('ANSIBLE_COLLECTIONS_PATH', '')
    root = value.split(os.pathsep)[0] if value else ''
    if not root or not (Path(root) / 'ansible_collections' / 'vpnaas' / 'cloud').is_dir():
        raise SystemExit('ANSIBLE_COLLECTIONS_PATH must name the installed collection (run `make bench`, '
                         'which builds and installs it first)')
    return root


PARTS = ('requests', 'process', 'loops', 'fleet')


def main() -> int:  # pylint: disable=too-many-locals
    """Command line: ``bench.py [--items N] [--rounds N] [--parts LIST] [--fleet-rounds N] [--fleet-loop-items N] [--output DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--items', type=int, default=20, help='connections in each timed loop (default 20)')
    parser.add_argument('--rounds', type=int, default=4, help='interleaved rounds of the loops (default 4)')
    parser.add_argument('--parts', default=','.join(PARTS),
                        help='the parts to run, comma-separated, of %s (default: all); a partial run writes '
                        'bench-<parts>.md instead of bench.md' % ', '.join(PARTS))
    parser.add_argument('--fleet-rounds', type=int, default=3, help='rounds of the fleet scenarios (default 3)')
    parser.add_argument('--fleet-loop-items', type=int, default=FLEET_LOOP_ITEMS,
                        help='items of the ipsec_connection loop beside the fleet, scaled to %d (default %d)'
                        % (FLEET_SIZE, FLEET_LOOP_ITEMS))
    parser.add_argument('--output', default=str(REPO / 'tests' / 'output' / 'bench'), help='report directory')
    options = parser.parse_args()
    parts = [part for part in PARTS if part in options.parts.split(',')]
    unknown = sorted(set(options.parts.split(',')) - set(PARTS))
    if unknown or not parts:
        parser.error('--parts: unknown part(s) %s; choose among %s' % (', '.join(unknown) or '(none given)', ', '.join(PARTS)))
    if min(options.items, options.rounds, options.fleet_rounds) < 1 or not 1 <= options.fleet_loop_items <= FLEET_SIZE:
        parser.error('--items, --rounds and --fleet-rounds must be at least 1, --fleet-loop-items 1 to %d' % FLEET_SIZE)
    root = collections_root()
    started = time.perf_counter()
    data: dict[str, Any] = {'date': datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), 'machine': machine(),
                            'load_before': load_average(), 'items': options.items, 'rounds': options.rounds, 'parts': parts}

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix='vpnaas-bench-'))
    try:
        with Emulator(flavour='neutron', id_seed=ID_SEED, pending_seconds=0) as emu:
            runner = Runner(work, emu)
            if 'requests' in parts:
                progress('== 1. requests per task')
                data['requests'] = part_requests(runner, emu)
            if 'process' in parts:
                progress('== 3. one module process')
                data['process'] = part_process(emu, work, sys.executable, root)
            if 'loops' in parts:
                progress('== 2. loops of %d items, %d rounds' % (options.items, options.rounds))
                data['loops'] = part_loops(runner, emu, options.items, options.rounds, progress)
            if 'fleet' in parts:
                progress('== 4. a hub of %d branches with vpnaas.cloud.ipsec_connections, %d rounds'
                         % (FLEET_SIZE, options.fleet_rounds))
                data['fleet'] = part_fleet(runner, emu, root, options.fleet_rounds, options.fleet_loop_items, progress)
    except Exception:
        print('benchmark failed; its work directory is kept: %s' % work, file=sys.stderr)
        raise
    data['targets'] = check_targets(data)
    data['load_after'] = load_average()
    data['total_seconds'] = time.perf_counter() - started
    text = report(data)
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    name = 'bench' if parts == list(PARTS) else 'bench-' + '-'.join(parts)
    (output / ('%s-%s.md' % (name, stamp))).write_text(text, encoding='utf-8')
    (output / ('%s.md' % name)).write_text(text, encoding='utf-8')
    (output / ('%s.json' % name)).write_text(json.dumps(data, indent=1, default=str), encoding='utf-8')
    shutil.rmtree(work, ignore_errors=True)
    print(text)
    print('Written to %s' % (output / ('%s.md' % name)))
    missed = [target for target, _measured, met in data['targets'] if not met]
    if missed:
        print('Targets missed: %d (see the Targets table)' % len(missed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
