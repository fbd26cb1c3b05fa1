# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules against a hostile server (tests/hostile): redirects, echoed secrets, bad shapes, bombs, drips.

One hostile server serves the whole module. Each scenario is one task (``ignore_errors``, ``register``) of one of a
few playbooks, generated into a temporary directory; a last task dumps the registered results to a file. Each
playbook runs twice: at default verbosity, and at ``-vvvv`` with ``ANSIBLE_DEBUG=1``; both with ``ANSIBLE_LOG_PATH``.
The ``hostile_timer`` callback (tests/hostile/callback_plugins) writes each task's wall time; the big-body tasks run
through tests/hostile/rusage_python.py, which records the module process's max RSS and CPU seconds.

After each run the server's request log is read (then reset), and each task is judged against the contract:
outcome, message, requests per scenario and port (the "elsewhere" port must never be reached), duration. Every
run is also searched, with the independent checker tests/hostile/forms.py, for every encoded form of every
secret of its tasks (and every token the server issued), and for tracebacks. Figures (per task wall time, RSS and
CPU of the big-body tasks) go to tests/output/hostile/figures.json, the outcome table to report.txt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml

from tests.hostile import server as hostile_server
from tests.hostile.client import HostileServer
from tests.hostile.forms import find_leaks
from tests.integration.test_targets import credential_free_env, failures, local_inventory

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / 'tests' / 'hostile'
CALLBACKS = HOSTILE / 'callback_plugins'
WRAPPER = HOSTILE / 'rusage_python.py'
OUTPUT = REPO / 'tests' / 'output' / 'hostile'
RUN_TIMEOUT = 900            # seconds for one ansible-playbook run (normally far less)
TASK_TIMEOUT = 90            # Ansible's task `timeout` on every hostile task: nothing hangs for good
RUSAGE_TIMEOUT = TASK_TIMEOUT - 5   # the wrapper kills the module first, so that its figures are written
SERVER_LIFETIME = 3600       # seconds the hostile server lives at most
MODES = ('default', 'debug')
CID = '0a1b2c3d-0000-4000-8000-00000000a001'
REFS = {'vpnservice_id': '0a1b2c3d-0000-4000-8000-00000000a0a1', 'ikepolicy_id': '0a1b2c3d-0000-4000-8000-00000000a0b1',
        'ipsecpolicy_id': '0a1b2c3d-0000-4000-8000-00000000a0c1'}
PROJECT_ID = '0a1b2c3d00004000800000000000a0f1'
ECHO_FORMS = ('raw', 'uescape', 'json', 'urlencoded', 'html', 'base64', 'slash', 'amp', 'collapsed', 'wrapped',
              'truncated')
#: Characters an echo form needs in the secret to mean anything (appended to the psk or password).
FORM_SUFFIX = {'slash': '/x/y', 'amp': "<&>'z", 'collapsed': '   z\t\tq', 'html': '<&>"z', 'urlencoded': '/&=z'}
SHAPES = ('shape-list', 'shape-null', 'shape-string', 'shape-noid', 'shape-wrongkey', 'shape-204', 'shape-badcidr',
          'shape-types', 'shape-deep', 'shape-bigint', 'shape-nan', 'shape-id-newline', 'shape-html200',
          'shape-truncated')
CATALOG_SHAPES = ('shape-catalog', 'shape-catalog-strings', 'shape-catalog-endpoints')
MASK = '********'
TRACEBACK_WORDS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'Module failed:')
#: ansible-core 2.19 displays *every* module failure, fail_json included, as "[ERROR]: Task failed: Module failed:
#: <msg>". A crash differs in the result itself: its msg then reads "Task failed: Module failed: <exception>"
#: (shown on the "fatal:" line and in the registered result), which is still flagged. Only the display line is
#: passed over.
ERROR_DISPLAY = re.compile(r'\[ERROR\]: Task failed: Module failed: ')
#: ansible-core's ANSIBLE_DEBUG echo of the arguments it sends a module (as tests/integration/test_secrets.py):
#: ansible-core documents that debug output "can include secret information despite no_log settings".
DEBUG_ARGS = re.compile(r'^\s*\d+ \d+\.\d+: (done with )?_execute_module \(')
CONN = 'vpnaas.cloud.ipsec_connection'
INFO = 'vpnaas.cloud.ipsec_connection_info'
AUTH = 'vpnaas.cloud.auth'


# ---------------------------------------------------------------------------
# The tasks and their contract
# ---------------------------------------------------------------------------

