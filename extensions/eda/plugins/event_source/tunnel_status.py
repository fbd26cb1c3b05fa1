# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpnaas.cloud.tunnel_status: an Event-Driven Ansible source of IPsec tunnel status events (see DOCUMENTATION)."""

from __future__ import annotations

DOCUMENTATION = r'''
---
name: tunnel_status
short_description: Poll the IPsec site connections of a VPNaaS API; an event when a tunnel changes
description:
  - An Event-Driven Ansible source plugin. It lists the IPsec site connections (Huawei Cloud classic VPN, Open Telekom
    Cloud / T Cloud Public, OpenStack Neutron VPNaaS) every O(interval) seconds, with one list request per poll (all
    pages of it), never one request per connection.
  - The first poll that succeeds emits one C(initial) event per watched connection, in the order of their names (then
    ids). Later polls emit only what changed, in this order - C(appeared) and C(status_changed) (by name),
    C(disappeared) (by name), C(still_down) (by name).
  - C(still_down) (only with O(down_after)) is emitted once per DOWN period, when a connection has stayed DOWN for
    O(down_after) seconds as this source saw it. The API has no timestamp of a status change, so a connection already
    DOWN at the first poll is counted from that poll. A connection that leaves DOWN and goes DOWN again starts a new
    period.
  - A failed poll (an API error, a timeout, an answer of the wrong shape) never ends the source and emits nothing. The
    error is logged (secrets masked) and the next poll comes after O(interval) times 2 to the power of the failures in
    a row, at most O(max_backoff) seconds; the first success goes back to O(interval). What was seen last is kept, so
    a failed poll is never taken for connections that disappeared, and a change is reported once.
  - The requests run in a worker thread of their own, off the event loop, one poll at a time; each request ends within
    O(timeout) (connect, and each read of the answer). A poll that has not ended after the longest a listing may take
    (600 seconds plus the retries of O(timeout) and O(retries)) is logged as failed and waited for again; no second
    poll starts beside it.
  - Bad arguments raise an error naming the argument before any request, when the source starts.
  - Events never hold a pre-shared key or any credential. A psk that the API returns in clear is remembered only to
    be masked in log messages.
options:
  endpoint:
    description:
      - The connection options are those of the modules (C(ansible-doc vpnaas.cloud.ipsec_connection_info)), with
        the same names, defaults and environment fallbacks - endpoint, auth_token, auth_type, auth_url, username,
        user_id, password, project_name, project_id, user_domain_name, user_domain_id, project_domain_name,
        project_domain_id, application_credential_id, application_credential_name, application_credential_secret,
        region, interface, access_key, secret_key, security_token, cloud_domain, cloud (clouds.yaml),
        validate_certs, ca_path, timeout (seconds per request, default 30), retries (default 4).
    type: str
  interval:
    description: Seconds between two polls; more than 0.
    type: float
    default: 60
  vpnservice:
    description:
      - Watch only the connections of this VPN service, by id or by name.
      - An id (a UUID) is used as it is. A name is looked up with one list of the VPN services at the first poll;
        while no service has that name (or the lookup fails), it is looked up again before each poll. A name that
        several services have is logged as an error naming their ids, and looked up again the same way.
    type: str
  names:
    description: Watch only the connections with these names (a connection renamed to another name disappears).
    type: list
    elements: str
  down_after:
    description:
      - Seconds after which a connection that stays DOWN gets one C(still_down) event, with C(down_since) and
        C(down_for). Unset, no C(still_down) event is emitted. More than 0.
    type: float
  max_backoff:
    description: The longest wait, in seconds, between two polls after failures; at least O(interval) is used.
    type: float
    default: 300
notes:
  - "Each event is C({type, ipsec_connection: {id, name, status, previous_status, peer_address, peer_id,
    vpnservice_id}, time}). C(time) is when the poll's answer arrived (ISO-8601 UTC). C(previous_status) is null for
    C(initial) and C(appeared); C(status) is null for C(disappeared), whose other fields are those seen last."
  - The plugin imports the collection's module_utils and needs ansible-core and requests where ansible-rulebook runs
    (a decision environment with this collection and requests).
'''

