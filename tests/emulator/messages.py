# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain request and response objects passed between the HTTP layer and the emulated APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import ApiError

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Request:
    """One HTTP request as read from the socket."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """Return a header value, matching the name case-insensitively."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    def json(self) -> Any:
        """Return the parsed JSON body (None when empty) or raise Neutron's MalformedRequestBody."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, "MalformedRequestBody", f"Malformed request body: {exc}") from None


@dataclass
class Response:
    """An HTTP answer. ``action`` tells the HTTP layer how to deliver it (send, reset, truncate)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "send"

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        """Build a JSON response."""
        merged = {"Content-Type": JSON_TYPE}
        merged.update(headers or {})
        return cls(status, json.dumps(payload).encode("utf-8"), merged)

    @classmethod
    def error(cls, err: ApiError, flavour: str) -> Response:
        """Build the flavour's error response for ``err``."""
        return cls.json(err.status, err.body(flavour), err.headers)

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        """Build a response without a body."""
        return cls(status)
