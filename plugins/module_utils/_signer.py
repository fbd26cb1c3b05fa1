# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud / Open Telekom Cloud AK/SK request signing (``SDK-HMAC-SHA256``).

Private to the collection: the names and signatures here may change at any time.

Standard library only.  The behaviour follows the signer of Huawei's Python SDK
(``huaweicloudsdkcore``), which the unit tests use as an oracle:

* every header given is signed, except those whose name contains ``_``; names are
  lower-cased and sorted, values stripped of surrounding whitespace;
* ``Host`` is always signed: when the caller does not give one, the URL's
  ``host[:port]`` is used, exactly as the SDK does;
* the path is percent-decoded, split on ``/``, each segment re-encoded (UTF-8,
  only ``A-Z a-z 0-9 _ . - ~`` left as is) and a ``/`` is appended if missing;
* the query is decoded (``+`` is a space), the ``(key, value)`` pairs are sorted on
  their decoded text, then encoded like path segments (so a space is ``%20``) and
  joined as ``k=v`` with ``&``; blank values are kept as ``k=``;
* the payload hash is the hex SHA-256 of the body (that of ``b''`` when the body is
  empty), or the value of an ``X-Sdk-Content-Sha256`` header (e.g.
  ``UNSIGNED-PAYLOAD``) when the body is not empty and that header is given.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
DATE_HEADER = 'X-Sdk-Date'
CONTENT_SHA256_HEADER = 'X-Sdk-Content-Sha256'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()


def sdk_date(now: datetime | None = None) -> str:
    """Return ``now`` (default: the current time) in UTC as ``YYYYmmddTHHMMSSZ``; a naive ``now`` is taken as UTC."""
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    return now.strftime(DATE_FORMAT)


def _encode(text: str) -> str:
    """Percent-encode UTF-8 text, leaving only unreserved characters (``~`` included) as they are."""
    return quote(text, safe='~')


def canonical_uri(path: str) -> str:
    """Decode the URL path, re-encode each ``/``-separated segment, and make it end with ``/``."""
    uri = '/'.join(_encode(segment) for segment in unquote(path).split('/'))
    return uri if uri.endswith('/') else uri + '/'


def canonical_query(query: str) -> str:
    """Decode the query string, sort its pairs on the decoded text, re-encode and join them."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return '&'.join(f'{_encode(key)}={_encode(value)}' for key, value in pairs)


def _find_header(headers: dict, name: str) -> str | None:
    """Return the value of a header whatever the case of its name, or None."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def headers_to_sign(url: str, headers: dict) -> dict:
    """Return the headers the signature covers: those given, plus ``Host`` from the URL if it is missing."""
    if _find_header(headers, 'Host') is not None:
        return dict(headers)
    return dict(headers, Host=urlsplit(url).netloc)


def signed_header_names(headers: dict) -> list:
    """Lower-cased, sorted names of the headers that are signed (a name holding ``_`` is not)."""
    return sorted(name.lower() for name in headers if '_' not in name)


def canonical_headers(headers: dict, names: list) -> str:
    """``name:value`` lines (values stripped) for the signed names, each ending with a newline."""
    values = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    return ''.join(f'{name}:{values[name]}\n' for name in names)


def payload_hash(headers: dict, body: bytes | str | None) -> str:
    """Hex SHA-256 of the body, or the ``X-Sdk-Content-Sha256`` header's value for a non-empty body."""
    if not body:
        return EMPTY_BODY_SHA256
    declared = _find_header(headers, CONTENT_SHA256_HEADER)
    if declared:
        return declared
    if isinstance(body, str):
        body = body.encode('utf-8')
    return hashlib.sha256(body).hexdigest()


def canonical_request(method: str, url: str, headers: dict, body: bytes | str | None) -> str:
    """The canonical request: method, URI, query, headers, signed names and payload hash, one per line.

    ``headers`` must be the complete signed set (see :func:`headers_to_sign`).
    """
    parts = urlsplit(url)
    names = signed_header_names(headers)
    return '\n'.join((method.upper(), canonical_uri(parts.path), canonical_query(parts.query),
                      canonical_headers(headers, names), ';'.join(names), payload_hash(headers, body)))


def string_to_sign(canonical: str, date: str) -> str:
    """``SDK-HMAC-SHA256``, the date and the hex SHA-256 of the canonical request, one per line."""
    digest = hashlib.sha256(canonical.encode('utf-8')).hexdigest()
    return f'{ALGORITHM}\n{date}\n{digest}'


def signature(secret_key: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key."""
    return hmac.new(secret_key.encode('utf-8'), to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def sign(method: str, url: str, headers: dict, body: bytes | str | None,  # pylint: disable=too-many-arguments
         access_key: str, secret_key: str, sdk_date: str) -> str:  # pylint: disable=redefined-outer-name
    """Return the ``Authorization`` header value for this request.

    ``url`` is the full URL as sent (scheme, host[:port], percent-encoded path and query);
    ``headers`` are the headers that will be sent and must hold ``X-Sdk-Date`` equal to
    ``sdk_date`` (ValueError otherwise).  All of them are signed except names containing
    ``_``; ``Host`` is signed too, taken from the URL when absent.  ``headers`` is not changed.
    """
    if _find_header(headers, DATE_HEADER) != sdk_date:
        raise ValueError(f'the {DATE_HEADER} header must be present and equal to sdk_date')
    signed = headers_to_sign(url, headers)
    names = signed_header_names(signed)
    canonical = canonical_request(method, url, signed, body)
    proof = signature(secret_key, string_to_sign(canonical, sdk_date))
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, Signature={proof}"