EXAMPLES = r'''
- name: Tunnels of the hub
  hosts: localhost
  sources:
    - vpnaas.cloud.tunnel_status:
        cloud: hub            # clouds.yaml; or endpoint and auth_* options, or OS_*, HW_*, VPNAAS_* variables
        vpnservice: hub
        interval: 60
        down_after: 300
  rules:
    - name: A tunnel stays down for five minutes
      condition: event.type == "still_down"
      action:
        run_playbook:
          name: vpnaas.cloud.tunnel_remediation
'''

import asyncio
import concurrent.futures
import datetime
import logging
import os
import sys
import time

try:
    from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import connection_argument_spec
except ImportError:
    # ansible-rulebook loads a source plugin from its file (runpy), without Ansible's collection loader:
    # make the folder that holds ansible_collections/ importable (this file is
    # ansible_collections/vpnaas/cloud/extensions/eda/plugins/event_source/tunnel_status.py; no symlink resolved).
    sys.path.append(os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 7))))
    from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import connection_argument_spec

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vpnaas.cloud.plugins.module_utils._client import (
    MAX_LISTING_SECONDS,
    REQUESTS_IMPORT_ERROR,
    Client,
    failure_bound,
)
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError, ConfigError
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import looks_like_id
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import Secrets
from ansible_collections.vpnaas.cloud.plugins.module_utils._store import Store
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IPSEC_SITE_CONNECTION, VPN_SERVICE

NAME = 'vpnaas.cloud.tunnel_status'
LOGGER = logging.getLogger(NAME)
#: The fields of a connection that an event carries (never psk, never anything else).
EVENT_FIELDS = ('id', 'name', 'status', 'peer_address', 'peer_id', 'vpnservice_id')
DOWN = 'DOWN'


def argument_spec() -> dict:
    """The source's arguments: the modules' connection options and the source's own."""
    spec = connection_argument_spec()
    spec.update(
        interval=dict(type='float', default=60),
        vpnservice=dict(type='str'),
        names=dict(type='list', elements='str'),
        down_after=dict(type='float'),
        max_backoff=dict(type='float', default=300),
    )
    return spec


def checked_args(args: dict) -> tuple:
    """(options, secrets): the arguments with defaults and environment fallbacks applied, checked.

    Raises ``ConfigError`` naming the argument; its text never holds a secret's value.
    """
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise ConfigError('%s: the arguments must be a mapping (got %s)' % (NAME, type(args).__name__))
    result = ArgumentSpecValidator(argument_spec()).validate(dict(args))
    secrets = Secrets(sorted(str(value) for value in result._no_log_values))  # pylint: disable=protected-access
    if result.error_messages:
        raise ConfigError('%s: %s' % (NAME, secrets.redact('; '.join(result.error_messages))))
    options = result.validated_parameters
    for name in ('interval', 'down_after', 'max_backoff'):
        if options.get(name) is not None and not options[name] > 0:
            raise ConfigError('%s: %s: must be a positive number of seconds (got %s)' % (NAME, name, options[name]))
    if options.get('vpnservice') is not None and not options['vpnservice'].strip():
        raise ConfigError('%s: vpnservice: must be the id or name of a VPN service (got an empty string)' % NAME)
    if options.get('names') is not None and not all(options['names']):
        raise ConfigError('%s: names: must be a list of connection names (got an empty name)' % NAME)
    return options, secrets


def utc_text(moment: float) -> str:
    """A POSIX time as ISO-8601 UTC text with microseconds and ``Z``."""
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def view(item: dict) -> dict:
    """The fields of a connection that events carry."""
    return dict((name, item.get(name)) for name in EVENT_FIELDS)


def _order(item: dict) -> tuple:
    return (str(item.get('name') or ''), str(item.get('id')))


