# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault suite: every injected fault x every HTTP method x once/persistent, with real ``ansible-playbook``.

For each case the emulator breaks one request kind (``GET``, ``PUT``, ``POST`` or ``DELETE`` on the
IPsec site connections) once (``times: 1``) or for good (``times: 0``), ``vpnaas.cloud.ipsec_connection``
runs one task that needs that request, and the test then checks, from the task result and from the
emulator's state and request log, that the module either succeeded after retrying (reporting each
retry under ``retried``) or failed with a message naming the HTTP status or the transport problem,
and that nothing was lost or duplicated: never two connections after a create, no field changed that
the task did not ask for, the pre-shared key untouched.

To stay fast, the cases of a flavour run in three playbooks at once, and both flavours at once:

* the ``GET``/``PUT``/``DELETE`` cases each own a seeded connection, so their faults (whose path names
  that connection's id) are all registered before the playbooks start, and one looped task runs them
  (split in two playbooks);
* the ``POST`` cases share the collection path, so each adds its fault just before its task and removes
  it right after, through a tiny lookup plugin that calls the emulator's control API in-process.

A module-scoped fixture runs the six playbooks once and keeps the parsed results; each case is then
one test. The outcome of every case is written as a table to
``tests/output/integration/fault-table-<flavour>.txt``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

import pytest
import yaml

from tests.emulator.run_with import Emulator

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / 'tests' / 'output' / 'integration'
FLAVOURS = ('neutron', 'huawei')
PLAY_TIMEOUT = 420          # seconds for one playbook; the whole suite normally takes two to three minutes
SLOW_DELAY = 3              # seconds the emulator holds a "slow" request ...
SLOW_TIMEOUT = 2            # ... while the module gives up after this many
PERSISTENT_RETRIES = 2      # `retries` of the persistent cases (the once cases keep the default)
DEFAULT_RETRIES = 4
SEED_PSK = 'seeded-Psk-4d1f07'
POST_PSK = 'created-Psk-9a3e52'
KEYSTONE_PASSWORD = 'demo-password'   # the emulator's one Keystone user (tests/emulator/auth.py)
KEYSTONE_USER = 'demo'
KEYSTONE_PROJECT = 'demo'
COLLECTION = '/v2.0/vpn/ipsec-site-connections'
SERVICE_ID = '0a1b2c3d-0000-4000-8000-0000000f00a1'
IKE_ID = '0a1b2c3d-0000-4000-8000-0000000f00b1'
IPSEC_ID = '0a1b2c3d-0000-4000-8000-0000000f00c1'
LOCAL_GROUP_ID = '0a1b2c3d-0000-4000-8000-0000000f00d1'
PEER_GROUP_ID = '0a1b2c3d-0000-4000-8000-0000000f00e1'
KEYSTONE_401_BODY = {'error': {'code': 401, 'title': 'Unauthorized',
                               'message': 'The request you have made requires authentication.'}}
#: Words of a failure caused by a dropped connection (any one of them).
RESET_WORDS = ('cannot connect', 'was lost', 'reset', 'aborted', 'closed', 'disconnect')
#: Words of a failure caused by a truncated answer (any one of them).
TRUNCATED_WORDS = ('not valid json', 'cut short')
METHODS = ('GET', 'PUT', 'POST', 'DELETE')
VERBS = {'PUT': 'update', 'POST': 'create', 'DELETE': 'delete'}

# The lookup plugin of the POST playbooks: one control-API call, on the controller, without a module run.
LOOKUP_PLUGIN = '''# Written by tests/integration/test_faults.py: call the emulator's control API from a template.
from __future__ import annotations

import json
import urllib.request

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    """terms: method, URL (127.0.0.1 only), optional JSON text body; returns the decoded answer."""

    def run(self, terms, variables=None, **kwargs):
        method, url = str(terms[0]), str(terms[1])
        if not url.startswith('http://127.0.0.1:'):
            raise AnsibleError('emulator_control only talks to 127.0.0.1, not %s' % url)
        data = str(terms[2]).encode('utf-8') if len(terms) > 2 else None
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read().decode('utf-8')
        return [json.loads(text) if text else {}]
'''


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    """One kind of trouble: the emulator's fault fields (without method, path and times)."""

    name: str
    spec: Dict[str, Any]
    password: bool = False       # the task logs in with a password (a 401 is then answered by one new login)

    @property
    def status(self) -> int:
        """The HTTP status the fault answers with (0: none)."""
        if self.spec['kind'] == 'html':
            return self.spec.get('status', 502)
        return self.spec.get('status', 0) if self.spec['kind'] == 'status' else 0

    @property
    def retryable(self) -> bool:
        """Retried on GET/PUT/DELETE by the contract: connection errors, timeouts, 429, 502, 503, 504."""
        return self.spec['kind'] in ('reset', 'delay', 'truncate') or self.status in (429, 502, 503, 504)

    @property
    def retry_after(self) -> Optional[str]:
        """The Retry-After header the fault sends, if any."""
        return self.spec.get('headers', {}).get('Retry-After')


FAULTS = (
    Fault('500', {'kind': 'status', 'status': 500}),
    Fault('502', {'kind': 'status', 'status': 502}),
    Fault('503 Retry-After 1', {'kind': 'status', 'status': 503, 'headers': {'Retry-After': '1'}}),
    Fault('504', {'kind': 'status', 'status': 504}),
    Fault('429 Retry-After 1', {'kind': 'status', 'status': 429, 'headers': {'Retry-After': '1'}}),
    Fault('reset', {'kind': 'reset'}),
    Fault('slower than timeout', {'kind': 'delay', 'delay': SLOW_DELAY}),
    Fault('truncated JSON', {'kind': 'truncate'}),
    Fault('HTML 502 page', {'kind': 'html', 'status': 502}),
    Fault('401 token', {'kind': 'status', 'status': 401, 'body': KEYSTONE_401_BODY}),
    Fault('401 password', {'kind': 'status', 'status': 401, 'body': KEYSTONE_401_BODY}, password=True),
)


@dataclass(frozen=True)
class Case:
    """One fault on one method, once or persistent; ``processed``: the emulator carries the request out first."""

    number: int
    fault: Fault
    method: str
    once: bool
    processed: bool = False

    @property
    def key(self) -> str:
        """Short unique id: method-fault-mode, also the test id."""
        slug = re.sub(r'[^a-z0-9]+', '-', self.fault.name.lower()).strip('-')
        return '%s-%s%s-%s' % (self.method.lower(), slug, '-processed' if self.processed else '',
                               'once' if self.once else 'persistent')

    @property
    def conn_id(self) -> str:
        """The id of this case's seeded connection (GET/PUT/DELETE cases)."""
        return '0a1b2c3d-0000-4000-8000-%012d' % self.number

    @property
    def conn_name(self) -> str:
        """The name of this case's connection."""
        return ('f%d-%s' % (self.number, self.key))[:64]

    @property
    def retries(self) -> int:
        """The `retries` option of the task."""
        return DEFAULT_RETRIES if self.once else PERSISTENT_RETRIES

    @property
    def requested_description(self) -> str:
        """The description a PUT case asks for (a POST case creates with it)."""
        return 'changed by %s' % self.key

    def emulator_fault(self) -> Dict[str, Any]:
        """The body for POST /_emulator/faults."""
        path = (re.escape(COLLECTION) + '$') if self.method == 'POST' else (re.escape(COLLECTION + '/' + self.conn_id) + '$')
        spec = dict(self.fault.spec, method=self.method, path=path, times=1 if self.once else 0)
        if self.processed:
            spec['before'] = False
        return spec

    def options(self) -> Dict[str, Any]:
        """The module options of the task (connection options and secrets are added by the playbook)."""
        options: Dict[str, Any] = {'retries': self.retries, 'wait_timeout': 20}
        if self.fault.spec['kind'] == 'delay':
            options['timeout'] = SLOW_TIMEOUT
        if self.method == 'GET':
            options.update(id=self.conn_id, mtu=1500, description='seeded')          # nothing differs: one GET
        elif self.method == 'PUT':
            options.update(id=self.conn_id, description=self.requested_description)
        elif self.method == 'DELETE':
            options.update(id=self.conn_id, state='absent')
        else:
            options.update(name=self.conn_name, vpnservice_id=SERVICE_ID, ikepolicy_id=IKE_ID, ipsecpolicy_id=IPSEC_ID,
                           local_ep_group_id=LOCAL_GROUP_ID, peer_ep_group_id=PEER_GROUP_ID, peer_address='192.0.2.77',
                           peer_id='192.0.2.77', description=self.requested_description)
        return options

    def playbook_item(self) -> Dict[str, Any]:
        """What the playbook needs of the case (no secret: items are printed)."""
        return {'key': self.key, 'method': self.method, 'password': self.fault.password, 'options': self.options(),
                'fault': self.emulator_fault()}


def build_cases() -> List[Case]:
    """Every fault x method x once/persistent, plus the POST faults that are refused before processing
    and a DELETE carried out whose answer is lost. For a POST the 5xx, HTML and reset faults process the
    request first (``before: false``): "the POST succeeded but the client saw an error"."""
    cases: List[Case] = []
    for fault in FAULTS:
        for method in METHODS:
            processed = method == 'POST' and fault.spec['kind'] in ('status', 'html', 'reset') and fault.status not in (401, 429)
            for once in (True, False):
                cases.append(Case(len(cases) + 1, fault, method, once, processed))
    by_name = {fault.name: fault for fault in FAULTS}
    for fault_name, method, processed in (('503 Retry-After 1', 'POST', False), ('reset', 'POST', False),
                                          ('504', 'DELETE', True)):
        for once in (True, False):
            cases.append(Case(len(cases) + 1, by_name[fault_name], method, once, processed))
    # The slow cases first, so that the requests the emulator carries out late land long before the end.
    return sorted(cases, key=lambda case: case.fault.spec['kind'] != 'delay')


CASES = build_cases()


@dataclass
class Expect:
    """What the contract says must come of a case."""

    ok: Optional[bool]                       # True: the task succeeds; False: it fails; None: either
    attempts: int                            # requests of the faulted method that reach the emulator
    retried: Optional[int]                   # entries of `retried` (None: not checked)
    words: List[Tuple[str, ...]] = field(default_factory=list)   # each tuple: one of its words is in msg
    lookup: bool = False                     # POST: the connection is looked up by name after the POST
    stored: str = 'unchanged'                # unchanged | changed | absent | one | none | at-most-one


def expect(case: Case) -> Expect:
    """The outcome the contract asks for (see the module's `retries`, `wait` and error message rules)."""
    fault, method = case.fault, case.method
    kind = fault.spec['kind']
    late = kind in ('delay', 'truncate') or case.processed     # the emulator carries the request out anyway
    if fault.password:
        # One new login, one more try: succeeds once, fails for good. A POST is not sent again before a
        # lookup by name has shown that the first one created nothing.
        result = Expect(ok=case.once, attempts=2, retried=None, lookup=method == 'POST')
    elif method == 'DELETE' and kind == 'truncate':
        # A 204 has no body to cut, but the emulator closes the connection after it: the wait's first GET may
        # meet the closed keep-alive connection and be retried (harmless), so `retried` is not checked.
        result = Expect(ok=True, attempts=1, retried=None)
    elif method != 'POST' and fault.retryable:
        result = Expect(ok=case.once, attempts=2 if case.once else case.retries + 1, retried=1 if case.once else case.retries)
    elif method == 'POST' and fault.status == 429:
        result = Expect(ok=case.once, attempts=2 if case.once else case.retries + 1, retried=1 if case.once else case.retries)
    elif method == 'POST' and fault.status != 401:
        # Outcome unknown: never sent again; looked up by name instead. Found -> success, else failure.
        ok = None if kind == 'delay' else late
        result = Expect(ok=ok, attempts=1, retried=0, lookup=True)
    else:
        result = Expect(ok=False, attempts=1, retried=0)       # 500 on GET/PUT/DELETE, 401 with a plain token
    if method in ('PUT', 'DELETE') and late and result.ok is False:
        # The write was carried out though its answer was lost: the module reads the connection back,
        # sees the change, and reports it (changed: true) instead of failing.
        result.ok = True
    if method == 'GET':
        result.stored = 'unchanged'
    elif method == 'PUT':
        result.stored = 'changed' if result.ok or late else 'unchanged'
    elif method == 'DELETE':
        result.stored = 'absent' if result.ok or late else 'unchanged'
    else:
        result.stored = {True: 'one', False: 'one' if late else 'none', None: 'at-most-one'}[result.ok]
    if result.ok is not True:
        result.words = failure_words(case)
    return result


def failure_words(case: Case) -> List[Tuple[str, ...]]:
    """Words a failure message must hold: the verb and the connection, and the status or transport problem."""
    fault = case.fault
    words: List[Tuple[str, ...]] = [('Failed to %s' % VERBS.get(case.method, ''),),
                                    (case.conn_name if case.method == 'POST' else case.conn_id,)]
    kind = fault.spec['kind']
    if kind == 'reset':
        words.append(RESET_WORDS)
    elif kind == 'delay':
        words += [('no answer',), ('within %d seconds' % SLOW_TIMEOUT,), ('timeout',)]
    elif kind == 'truncate':
        words.append(TRUNCATED_WORDS)
    else:
        words.append(('HTTP %d' % fault.status,))
    if fault.status == 401 and not fault.password:
        words.append(('requires authentication',))
    return words


# ---------------------------------------------------------------------------
# Running the playbooks
# ---------------------------------------------------------------------------

def module_task() -> Dict[str, Any]:
    """The one ipsec_connection task of a case, with the case in ``case`` (secrets come from play vars)."""
    keys = ('id', 'name', 'state', 'mtu', 'description', 'vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id',
            'local_ep_group_id', 'peer_ep_group_id', 'peer_address', 'peer_id', 'retries', 'timeout', 'wait_timeout')
    args: Dict[str, Any] = {key: '{{ case.options.%s | default(omit) }}' % key for key in keys}
    args.update(
        psk="{{ fault_psk if case.method == 'POST' else omit }}",
        endpoint='{{ emulator_url }}',
        auth_token='{{ omit if case.password else emulator_token }}',
        auth_url="{{ (emulator_url ~ '/v3') if case.password else omit }}",
        username='{{ keystone_user if case.password else omit }}',
        password='{{ keystone_password if case.password else omit }}',
        project_name='{{ keystone_project if case.password else omit }}',
    )
    return {'name': 'Run ipsec_connection under the fault', 'vpnaas.cloud.ipsec_connection': args,
            'register': 'outcome', 'ignore_errors': True}


def write_playbooks(directory: Path) -> None:
    """The two playbooks (looped id cases; POST cases with their faults added and removed) and their helpers."""
    loop_control = {'loop_var': 'case', 'label': '{{ case.key }}'}
    keep = {'name': 'Keep the outcomes',
            'ansible.builtin.copy': {'content': '{{ outcomes | to_json }}', 'dest': '{{ results_path }}', 'mode': '0600'}}
    by_id = dict(module_task(), loop='{{ cases }}', loop_control=loop_control, register='looped')
    by_id_play = [{'name': 'Fault cases on GET, PUT and DELETE', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        by_id,
        {'name': 'Collect the outcomes', 'ansible.builtin.set_fact': {'outcomes': '{{ looped.results }}'}},
        keep,
    ]}]
    post_play = [{'name': 'Fault cases on POST', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Start with no outcome', 'ansible.builtin.set_fact': {'outcomes': []}},
        {'name': 'Run each POST case', 'ansible.builtin.include_tasks': 'post_case.yml', 'loop': '{{ cases }}',
         'loop_control': loop_control},
        keep,
    ]}]
    post_case = [
        {'name': 'Add the fault of {{ case.key }}', 'ansible.builtin.set_fact': {
            'fault_added': "{{ query('emulator_control', 'POST', emulator_url ~ '/_emulator/faults', case.fault | to_json) | first }}"}},
        module_task(),
        {'name': 'Remove the fault of {{ case.key }} and keep the outcome', 'ansible.builtin.set_fact': {
            'fault_removed': "{{ query('emulator_control', 'DELETE', emulator_url ~ '/_emulator/faults/' ~ fault_added.id) | first }}",
            'outcomes': "{{ outcomes + [outcome | combine({'case': case})] }}"}},
    ]
    (directory / 'by_id.yml').write_text(yaml.safe_dump(by_id_play, sort_keys=False), encoding='utf-8')
    (directory / 'post.yml').write_text(yaml.safe_dump(post_play, sort_keys=False), encoding='utf-8')
    (directory / 'post_case.yml').write_text(yaml.safe_dump(post_case, sort_keys=False), encoding='utf-8')
    (directory / 'lookup_plugins').mkdir(exist_ok=True)
    (directory / 'lookup_plugins' / 'emulator_control.py').write_text(LOOKUP_PLUGIN, encoding='utf-8')


