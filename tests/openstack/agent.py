# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the VPN agent of a real Neutron server: it settles PENDING_* statuses.

No VPN agent runs in the tests, so a new connection or VPN service would stay in
PENDING_CREATE forever. A real agent reports the status over RPC and the plugin writes it
into the ``status`` column; this stand-in writes that column directly, ``delay`` seconds after
it first saw the PENDING_* status:

* PENDING_CREATE / PENDING_UPDATE become ACTIVE (what an agent with a working tunnel reports);
* with ``delay`` 0, a POST's PENDING_CREATE is settled before the next request is served;
* a status set through the control API (``hold``) is left alone when ``delay`` is 0, so a test
  can keep a connection in PENDING_UPDATE; with a delay it settles like any other; with
  ``settle_after`` it becomes ACTIVE after exactly that many seconds, whatever the status set
  (DOWN too: the tunnel coming up), as the emulator's PATCH option does.

Standard library only (it runs inside the Neutron venv, next to Neutron).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

TABLES = ('ipsec_site_connections', 'vpnservices')
PENDING = ('PENDING_CREATE', 'PENDING_UPDATE')
TICK = 0.1  # seconds between two looks at the database


class AgentStandIn:
    """Settle PENDING_* statuses of connections and VPN services after ``delay`` seconds."""

    def __init__(self, connect: Callable, lock, delay: float) -> None:
        self.connect = connect
        self.lock = lock  # shared with the WSGI middleware: one writer at a time
        self.default_delay = delay
        self.delay = delay
        self.first_seen: dict[tuple[str, str], float] = {}
        self.held: set[tuple[str, str]] = set()
        self.settle_at: dict[tuple[str, str], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='agent-stand-in', daemon=True)

    def start(self) -> None:
        """Start looking at the database every TICK seconds."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (bounded wait)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def reset(self) -> None:
        """Back to the start-up delay; forget what was seen and held."""
        self.delay = self.default_delay
        self.first_seen.clear()
        self.held.clear()
        self.settle_at.clear()

    def hold(self, table: str, rid: str, status: str, settle_after: float | None = None) -> None:
        """Note a status set through the control API (see the module docstring)."""
        key = (table, rid)
        self.first_seen[key] = time.monotonic()
        self.settle_at.pop(key, None)
        if settle_after is not None:
            self.settle_at[key] = time.monotonic() + settle_after
        if status in PENDING:
            self.held.add(key)
        else:
            self.held.discard(key)

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            with self.lock:
                self.step()

    def step(self) -> None:
        """Look once: note new PENDING_* rows and settle those whose delay is over (call with the lock held)."""
        now = time.monotonic()
        connection = self.connect()
        try:
            for table in TABLES:
                rows = connection.execute('SELECT id FROM %s WHERE status IN (?, ?)' % table, PENDING).fetchall()
                pending = {(table, row[0]) for row in rows}
                for key in pending:
                    self.first_seen.setdefault(key, now)
                due = [key for key in pending if self._due(key, now)]
                due += [key for key, when in list(self.settle_at.items())
                        if key[0] == table and key not in pending and now >= when]
                for key in due:
                    connection.execute('UPDATE %s SET status = ? WHERE id = ?' % table, ('ACTIVE', key[1]))
                    self.first_seen.pop(key, None)
                    self.held.discard(key)
                    self.settle_at.pop(key, None)
            connection.commit()
        finally:
            connection.close()

    def _due(self, key: tuple[str, str], now: float) -> bool:
        if key in self.settle_at:
            return now >= self.settle_at[key]
        if key in self.held and self.delay <= 0:
            return False
        return now - self.first_seen[key] >= self.delay