@dataclass
class Task:
    """One scenario as one task, and what the contract says must come of it."""

    key: str                                  # task name, unique
    group: str                                # the playbook it is in
    module: str
    options: Dict[str, Any]
    secrets: Dict[str, str]                   # label -> value; never printed
    scenario: Optional[str]                   # first path segment; None: the task must not send anything
    ok: Optional[bool] = False                # True: succeeds; False: fails; None: either
    changed: Optional[bool] = None            # checked when it succeeds
    words: Tuple[str, ...] = ()               # each in msg (when it fails)
    patterns: Tuple[str, ...] = ()            # each regex found in msg (when it fails)
    masked: bool = False                      # msg holds the mask where the API's words quoted a secret
    api: Optional[int] = None                 # exact number of requests of the scenario on the api port
    api_min: Optional[int] = None
    api_max: Optional[int] = None
    kinds: Dict[str, int] = field(default_factory=dict)   # exact count per request kind ("PUT id", "POST collection")
    no_request: bool = False                  # nothing at all reaches either port during the task
    max_msg: Optional[int] = None
    max_seconds: Optional[float] = None
    put_body: Optional[dict] = None           # every PUT body must be exactly this
    rusage: bool = False                      # run through the rusage wrapper


def secret_values(number: int, key: str) -> Dict[str, str]:
    """Distinct secrets for task ``number``; the distinct part comes first, so each len-2 prefix is distinct too."""
    digest = hashlib.sha256(key.encode('utf-8')).hexdigest()
    return {'token': 'hostileTok%02d%s' % (number, digest[:40]),
            'psk': 'hostile?Psk-%d-%s' % (number, digest[40:46]),
            'password': 'hostile-Pass-%d-%s' % (number, digest[46:52]),
            'secret key': 'hostileSK%02d%s' % (number, digest[52:64]),
            'security token': 'hostileSTS%02d%s' % (number, digest[:48][::-1])}