def seed_connection(case: Case) -> Dict[str, Any]:
    """The connection a GET/PUT/DELETE case starts from."""
    return {'id': case.conn_id, 'name': case.conn_name, 'description': 'seeded', 'status': 'ACTIVE', 'psk': SEED_PSK,
            'initiator': 'bi-directional', 'admin_state_up': True, 'mtu': 1500, 'peer_address': '198.51.100.10',
            'peer_id': '198.51.100.10', 'peer_cidrs': [], 'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120},
            'vpnservice_id': SERVICE_ID, 'ikepolicy_id': IKE_ID, 'ipsecpolicy_id': IPSEC_ID,
            'local_ep_group_id': LOCAL_GROUP_ID, 'peer_ep_group_id': PEER_GROUP_ID}


def siblings() -> Dict[str, List[Dict[str, Any]]]:
    """The VPN service, policies and endpoint groups a create needs."""
    return {
        'vpnservices': [{'id': SERVICE_ID, 'name': 'vpn-f', 'router_id': '0a1b2c3d-0000-4000-8000-0000000f00f1'}],
        'ikepolicies': [{'id': IKE_ID, 'name': 'ike-f'}],
        'ipsecpolicies': [{'id': IPSEC_ID, 'name': 'ipsec-f'}],
        'endpoint_groups': [
            {'id': LOCAL_GROUP_ID, 'name': 'local-f', 'type': 'subnet', 'endpoints': ['0a1b2c3d-0000-4000-8000-0000000f00f9']},
            {'id': PEER_GROUP_ID, 'name': 'peer-f', 'type': 'cidr', 'endpoints': ['10.77.0.0/16']},
        ],
    }


