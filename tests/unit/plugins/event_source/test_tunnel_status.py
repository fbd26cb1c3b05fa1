# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source vpnaas.cloud.tunnel_status, driven through ``main()`` against the real emulator (in-process, loopback).

Each scenario runs ``main(queue, args)`` as a task with a tiny interval, changes the emulator through
its control API, and checks the exact events, their order, that nothing is reported twice, the
requests each poll sent (the emulator's log), and that no secret reaches an event or a log record.
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from ansible_collections.vpnaas.cloud.extensions.eda.plugins.event_source import tunnel_status
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ConfigError
from ansible_collections.vpnaas.cloud.tests.emulator.config import Config
from ansible_collections.vpnaas.cloud.tests.emulator.run_with import EmulatorClient
from ansible_collections.vpnaas.cloud.tests.emulator.server import start_server

TOKEN = 'events-static-Token-7f3a9c'
PSKS = {'branch-1': 'psk-One-4b8e2d7a', 'branch-2': 'psk-Two-9c1f6e3b', 'branch-3': 'psk-Three-2a7d5f0c'}
SERVICE_ID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
OTHER_SERVICE_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e'
INTERVAL = 0.05
WAIT = 5.0     # seconds, at most, for any expected event
QUIET = 0.4    # seconds without any event that count as "nothing more"
CONNECTIONS = 'ipsec-site-connections'


@pytest.fixture(autouse=True)
def clock():
    """The real clock: the shared fake clock of tests/unit/conftest.py would stop the event loop's time."""
    return None


@pytest.fixture(scope='module')
def server():
    """One emulator for the file (neutron flavour: psks come back in clear, which the source must never pass on)."""
    emulator = start_server(Config(flavour='neutron', static_token=TOKEN))
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emu(server):
    """The emulator's control API, reset before each test."""
    client = EmulatorClient(server.url, token=TOKEN)
    client.reset()
    client.config(max_limit=0, paging=True, server_filter=True, psk_mode='clear')
    return client


def connection(name: str, service: str = SERVICE_ID, status: str = 'ACTIVE', **fields) -> dict:
    """A connection to seed."""
    number = name.rsplit('-', 1)[-1]
    return dict(dict(name=name, status=status, vpnservice_id=service, psk=PSKS.get(name, 'psk-Other-' + name),
                     peer_address='203.0.113.%s' % number, peer_id='203.0.113.%s' % number), **fields)


def seed_hub(emu: EmulatorClient, names=('branch-1', 'branch-2', 'branch-3'), **fields) -> dict:
    """A VPN service 'hub' and its connections; returns {name: id}."""
    stored = emu.seed({'vpnservices': [{'id': SERVICE_ID, 'name': 'hub', 'router_id': 'r1'}],
                       'ipsec_site_connections': [connection(name, **fields) for name in names]})
    return dict((item['name'], item['id']) for item in stored['ipsec_site_connections'])


def args_for(emu: EmulatorClient, **more) -> dict:
    """Source arguments: token auth against the emulator, a tiny interval, no client retries."""
    return dict(dict(endpoint=emu.url, auth_token=TOKEN, interval=INTERVAL, retries=0, timeout=2), **more)


class Run:
    """``main()`` running as a task; its events, and how many polls it made (started and finished)."""

    def __init__(self, args: dict, monkeypatch) -> None:
        self.queue = asyncio.Queue()
        self.args = args
        self.started = 0
        self.finished = 0
        self.lock = threading.Lock()
        self.task = None
        real_poll = tunnel_status.Watcher.poll

        self.most_at_once = 0

        def counted(watcher):
            with self.lock:
                self.started += 1
                self.most_at_once = max(self.most_at_once, self.started - self.finished)
            try:
                return real_poll(watcher)
            finally:
                with self.lock:
                    self.finished += 1
        monkeypatch.setattr(tunnel_status.Watcher, 'poll', counted)

    async def __aenter__(self) -> Run:
        self.task = asyncio.ensure_future(tunnel_status.main(self.queue, self.args))
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Cancel the source and wait (bounded) until no poll is in flight in its worker thread."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            try:
                await asyncio.wait_for(self.task, WAIT)
            except asyncio.CancelledError:
                pass
        # A poll handed to the worker thread just before the cancel may start a moment later: wait until
        # every poll started has finished and no new one has started for 0.2 s.
        deadline, stable_since = time.monotonic() + WAIT, None
        while time.monotonic() < deadline:
            counts = (self.started, self.finished)
            await asyncio.sleep(0.02)
            if counts[0] == counts[1] == self.started:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since >= 0.2:
                    return
            else:
                stable_since = None
        raise AssertionError('a poll was still running %s s after the source stopped' % WAIT)

    def _check_alive(self) -> None:
        if self.task.done():
            raise AssertionError('the source ended: %r' % (self.task.exception() if not self.task.cancelled() else 'cancelled'))

    async def take(self, count: int) -> list:
        """The next ``count`` events, failing if they do not all come within WAIT seconds."""
        events, deadline = [], time.monotonic() + WAIT
        while len(events) < count:
            self._check_alive()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('got %d of %d events within %s s: %s' % (len(events), count, WAIT, events))
            try:
                events.append(await asyncio.wait_for(self.queue.get(), min(left, 0.1)))
            except asyncio.TimeoutError:
                continue
        return events

    async def quiet(self, seconds: float = QUIET) -> None:
        """No event for ``seconds`` (and the source still runs)."""
        try:
            event = await asyncio.wait_for(self.queue.get(), seconds)
        except asyncio.TimeoutError:
            self._check_alive()
            return
        raise AssertionError('an unexpected event: %s' % event)

    async def polls_done(self, count: int) -> None:
        """Wait (bounded) until at least ``count`` more polls have finished."""
        target, deadline = self.finished + count, time.monotonic() + WAIT
        while self.finished < target:
            self._check_alive()
            assert time.monotonic() < deadline, 'the source made no %d polls within %s s' % (count, WAIT)
            await asyncio.sleep(0.01)


def run(scenario) -> None:
    """Run an async scenario to its end, bounded."""
    asyncio.run(asyncio.wait_for(scenario(), 60))


def shape(events: list) -> list:
    """(type, name, status, previous_status) of each event: what the scenarios compare."""
    return [(e['type'], e['ipsec_connection']['name'], e['ipsec_connection']['status'],
             e['ipsec_connection']['previous_status']) for e in events]


def assert_well_formed(events: list) -> None:
    """Every event has exactly the documented keys, a UTC time, and no secret."""
    for event in events:
        extra = {'down_since', 'down_for'} if event['type'] == 'still_down' else set()
        assert set(event) == {'type', 'ipsec_connection', 'time'} | extra, event
        assert set(event['ipsec_connection']) == {'id', 'name', 'status', 'previous_status', 'peer_address', 'peer_id',
                                                  'vpnservice_id'}, event
        assert event['time'].endswith('Z') and 'T' in event['time'], event
    assert_no_secret(json.dumps(events))


def assert_no_secret(text: str) -> None:
    """None of the psks or credentials of these tests in ``text``."""
    for secret in list(PSKS.values()) + [TOKEN, 'demo-password']:
        assert secret not in text, 'secret %s found in: %s' % (secret[:4], text[:2000])


def listing_requests(log: list) -> list:
    """The (method, path) of every request in the emulator's log."""
    return [(entry['method'], entry['path']) for entry in log]


# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('bad, named', [
    ({'interval': 0}, 'interval'),
    ({'interval': -1}, 'interval'),
    ({'interval': 'often'}, 'interval'),
    ({'down_after': 0}, 'down_after'),
    ({'max_backoff': -5}, 'max_backoff'),
    ({'names': ['branch-1', '']}, 'names'),
    ({'vpnservice': ' '}, 'vpnservice'),
    ({'timeout': 0}, 'timeout'),
    ({'retries': -1}, 'retries'),
    ({'endpoint': 'ftp://127.0.0.1/'}, 'endpoint'),
    ({'validate_certs': 'maybe'}, 'validate_certs'),
    ({'interface': 'private'}, 'interface'),
    ({'intervall': 5}, 'intervall'),
    ({'auth_token': None, 'endpoint': None}, 'No authentication configured'),
])
def test_bad_arguments_fail_before_any_request(emu, monkeypatch, bad, named):
    """A bad argument raises at start, naming it, and no request is sent."""
    for variable in ('VPNAAS_ENDPOINT', 'VPNAAS_AUTH_TOKEN', 'OS_AUTH_TOKEN', 'OS_CLOUD', 'OS_CLIENT_CONFIG_FILE',
                     'OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD', 'HW_ACCESS_KEY', 'HW_SECRET_KEY'):
        monkeypatch.delenv(variable, raising=False)
    args = dict(args_for(emu), **bad)
    args = dict((key, value) for key, value in args.items() if value is not None)
    with pytest.raises(ConfigError, match=named) as raised:
        run(lambda: tunnel_status.main(asyncio.Queue(), args))
    assert str(raised.value).startswith('vpnaas.cloud.tunnel_status: ') or 'authentication' in str(raised.value)
    assert emu.take_log() == []