def build_tasks(api_url: str, elsewhere_port: int) -> List[Task]:
    """Every task, for a server whose api is ``api_url`` and whose elsewhere port is ``elsewhere_port``."""
    api_hostport = api_url.split('//', 1)[1]
    elsewhere = '127.0.0.1:%d' % elsewhere_port
    tasks: List[Task] = []

    def add(key: str, group: str, scenario: Optional[str], build, module: str = CONN, **contract) -> None:
        number = len(tasks) + 1
        values = secret_values(number, key)
        options, used = build(values)
        secrets = dict(('%s: %s' % (key, label), values[label]) for label in used)
        tasks.append(Task(key=key, group=group, module=module, options=options, secrets=secrets, scenario=scenario,
                          **contract))

    def token_auth(scenario: str, **more):
        def build(values):
            options = {'endpoint': '%s/%s' % (api_url, scenario), 'auth_token': values['token'], 'timeout': 3,
                       'retries': 0, 'wait_timeout': 20, 'id': CID, 'mtu': 1400}
            options.update(more)
            used = ['token']
            for label in ('psk',):
                if more.get(label) == '@':
                    options[label] = values[label] + more.get('suffix', '')
                    options['update_psk'] = 'always'  # sent whatever the server shows, so that it can echo it
                    used.append(label)
            options.pop('suffix', None)
            return options, used
        return build

    def password_auth(scenario: str, module: str = CONN, suffix: str = '', **more):
        def build(values):
            options = {'auth_url': '%s/%s/v3' % (api_url, scenario), 'username': 'hostile',
                       'password': values['password'] + suffix, 'project_name': 'hostile', 'region': 'RegionOne',
                       'timeout': 3, 'retries': 0}
            if module == CONN:
                options.update(wait_timeout=20, id=CID, mtu=1400)
            options.update(more)
            used = ['password']
            if more.get('psk') == '@':
                options['psk'] = values['psk']
                used.append('psk')
            return options, used
        return build

    def create_options(values) -> dict:
        return dict(REFS, state='present', name='hostile-1', peer_address='192.0.2.10', peer_id='192.0.2.10',
                    psk=values['psk'], peer_cidrs=['10.2.0.0/24'])

    def honest(group: str) -> None:
        scenario = 'honest~%s' % group
        add('honest-%s' % group, group, scenario, token_auth(scenario), ok=True, changed=True, api=2,
            kinds={'GET id': 1, 'PUT id': 1}, put_body={'ipsec_site_connection': {'mtu': 1400}})

    # -- redirects ------------------------------------------------------------
    group = 'redirect'
    honest(group)
    for code in (301, 302, 303, 307, 308):
        add('redirect-%d' % code, group, 'redirect-%d' % code, token_auth('redirect-%d' % code),
            words=('HTTP %d' % code, elsewhere), api=1)
    add('redirect-same-307', group, 'redirect-same-307', token_auth('redirect-same-307'), words=('HTTP 307', api_hostport),
        api=1)
    add('redirect-downgrade', group, 'redirect-downgrade', token_auth('redirect-downgrade'), words=('HTTP 308', elsewhere),
        api=1)
    add('redirect-keystone', group, 'redirect-keystone', password_auth('redirect-keystone'), words=('HTTP 307', elsewhere),
        api=1)

    def after_create(values):
        options = {'endpoint': '%s/redirect-after-create' % api_url, 'auth_token': values['token'], 'timeout': 3,
                   'retries': 0, 'wait_timeout': 20}
        options.update(create_options(values))
        return options, ['token', 'psk']
    add('redirect-after-create', group, 'redirect-after-create', after_create, ok=True, changed=True, api=3,
        kinds={'GET collection': 2, 'POST collection': 1})

    def aksk(region: str, cloud_domain: str = None, security_token: bool = False):
        def build(values):
            options = {'access_key': 'HOSTILEAKID0000000001', 'secret_key': values['secret key'], 'project_id': PROJECT_ID,
                       'region': region, 'timeout': 3, 'retries': 0, 'wait_timeout': 20, 'id': CID, 'mtu': 1400}
            used = ['secret key']
            if cloud_domain:
                options['cloud_domain'] = cloud_domain
            if security_token:
                options['security_token'] = values['security token']
                used.append('security token')
            return options, used
        return build
    add('aksk-region-hash', group, None, aksk('%s/#' % elsewhere), words=('region',), no_request=True)
    add('aksk-region-userinfo', group, None, aksk('x@%s' % elsewhere), words=('region',), no_request=True)
    add('aksk-region-userinfo-hash', group, None, aksk('x@%s/#' % elsewhere, security_token=True), words=('region',),
        no_request=True)
    add('aksk-cloud-domain', group, None, aksk('eu-de', cloud_domain='%s/#' % elsewhere), words=('cloud_domain',),
        no_request=True)

    # -- echoes ----------------------------------------------------------------
    group = 'echo'
    honest(group)
    for form in ECHO_FORMS:
        scenario = 'echo-%s' % form
        add(scenario, group, scenario, token_auth(scenario, psk='@', suffix=FORM_SUFFIX.get(form, '')),
            words=('HTTP 400',), masked=True, api=2, kinds={'GET id': 1, 'PUT id': 1})
    for form in ECHO_FORMS:
        scenario = 'echo-keystone-%s' % form
        add(scenario, group, scenario, password_auth(scenario, suffix=FORM_SUFFIX.get(form, '')),
            words=('HTTP 401',), masked=True, api=1, kinds={'POST tokens': 1})
    add('echo-keystone-raw-auth-module', group, 'echo-keystone-raw~auth', password_auth('echo-keystone-raw~auth', module=AUTH),
        module=AUTH, words=('HTTP 401',), masked=True, api=1, kinds={'POST tokens': 1})

    def security_token(values):
        options = {'endpoint': '%s/echo-security-token' % api_url, 'access_key': 'HOSTILEAKID0000000002',
                   'secret_key': values['secret key'], 'security_token': values['security token'], 'project_id': PROJECT_ID,
                   'timeout': 3, 'retries': 0, 'wait_timeout': 20, 'id': CID, 'mtu': 1400}
        return options, ['secret key', 'security token']
    add('echo-security-token', group, 'echo-security-token', security_token, words=('HTTP 403',), masked=True, api=1)
    add('echo-issued-token', group, 'echo-issued-token', password_auth('echo-issued-token'), words=('HTTP 401',),
        masked=True, api=4, kinds={'POST tokens': 2, 'GET id': 2})

    # -- shapes ----------------------------------------------------------------
    group = 'shape'
    honest(group)
    for scenario in SHAPES:
        more = {}
        if scenario == 'shape-badcidr':
            more = {'peer_cidrs': ['10.2.0.0/24']}
        elif scenario == 'shape-types':
            more = {'admin_state_up': True, 'dpd': {'action': 'hold'}}
        add(scenario, group, scenario, token_auth(scenario, **more),
            words=('GET %s/%s/v2.0/vpn/ipsec-site-connections/%s' % (api_url, scenario, CID),), api=1)
    for scenario in CATALOG_SHAPES:
        add(scenario, group, scenario, password_auth(scenario), words=('%s/%s/v3/auth/tokens' % (api_url, scenario),),
            api=1, kinds={'POST tokens': 1})

    def crlf_token(values):
        options, used = token_auth('shape-token-crlf')(values)
        options['auth_token'] = values['token'] + '\r'
        return options, used
    add('shape-token-crlf', group, 'shape-token-crlf', crlf_token, words=('auth_token',), no_request=True, api=0)
    add('id-newline', group, 'id-newline', token_auth('id-newline', id=CID + '\n'), patterns=(r'\bid\b',),
        no_request=True, api=0)

    # -- size and time -----------------------------------------------------------
    group = 'size'
    honest(group)
    add('drip-headers', group, 'drip-headers', token_auth('drip-headers'), api=1, max_seconds=7)
    add('drip-body', group, 'drip-body', token_auth('drip-body'), api=1, max_seconds=7)

    def info(scenario: str):
        def build(values):
            return {'endpoint': '%s/%s' % (api_url, scenario), 'auth_token': values['token'], 'timeout': 3,
                    'retries': 0}, ['token']
        return build
    add('pages-elsewhere', group, 'pages-elsewhere', info('pages-elsewhere'), module=INFO, ok=None)
    add('endless-pages', group, 'endless-pages', info('endless-pages'), module=INFO, words=('pages',), api_max=1000,
        max_seconds=60)
    add('huge-message', group, 'huge-message', token_auth('huge-message'), api=1, max_msg=2000, max_seconds=10,
        rusage=True)
    add('gzip-bomb', group, 'gzip-bomb', token_auth('gzip-bomb'), words=('larger than',), api=1, max_seconds=10,
        rusage=True)
    add('big-html', group, 'big-html', token_auth('big-html'), api=1, max_msg=2000, max_seconds=10, rusage=True)

    # -- outcomes ----------------------------------------------------------------
    group = 'outcome'
    honest(group)

    def create_401(values):
        options, used = password_auth('create-401')(values)
        for name in ('id', 'mtu'):
            options.pop(name)
        options.update(create_options(values))
        return options, used + ['psk']
    add('create-401', group, 'create-401', create_401, ok=True, changed=True, kinds={'POST collection': 1})
    add('put-lost', group, 'put-lost', token_auth('put-lost'), ok=True, changed=True, kinds={'PUT id': 1})
    add('put-502', group, 'put-502', token_auth('put-502'), ok=True, changed=True, kinds={'PUT id': 1})
    add('pending-long', group, 'pending-long', token_auth('pending-long'), ok=True, changed=True, api_min=4,
        max_seconds=20)
    return tasks