def child_env(work: Path) -> Dict[str, str]:
    """The environment of one ansible-playbook: the installed collection, this Python, no cloud settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(('OS_', 'HW_', 'VPNAAS_'))}
    if not env.get('ANSIBLE_COLLECTIONS_PATH'):
        pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: build and install the collection first (see `make integration`)')
    env.update(ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
               ANSIBLE_LOCAL_TEMP=str(work / 'ansible-local'), ANSIBLE_HOME=str(work / 'ansible-home'),
               ANSIBLE_LOOKUP_PLUGINS=str(work.parent / 'lookup_plugins'), ANSIBLE_DEPRECATION_WARNINGS='0',
               ANSIBLE_PIPELINING='1')  # the module on stdin, not as a file: fewer processes per task
    return env


@dataclass
class FlavourRun:
    """Everything one flavour's run left behind."""

    flavour: str
    url: str
    token: str
    outcomes: Dict[str, Dict[str, Any]]
    seeded: Dict[str, Dict[str, Any]]
    stored: List[Dict[str, Any]]
    log: List[Dict[str, Any]]
    output: str
    returncodes: Dict[str, int]
    seconds: float
    durations: Dict[str, float] = field(default_factory=dict)


def start_playbook(directory: Path, flavour: str, playbook: str, group: str, emu: Emulator,
                   cases: List[Case]) -> Tuple[subprocess.Popen, Path, Path]:
    """Start ``playbook`` on ``cases`` in the background; returns the process, its output file and results file."""
    work = directory / ('%s-%s' % (flavour, group))
    work.mkdir()
    results = work / 'results.json'
    variables = {'emulator_url': emu.url, 'emulator_token': emu.token, 'fault_psk': POST_PSK,
                 'keystone_user': KEYSTONE_USER, 'keystone_password': KEYSTONE_PASSWORD, 'keystone_project': KEYSTONE_PROJECT,
                 'results_path': str(results), 'cases': [case.playbook_item() for case in cases]}
    (work / 'vars.yml').write_text(yaml.safe_dump(variables), encoding='utf-8')
    (work / 'inventory').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    output = work / 'output.txt'
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-v', '-i', str(work / 'inventory'),
               '-e', '@%s' % (work / 'vars.yml'), str(directory / ('%s.yml' % playbook))]
    with output.open('w', encoding='utf-8') as sink:
        process = subprocess.Popen(command, env=child_env(work), stdout=sink, stderr=subprocess.STDOUT, cwd=str(directory))
    return process, output, results