class Tracker:
    """What the source has seen, and the events that a new listing makes of it (no I/O: tested on its own).

    ``known`` is None until the first listing, then {id: view} of the watched connections.
    """

    def __init__(self, down_after: float = None) -> None:
        self.down_after = down_after
        self.known = None
        #: id -> (monotonic, wall) time when the connection was first seen DOWN in its current DOWN period.
        self.down_since = {}
        #: ids whose still_down event of the current DOWN period has been emitted.
        self.reported = set()

    def update(self, items: list, wall: float, mono: float) -> list:
        """The events of one successful listing (``items``: the watched connections), in their documented order."""
        seen = dict((item['id'], view(item)) for item in sorted(items, key=_order))
        stamp = utc_text(wall)
        events = []
        if self.known is None:
            events = [self._event('initial', current, None, stamp) for current in seen.values()]
        else:
            for conn_id, current in seen.items():
                before = self.known.get(conn_id)
                if before is None:
                    events.append(self._event('appeared', current, None, stamp))
                elif before['status'] != current['status']:
                    events.append(self._event('status_changed', current, before['status'], stamp))
            gone = sorted((item for conn_id, item in self.known.items() if conn_id not in seen), key=_order)
            events.extend(self._event('disappeared', dict(last, status=None), last['status'], stamp) for last in gone)
        self.known = seen
        events.extend(self._still_down(seen, wall, mono, stamp))
        return events

    def _still_down(self, seen: dict, wall: float, mono: float, stamp: str) -> list:
        """Start, end and report the DOWN periods; the still_down events that are due."""
        for conn_id in list(self.down_since):
            if conn_id not in seen or seen[conn_id]['status'] != DOWN:
                del self.down_since[conn_id]
                self.reported.discard(conn_id)
        events = []
        for conn_id, current in seen.items():
            if current['status'] != DOWN:
                continue
            since_mono, since_wall = self.down_since.setdefault(conn_id, (mono, wall))
            if self.down_after is None or conn_id in self.reported or mono - since_mono < self.down_after:
                continue
            self.reported.add(conn_id)
            event = self._event('still_down', current, None, stamp)
            event.update(down_since=utc_text(since_wall), down_for=round(mono - since_mono, 3))
            events.append(event)
        return events

    @staticmethod
    def _event(kind: str, current: dict, previous: object, stamp: str) -> dict:
        connection = dict(current)
        connection['previous_status'] = previous
        return {'type': kind, 'ipsec_connection': connection, 'time': stamp}


class Watcher:
    """The source's blocking side: one client, the VPN service's id, one listing per poll."""

    def __init__(self, options: dict, secrets: Secrets) -> None:
        self.options = options
        self.client = Client(dict(options), secrets, log=lambda message: LOGGER.debug('%s', self.redact(message)))
        self.connections = Store(self.client, IPSEC_SITE_CONNECTION)
        self.services = Store(self.client, VPN_SERVICE)
        wanted = options.get('vpnservice')
        #: The id of the watched VPN service; None while a name is not resolved yet (or no service is watched).
        self.service_id = wanted if wanted and looks_like_id(wanted) else None
        self.unresolved = bool(wanted) and self.service_id is None
        self._missing_logged = False

    def redact(self, text: str) -> str:
        """``text`` with every known secret masked (credentials, and any psk seen)."""
        return self.client.redact(str(text))

    def resolve_service(self) -> bool:
        """Look the VPN service up by name (one list request); whether it is known now. Raises ApiError/ConfigError."""
        wanted = self.options['vpnservice']
        found = [item for item in self.services.list() if item.get('name') == wanted or item.get('id') == wanted]
        by_id = [item for item in found if item.get('id') == wanted]
        found = by_id or found
        if len(found) > 1:
            raise ConfigError("vpnservice: %d VPN services are named '%s' (ids %s): give the id instead"
                              % (len(found), wanted, ', '.join(sorted(str(item['id']) for item in found))))
        if not found:
            if not self._missing_logged:
                LOGGER.warning("%s: no VPN service '%s' exists (yet); it is looked up again before each poll",
                               NAME, self.redact(wanted))
                self._missing_logged = True
            return False
        self.service_id, self.unresolved = found[0]['id'], False
        LOGGER.info("%s: watching the connections of VPN service '%s' (%s)", NAME, self.redact(wanted), self.service_id)
        return True

    def poll(self):
        """One poll: the watched connections (a list), or None while the VPN service is not known yet."""
        try:
            if self.unresolved and not self.resolve_service():
                return None
            query = {}
            if self.service_id:
                query['vpnservice_id'] = self.service_id
            if self.options.get('names') is not None:
                query['name'] = list(self.options['names'])
            items = list(self.connections.index(query).values())
        finally:
            del self.client.retried[:]  # the notes of retries are logged already; a long-running source keeps none
        for item in items:
            if item.get('psk'):
                self.client.add_secret(item['psk'])
        return items