#: The task keys and groups, known at collection time (the ports only change option values).
TASKS = build_tasks('http://127.0.0.1:1', 2)
GROUPS = tuple(dict.fromkeys(task.group for task in TASKS))


def register_name(task: Task) -> str:
    return 'r_' + re.sub(r'[^a-z0-9]+', '_', task.key.lower())


def playbook(group: str, tasks: List[Task], dump: Path, rusage_file: Path) -> list:
    """The playbook of one group: one task per scenario, then the dump of the registered results."""
    body = []
    for task in tasks:
        entry = {'name': task.key, task.module: task.options, 'register': register_name(task), 'ignore_errors': True,
                 'timeout': TASK_TIMEOUT}
        if task.rusage:
            entry['vars'] = {'ansible_python_interpreter': str(WRAPPER)}
            entry['environment'] = {'HOSTILE_REAL_PYTHON': sys.executable, 'HOSTILE_RUSAGE_FILE': str(rusage_file),
                                    'HOSTILE_RUSAGE_LABEL': task.key, 'HOSTILE_RUSAGE_TIMEOUT': str(RUSAGE_TIMEOUT),
                                    'PATH': '%s:%s' % (Path(sys.executable).parent, os.environ.get('PATH', ''))}
        body.append(entry)
    results = '{{ {%s} | to_nice_json }}' % ', '.join("'%s': %s" % (task.key, register_name(task)) for task in tasks)
    body.append({'name': 'Dump the registered results', 'ansible.builtin.copy': {'content': results, 'dest': str(dump),
                                                                                 'mode': '0600'}})
    return [{'name': 'Hostile scenarios: %s' % group, 'hosts': 'localhost', 'gather_facts': False, 'tasks': body}]


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

@dataclass
class Run:
    """One ansible-playbook run of one group in one mode, and what the server saw."""

    group: str
    mode: str
    returncode: int
    seconds: float
    places: Dict[str, str]
    results: Dict[str, Any]
    timings: Dict[str, dict]
    log: dict
    rusage: Dict[str, dict]
    paths: Dict[str, str]


def read_json_lines(path: Path) -> List[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()]