def test_a_bad_secret_argument_is_not_quoted(emu):
    """The message about a secret of the wrong type does not hold its value."""
    args = args_for(emu, auth_token={'value': 'Leaked-Token-31d8e5'}, interval=0)
    with pytest.raises(ConfigError) as raised:
        run(lambda: tunnel_status.main(asyncio.Queue(), args))
    assert 'Leaked-Token-31d8e5' not in str(raised.value)
    assert emu.take_log() == []


def test_without_requests_the_source_says_so(emu, monkeypatch):
    """No requests library where ansible-rulebook runs: a clear error at the start, no request."""
    monkeypatch.setattr(tunnel_status, 'REQUESTS_IMPORT_ERROR', 'ModuleNotFoundError: requests')
    with pytest.raises(ConfigError, match='needs the Python library requests'):
        run(lambda: tunnel_status.main(asyncio.Queue(), args_for(emu)))
    assert emu.take_log() == []


def test_connection_options_fall_back_to_the_environment(emu, monkeypatch):
    """endpoint and auth_token come from VPNAAS_ENDPOINT and OS_AUTH_TOKEN, as in the modules."""
    seed_hub(emu, names=('branch-1',))
    monkeypatch.setenv('VPNAAS_ENDPOINT', emu.url)
    monkeypatch.setenv('OS_AUTH_TOKEN', TOKEN)

    async def scenario():
        async with Run({'interval': INTERVAL, 'retries': 0}, monkeypatch) as source:
            assert shape(await source.take(1)) == [('initial', 'branch-1', 'ACTIVE', None)]
    run(scenario)


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------

