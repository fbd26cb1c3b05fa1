# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory resource store with lazily computed PENDING_* windows.

Callers hold :attr:`Store.lock` around a whole request so that check-then-change is atomic.
Status transitions are timestamps: nothing runs in the background; every read first
"settles" transitions whose time has passed.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from .config import Config
from .resources import CONNECTION_REFERENCES, SPECS


@dataclass
class Pending:
    """A status transition in progress: at ``until`` the status becomes ``after`` (None: deleted)."""

    until: float
    after: str | None


class Store:
    """All resources, by list key (``ipsec_site_connections``) then id, in creation order."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.RLock()
        self._config = config
        self._clock = clock
        self._tables: dict[str, dict[str, dict[str, Any]]] = {}
        self._pending: dict[tuple[str, str], Pending] = {}
        self._rng = random.Random()
        self._counter = 0
        self.reset()

    def reset(self) -> None:
        """Drop every resource and restart the id sequence (deterministic with ``id_seed``)."""
        with self.lock:
            self._tables = {spec.plural: {} for spec in SPECS}
            self._pending.clear()
            self._rng = random.Random(self._config.id_seed)
            self._counter = 0

    def new_id(self) -> str:
        """Return a new UUID4-format id (reproducible when ``id_seed`` is set)."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_number(self) -> int:
        """Return a counter value (used for addresses such as external_v4_ip)."""
        self._counter += 1
        return self._counter

    @staticmethod
    def timestamp() -> str:
        """Return the current UTC time in Neutron's ``YYYY-mm-dd HH:MM:SS.ffffff`` format."""
        return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

    def items(self, plural: str) -> list[dict[str, Any]]:
        """Return the stored objects of a collection (settled, creation order)."""
        self._settle()
        return list(self._tables[plural].values())

    def get(self, plural: str, rid: str) -> dict[str, Any] | None:
        """Return the stored object or None."""
        self._settle()
        return self._tables[plural].get(rid)

    def put(self, plural: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace an object (keyed by its ``id``)."""
        self._tables[plural][record["id"]] = record
        return record

    def remove(self, plural: str, rid: str) -> None:
        """Delete an object at once."""
        self._tables[plural].pop(rid, None)
        self._pending.pop((plural, rid), None)

    def clear_pending(self, plural: str, rid: str) -> None:
        """Forget a transition in progress (e.g. when the status is forced)."""
        self._pending.pop((plural, rid), None)

    def is_pending(self, plural: str, rid: str) -> bool:
        """Whether a transition is in progress for the object."""
        self._settle()
        return (plural, rid) in self._pending

    def transition(self, plural: str, record: dict[str, Any], state: str, after: str | None,
                   answer_pending: bool = False) -> None:
        """Put ``record`` in ``state`` for ``pending_seconds``, then ``after`` (None: delete).

        With ``pending_seconds`` 0 the final state is applied at once, unless ``answer_pending``:
        then ``record`` (the answer being built) still shows ``state`` and the next read shows
        ``after`` (a real Neutron answers a POST with PENDING_CREATE whatever its agent does).
        """
        seconds = float(self._config.pending_seconds)
        if seconds <= 0 and answer_pending:
            record["status"] = state
            self._pending[(plural, record["id"])] = Pending(self._clock(), after)
            return
        if seconds <= 0:
            self._finish(plural, record["id"], after)
            return
        record["status"] = state
        self._pending[(plural, record["id"])] = Pending(self._clock() + seconds, after)

    def settle_later(self, plural: str, rid: str, seconds: float, after: str) -> None:
        """Make the status of an object become ``after`` in ``seconds`` (the agent reporting)."""
        self._pending[(plural, rid)] = Pending(self._clock() + seconds, after)

    def users(self, plural: str, rid: str) -> list[str]:
        """Return the ids of connections that reference object ``rid`` of ``plural``."""
        attributes = CONNECTION_REFERENCES.get(plural, ())
        return [conn["id"] for conn in self.items("ipsec_site_connections")
                if any(conn.get(attr) == rid for attr in attributes)]

    def _finish(self, plural: str, rid: str, after: str | None) -> None:
        self._pending.pop((plural, rid), None)
        if after is None:
            self.remove(plural, rid)
        elif rid in self._tables[plural]:
            self._tables[plural][rid]["status"] = after

    def _settle(self) -> None:
        now = self._clock()
        for (plural, rid), pending in list(self._pending.items()):
            if now >= pending.until:
                self._finish(plural, rid, pending.after)
