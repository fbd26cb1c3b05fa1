# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification of Huawei/OTC ``SDK-HMAC-SHA256`` (AK/SK) request signatures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote

from .config import PROJECT_ID, Config
from .messages import Request

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW_SECONDS = 15 * 60


class SignatureError(Exception):
    """The request carries an AK/SK signature that does not verify."""


def is_signed(request: Request) -> bool:
    """Whether the request uses AK/SK signing."""
    return (request.header("Authorization") or "").startswith(ALGORITHM + " ")


def parse_authorization(value: str) -> dict[str, str]:
    """Split ``SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=HEX`` into its parts."""
    parts = {}
    for item in value[len(ALGORITHM):].split(","):
        name, _sep, content = item.strip().partition("=")
        parts[name] = content
    return parts


def canonical_uri(path: str) -> str:
    """Percent-encode each path segment (``~`` kept) and end with ``/``."""
    uri = "/".join(quote(segment, safe="~") for segment in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    """Sorted, percent-encoded ``key=value`` pairs joined by ``&``."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{quote(key, safe='~')}={quote(value, safe='~')}" for key, value in pairs)


def canonical_request(request: Request, signed_headers: list[str]) -> str:
    """Build the canonical request the signature covers."""
    headers = {name.lower(): value.strip() for name, value in request.headers.items()}
    canonical_headers = "".join(f"{name}:{headers.get(name, '')}\n" for name in signed_headers)
    payload = hashlib.sha256(request.body).hexdigest()
    if request.body and "x-sdk-content-sha256" in headers:
        payload = headers["x-sdk-content-sha256"]
    return "\n".join((request.method.upper(), canonical_uri(request.path), canonical_query(request.query),
                      canonical_headers, ";".join(signed_headers), payload))


def signature(secret_key: str, date: str, canonical: str) -> str:
    """Return the hex HMAC-SHA256 of the string to sign."""
    to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def check_date(date: str) -> None:
    """The X-Sdk-Date must be within 15 minutes of now."""
    try:
        moment = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError("invalid X-Sdk-Date") from None
    if abs((datetime.now(timezone.utc) - moment).total_seconds()) > MAX_SKEW_SECONDS:
        raise SignatureError("X-Sdk-Date is too far from the current time")


def verify(request: Request, config: Config) -> None:
    """Raise :class:`SignatureError` unless the request is correctly signed with the configured AK/SK."""
    parts = parse_authorization(request.header("Authorization") or "")
    if parts.get("Access") != config.access_key:
        raise SignatureError("unknown access key")
    project = request.header("X-Project-Id")
    if project is not None and project != PROJECT_ID:
        raise SignatureError("X-Project-Id does not match the access key's project")
    date = request.header("X-Sdk-Date") or ""
    check_date(date)
    signed = [name for name in parts.get("SignedHeaders", "").split(";") if name]
    expected = signature(config.secret_key, date, canonical_request(request, signed))
    if not hmac.compare_digest(expected, parts.get("Signature", "")):
        raise SignatureError("verify aksk signature fail")