def test_initial_then_only_transitions(emu, monkeypatch, caplog):
    """initial per connection; then status_changed, still_down once, appeared, disappeared; never twice."""
    caplog.set_level(logging.DEBUG)
    ids = seed_hub(emu)
    cycle = []

    async def scenario():
        async with Run(args_for(emu, down_after=0.3), monkeypatch) as source:
            initial = await source.take(3)
            assert shape(initial) == [('initial', 'branch-1', 'ACTIVE', None), ('initial', 'branch-2', 'ACTIVE', None),
                                      ('initial', 'branch-3', 'ACTIVE', None)]
            assert initial[1]['ipsec_connection'] == {
                'id': ids['branch-2'], 'name': 'branch-2', 'status': 'ACTIVE', 'previous_status': None,
                'peer_address': '203.0.113.2', 'peer_id': '203.0.113.2', 'vpnservice_id': SERVICE_ID}
            await source.quiet()

            emu.patch(CONNECTIONS, ids['branch-2'], status='DOWN')
            down = await source.take(1)
            assert shape(down) == [('status_changed', 'branch-2', 'DOWN', 'ACTIVE')]
            still = await source.take(1)
            assert shape(still) == [('still_down', 'branch-2', 'DOWN', None)]
            assert still[0]['down_for'] >= 0.3
            assert still[0]['down_since'] <= still[0]['time']
            await source.quiet()   # still_down is not repeated while the connection stays DOWN
            emu.patch(CONNECTIONS, ids['branch-2'], status='ACTIVE')
            up = await source.take(1)
            assert shape(up) == [('status_changed', 'branch-2', 'ACTIVE', 'DOWN')]
            cycle.extend(down + still + up)
            await source.quiet()

            added = emu.seed({'ipsec_site_connections': [connection('branch-4', status='PENDING_CREATE')]})
            assert shape(await source.take(1)) == [('appeared', 'branch-4', 'PENDING_CREATE', None)]
            status, _headers, _body = emu.request('DELETE', '/v2.0/vpn/ipsec-site-connections/' + ids['branch-1'])
            assert status == 204
            gone = await source.take(1)
            assert shape(gone) == [('disappeared', 'branch-1', None, 'ACTIVE')]
            assert gone[0]['ipsec_connection']['peer_address'] == '203.0.113.1'
            emu.patch(CONNECTIONS, added['ipsec_site_connections'][0]['id'], status='ACTIVE')
            assert shape(await source.take(1)) == [('status_changed', 'branch-4', 'ACTIVE', 'PENDING_CREATE')]
            # A new DOWN period gets its own still_down.
            emu.patch(CONNECTIONS, ids['branch-2'], status='DOWN')
            assert shape(await source.take(2)) == [('status_changed', 'branch-2', 'DOWN', 'ACTIVE'),
                                                   ('still_down', 'branch-2', 'DOWN', None)]
            await source.quiet()
            assert_well_formed(initial + cycle)
        return source

    source = asyncio.run(asyncio.wait_for(scenario(), 60))
    requests = listing_requests(emu.take_log())
    deletes = [request for request in requests if request[0] == 'DELETE']   # the test's own
    assert deletes == [('DELETE', '/v2.0/vpn/ipsec-site-connections/' + ids['branch-1'])]
    requests = [request for request in requests if request[0] != 'DELETE']
    # Exactly one list request per poll: the emulator served as many GETs of the collection as polls ran, nothing else.
    assert requests == [('GET', '/v2.0/vpn/ipsec-site-connections')] * source.finished
    assert source.finished > 10
    print('DOWN -> ACTIVE cycle:\n' + '\n'.join(json.dumps(event) for event in cycle))
    print('polls: %d, requests: %d' % (source.finished, len(requests)))
    assert_no_secret(caplog.text)