def run_all(directory: Path) -> Dict[str, FlavourRun]:
    """Run the six playbooks (three per flavour) at once; return what each flavour left behind."""
    write_playbooks(directory)
    started = time.monotonic()
    runs: Dict[str, FlavourRun] = {}
    emulators = {flavour: Emulator(flavour=flavour) for flavour in FLAVOURS}
    jobs: List[Tuple[str, str, subprocess.Popen, Path, Path]] = []
    try:
        for flavour, emu in emulators.items():
            emu.start()
            emu.config(pending_seconds=0)
            seeded_cases = [case for case in CASES if case.method != 'POST']
            objects = siblings()
            objects['ipsec_site_connections'] = [seed_connection(case) for case in seeded_cases]
            emu.seed(objects)
            seeded = {conn['id']: conn for conn in emu.state()['ipsec_site_connections']}
            for case in seeded_cases:
                emu.fault(**case.emulator_fault())
            groups = (('by_id', 'by_id-1', seeded_cases[0::2]), ('by_id', 'by_id-2', seeded_cases[1::2]),
                      ('post', 'post', [case for case in CASES if case.method == 'POST']))
            for playbook, group, cases in groups:
                process, output, results = start_playbook(directory, flavour, playbook, group, emu, cases)
                jobs.append((flavour, group, process, output, results))
            runs[flavour] = FlavourRun(flavour, emu.url, emu.token, {}, seeded, [], [], '', {}, 0.0)
        deadline = time.monotonic() + PLAY_TIMEOUT
        for flavour, group, process, output, results in jobs:
            try:
                process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            run = runs[flavour]
            run.returncodes[group] = process.returncode
            run.durations[group] = time.monotonic() - started
            run.output += output.read_text(encoding='utf-8', errors='replace')
            if results.is_file():
                for outcome in json.loads(results.read_text(encoding='utf-8')):
                    run.outcomes[outcome['case']['key']] = outcome
        time.sleep(1.0)  # the last request the emulator holds (slow cases run first) is long done; be sure
        for flavour, emu in emulators.items():
            runs[flavour].stored = emu.state()['ipsec_site_connections']
            runs[flavour].log = emu.log()
            runs[flavour].seconds = time.monotonic() - started
    finally:
        for _flavour, _group, process, _output, _results in jobs:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        for emu in emulators.values():
            emu.stop()
    for run in runs.values():
        write_table(run)
    return runs


