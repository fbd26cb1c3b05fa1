# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: session, authentication, endpoint, JSON envelope, errors.

Private to the collection: the names and signatures here may change at any time.

Modules never build headers or parse error bodies themselves.  Everything that
goes wrong on the wire becomes an ``ApiError`` whose text is already fit for
``fail_json``: it names the request, the HTTP status and quotes the API's own
words, and it never contains a secret.

Every answer is untrusted input.  The client therefore

* follows no redirect: a 3xx fails, naming its ``Location``, so a credential never
  travels to a host (or a scheme) that the user did not configure;
* sends a request only to the origin (scheme, host, port) of ``endpoint``,
  ``auth_url`` or the token's catalog: nothing an answer says can move it;
* reads at most ``MAX_BODY_BYTES`` of any body, after decompression, and ends
  each attempt within ``timeout`` seconds (connect, headers and body together);
* parses error bodies with linear text processing only, and quotes at most
  ``MAX_MESSAGE`` characters of them, redacted before they are shortened.
"""

from __future__ import annotations

import json
import math
import random
import re
import signal
import socket
import threading
import time
import traceback
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, urlsplit

from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import (
    aksk_endpoint,
    origin,
    origin_text,
    resolve,
    select_auth,
    validate_connection,
)
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import Secrets, shorten

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib()
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = '0.1.0'
API_VERSION = 'v2.0'
_REQUEST_ID_HEADERS = ('X-Openstack-Request-Id', 'X-Request-Id', 'X-Compute-Request-Id')
#: Statuses worth retrying: throttled, unavailable, or a gateway that lost the backend.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
DEFAULT_RETRIES = 4
BACKOFF_BASE = 0.5       # seconds before the first retry
BACKOFF_CAP = 8.0        # seconds, at most, between two attempts
RETRY_AFTER_CAP = 60.0   # seconds: a longer Retry-After is cut to this
#: Pages one listing follows at most, and for how long: a server that keeps linking onwards cannot hold us.
MAX_PAGES = 1000
MAX_LISTING_SECONDS = 600
MAX_LISTED_ITEMS = 200000
#: Bytes of one response body read at most, after decompression (a listing of about 45,000 connections).
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Characters of the API's own words quoted in a message (after redaction).
MAX_MESSAGE = 1000
#: How much of an error body is looked at to find its message, and how deep its JSON may nest.
_ERROR_SCAN = 64 * 1024
MAX_JSON_DEPTH = 64
_CHUNK = 64 * 1024
#: What an endpoint looks like on each cloud, for the hint of a 404 on a collection.
ENDPOINT_FORMS = ('on OpenStack the network service of the Keystone catalog, e.g. https://neutron.example.com:9696; '
                  'on Huawei Cloud https://vpc.<region>.myhuaweicloud.com; on Open Telekom Cloud / T Cloud Public '
                  'https://vpc.<region>.otc.t-systems.com')


# ---------------------------------------------------------------------------
# Error bodies
# ---------------------------------------------------------------------------

def _text_of(value: object) -> str:
    """A field of an error body as text, whatever JSON type the server put there."""
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):  # pragma: no cover - json.loads output always dumps
        return str(value)


def _message_from_json(data: object, depth: int = 0) -> str:
    """Pull the human message out of any of the error shapes the VPN APIs use.

    Shapes (API-NOTES): Neutron ``{"NeutronError": {"type", "message"}}``;
    keystonemiddleware ``{"error": {"code", "title", "message"}}``; Huawei
    ``{"error_code", "error_msg"}``; Huawei v5 ``{"code", "message"}``; and OTC's
    hybrid, whose ``message`` is itself a JSON-encoded Neutron error.
    """
    if not isinstance(data, dict):
        return ''
    neutron = data.get('NeutronError')
    if isinstance(neutron, dict):
        kind, message = _text_of(neutron.get('type')), _text_of(neutron.get('message'))
        return '%s: %s' % (kind, message) if kind and message else (message or kind)
    if isinstance(neutron, str):
        return neutron
    error = data.get('error')
    if isinstance(error, dict):
        return _text_of(error.get('message')) or _text_of(error.get('title'))
    if 'error_msg' in data or 'error_code' in data:
        return _coded(data.get('error_code'), data.get('error_msg'))
    if 'message' in data:
        message = data.get('message')
        inner = _json_or_none(message) if isinstance(message, str) and depth < 2 else None
        if isinstance(inner, dict):
            message = _message_from_json(inner, depth + 1) or message
        return _coded(data.get('code'), message)
    return ''


def _coded(code: object, message: object) -> str:
    """``CODE: message`` when both are present."""
    code, message = _text_of(code), _text_of(message)
    if code and message:
        return '%s: %s' % (code, message)
    return message or code


def _json_or_none(text: str) -> object:
    """Parse ``text`` as JSON, or return None (also for JSON nested too deeply to parse)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