def test_every_page_in_one_poll(emu, monkeypatch):
    """Where the API pages, one poll follows every page: still one listing (of 3 pages) per poll."""
    emu.config(max_limit=2)
    seed_hub(emu, names=('branch-1', 'branch-2', 'branch-3', 'branch-4', 'branch-5'))

    async def scenario():
        async with Run(args_for(emu), monkeypatch) as source:
            assert [e['ipsec_connection']['name'] for e in await source.take(5)] == [
                'branch-%d' % n for n in range(1, 6)]
            await source.polls_done(3)
        return source

    source = asyncio.run(asyncio.wait_for(scenario(), 60))
    log = emu.take_log()
    assert listing_requests(log) == [('GET', '/v2.0/vpn/ipsec-site-connections')] * (3 * source.finished)
    assert [entry['query'] for entry in log[:3]] == ['', 'limit=2&marker=%s' % log_marker(log, 1),
                                                     'limit=2&marker=%s' % log_marker(log, 2)]


def log_marker(log: list, index: int) -> str:
    """The marker the request ``index`` of the log sent (the id of the last item of the page before)."""
    return log[index]['query'].rsplit('marker=', 1)[-1]


# ---------------------------------------------------------------------------
# Failures
# ---------------------------------------------------------------------------

def test_api_errors_do_not_end_the_source_nor_invent_transitions(emu, monkeypatch, caplog):
    """Three 500s echoing secrets: logged masked, backing off; the change made meanwhile is reported once."""
    caplog.set_level(logging.DEBUG)
    ids = seed_hub(emu)
    body = {'NeutronError': {'type': 'HTTPInternalServerError',
                             'message': 'database gone; token %s psk %s' % (TOKEN, PSKS['branch-3'])}}

    async def scenario():
        async with Run(args_for(emu, max_backoff=0.2), monkeypatch) as source:
            assert len(await source.take(3)) == 3
            emu.fault(method='GET', path=CONNECTIONS, kind='status', status=500, body=body, times=3)
            await source.polls_done(3)
            emu.patch(CONNECTIONS, ids['branch-3'], status='DOWN')
            assert shape(await source.take(1)) == [('status_changed', 'branch-3', 'DOWN', 'ACTIVE')]
            await source.quiet()
    run(scenario)
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 3, [record.getMessage() for record in errors]
    for number, record in enumerate(errors, 1):
        message = record.getMessage()
        assert 'poll failed (%d in a row' % number in message and 'HTTP 500' in message and 'database gone' in message
    assert [round(float(r.getMessage().split('next in ')[1].split(' s')[0]), 2) for r in errors] == [0.1, 0.2, 0.2]
    assert any('polling works again after 3 failed polls' in r.getMessage() for r in caplog.records)
    assert_no_secret(caplog.text)
    assert 'Traceback' not in caplog.text
    faulted = [entry for entry in emu.take_log() if entry.get('fault')]
    assert len(faulted) == 3