def run_playbook(hostile: HostileServer, tasks: List[Task], group: str, mode: str, directory: Path) -> Run:
    """Run one group's playbook in one mode (the server's log is reset first and read afterwards)."""
    directory.mkdir(parents=True, exist_ok=True)
    dump, ansible_log = directory / 'results.json', directory / 'ansible.log'
    timings_file, rusage_file = directory / 'timings.jsonl', directory / 'rusage.jsonl'
    play = directory / 'play.yml'
    play.write_text(yaml.safe_dump(playbook(group, tasks, dump, rusage_file), sort_keys=False), encoding='utf-8')
    inventory = local_inventory(directory / 'inventory')
    env = credential_free_env(directory)
    env.update(ANSIBLE_CALLBACKS_ENABLED='hostile_timer', ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
               HOSTILE_TIMINGS=str(timings_file), ANSIBLE_LOG_PATH=str(ansible_log),
               PATH='%s:%s' % (Path(sys.executable).parent, env.get('PATH', '')))
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), str(play)]
    if mode == 'debug':
        env['ANSIBLE_DEBUG'] = '1'
        command.insert(1, '-vvvv')
    hostile.reset()
    stdout_path, stderr_path = directory / 'stdout.txt', directory / 'stderr.txt'
    started = time.monotonic()
    with open(stdout_path, 'wb') as stdout, open(stderr_path, 'wb') as stderr:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                   start_new_session=True)
        try:
            returncode = process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            returncode = -1
        finally:
            # The run's own process group: a module process a task timeout left behind goes with it.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait(timeout=30)
    seconds = time.monotonic() - started
    log = hostile.log()
    places = {'stdout': stdout_path.read_text(encoding='utf-8', errors='replace'),
              'stderr': stderr_path.read_text(encoding='utf-8', errors='replace'),
              'ansible log file': ansible_log.read_text(encoding='utf-8', errors='replace') if ansible_log.is_file() else '',
              'registered results': dump.read_text(encoding='utf-8', errors='replace') if dump.is_file() else ''}
    try:
        results = json.loads(places['registered results']) if places['registered results'] else {}
    except ValueError:
        results = {}
    timings = dict((line['task'], line) for line in read_json_lines(timings_file))
    rusage = dict((line['label'], line) for line in read_json_lines(rusage_file))
    paths = {'stdout': str(stdout_path), 'stderr': str(stderr_path), 'ansible log file': str(ansible_log),
             'registered results': str(dump), 'playbook': str(play)}
    return Run(group, mode, returncode, seconds, places, results, timings, log, rusage, paths)


