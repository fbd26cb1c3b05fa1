# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Injected faults (error answers, resets, delays, truncation, HTML pages) and the rate limiter."""

from __future__ import annotations

import collections
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .errors import error_body
from .messages import JSON_TYPE, Response

KINDS = ("status", "reset", "delay", "truncate", "html", "empty")
MAX_DELAY = 30.0
DEFAULT_STATUS = {"html": 502}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass
class Fault:  # pylint: disable=too-many-instance-attributes
    """One fault rule; ``times`` 0 means forever, ``remaining`` counts down otherwise."""

    id: int
    method: str
    path: str
    kind: str
    times: int = 1
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    before: bool = True
    remaining: int = 1
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request."""
        if self.times and self.remaining <= 0:
            return False
        return self.method in ("*", method) and re.search(self.path, path) is not None

    def replaces_before(self) -> bool:
        """Whether the answer is made up without processing the request."""
        return self.before and self.kind in ("status", "html", "empty", "reset")

    def replaces_after(self) -> bool:
        """Whether the request is processed, then its answer replaced or dropped."""
        return not self.before and self.kind in ("status", "html", "empty", "reset")

    def response(self, flavour: str) -> Response:
        """Return the made-up answer of this fault."""
        if self.kind == "reset":
            return Response(0, action="reset")
        if self.kind == "empty":
            return Response(self.status, b"", dict(self.headers))
        if self.kind == "html":
            page = f"<html><body><h1>{self.status} {_reason(self.status)}</h1></body></html>"
            return Response(self.status, page.encode("utf-8"), {"Content-Type": "text/html", **self.headers})
        return self._status_response(flavour)

    def _status_response(self, flavour: str) -> Response:
        body = self.body
        if body is None:
            body = error_body(flavour, self.status, "InjectedFault", f"{_reason(self.status)} (injected fault)")
        if isinstance(body, str):
            return Response(self.status, body.encode("utf-8"), {"Content-Type": "text/plain", **self.headers})
        return Response(self.status, json.dumps(body).encode("utf-8"), {"Content-Type": JSON_TYPE, **self.headers})

    def public(self) -> dict[str, Any]:
        """Return the rule as shown by ``GET /_emulator/faults``."""
        return {"id": self.id, "method": self.method, "path": self.path, "kind": self.kind, "times": self.times,
                "remaining": self.remaining if self.times else None, "used": self.used, "status": self.status,
                "body": self.body, "headers": self.headers, "delay": self.delay, "before": self.before}


def _number(spec: dict[str, Any], key: str, default: float, minimum: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError(f"{key} must be a number >= {minimum}")
    return value


def parse_fault(fault_id: int, spec: Any) -> Fault:
    """Build a :class:`Fault` from a control-API body; raise ValueError when invalid."""
    if not isinstance(spec, dict):
        raise ValueError("the body must be a JSON object")
    unknown = sorted(set(spec) - {"method", "path", "times", "kind", "status", "body", "headers", "delay", "before"})
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(unknown)}")
    kind = spec.get("kind", "status")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    path = spec.get("path", "")
    try:
        re.compile(path)
    except (re.error, TypeError) as exc:
        raise ValueError(f"path is not a valid regular expression: {exc}") from None
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError("headers must be an object of strings")
    times = int(_number(spec, "times", 1, 0))
    return Fault(id=fault_id, method=str(spec.get("method", "*")).upper(), path=path, kind=kind, times=times,
                 status=int(_number(spec, "status", DEFAULT_STATUS.get(kind, 503), 100)), body=spec.get("body"),
                 headers=headers, delay=min(_number(spec, "delay", 0.0, 0), MAX_DELAY),
                 before=bool(spec.get("before", True)), remaining=times)


class FaultRegistry:
    """Thread-safe list of fault rules; the first matching rule with uses left wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: Any) -> Fault:
        """Register a rule from a control-API body."""
        with self._lock:
            fault = parse_fault(self._next_id, spec)
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Return the rule for a request and count one use."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1 if fault.times else 0
                    fault.used += 1
                    return fault
        return None

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._faults.clear()

    def remove(self, fault_id: int) -> bool:
        """Remove one rule; False when unknown."""
        with self._lock:
            before = len(self._faults)
            self._faults = [fault for fault in self._faults if fault.id != fault_id]
            return len(self._faults) != before

    def public(self) -> list[dict[str, Any]]:
        """Return every rule with its remaining count."""
        with self._lock:
            return [fault.public() for fault in self._faults]


class RateLimiter:
    """At most ``rate`` accepted requests in any 1 second window (0: unlimited)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: collections.deque[float] = collections.deque()

    def allow(self, rate: float) -> bool:
        """Record a request; False when it is over the limit (it is then not counted)."""
        if rate <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            while self._stamps and now - self._stamps[0] >= 1.0:
                self._stamps.popleft()
            if len(self._stamps) >= rate:
                return False
            self._stamps.append(now)
            return True

    def reset(self) -> None:
        """Forget past requests."""
        with self._lock:
            self._stamps.clear()
