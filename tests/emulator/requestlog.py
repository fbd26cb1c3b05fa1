# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request log of ``GET /_emulator/log``, with secrets masked."""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .messages import Request
from .resources import MASK

SECRET_KEYS = frozenset(("psk", "password", "secret", "secret_key", "token", "security_token"))
MAX_ENTRIES = 10000
_SECRET_NAMES = "|".join(sorted(SECRET_KEYS))
_SECRET_TEXT = re.compile(rf'("(?:{_SECRET_NAMES})"\s*:\s*)"(?:[^"\\]|\\.)*"?', re.IGNORECASE)


def mask(value: Any) -> Any:
    """Return ``value`` with every secret-named key (recursively) replaced by the mask."""
    if isinstance(value, dict):
        return {key: MASK if str(key).lower() in SECRET_KEYS else mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def mask_text(text: str) -> str:
    """Mask ``"psk": "..."`` style pairs in a body that is not valid JSON (e.g. truncated)."""
    return _SECRET_TEXT.sub(lambda match: f'{match.group(1)}"{MASK}"', text)


def mask_query(query: str) -> str:
    """Mask secret-named query parameters."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key.lower() in SECRET_KEYS for key, _value in pairs):
        return query
    return urlencode([(key, MASK if key.lower() in SECRET_KEYS else value) for key, value in pairs])


def loggable_body(raw: bytes) -> Any:
    """Return the body as logged: parsed JSON (masked), masked text, or None when empty."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return mask(json.loads(text))
    except ValueError:
        return mask_text(text)


class RequestLog:
    """Thread-safe, bounded, ordered list of served requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._seq = 0

    def record(self, request: Request, status: int | None, fault: str | None = None) -> None:
        """Append one entry (``status`` None when the connection was reset)."""
        entry: dict[str, Any] = {"method": request.method, "path": request.path, "query": mask_query(request.query),
                                 "body": loggable_body(request.body), "status": status}
        if fault:
            entry["fault"] = fault
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, **entry}
            self._entries.append(entry)
            del self._entries[:-MAX_ENTRIES]

    def entries(self) -> list[dict[str, Any]]:
        """Return a copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> list[dict[str, Any]]:
        """Empty the log (sequence numbers keep counting) and return what it held, oldest first."""
        with self._lock:
            taken = list(self._entries)
            self._entries.clear()
            return taken
