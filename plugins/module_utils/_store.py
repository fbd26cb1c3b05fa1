# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The store layer of the engine: the HTTP verbs of a resource, its listings and indexes, and waits.

Private to the collection: the names and signatures here may change at any time.

A ``Store`` reads and writes one kind of resource through a ``Client``. Every answer is
checked against the resource's table (``_schema.normalized_answer``) before anyone plans
with it. No ``AnsibleModule`` here: the runners (``_resource`` for one item, ``_fleet``
for many) own options, messages and results. What a PENDING_* status means, and when an
error leaves the outcome of a write unknown, is decided here, for both; so is the loop that
waits a PENDING status out, reads again, plans again and writes (``write_through_pending``).
"""

from __future__ import annotations

import re
import time
from typing import Callable, Optional

from ansible_collections.vpnaas.cloud.plugins.module_utils._client import Client
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import Resource, normalized_answer

#: Statuses during which Neutron refuses updates (VPNStateInvalidToUpdate).
PENDING_STATUSES = frozenset(['PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE'])
DEFAULT_WAIT_TIMEOUT = 180
DEFAULT_WAIT_ACTIVE_TIMEOUT = 300
#: What ends a wait for ACTIVE: ACTIVE itself, or ERROR (which fails at once).
ACTIVE_OR_FAILED = frozenset(['ACTIVE', 'ERROR'])
POLL_FIRST = 0.5   # seconds before the first status poll; doubled each time
POLL_CAP = 5.0     # seconds, at most, between two polls


def settled(found: Optional[dict]) -> bool:
    """A resource whose status is no longer PENDING_* (a vanished one counts as settled too)."""
    return not found or found.get('status') not in PENDING_STATUSES


def refused_as_pending(error: ApiError) -> bool:
    """The API refused a write because the resource is in a PENDING_* status (Neutron: 400 VPNStateInvalidToUpdate)."""
    return error.status == 400 and 'PENDING' in (error.api_message or '').upper()


def in_use(error: ApiError) -> bool:
    """The API refused because other resources use this one: a 409 (most resources), or a
    400 whose type ends in ``InUse`` (Neutron 29 answers ``EndpointGroupInUse`` with 400)."""
    return error.status == 409 or (error.status == 400 and bool(re.match(r'^\w*InUse\b', error.api_message or '')))


def outcome_unknown(error: ApiError) -> bool:
    """Whether the server may have carried out a write that failed.

    Only a 4xx (other than a 401 after which the client logged in again) or a request
    that never left (no connection) certainly changed nothing.  A lost answer, a 5xx,
    a redirect or a 2xx whose body cannot be read may all follow a write that happened.
    """
    if error.renewed:
        return True
    if error.status:
        return not 400 <= error.status < 500
    return error.transport == 'read'


def matches(value: object, wanted: object) -> bool:
    """Client-side filter: equal values, comparing booleans and numbers with their text forms too."""
    if isinstance(wanted, list):
        return any(matches(value, item) for item in wanted)
    if isinstance(value, bool) or isinstance(wanted, bool):
        return str(value).lower() == str(wanted).lower()
    return value == wanted or str(value) == str(wanted)


def backoff_intervals(first: float = POLL_FIRST, cap: float = POLL_CAP):
    """The intervals between polls: ``first``, doubled each time, at most ``cap``."""
    interval = first
    while True:
        yield interval
        interval = min(cap, interval * 2)


class Store:
    """The requests of one resource kind (``resource``) through ``client``; every answer checked."""

    def __init__(self, client: Client, resource: Resource) -> None:
        self.client = client
        self.resource = resource

    def path(self, resource_id: str = None) -> tuple:
        """Path parts below the API root."""
        return self.resource.path(resource_id)

    def url(self, resource_id: str = None) -> str:
        """The absolute URL of the collection, or of one resource."""
        return self.client.url(*self.path(resource_id))

    def answer(self, body: dict, method: str, path: tuple) -> dict:
        """The resource in an answer's body (``{"<key>": {...}}``), checked and normalised; ApiError otherwise."""
        item = body.get(self.resource.key) if isinstance(body, dict) else None
        problem = 'without an "%s" object' % self.resource.key if not isinstance(item, dict) else None
        if problem is None:
            item, problem = normalized_answer(self.resource, item)
        if problem:
            url = self.client.url(*path)
            raise ApiError('%s %s answered %s' % (method, url, problem), method, url)
        return item

    def show(self, resource_id: str) -> Optional[dict]:
        """GET one resource by id, checked; None when it does not exist."""
        path = self.path(resource_id)
        try:
            body = self.client.call('GET', path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        found = self.answer(body, 'GET', path)
        if found.get('id') != resource_id:
            url = self.client.url(*path)
            raise ApiError('GET %s answered %s %s, not the one asked for' % (url, self.resource.noun, found.get('id')),
                           'GET', url)
        return found

    def list(self, query: dict = None) -> list:
        """Every resource matching ``query`` (all pages), checked, and filtered here too (some clouds ignore filters)."""
        query = query or {}
        items = []
        for item in self.client.list_all(self.path(), self.resource.list_key, query):
            item, problem = normalized_answer(self.resource, item)
            if problem:
                raise ApiError('GET %s answered a list holding %s' % (self.url(), problem), 'GET', self.url())
            items.append(item)
        return [item for item in items if all(matches(item.get(key), value) for key, value in query.items())]

    def index(self, query: dict = None) -> dict:
        """The listing as {id: resource}; ids a server repeats are refused (a list must not hold one twice)."""
        found = {}
        for item in self.list(query):
            if item['id'] in found:
                raise ApiError('GET %s answered a list holding %s %s twice' % (self.url(), self.resource.noun, item['id']),
                               'GET', self.url())
            found[item['id']] = item
        return found

    def create(self, body: dict) -> dict:
        """POST; the answer (raw, for the caller to check: a lost one is looked up, never sent again)."""
        return self.client.call('POST', self.path(), body={self.resource.key: body})

    def update(self, resource_id: str, body: dict) -> dict:
        """PUT the fields in ``body``; the raw answer (some clouds send none)."""
        return self.client.call('PUT', self.path(resource_id), body={self.resource.key: body})

    def delete(self, resource_id: str) -> bool:
        """DELETE; False when it was gone already (404)."""
        try:
            self.client.call('DELETE', self.path(resource_id))
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def users(self, resource_id: str) -> list:
        """Labels of the resources that refer to ``resource_id`` (for a 409 "in use"); [] if they cannot be read."""
        labels = []
        for usage in self.resource.used_by:
            for field_name in usage.fields:
                try:
                    items = self.client.list_all(('vpn', usage.collection), usage.list_key, {field_name: resource_id})
                except ApiError:
                    return []
                labels.extend("%s '%s' (%s)" % (usage.noun, item.get('name') or '', item.get('id'))
                              for item in items if isinstance(item, dict) and item.get(field_name) == resource_id)
        return sorted(set(labels))

    def wait_for(self, read: Callable, done: Callable, describe: Callable, deadline: float, timeout: float,
                 option: str = None, look_first: bool = False):
        """Call ``read()`` until ``done(what it read)``, backing off; at ``deadline`` raise naming what is left.

        ``read`` is a GET of one resource (one module) or a listing (a fleet: one request
        for all the items waited on). The caller has just seen it unsettled, so the first
        read comes after the first interval, unless ``look_first``. ``describe(last read)``
        says what was waited for and what was seen last, for the message.
        """
        intervals = backoff_intervals()
        if not look_first:
            time.sleep(next(intervals))
        while True:
            found = read()
            if done(found):
                return found
            interval = next(intervals)
            if time.monotonic() + interval > deadline:
                raise ApiError('timed out after %s seconds%s waiting for %s'
                               % (timeout, ' (%s)' % option if option else '', describe(found)))
            time.sleep(interval)

    def write_through_pending(self, todo: list, pending: Callable, write: Callable, read: Callable, replan: Callable,
                              fail: Callable, label: Callable, describe: Callable, deadline: float, timeout: float,
                              option: str = None) -> None:
        """The one place where a PENDING_* status is waited out around writes: wait, read, plan again, write.

        The API refuses an update while a resource is PENDING_* (its agent, or another client,
        is at work on it), and a resource can turn PENDING between the read and the write.
        Both runners go through here: one module with one item, a fleet with many.

        - ``todo``: the items to write; each has ``current``, the resource as last seen (with ``id``).
        - ``pending(item)``: whether to wait before writing the item (its ``current`` is PENDING_*).
        - ``write(items)``: write them (one PUT, or a bounded pool of writes); returns ``(item, error)``
          for each the API refused because of a PENDING status. Other failures are ``write``'s own.
        - ``read()``: ``{id: resource}`` of the items waited on: one GET, or the scope's listing
          (one request for every item). A resource missing there was deleted.
        - ``replan(item, resource or None)``: plan the item again from what was read; True when it
          still has something to write (the wait can end in a resource someone else changed).
        - ``fail(item, error)``: the item failed (raise, or record it and go on with the others).
        - ``label(item)`` and ``describe(items waited on, last read)``: words for the messages.

        Waiting goes on until ``deadline`` (``timeout`` seconds from the start, named by
        ``option`` in the message), not for a fixed number of attempts; a write refused as
        PENDING after the deadline fails with the API's words.
        """
        while todo:
            waiting = [item for item in todo if pending(item)]
            refused = write([item for item in todo if not pending(item)])
            for item, error in refused:
                if time.monotonic() >= deadline:
                    fail(item, ApiError('%s stayed in a PENDING status for %s seconds%s; the API said: %s'
                                        % (label(item), timeout, ' (%s)' % (option or 'wait_timeout'), error),
                                        error.method, error.url, error.status, error.api_message))
                    continue
                item.current = dict(item.current, status='PENDING_UPDATE')
                waiting.append(item)
            if not waiting:
                return
            ids = [item.current['id'] for item in waiting]
            try:
                found = self.wait_for(read, lambda listing, ids=ids: all(settled(listing.get(rid)) for rid in ids),
                                      lambda listing, waiting=waiting: describe(waiting, listing),
                                      deadline, timeout, option=option)
            except ApiError as exc:
                for item in waiting:
                    fail(item, exc)
                return
            todo = [item for item in waiting if replan(item, found.get(item.current['id']))]