def test_a_timeout_is_logged_and_polling_goes_on(emu, monkeypatch, caplog):
    """A listing slower than timeout ends within it (in the worker thread too); the next poll sees the change."""
    ids = seed_hub(emu, names=('branch-1',))

    async def scenario():
        async with Run(args_for(emu, timeout=1), monkeypatch) as source:
            assert len(await source.take(1)) == 1
            emu.fault(method='GET', path=CONNECTIONS, kind='delay', delay=3, times=1)
            emu.patch(CONNECTIONS, ids['branch-1'], status='DOWN')
            started = time.monotonic()
            assert shape(await source.take(1)) == [('status_changed', 'branch-1', 'DOWN', 'ACTIVE')]
            assert time.monotonic() - started < 2.5   # the 3 s answer was not waited for
            await source.quiet()
    run(scenario)
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and 'within 1 seconds' in errors[0], errors
    # The emulator answers the delayed request (to nobody) after 3 s: wait for it, so that it is not in the next test's log.
    deadline = time.monotonic() + WAIT
    while not any(entry.get('fault') == 'delay' for entry in emu.log()):
        assert time.monotonic() < deadline, 'the delayed request never ended'
        time.sleep(0.05)


def test_a_poll_that_does_not_end_is_waited_for_never_run_twice(emu, monkeypatch, caplog):
    """A poll past its bound (a server dripping its answer) is logged and waited for; no second poll runs beside it."""
    ids = seed_hub(emu, names=('branch-1',))
    monkeypatch.setattr(tunnel_status, 'poll_bound', lambda options: 0.3)

    async def scenario():
        async with Run(args_for(emu, timeout=5, max_backoff=0.1), monkeypatch) as source:
            assert len(await source.take(1)) == 1
            emu.fault(method='GET', path=CONNECTIONS, kind='delay', delay=1.2, times=1)
            emu.patch(CONNECTIONS, ids['branch-1'], status='DOWN')
            assert shape(await source.take(1)) == [('status_changed', 'branch-1', 'DOWN', 'ACTIVE')]
            await source.quiet()
        return source

    source = asyncio.run(asyncio.wait_for(scenario(), 60))
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert 2 <= len(errors) <= 4 and all('no end within 0.3 seconds; waiting for it again' in m for m in errors), errors
    assert source.most_at_once == 1
    assert listing_requests(emu.take_log()) == [('GET', '/v2.0/vpn/ipsec-site-connections')] * source.finished


def test_a_dropped_connection_and_an_html_page(emu, monkeypatch, caplog):
    """A reset connection and a proxy's HTML page: logged, no event, no traceback, no false disappearance."""
    seed_hub(emu, names=('branch-1', 'branch-2'))

    async def scenario():
        async with Run(args_for(emu, max_backoff=0.1), monkeypatch) as source:
            assert len(await source.take(2)) == 2
            emu.fault(method='GET', path=CONNECTIONS, kind='reset', times=1)
            emu.fault(method='GET', path=CONNECTIONS, kind='html', status=502, times=1)
            emu.fault(method='GET', path=CONNECTIONS, kind='status', status=200, body={'ipsec_site_connections': [{}]},
                      times=1)
            await source.polls_done(5)
            await source.quiet()
    run(scenario)
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 3, errors
    assert 'connection' in errors[0] and 'HTML page' in errors[1] and 'id' in errors[2], errors
    assert 'Traceback' not in caplog.text


# ---------------------------------------------------------------------------
# What is watched
# ---------------------------------------------------------------------------