_TAGS = re.compile(r'<[^<>]*>')


def _message_from_html(text: str) -> str:
    """The title or first heading of an HTML error page, as a proxy sends it.

    Linear in the size of the page: ``str.find`` and a tag pattern that cannot
    backtrack across another ``<`` (a page of many unclosed tags stays cheap).
    """
    lower = text.lower()
    for tag in ('title', 'h1'):
        start = lower.find('<' + tag)
        opened = lower.find('>', start) if start >= 0 else -1
        closed = lower.find('</' + tag, opened) if opened >= 0 else -1
        if closed >= 0:
            words = re.sub(r'\s+', ' ', _TAGS.sub('', text[opened + 1:closed])).strip()
            if words:
                return 'HTML page: %s' % words
    return 'HTML page without a title'


def parse_error_body(text: str) -> str:
    """The API's own words from an error response body, whatever its shape (not yet redacted or shortened)."""
    stripped = (text or '').strip()
    if not stripped:
        return 'empty response body'
    data = _json_or_none(stripped) if stripped[:1] in '{["' else None
    if data is not None:
        return _message_from_json(data) or stripped[:_ERROR_SCAN]
    if stripped.startswith('<'):
        return _message_from_html(stripped[:_ERROR_SCAN])
    return stripped[:_ERROR_SCAN]


def printable_text(text: str) -> str:
    """``text`` with control characters shown as escapes (a server's words must not drive the terminal)."""
    if text.isprintable():
        return text
    return ''.join(char if char.isprintable() or char == ' ' else repr(char)[1:-1] for char in text)


# ---------------------------------------------------------------------------
# URLs and origins
# ---------------------------------------------------------------------------

def base_endpoint(url: str) -> str:
    """The API root without a trailing slash or ``/v2.0``: both spellings are common in catalogs."""
    url = url.rstrip('/')
    if url.endswith('/' + API_VERSION):
        url = url[:-len(API_VERSION) - 1]
    return url


# ---------------------------------------------------------------------------
# Bounded reading
# ---------------------------------------------------------------------------

class _Deadline(BaseException):
    """Raised by the alarm when one attempt outlives its deadline (a BaseException, so nothing on the way catches it)."""