# ---------------------------------------------------------------------------
# Judging one case
# ---------------------------------------------------------------------------

def requests_of(case: Case, log: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The log entries of the case: on its connection's path, or (POST cases) with its name."""
    def mine(entry: Dict[str, Any]) -> bool:
        if case.method != 'POST':
            return entry['path'] == COLLECTION + '/' + case.conn_id
        if entry['path'] != COLLECTION:
            return False
        if entry['method'] == 'POST':
            return ((entry.get('body') or {}).get('ipsec_site_connection') or {}).get('name') == case.conn_name
        return case.conn_name in parse_qs(entry.get('query') or '').get('name', [])
    return [entry for entry in log if mine(entry)]


def problems(case: Case, run: FlavourRun) -> List[str]:
    """Every way the case's outcome breaks the contract (empty: as expected)."""
    want = expect(case)
    outcome = run.outcomes.get(case.key)
    if outcome is None:
        return ['no outcome recorded (the playbook did not run the case; return codes %s)' % run.returncodes]
    found: List[str] = []
    failed = bool(outcome.get('failed'))
    message = str(outcome.get('msg', ''))
    if want.ok is not None and failed == want.ok:
        found.append('expected %s, got %s: %s'
                     % ('success' if want.ok else 'failure', 'failure' if failed else 'success', message or '(no message)'))
    if failed and want.words:
        for alternatives in want.words:
            if not any(word.lower() in message.lower() for word in alternatives):
                found.append('the message lacks %s: %s' % (' or '.join(repr(w) for w in alternatives), message))
    found += check_retried(case, want, outcome, run.url)
    found += check_requests(case, want, run)
    found += check_stored(case, want, outcome, run)
    if not failed:
        expected_change = case.method != 'GET'
        if bool(outcome.get('changed')) != expected_change:
            found.append('changed is %s, expected %s' % (outcome.get('changed'), expected_change))
        if case.method == 'POST' and want.lookup and not outcome.get('warnings'):
            found.append('a create found by the lookup after an unclear answer gave no warning')
    for secret in (SEED_PSK, POST_PSK, KEYSTONE_PASSWORD, run.token):
        if secret in json.dumps(outcome):
            found.append('a secret appears in the task result')
    return found


def check_retried(case: Case, want: Expect, outcome: Dict[str, Any], url: str) -> List[str]:
    """The `retried` notes: as many as retries happened, one line each naming method, URL, problem and delay."""
    if want.retried is None:
        return []
    notes = outcome.get('retried') or []
    if len(notes) != want.retried:
        return ['retried has %d entries, expected %d: %s' % (len(notes), want.retried, notes)]
    found = []
    for number, note in enumerate(notes, 1):
        prefix = '%s %s%s' % (case.method, url, COLLECTION)
        if not note.startswith(prefix) or 'retry %d of %d' % (number, case.retries) not in note or '\n' in note:
            found.append('retried entry %d does not read "%s...; retry %d of %d in N s": %r' % (number, prefix, number, case.retries, note))
        if case.fault.status and 'HTTP %d' % case.fault.status not in note:
            found.append('retried entry %d does not name HTTP %d: %r' % (number, case.fault.status, note))
        if case.fault.retry_after and not note.endswith('in %.1f s' % float(case.fault.retry_after)):
            found.append('retried entry %d does not honour Retry-After %s: %r' % (number, case.fault.retry_after, note))
    return found


def check_requests(case: Case, want: Expect, run: FlavourRun) -> List[str]:
    """How many requests of the faulted method arrived; a POST never twice unless refused; the lookup."""
    mine = requests_of(case, run.log)
    sent = [entry for entry in mine if entry['method'] == case.method]
    found = []
    if len(sent) != want.attempts:
        found.append('%d %s requests reached the emulator, expected %d: %s'
                     % (len(sent), case.method, want.attempts, [(e['status'], e.get('fault')) for e in sent]))
    if case.method == 'POST':
        lookups = [entry for entry in mine if entry['method'] == 'GET']
        if want.lookup and len(lookups) < 2:
            found.append('no lookup by name after the unclear POST (%d GETs by name)' % len(lookups))
        if not want.lookup and len(lookups) != 1:
            found.append('%d GETs by name, expected 1' % len(lookups))
    if case.method == 'PUT':
        bodies = [entry.get('body') for entry in sent]
        wanted = {'ipsec_site_connection': {'description': case.requested_description}}
        if any(body != wanted for body in bodies):
            found.append('a PUT body holds more than the one changed field: %s' % bodies)
    if case.method == 'GET' and any(entry['method'] != 'GET' for entry in mine):
        found.append('an unchanged update wrote: %s' % [entry['method'] for entry in mine])
    return found


def check_stored(case: Case, want: Expect, outcome: Dict[str, Any], run: FlavourRun) -> List[str]:
    """The emulator's state afterwards: nothing lost, nothing duplicated, nothing changed unasked, psk unchanged."""
    if case.method == 'POST':
        named = [conn for conn in run.stored if conn.get('name') == case.conn_name]
        allowed = {'one': (1,), 'none': (0,), 'at-most-one': (0, 1)}[want.stored]
        found = [] if len(named) in allowed else ['%d connections are named %s, expected %s' % (len(named), case.conn_name, allowed)]
        for conn in named:
            if conn.get('psk_sha256') != hashlib.sha256(POST_PSK.encode()).hexdigest():
                found.append('the created connection does not hold the psk given')
            if conn.get('description') != case.requested_description or conn.get('peer_address') != '192.0.2.77':
                found.append('the created connection does not hold the options given: %s' % conn)
        if named and not outcome.get('failed') and (outcome.get('ipsec_site_connection') or {}).get('id') != named[0]['id']:
            found.append('the result does not return the created connection')
        return found
    seeded = run.seeded[case.conn_id]
    now = next((conn for conn in run.stored if conn['id'] == case.conn_id), None)
    if want.stored == 'absent':
        return [] if now is None else ['the connection is still there']
    if now is None:
        return ['the connection is gone']
    expected = dict(seeded)
    if want.stored == 'changed':
        expected['description'] = case.requested_description
    differing = sorted(key for key in set(expected) | set(now) if expected.get(key) != now.get(key))
    if differing:
        return ['stored fields differ from what was asked: %s' % {key: (expected.get(key), now.get(key)) for key in differing}]
    return []


def describe(case: Case, run: FlavourRun) -> str:
    """One table cell: what happened."""
    outcome = run.outcomes.get(case.key)
    if outcome is None:
        return 'NOT RUN'
    retried = len(outcome.get('retried') or [])
    tries = ' after %d retr%s' % (retried, 'y' if retried == 1 else 'ies') if retried else ''
    if outcome.get('failed'):
        message = str(outcome.get('msg', ''))
        message = message.replace(run.url, '')
        text = 'failed%s: %s' % (tries, message if len(message) <= 170 else message[:167] + '...')
    else:
        text = 'ok%s%s%s' % (tries, ', changed' if outcome.get('changed') else '', ', warned + lookup' if outcome.get('warnings') else '')
    return ('' if not problems(case, run) else '!! ') + text


def write_table(run: FlavourRun) -> None:
    """tests/output/integration/fault-table-<flavour>.txt: fault x method x once/persistent -> outcome."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    lines = ['Fault suite, %s flavour: ipsec_connection under injected faults (%d cases, %.0f s for both flavours).'
             % (run.flavour, len(CASES), run.seconds),
             'once: times 1 (retries default 4); persistent: times 0 (retries 2). POST (processed): the emulator carries '
             'the POST out, then answers with the fault. "!!" marks an outcome that breaks the contract.',
             'The emulator URL is left out of the messages.', '']
    header = '%-30s %-7s | %-60s | %s' % ('fault', 'method', 'once', 'persistent')
    lines += [header, '-' * len(header)]
    rows: Dict[Tuple[str, str], Dict[bool, str]] = {}
    for case in CASES:
        method = case.method + (' (processed)' if case.processed else '')
        rows.setdefault((case.fault.name, method), {})[case.once] = describe(case, run)
    order = {fault.name: number for number, fault in enumerate(FAULTS)}
    for (fault_name, method), cells in sorted(rows.items(), key=lambda row: (order[row[0][0]], METHODS.index(row[0][1].split()[0]), row[0][1])):
        lines.append('%-30s %-7s | %-60s | %s' % (fault_name, method, cells.get(True, ''), cells.get(False, '')))
    bad = [case.key for case in CASES if problems(case, run)]
    lines += ['', 'ansible-playbook return codes: %s' % run.returncodes,
              'seconds until each playbook was seen done: %s' % {group: round(s) for group, s in run.durations.items()},
              'cases against the contract (%d): %s' % (len(bad), ', '.join(bad) or 'none')]
    (OUTPUT / ('fault-table-%s.txt' % run.flavour)).write_text('\n'.join(lines) + '\n', encoding='utf-8')


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

@pytest.fixture(scope='module')
def fault_runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, FlavourRun]:
    """Both flavours' runs, made once for the module (six playbooks at once)."""
    return run_all(tmp_path_factory.mktemp('faults'))


@pytest.mark.parametrize('flavour', FLAVOURS)
@pytest.mark.parametrize('case', CASES, ids=[case.key for case in CASES])
def test_fault(case: Case, flavour: str, fault_runs: Dict[str, FlavourRun]) -> None:
    """One fault on one method: retried or failed clearly as the contract says, nothing lost or duplicated."""
    run = fault_runs[flavour]
    found = problems(case, run)
    outcome = json.dumps(run.outcomes.get(case.key), default=str)[:3000]
    assert not found, '%s (%s flavour):\n- %s\noutcome: %s' % (case.key, flavour, '\n- '.join(found), outcome)


@pytest.mark.parametrize('flavour', FLAVOURS)
def test_playbooks_ran_every_case(flavour: str, fault_runs: Dict[str, FlavourRun]) -> None:
    """Every playbook finished (failures were all ignored), and no secret reached their -v output."""
    run = fault_runs[flavour]
    assert set(run.returncodes.values()) == {0}, 'return codes %s\n%s' % (run.returncodes, run.output[-4000:])
    assert set(run.outcomes) == {case.key for case in CASES}
    leaks = [number for number, line in enumerate(run.output.splitlines(), 1)
             if any(secret in line for secret in (SEED_PSK, POST_PSK, KEYSTONE_PASSWORD, run.token))]
    assert not leaks, 'secrets appear in the -v output at lines %s' % leaks


@pytest.mark.parametrize('flavour', FLAVOURS)
def test_retries_are_visible_at_v(flavour: str, fault_runs: Dict[str, FlavourRun]) -> None:
    """At -v, a task that was retried shows its `retried` notes."""
    run = fault_runs[flavour]
    case = next(case for case in CASES if case.key == 'put-503-retry-after-1-once')
    notes = run.outcomes[case.key].get('retried') or []
    assert notes, 'the retried PUT reported no retry'
    assert '"retried"' in run.output and notes[0] in run.output, 'the retry note is not shown at -v'