def test_names_and_vpnservice_by_name(emu, monkeypatch):
    """names and a VPN service by name: one service listing at the start, then one connection listing per poll."""
    seed_hub(emu)
    emu.seed({'vpnservices': [{'id': OTHER_SERVICE_ID, 'name': 'other', 'router_id': 'r2'}],
              'ipsec_site_connections': [connection('branch-1', service=OTHER_SERVICE_ID, peer_address='198.51.100.1')]})

    async def scenario():
        async with Run(args_for(emu, vpnservice='hub', names=['branch-1', 'branch-3']), monkeypatch) as source:
            events = await source.take(2)
            assert shape(events) == [('initial', 'branch-1', 'ACTIVE', None), ('initial', 'branch-3', 'ACTIVE', None)]
            assert {e['ipsec_connection']['vpnservice_id'] for e in events} == {SERVICE_ID}
            await source.quiet()
        return source

    source = asyncio.run(asyncio.wait_for(scenario(), 60))
    log = emu.take_log()
    assert listing_requests(log[:1]) == [('GET', '/v2.0/vpn/vpnservices')]
    assert listing_requests(log[1:]) == [('GET', '/v2.0/vpn/ipsec-site-connections')] * source.finished
    assert {entry['query'] for entry in log[1:]} == {'vpnservice_id=%s&name=branch-1&name=branch-3' % SERVICE_ID}


def test_filters_hold_where_the_server_ignores_them(emu, monkeypatch):
    """Huawei/OTC document no server-side filters: the source filters what it gets as well."""
    emu.config(server_filter=False)
    seed_hub(emu)
    emu.seed({'ipsec_site_connections': [connection('branch-9', service=OTHER_SERVICE_ID)]})

    async def scenario():
        async with Run(args_for(emu, vpnservice=SERVICE_ID, names=['branch-2', 'branch-9']), monkeypatch) as source:
            assert shape(await source.take(1)) == [('initial', 'branch-2', 'ACTIVE', None)]
            await source.quiet()
    run(scenario)
    assert {path for _method, path in listing_requests(emu.take_log())} == {'/v2.0/vpn/ipsec-site-connections'}


def test_a_vpnservice_that_does_not_exist_yet(emu, monkeypatch, caplog):
    """A service name not found yet: looked up before each poll (warned once), watched as soon as it exists."""
    emu.seed({'ipsec_site_connections': [connection('branch-1')]})

    async def scenario():
        async with Run(args_for(emu, vpnservice='hub'), monkeypatch) as source:
            await source.polls_done(3)
            await source.quiet(0.1)
            assert {path for _m, path in listing_requests(emu.take_log())} == {'/v2.0/vpn/vpnservices'}
            emu.seed({'vpnservices': [{'id': SERVICE_ID, 'name': 'hub', 'router_id': 'r1'}]})
            assert shape(await source.take(1)) == [('initial', 'branch-1', 'ACTIVE', None)]
            await source.quiet(0.2)
            log = listing_requests(emu.take_log())
            assert log.count(('GET', '/v2.0/vpn/vpnservices')) <= 1 and len(log) > 2, log
            assert set(log[1:]) == {('GET', '/v2.0/vpn/ipsec-site-connections')}
    run(scenario)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no VPN service 'hub'" in warnings[0]


def test_a_vpnservice_name_that_two_services_have(emu, monkeypatch, caplog):
    """Two services named 'hub': an error naming both ids, no event; the source keeps trying."""
    seed_hub(emu)
    emu.seed({'vpnservices': [{'id': OTHER_SERVICE_ID, 'name': 'hub', 'router_id': 'r2'}]})

    async def scenario():
        async with Run(args_for(emu, vpnservice='hub', max_backoff=0.1), monkeypatch) as source:
            await source.polls_done(2)
            await source.quiet(0.1)
    run(scenario)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(SERVICE_ID in m and OTHER_SERVICE_ID in m and 'give the id' in m for m in errors)


# ---------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------

def test_keystone_login_and_no_secret_anywhere(emu, monkeypatch, caplog):
    """Keystone password login (once), psks in clear from the API: neither password, token nor psk in events or logs."""
    caplog.set_level(logging.DEBUG)
    ids = seed_hub(emu)
    args = dict(auth_url=emu.url + '/v3', username='demo', password='demo-password', project_name='demo',
                user_domain_name='Default', interval=INTERVAL, retries=0, timeout=2)
    events = []

    async def scenario():
        async with Run(args, monkeypatch) as source:
            events.extend(await source.take(3))
            emu.fault(method='GET', path=CONNECTIONS, kind='status', status=400, times=1, body={'NeutronError': {
                'type': 'X', 'message': 'echo %s and %s' % (PSKS['branch-1'], 'demo-password')}})
            emu.patch(CONNECTIONS, ids['branch-1'], status='ERROR')
            events.extend(await source.take(1))
            await source.quiet()
    run(scenario)
    assert shape(events[3:]) == [('status_changed', 'branch-1', 'ERROR', 'ACTIVE')]
    assert_well_formed(events)
    log = listing_requests(emu.take_log())
    assert log[0] == ('POST', '/v3/auth/tokens') and log.count(('POST', '/v3/auth/tokens')) == 1
    assert 'echo ******** and ********' in caplog.text
    assert_no_secret(caplog.text)