def next_delay(options: dict, failures: int) -> float:
    """Seconds until the next poll after ``failures`` failed polls in a row (0: the interval)."""
    interval = options['interval']
    if not failures:
        return interval
    return min(max(options['max_backoff'], interval), interval * 2 ** min(failures, 30))


def poll_bound(options: dict) -> float:
    """Seconds after which a poll that has not ended counts as failed (it is waited for again, never run twice).

    Each request of a poll ends within ``timeout`` in a worker thread too: the client's interval timer
    works only in the main thread, but the per-read timeout and the body's deadline checks remain. A
    server that drips its answer slower than one read per ``timeout`` is caught here: the longest a
    listing may take (``MAX_LISTING_SECONDS``) plus the longest a failing request takes.
    """
    return MAX_LISTING_SECONDS + failure_bound(options['timeout'], options['retries'], retry_after=True)


async def main(queue: asyncio.Queue, args: dict) -> None:
    """Poll forever, putting each event on ``queue`` (ansible-rulebook's source plugin interface)."""
    options, secrets = checked_args(args)
    if REQUESTS_IMPORT_ERROR:
        raise ConfigError('%s: needs the Python library requests where ansible-rulebook runs (pip install requests; in a '
                          'decision environment, the collection brings it through meta/execution-environment.yml)' % NAME)
    try:
        watcher = Watcher(options, secrets)  # checks the connection options and picks the auth method: no request yet
    except ConfigError as exc:
        raise ConfigError('%s: %s' % (NAME, secrets.redact(str(exc)))) from None
    tracker = Tracker(options.get('down_after'))
    loop = asyncio.get_running_loop()
    # One worker thread: the blocking HTTP of a poll runs off the event loop, and never two polls at once.
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix='tunnel_status')
    failures, pending = 0, None
    try:
        while True:
            if pending is None:
                pending = loop.run_in_executor(executor, watcher.poll)
            done, _running = await asyncio.wait({pending}, timeout=poll_bound(options))
            if not done:
                failures += 1
                LOGGER.error('%s: poll failed (%d in a row; next in %.1f s): no end within %s seconds; waiting for it '
                             'again before the next', NAME, failures, next_delay(options, failures),
                             round(poll_bound(options), 1))
            else:
                finished, pending = pending, None
                failures = await _outcome(finished, watcher, tracker, queue, options, failures)
            await asyncio.sleep(next_delay(options, failures))
    finally:
        if pending is not None:
            pending.cancel()
        executor.shutdown(wait=False)


async def _outcome(finished: asyncio.Future, watcher: Watcher, tracker: Tracker, queue: asyncio.Queue, options: dict,
                   failures: int) -> int:
    """Queue the events of a poll that ended, or log why it failed; the count of failed polls in a row after it."""
    try:
        items = finished.result()
    except (ApiError, ConfigError) as exc:
        failures += 1
        LOGGER.error('%s: poll failed (%d in a row; next in %.1f s): %s', NAME, failures,
                     next_delay(options, failures), watcher.redact(exc))
        return failures
    except Exception as exc:  # pylint: disable=broad-except  # a long-running source must outlive any surprise
        failures += 1
        LOGGER.error('%s: poll failed unexpectedly (%d in a row; next in %.1f s): %s: %s', NAME, failures,
                     next_delay(options, failures), type(exc).__name__, watcher.redact(exc))
        return failures
    if failures:
        LOGGER.info('%s: polling works again after %d failed polls', NAME, failures)
    if items is not None:
        for event in tracker.update(items, time.time(), time.monotonic()):
            await queue.put(event)
    return 0


if __name__ == '__main__':
    # Run by hand, printing the events (connection options from the environment: VPNAAS_*, OS_*, HW_*):
    #   python tunnel_status.py
    import json

    class MockQueue(asyncio.Queue):
        """Prints each event instead of queueing it."""

        async def put(self, item) -> None:
            print(json.dumps(item), flush=True)

    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(main(MockQueue(), {'interval': 10, 'down_after': 60}))
    except KeyboardInterrupt:
        pass
