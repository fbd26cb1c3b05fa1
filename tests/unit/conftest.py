# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests (the helpers themselves live in api.py)."""

from __future__ import annotations

import pytest

from ansible_collections.vpnaas.cloud.tests.unit.api import install, run_module


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