# ---------------------------------------------------------------------------
# The tracker and the backoff on their own
# ---------------------------------------------------------------------------

def test_next_delay_doubles_up_to_the_cap_and_resets():
    options = {'interval': 10.0, 'max_backoff': 60.0}
    assert [tunnel_status.next_delay(options, n) for n in range(6)] == [10.0, 20.0, 40.0, 60.0, 60.0, 60.0]
    assert tunnel_status.next_delay({'interval': 10.0, 'max_backoff': 1.0}, 3) == 10.0
    assert tunnel_status.next_delay(options, 10 ** 6) == 60.0


listing = st.lists(st.tuples(st.sampled_from(['a', 'b', 'c', 'd']), st.sampled_from(['ACTIVE', 'DOWN', 'ERROR'])),
                   unique_by=lambda pair: pair[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), listing), min_size=1, max_size=12))
def test_events_replayed_give_what_was_seen(polls):
    """Any sequence of listings and failed polls (None): replaying the events rebuilds the last listing seen,
    and each event is a real change (no duplicate, no transition to the same status)."""
    tracker = tunnel_status.Tracker(down_after=2.0)
    replayed, last_seen, now, down_reported = {}, None, 0.0, set()
    for poll in polls:
        now += 1.0
        if poll is None:   # a failed poll: main() does not call the tracker
            continue
        items = [{'id': 'id-' + name, 'name': name, 'status': status, 'psk': 'never'} for name, status in poll]
        for event in tracker.update(items, 1.7e9 + now, now):
            connection = event['ipsec_connection']
            assert 'psk' not in connection
            kind, conn_id = event['type'], connection['id']
            if kind == 'initial':
                assert last_seen is None
            elif kind == 'appeared':
                assert conn_id not in replayed
            elif kind == 'status_changed':
                assert replayed[conn_id] != connection['status'] == dict(poll)[connection['name']]
                assert connection['previous_status'] == replayed[conn_id]
            elif kind == 'disappeared':
                assert connection['previous_status'] == replayed.pop(conn_id)
                continue
            elif kind == 'still_down':
                assert conn_id not in down_reported and connection['status'] == 'DOWN' and event['down_for'] >= 2.0
                down_reported.add(conn_id)
                continue
            replayed[conn_id] = connection['status']
        down_reported = {conn_id for conn_id in down_reported if replayed.get(conn_id) == 'DOWN'}
        last_seen = dict(('id-' + name, status) for name, status in poll)
        assert replayed == last_seen


def test_the_documentation_matches_the_arguments():
    """DOCUMENTATION names each argument of the source with its type and default; EXAMPLES is a rulebook using them."""
    doc = yaml.safe_load(tunnel_status.DOCUMENTATION)
    spec = tunnel_status.argument_spec()
    own = dict((name, option) for name, option in doc['options'].items() if name != 'endpoint')
    connection_names = set(spec) - set(own)
    assert set(own) == {'interval', 'vpnservice', 'names', 'down_after', 'max_backoff'}
    for name, option in own.items():
        assert option['type'] == spec[name]['type'] and option.get('default') == spec[name].get('default'), name
    # The connection options are named in the description of the first entry, all of them.
    described = ' '.join(doc['options']['endpoint']['description'])
    assert all(name in described for name in connection_names), connection_names - set(described.replace(',', ' ').split())
    example = yaml.safe_load(tunnel_status.EXAMPLES)
    source_args = example[0]['sources'][0]['vpnaas.cloud.tunnel_status']
    options, _secrets = tunnel_status.checked_args(source_args)
    assert options['down_after'] == 300 and options['interval'] == 60