def save_outputs(run: Run) -> None:
    """Keep a run's texts under tests/output/hostile/ (they are what the leak search looked at)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for place, text in run.places.items():
        (OUTPUT / ('%s-%s-%s.txt' % (run.group, run.mode, place.replace(' ', '-')))).write_text(text, encoding='utf-8')


@pytest.fixture(scope='module')
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """The one hostile server of this module."""
    with HostileServer(tmp_path_factory.mktemp('hostile-server'), max_lifetime=SERVER_LIFETIME) as server:
        yield server


@pytest.fixture(scope='module')
def runs(hostile: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> Dict[Tuple[str, str], Run]:
    """Every group in both modes, run one after the other; the figures and the table are written at the end."""
    if not os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: run with the environment of `make integration`')
    tasks = build_tasks(hostile.api_url, hostile.elsewhere_port)
    started = time.monotonic()
    done: Dict[Tuple[str, str], Run] = {}
    base = tmp_path_factory.mktemp('hostile-runs')
    wanted = [name for name in os.environ.get('HOSTILE_GROUPS', '').split(',') if name] or list(GROUPS)
    for mode in MODES:
        for group in (group for group in GROUPS if group in wanted):
            run = run_playbook(hostile, [task for task in tasks if task.group == group], group, mode,
                               base / ('%s-%s' % (group, mode)))
            save_outputs(run)
            done[(group, mode)] = run
    write_figures(done, tasks, hostile, time.monotonic() - started)
    return done


# ---------------------------------------------------------------------------
# Judging
# ---------------------------------------------------------------------------

def request_kind(entry: dict) -> str:
    """'METHOD collection', 'METHOD id', 'POST tokens' or 'METHOD other' (the path after the scenario)."""
    rest = '/' + entry.get('path', '').split('/', 2)[-1] if entry.get('path', '').count('/') >= 2 else ''
    if rest.rstrip('/') == '/v2.0/vpn/ipsec-site-connections':
        where = 'collection'
    elif rest.startswith('/v2.0/vpn/ipsec-site-connections/'):
        where = 'id'
    elif rest.rstrip('/') == '/v3/auth/tokens':
        where = 'tokens'
    else:
        where = 'other'
    return '%s %s' % (entry.get('method') or entry.get('kind'), where)


def task_requests(task: Task, run: Run) -> Tuple[List[dict], List[dict], List[dict]]:
    """(api requests of the task's scenario, elsewhere entries of the task, every entry during the task)."""
    timing = run.timings.get(task.key) or {}
    start, end = timing.get('start', 0.0), timing.get('end', 0.0)
    entries = run.log.get('entries') or []

    def during(entry: dict) -> bool:
        return start <= entry.get('time', 0.0) <= end

    api = [entry for entry in entries if entry['port'] == 'api' and entry['kind'] in ('request', 'invalid')
           and ((task.scenario is not None and entry.get('scenario') == task.scenario)
                or (entry['kind'] == 'invalid' and during(entry)))]
    elsewhere = [entry for entry in entries if entry['port'] == 'elsewhere'
                 and (during(entry) or (task.scenario is not None and entry.get('scenario') == task.scenario))]
    window = [entry for entry in entries if during(entry)]
    return api, elsewhere, window


#: ansible-core 2.19 puts this in the ``exception`` key of *every* failed result (fail_json included) unless
#: tracebacks are displayed; it says nothing about a crash, so only other values count (a crash also shows as
#: "MODULE FAILURE" / "Module failed:" in msg, which is checked separately).
EXCEPTION_PLACEHOLDER = '(traceback unavailable)'


def has_key(data: Any, key: str) -> bool:
    """Whether ``key`` appears anywhere in ``data`` (for ``exception``: with another value than the placeholder)."""
    if isinstance(data, dict):
        here = key in data and not (key == 'exception' and data[key] == EXCEPTION_PLACEHOLDER)
        return here or any(has_key(value, key) for value in data.values())
    if isinstance(data, list):
        return any(has_key(item, key) for item in data)
    return False


def problems(task: Task, run: Run) -> List[str]:
    """Every way the task's outcome breaks the contract (empty: as the contract says). Never a secret."""
    result = run.results.get(task.key)
    if result is None:
        return ['no registered result (playbook rc %s)' % run.returncode]
    found = []
    failed = bool(result.get('failed'))
    message = str(result.get('msg', ''))
    short = message if len(message) <= 300 else message[:300] + '... (%d characters)' % len(message)
    if task.ok is not None and failed == task.ok:
        found.append('expected %s, got %s: %s' % ('success' if task.ok else 'failure', 'failure' if failed else 'success',
                                                  short or '(no msg)'))
    if failed:
        for word in task.words:
            if word.lower() not in message.lower():
                found.append('msg lacks %r: %s' % (word, short))
        for pattern in task.patterns:
            if not re.search(pattern, message):
                found.append('msg does not match %r: %s' % (pattern, short))
        if task.masked and MASK not in message:
            found.append('msg does not hold the mask %s where the API quoted a secret: %s' % (MASK, short))
        if task.max_msg is not None and len(message) >= task.max_msg:
            found.append('msg is %d characters long (limit %d)' % (len(message), task.max_msg))
    elif task.changed is not None and bool(result.get('changed')) != task.changed:
        found.append('changed is %s, expected %s' % (result.get('changed'), task.changed))
    if has_key(result, 'exception'):
        found.append('the result holds an "exception" key (a traceback)')
    if any(word in message for word in TRACEBACK_WORDS):
        found.append('msg reports a module crash: %s' % short)
    api, elsewhere, window = task_requests(task, run)
    kinds: Dict[str, int] = {}
    for entry in api:
        kinds[request_kind(entry)] = kinds.get(request_kind(entry), 0) + 1
    seen = ', '.join('%s x%d' % (kind, count) for kind, count in sorted(kinds.items())) or 'none'
    if elsewhere:
        found.append('%d requests or connections reached the elsewhere port: %s'
                     % (len(elsewhere), sorted(set(request_kind(entry) for entry in elsewhere))))
    if task.no_request and window:
        found.append('%d requests or connections during a task that must fail before any request (%s)'
                     % (len(window), sorted(set('%s %s' % (e['port'], request_kind(e)) for e in window))))
    if task.api is not None and len(api) != task.api:
        found.append('%d api requests, expected %d (%s)' % (len(api), task.api, seen))
    if task.api_min is not None and len(api) < task.api_min:
        found.append('%d api requests, expected at least %d (%s)' % (len(api), task.api_min, seen))
    if task.api_max is not None and len(api) > task.api_max:
        found.append('%d api requests, expected at most %d' % (len(api), task.api_max))
    for kind, count in task.kinds.items():
        if kinds.get(kind, 0) != count:
            found.append('%d "%s" requests, expected %d (%s)' % (kinds.get(kind, 0), kind, count, seen))
    if task.put_body is not None:
        bodies = [entry.get('body') for entry in api if entry.get('method') == 'PUT']
        wrong = [body for body in bodies if _json(body) != task.put_body]
        if wrong:
            found.append('%d PUT bodies differ from %s' % (len(wrong), json.dumps(task.put_body)))
    timing = run.timings.get(task.key)
    if timing is None:
        found.append('no duration recorded for the task')
    elif task.max_seconds is not None and timing['seconds'] >= task.max_seconds:
        found.append('took %.1f s (limit %.0f s)' % (timing['seconds'], task.max_seconds))
    return found


def selected(runs: Dict[Tuple[str, str], Run], group: str, mode: str) -> Run:
    """The run of a group, or a skip when HOSTILE_GROUPS (comma-separated groups, for debugging) left it out."""
    if (group, mode) not in runs:
        pytest.skip('group %s is not in HOSTILE_GROUPS' % group)
    return runs[(group, mode)]


def _json(text: str):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def tolerate(line: str, previous: str) -> str:
    """Lines of ansible-core's own ANSIBLE_DEBUG output that echo module arguments (documented as unsafe)."""
    return 'ansible-core debug echo of module arguments' if DEBUG_ARGS.match(line) else ''


def run_secrets(run: Run, tasks: List[Task]) -> Dict[str, str]:
    """The secrets of a run: those of its tasks, and every token the server issued during it."""
    secrets: Dict[str, str] = {}
    for task in tasks:
        secrets.update(task.secrets)
    for number, issued in enumerate(run.log.get('issued') or [], 1):
        secrets['token issued #%d by the %s port (%s)' % (number, issued['port'], issued['scenario'])] = issued['token']
    return secrets


# ---------------------------------------------------------------------------
# Figures and the outcome table
# ---------------------------------------------------------------------------

def write_figures(done: Dict[Tuple[str, str], Run], tasks: List[Task], hostile: HostileServer, seconds: float) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    figures: Dict[str, Any] = {'total_seconds': round(seconds, 1), 'runs': [], 'tasks': {}}
    lines = ['Hostile scenarios: outcome per task and mode ("!!" breaks the contract). %.0f s in all.' % seconds, '']
    for (group, mode), run in done.items():
        figures['runs'].append({'group': group, 'mode': mode, 'returncode': run.returncode, 'seconds': round(run.seconds, 1),
                                'requests': len([e for e in run.log.get('entries') or [] if e['kind'] == 'request']),
                                'stdout_bytes': len(run.places['stdout'])})
        for task in (task for task in tasks if task.group == group):
            timing = run.timings.get(task.key) or {}
            api, elsewhere, _window = task_requests(task, run)
            entry = {'seconds': timing.get('seconds'), 'status': timing.get('status'), 'api_requests': len(api),
                     'elsewhere_requests': len(elsewhere)}
            if task.key in run.rusage:
                usage = run.rusage[task.key]
                entry.update(maxrss_kib=usage['maxrss_kib'], cpu_seconds=usage['cpu_seconds'],
                             module_wall_seconds=usage['wall_seconds'], module_returncode=usage['returncode'])
            figures['tasks'].setdefault(task.key, {})[mode] = entry
            found = problems(task, run)
            result = run.results.get(task.key) or {}
            outcome = 'failed' if result.get('failed') else ('changed' if result.get('changed') else 'ok')
            fields = ('!!' if found else '  ', mode, task.key, outcome, timing.get('seconds') or 0.0, len(api),
                      '; '.join(found)[:400])
            lines.append('%s %-7s %-30s %-7s %6.1f s  api %-5d %s' % fields)
    (OUTPUT / 'figures.json').write_text(json.dumps(figures, indent=1, sort_keys=True) + '\n', encoding='utf-8')
    (OUTPUT / 'report.txt').write_text('\n'.join(lines) + '\n', encoding='utf-8')


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('key', [task.key for task in TASKS])
def test_contract(key: str, mode: str, runs: Dict[Tuple[str, str], Run], hostile: HostileServer) -> None:
    """One scenario: the outcome, message, requests per port and duration the contract asks for."""
    task = next(task for task in build_tasks(hostile.api_url, hostile.elsewhere_port) if task.key == key)
    run = selected(runs, task.group, mode)
    found = problems(task, run)
    assert not found, '%s (%s run):\n- %s\n(outputs in %s)' % (key, mode, '\n- '.join(found), OUTPUT)


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('group', GROUPS)
def test_playbook_ran(group: str, mode: str, runs: Dict[Tuple[str, str], Run]) -> None:
    """The playbook ran every task (failures ignored) and dumped the results; every task has a duration."""
    run = selected(runs, group, mode)
    keys = [task.key for task in TASKS if task.group == group]
    assert run.returncode == 0, 'ansible-playbook rc %d after %.0f s\n%s' % (
        run.returncode, run.seconds, failures(run.places['stdout'] + run.places['stderr'])[-3000:])
    assert sorted(run.results) == sorted(keys), 'results dumped for %s' % sorted(run.results)
    assert not [key for key in keys if key not in run.timings], 'tasks without a duration'
    if mode == 'debug':
        assert 'EXEC' in run.places['stdout'], 'the debug run was not at -vvvv'


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('group', GROUPS)
def test_no_secret_anywhere(group: str, mode: str, runs: Dict[Tuple[str, str], Run], hostile: HostileServer) -> None:
    """No encoded form of any secret of the run in stdout, stderr, the Ansible log or the registered results."""
    run = selected(runs, group, mode)
    tasks = [task for task in build_tasks(hostile.api_url, hostile.elsewhere_port) if task.group == group]
    found, tolerated = find_leaks(run.places, run_secrets(run, tasks), tolerate)
    (OUTPUT / ('%s-%s-tolerated.json' % (group, mode))).write_text(json.dumps(tolerated, indent=1, sort_keys=True) + '\n',
                                                                   encoding='utf-8')
    assert not found, 'secrets found (place: secret label: form: line numbers):\n%s\n(texts in %s/%s-%s-*.txt)' % (
        json.dumps(found, indent=1, sort_keys=True), OUTPUT, group, mode)


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('group', GROUPS)
def test_no_traceback(group: str, mode: str, runs: Dict[Tuple[str, str], Run]) -> None:
    """No module crash in any output, and no "exception" key in any registered result."""
    run = selected(runs, group, mode)
    found = []
    for place, text in run.places.items():
        for word in TRACEBACK_WORDS:
            lines = [number for number, line in enumerate(text.splitlines(), 1)
                     if word in line and not (word == 'Module failed:' and ERROR_DISPLAY.search(line)
                                              and line.count(word) == 1)]
            if lines:
                found.append('%s: %r at lines %s' % (place, word, lines[:10]))
    crashed = sorted(key for key, result in run.results.items() if has_key(result, 'exception'))
    if crashed:
        found.append('registered results with an "exception" key: %s' % crashed)
    assert not found, '\n'.join(found)


def test_figures_written(runs: Dict[Tuple[str, str], Run]) -> None:
    """figures.json holds each task's wall time, and max RSS and CPU seconds of the big-body module runs."""
    figures = json.loads((OUTPUT / 'figures.json').read_text(encoding='utf-8'))
    ran = [(task, mode) for task in TASKS for mode in MODES if (task.group, mode) in runs]
    missing = [(task.key, mode) for task, mode in ran
               if (figures['tasks'].get(task.key) or {}).get(mode, {}).get('seconds') is None]
    assert not missing, 'tasks without a wall time: %s' % missing
    unmeasured = [(task.key, mode) for task, mode in ran if task.rusage
                  and 'maxrss_kib' not in figures['tasks'][task.key][mode]]
    assert not unmeasured, 'big-body tasks without RSS/CPU figures: %s' % unmeasured


# ---------------------------------------------------------------------------
# The checker checks itself: it must see what the server echoes and what the server received
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('form', ECHO_FORMS)
def test_checker_sees_every_echo_form(form: str) -> None:
    """forms.py finds a secret in every form the server echoes it in, in the answer's JSON text and decoded."""
    secret = 'hostile?Psk-99-c0ffee' + FORM_SUFFIX.get(form, '')
    text = hostile_server.message_chars(form, [('The PSK "', False), (secret, True), ('" is invalid', False)])
    body = '{"NeutronError": {"message": "%s"}}' % text
    places = {'answer text': body, 'decoded message': json.loads(body)['NeutronError']['message'],
              'decoded, as a -v result line': json.dumps({'msg': json.loads(body)['NeutronError']['message']})}
    found, _tolerated = find_leaks(places, {'the psk': secret})
    assert sorted(found) == sorted(places), 'the checker missed the %s form in %s' % (
        form, sorted(set(places) - set(found)))


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('group', GROUPS)
def test_checker_finds_what_the_server_received(group: str, mode: str, runs: Dict[Tuple[str, str], Run],
                                                hostile: HostileServer) -> None:
    """Positive control: the secrets each requesting task sent are found, by forms.py, in the server's request log."""
    run = selected(runs, group, mode)
    received = json.dumps(run.log.get('entries') or [])
    blind = []
    for task in (task for task in build_tasks(hostile.api_url, hostile.elsewhere_port) if task.group == group):
        api, _elsewhere, _window = task_requests(task, run)
        sent = dict((label, value) for label, value in task.secrets.items() if not label.endswith(': secret key'))
        if not api or not sent:
            continue
        found, _tolerated = find_leaks({'server log': received}, sent)
        if not found:
            blind.append(task.key)
    assert not blind, 'the checker found none of the secrets these tasks sent: %s' % blind