@contextmanager
def _deadline(seconds: float):
    """End the block after ``seconds`` of wall time, however the server drips its answer.

    ``requests``' own timeout applies to each read, so a server that sends a byte a
    second never trips it; an interval timer does.  Modules run in the main thread
    of their own process, where signals work; elsewhere (a thread of an event
    source) the per-read timeout and the deadline checks of the body loop remain.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, 'setitimer'):
        yield
        return

    def expire(_signum, _frame):
        raise _Deadline()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _TooLarge(Exception):
    """A body over MAX_BODY_BYTES."""


def _read_body(response, limit: int, deadline: float) -> None:
    """Read the body into the response, at most ``limit`` bytes after decompression, by ``deadline``."""
    declared = (response.headers.get('Content-Length') or '').strip()
    if declared.isdigit() and int(declared) > limit and response.headers.get('Content-Encoding') in (None, 'identity'):
        raise _TooLarge()
    data = bytearray()
    for chunk in response.iter_content(_CHUNK):
        data += chunk
        if len(data) > limit:
            raise _TooLarge()
        if time.monotonic() > deadline:
            raise _Deadline()
    response._content = bytes(data)  # pylint: disable=protected-access
    response._content_consumed = True  # pylint: disable=protected-access


def response_text(response, limit: int = None) -> str:
    """The body as text (UTF-8 unless the server names a codec Python knows), bad bytes replaced."""
    content = response.content or b''
    if limit is not None:
        content = content[:limit]
    encoding = response.encoding or 'utf-8'
    try:
        return content.decode(encoding, errors='replace')
    except LookupError:
        return content.decode('utf-8', errors='replace')


def _nesting_within(data: object, limit: int) -> bool:
    """Whether JSON data nests no deeper than ``limit`` (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return True


def json_kind(data: object) -> str:
    """How a message names the JSON type of an unexpected answer."""
    if data is None:
        return 'null'
    return {dict: 'an object', list: 'a list', str: 'a string', bool: 'a boolean'}.get(type(data), 'a number')


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------

class Client:
    """Talks to one VPN API endpoint for the duration of one module run."""

    def __init__(self, params: dict, secrets=None, log=None) -> None:
        self.secrets = secrets if isinstance(secrets, Secrets) else Secrets(secrets or ())
        self.params = params = resolve(params)
        validate_connection(params)  # again: clouds.yaml may have filled options in
        self.auth = select_auth(params)
        for value in self.auth.secrets():
            self.secrets.add(value)
        self._log = log or (lambda message: None)
        self.timeout = params.get('timeout') or 30
        self.retries = params.get('retries') if params.get('retries') is not None else DEFAULT_RETRIES
        self.retried = []
        self.verify = params.get('ca_path') or params.get('validate_certs') is not False
        self.session = self._new_session()
        #: The origins a request may go to: those of the options, then that of the token's catalog.
        self.origins = set()
        #: Where the endpoint came from, for the hint of a 404 on a collection.
        self.endpoint_source = 'the endpoint option' if params.get('endpoint') else "the token's catalog"
        if self.auth.name == 'aksk':
            self._endpoint = base_endpoint(aksk_endpoint(params))
            if not params.get('endpoint'):
                self.endpoint_source = 'derived from region'
        else:
            self._endpoint = base_endpoint(params['endpoint']) if params.get('endpoint') else None
        for url in (self._endpoint, getattr(self.auth, 'auth_url', None)):
            if url:
                self.origins.add(origin(url))

    @staticmethod
    def _new_session():
        session = requests.Session()
        session.headers.update({
            'Accept': 'application/json',
            'User-Agent': 'vpnaas.cloud/%s python-requests/%s' % (COLLECTION_VERSION, requests.__version__),
        })
        return session

    # -- secrets -----------------------------------------------------------
    def add_secret(self, value: str) -> None:
        """Remember a value that must be scrubbed from every message."""
        self.secrets.add(value)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by the mask, in any of its forms."""
        return self.secrets.redact(text)

    def api_words(self, text: str) -> str:
        """Text from a server, fit for a message: redacted first, then control characters escaped, then shortened.

        Only the first ``_ERROR_SCAN`` characters are looked at (a 10 MB message costs what 64 KiB
        does); a secret cut at that boundary is still masked as a fragment, before the final cut.
        """
        return shorten(printable_text(self.redact(text[:_ERROR_SCAN])), MAX_MESSAGE)

    # -- endpoint ----------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The API root, logging in first when it has to come from the catalog."""
        if self._endpoint is None:
            self.ensure_login()
            self._endpoint = base_endpoint(self.auth.endpoint_from_catalog())
            self.origins.add(origin(self._endpoint))
        return self._endpoint

    def ensure_login(self) -> None:
        """Log in (once) when the method logs in and has no token yet."""
        if getattr(self.auth, 'needs_login', lambda: False)():
            self.auth.login(self)

    def url(self, *parts: str) -> str:
        """Absolute URL of an API path; each part is percent-encoded (ids come from users)."""
        return '/'.join([self.endpoint, API_VERSION] + [quote(str(part), safe='') for part in parts])

    # -- requests ----------------------------------------------------------
    def send(self, method: str, url: str, body: dict = None, query: dict = None, authenticated: bool = True):
        """Send one request and return the ``requests.Response``; raise ``ApiError`` on failure.

        Retries what is safe to retry (see ``_retry_delay``), each retry noted in
        ``self.retried``.  A 401 to a request made with a token from a login (which
        may have expired mid-task) is answered by logging in again, once; a POST is
        then not sent again here (it may have been carried out): the error, marked
        ``renewed``, goes to the caller, which looks the resource up first.
        """
        if authenticated:
            self.ensure_login()
        renewed = False
        for attempt in range(self.retries + 1):
            try:
                response = self._send_once(method, url, body, query, authenticated)
            except ApiError as exc:
                delay = self._retry_delay(method, attempt, exc=exc)
                if delay is None:
                    raise self._after_attempts(exc, attempt)
                self._note_retry(exc.note or str(exc), attempt, delay)
                continue
            if response.status_code == 401 and authenticated and not renewed and hasattr(self.auth, 'login'):
                self._log('vpnaas.cloud: %s %s answered 401; logging in again once' % (method, url))
                self.auth.login(self)
                renewed = True
                if method == 'POST':
                    error = self._http_error(response, method, url, authenticated)
                    error.renewed = True
                    raise error
                response = self._send_once(method, url, body, query, authenticated)
            if 300 <= response.status_code < 400:
                raise self._redirect_error(response, method, url)
            if response.status_code < 400:
                return response
            delay = self._retry_delay(method, attempt, response=response)
            if delay is None:
                raise self._after_attempts(self._http_error(response, method, url, authenticated), attempt)
            self._note_retry('%s %s answered HTTP %d' % (method, url, response.status_code), attempt, delay)
        raise self._http_error(response, method, url, authenticated)  # pragma: no cover - loop always returns

    def _after_attempts(self, error: ApiError, attempt: int) -> ApiError:
        """The final error of a request that was retried, saying how often it was tried."""
        if attempt:
            error.add_words(' (%d attempts; retries: %d)' % (attempt + 1, self.retries))
        return error

    def _retry_delay(self, method: str, attempt: int, response=None, exc: ApiError = None):
        """Seconds to wait before retrying, or None when the failure must not be retried.

        Retried: connection failures, read timeouts, 429 and 503 (after their
        ``Retry-After``), and 502/504.  A POST is retried only when it certainly
        was not processed (429, or no connection was made): creating twice is
        worse than failing, and the engine looks a created resource up instead.
        """
        if attempt >= self.retries:
            return None
        if exc is not None:
            if exc.status or not exc.transport or (method == 'POST' and exc.transport != 'connect'):
                return None
            return _backoff(attempt)
        status = response.status_code
        if status not in RETRY_STATUSES or (method == 'POST' and status != 429):
            return None
        retry_after = _retry_after(response.headers.get('Retry-After'))
        return retry_after if retry_after is not None else _backoff(attempt)

    def _note_retry(self, problem: str, attempt: int, delay: float) -> None:
        """Record and log a retry (``problem`` names the request), then wait for it."""
        note = self.redact('%s; retry %d of %d in %.1f s' % (problem, attempt + 1, self.retries, delay))
        self.retried.append(note)
        self._log('vpnaas.cloud: ' + note)
        time.sleep(delay)

    def _check_origin(self, method: str, url: str) -> None:
        """Refuse a URL outside the configured origins: credentials go only where the user pointed."""
        if origin(url) not in self.origins:
            raise self._error('not sent: %s is not the origin of endpoint, auth_url or the token catalog'
                              % origin_text(url), method, url)

    def _send_once(self, method: str, url: str, body: dict, query: dict, authenticated: bool):
        """One HTTP exchange, body read and bounded; transport failures become ``ApiError`` (``transport`` set)."""
        self._check_origin(method, url)
        self._log('vpnaas.cloud: %s %s' % (method, url))
        response, started = None, time.monotonic()
        try:
            with _deadline(self.timeout):
                response = self.session.request(
                    method, url, json=body, params=query, timeout=(self.timeout, self.timeout), verify=self.verify,
                    auth=self.auth if authenticated else None, allow_redirects=False, stream=True)
                _read_body(response, MAX_BODY_BYTES, started + self.timeout)
            return response
        except _Deadline:
            self._reset_session(response)
            error = self._transport_error('no answer in full from %s within %s seconds (timeout: the whole exchange, '
                                          'connect, headers and body, must end within it)', 'no answer in full within %s seconds'
                                          % self.timeout, method, url, 'read', self.timeout)
            raise error
        except _TooLarge:
            self._reset_session(response)
            raise self._error('answered with a body larger than %d MiB; not read' % (MAX_BODY_BYTES >> 20),
                              method, url, status=response.status_code if response is not None else 0)
        except requests.exceptions.SSLError as exc:
            error = self._error('TLS verification of %s failed (%s); set ca_path to the CA bundle that signed '
                                'its certificate, or validate_certs=false for a test endpoint'
                                % (_base_of(url), _tls_reason(exc)), method, _path_of(url))
            error.url = url
            raise error
        except requests.exceptions.ConnectTimeout:
            error = self._transport_error('cannot connect to %s: no connection within %s seconds',
                                          'no connection within %s seconds'
                                          % self.timeout, method, url, 'connect', self.timeout)
            raise error
        except requests.exceptions.Timeout:
            error = self._transport_error('no answer from %s within %s seconds (timeout)',
                                          'no answer within %s seconds' % self.timeout,
                                          method, url, 'read', self.timeout)
            raise error
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise self._error('the answer was cut short or could not be decoded', method, url, transport='read')
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                reason = _connection_reason(exc)
                error = self._transport_error('cannot connect to %s: ' + reason.replace('%', '%%'), reason, method, url,
                                              'connect')
                raise error
            reason = 'connection lost before a complete answer (%s)' % _root_cause(exc)
            error = self._transport_error('the connection to %s was lost before a complete answer (' + _root_cause(exc)
                                          .replace('%', '%%') + ')', reason, method, url, 'read')
            raise error
        except requests.exceptions.RequestException as exc:
            raise self._error('failed: %s' % _root_cause(exc), method, url)
        except (ValueError, UnicodeError, OSError) as exc:
            # What urllib3/http.client raise for answers they cannot parse at all (a broken status
            # line or header block), when requests does not wrap them.
            self._reset_session(response)
            raise self._error('the answer is not valid HTTP (%s)' % type(exc).__name__, method, url, transport='read')

    def _transport_error(self, detail: str, short: str, method: str, url: str, transport: str,
                         *more: object) -> ApiError:
        """The ApiError of a request that got no (complete) answer: it names ``host:port`` once, in ``detail``.

        ``detail`` is a format whose first ``%s`` is the host and port, followed by ``more``; the
        request is named by method and path (the URL would repeat the host). ``short`` makes the
        note of a retry, one line with the URL (``GET https://h:1/v2.0/vpn/x: connection refused``).
        """
        path = _path_of(url)
        error = self._error(detail % ((_host_port(url),) + more), method, path, transport=transport)
        error.url = url
        error.note = self.redact('%s %s: %s' % (method, url, short))
        return error

    def _reset_session(self, response) -> None:
        """Drop the connections after an exchange cut off midway (their state is unknown)."""
        try:
            if response is not None:
                response.close()
            self.session.close()
        except Exception:  # pylint: disable=broad-except  # best effort: the session is replaced anyway
            pass
        self.session = self._new_session()

    def _redirect_error(self, response, method: str, url: str) -> ApiError:
        """A 3xx: never followed, so a credential cannot be led to another host or to plain http."""
        location = response.headers.get('Location') or ''
        where = ' to %s' % self.api_words(location) if location else ' without a Location'
        detail = ('answered HTTP %d %s%s; redirects are not followed, so that credentials go only to the '
                  'configured origin %s: set endpoint (or auth_url) to the URL the service is really served at'
                  % (response.status_code, printable_text(response.reason or '')[:80], where, origin_text(url)))
        return self._error(detail, method, url, response.status_code, 'redirect' + where)

    def _http_error(self, response, method: str, url: str, authenticated: bool) -> ApiError:
        """The ApiError of an HTTP error status, naming the auth method on 401/403."""
        api_message = self.api_words(parse_error_body(response_text(response)))
        request_id = next((response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), '')
        request_id = shorten(printable_text(self.redact(request_id)), 80)
        detail = 'answered HTTP %d %s: %s' % (response.status_code, printable_text(response.reason or '')[:80],
                                              api_message)
        if response.status_code in (401, 403):
            detail += ' [%s]' % (self.auth.describe() if authenticated or hasattr(self.auth, 'login')
                                 else 'unauthenticated request')
        if request_id:
            detail += ' (request id %s)' % request_id
        return self._error(detail, method, url, response.status_code, api_message, request_id)

    def _error(self, detail: str, method: str, url: str, status: int = 0, api_message: str = '',
               request_id: str = '', transport: str = '') -> ApiError:
        """An ApiError naming the request, with every secret scrubbed from its text.

        ``detail`` says what went wrong: ``answered ...`` for an answer, anything else for a
        request that got none (``GET https://.../x: cannot connect ...``).
        """
        if method and url:
            detail = ('%s %s %s' if detail.startswith('answered') else '%s %s: %s') % (method, url, detail)
        error = ApiError(self.redact(detail), method, url, status, self.redact(api_message), request_id)
        error.transport = transport
        return error

    def decode(self, response, method: str) -> dict:
        """The JSON object of a successful answer ({} when the body is empty); anything else is an ApiError."""
        content = response.content or b''
        if not content.strip():
            return {}
        where = 'answered HTTP %d' % response.status_code
        try:
            data = json.loads(content.decode('utf-8-sig'))
        except RecursionError:
            raise self._error('%s with JSON nested too deeply to read' % where, method, response.url,
                              response.status_code) from None
        except ValueError:
            raise self._error('%s with a body that is not valid JSON: %s'
                              % (where, self.api_words(response_text(response, 200))), method, response.url,
                              response.status_code) from None
        if not isinstance(data, dict):
            raise self._error('%s with %s where a JSON object was expected' % (where, json_kind(data)),
                              method, response.url, response.status_code)
        if not _nesting_within(data, MAX_JSON_DEPTH):
            raise self._error('%s with JSON nested deeper than %d levels' % (where, MAX_JSON_DEPTH), method,
                              response.url, response.status_code)
        return data

    def call(self, method: str, parts: tuple, body: dict = None, query: dict = None) -> dict:
        """One VPN API call; returns the decoded JSON object ({} for an empty body)."""
        url = self.url(*parts)
        try:
            response = self.send(method, url, body=body, query=_query_text(query))
        except ApiError as exc:
            if exc.status == 404 and len(parts) == 2 and parts[0] == 'vpn':
                exc.add_hint(self.endpoint_hint(parts[1]))
            raise
        return self.decode(response, method)

    def endpoint_hint(self, collection: str) -> str:
        """Why a 404 on a collection (the list, or a create) means a wrong endpoint, and what a right one is.

        A 404 on one resource's id means that resource is absent; a 404 on the collection means
        that nothing serves the VPN API there.
        """
        return ('no VPN API answers at %s (no list of %s there): the endpoint %s (%s) is wrong, or the cloud '
                'does not offer VPNaaS. An endpoint is the API root, without /v2.0: %s'
                % (self.url('vpn'), collection, self.redact(self._endpoint or ''), self.endpoint_source, ENDPOINT_FORMS))

    def list_all(self, parts: tuple, list_key: str, query: dict = None) -> list:
        """Every item of a collection, following ``<list_key>_links`` ``rel: next`` pages.

        Neutron pages with ``limit``/``marker`` and links; Huawei/OTC document neither,
        and answer with everything at once.  The link's own scheme, host and port are
        never used (behind a proxy they often name an internal host): only its query
        is taken, on our endpoint.  At most MAX_PAGES pages, within MAX_LISTING_SECONDS.
        """
        items, seen_markers = [], set()
        params = dict(query or {})
        started = time.monotonic()
        for _page in range(MAX_PAGES):
            body = self.call('GET', parts, query=params)
            page = body.get(list_key)
            if page is None:
                page = []
            if not isinstance(page, list):
                raise self._error('answered HTTP 200 with %s as %s where a list was expected' % (json_kind(page), list_key),
                                  'GET', self.url(*parts), 200)
            items.extend(page)
            if len(items) > MAX_LISTED_ITEMS:
                raise self._error('the listing holds more than %d items; stopped there' % MAX_LISTED_ITEMS,
                                  'GET', self.url(*parts))
            next_query = _next_page_query(body.get(list_key + '_links'))
            marker = next_query.get('marker', [None])[-1]
            if not page or not marker or marker in seen_markers:
                return items
            seen_markers.add(marker)
            params = next_query
            if time.monotonic() - started > MAX_LISTING_SECONDS:
                break
        raise self._error('the listing did not end after %d pages and %d seconds (next links kept coming); '
                          'stopped there' % (_page + 1, time.monotonic() - started), 'GET', self.url(*parts))


def _backoff_cap(attempt: int) -> float:
    """The longest backoff before retry ``attempt + 1`` (``attempt`` counts from 0): 0.5, 1, 2, 4, 8, 8, ... seconds."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(attempt, 16)))


def _backoff(attempt: int) -> float:
    """Capped exponential backoff with jitter (half to full), so parallel jobs do not retry in step."""
    return _backoff_cap(attempt) * random.uniform(0.5, 1.0)


def retry_waits(retries: int, retry_after: bool = False) -> list:
    """The longest wait before each of ``retries`` retries: the backoff cap, or RETRY_AFTER_CAP when the
    server sends ``Retry-After`` (429, 503), which can be longer."""
    return [max(_backoff_cap(attempt), RETRY_AFTER_CAP if retry_after else 0.0) for attempt in range(retries)]


def failure_bound(timeout: float, retries: int, retry_after: bool = False) -> float:
    """Seconds within which one failing request ends: ``(retries + 1) * timeout`` plus the waits between.

    Each attempt ends within ``timeout`` (the deadline of ``_send_once``), there are at most
    ``retries + 1`` of them, and the waits are those of ``retry_waits``.  With the defaults
    (30 s, 4 retries): 150 + 0.5 + 1 + 2 + 4 = 157.5 s, or 390 s if the server asks for
    the longest ``Retry-After``.  A 401 answered by a new login adds that login and one attempt.
    """
    return (retries + 1) * timeout + sum(retry_waits(retries, retry_after))


def _retry_after(value: str):
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, min(RETRY_AFTER_CAP, seconds))


def _base_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL as written, for messages."""
    parts = urlsplit(url)
    return '%s://%s' % (parts.scheme, parts.netloc)


def _path_of(url: str) -> str:
    """The path of a URL (no host, no query), for naming a request whose host is named otherwise."""
    return urlsplit(url).path or '/'


def _host_port(url: str) -> str:
    """``host:port`` of a URL, for connection messages."""
    _scheme, host, port = origin(url)
    return '%s:%s' % (host, port)


def _root_cause(exc: Exception) -> str:
    """The innermost reason of a requests/urllib3 error, without urllib3's 'Max retries exceeded' wrapping."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, 'reason', reason)
    text = str(reason)
    # urllib3 prefixes "<urllib3.connection.HTTPConnection object at 0x...>: " to connection errors.
    text = _URLLIB3_PREFIX.sub('', text)
    return shorten(printable_text(text), 200)


#: urllib3 2 prefixes "HTTPConnection(host='h', port=1): " to its messages; urllib3 1 "<... object at 0x...>: ".
_URLLIB3_PREFIX = re.compile(r"^(<[^<>]*>|\w+\(host='[^']*', port=\d+\)): ")


def _causes(exc: BaseException, limit: int = 12) -> list:
    """``exc`` and the exceptions behind it (``reason``, arguments, ``__cause__``, ``__context__``), nearest first."""
    found, todo = [], [exc]
    while todo and len(found) < limit:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        todo.extend([getattr(item, 'reason', None)] + list(item.args) + [item.__cause__, item.__context__])
    return found


def _connection_reason(exc: Exception) -> str:
    """Why no connection was made, in our words: 'connection refused', 'the host name does not resolve', ..."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return 'the host name does not resolve (%s)' % printable_text(str(cause.strerror or cause))[:100]
        if isinstance(cause, ConnectionRefusedError):
            return 'connection refused'
        if isinstance(cause, OSError) and isinstance(cause.errno, int) and cause.strerror:
            return printable_text(cause.strerror[:1].lower() + cause.strerror[1:])[:100]
    return _URLLIB3_PREFIX.sub('', _root_cause(exc))


def _tls_reason(exc: Exception) -> str:
    """The reason of a TLS failure, without urllib3's wrapping ('certificate verify failed: ...')."""
    for cause in _causes(exc):
        if cause.__class__.__module__ == 'ssl' and str(cause):
            text = getattr(cause, 'verify_message', None) or getattr(cause, 'reason', None) or str(cause)
            return shorten(printable_text(str(text)), 200)
    return _URLLIB3_PREFIX.sub('', _root_cause(exc))


def _never_connected(exc: Exception) -> bool:
    """Whether a ConnectionError happened before the request left (refused, unreachable, DNS)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, 'reason', reason)  # urllib3's MaxRetryError carries the real cause
    return type(reason).__name__ in ('NewConnectionError', 'ConnectTimeoutError', 'NameResolutionError')


def _query_text(query: dict) -> dict:
    """Query values as the API spells them: booleans as ``true``/``false`` (Python's ``True`` is not
    what Neutron documents, and AK/SK signatures are computed over the exact text)."""
    if not query:
        return query

    def spell(value):
        if isinstance(value, bool):
            return 'true' if value else 'false'
        if isinstance(value, list):
            return [spell(item) for item in value]
        return value
    return dict((key, spell(value)) for key, value in query.items())


def _next_page_query(links: object) -> dict:
    """The query of the ``next`` link as {key: [values]} (keys may repeat), or {} on the last page."""
    if not isinstance(links, list):
        return {}
    for link in links:
        if isinstance(link, dict) and link.get('rel') == 'next' and isinstance(link.get('href'), str):
            query = {}
            try:
                pairs = parse_qsl(urlsplit(link['href']).query, keep_blank_values=True)
            except ValueError:
                return {}
            for key, value in pairs:
                query.setdefault(key, []).append(value)
            return query
    return {}
