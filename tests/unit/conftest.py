# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests (the helpers themselves live in api.py)."""

from __future__ import annotations

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils import _client, _fleet, _resource, _store
from ansible_collections.vpnaas.cloud.tests.unit.api import install, run_module


class FakeClock:
    """Stands in for time.sleep and time.monotonic in the client and the engine: waits take no time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every unit test runs on a fake clock; ``clock.sleeps`` lists the waits asked for."""
    fake = FakeClock()
    for module in (_client, _fleet, _resource, _store):
        monkeypatch.setattr(module.time, 'sleep', fake.sleep)
        monkeypatch.setattr(module.time, 'monotonic', fake.monotonic)
    return fake


@pytest.fixture
def api(monkeypatch):
    """A scripted API; fails the test if any expected exchange is left unused."""
    conversation = install(monkeypatch)
    yield conversation
    assert not conversation.expected, 'expected requests never sent: %s' % conversation.expected


@pytest.fixture
def run(capsys):
    """``run(main, args, check_mode=False, diff=False)`` -> (result, failed, raw stdout)."""
    return lambda main, args, **kw: run_module(main, capsys, args, **kw)
