# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: session, authentication, endpoint, JSON envelope, errors.

Private to the collection: the names and signatures here may change at any time.

Modules never build headers or parse error bodies themselves.  Everything that
goes wrong on the wire becomes an ``ApiError`` whose text is already fit for
``fail_json``: it names the HTTP status and quotes the API's own words, and it
never contains a secret.
"""

from __future__ import annotations

import json
import random
import re
import time
import traceback
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, urlsplit

from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import aksk_endpoint, resolve, select_auth
from ansible_collections.vpnaas.cloud.plugins.module_utils._compare import redact_text
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError

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
#: Upper bound on the pages one listing follows, so a server that keeps linking to itself cannot loop us.
MAX_PAGES = 10000


# ---------------------------------------------------------------------------
# Error bodies
# ---------------------------------------------------------------------------

def _message_from_json(data: object) -> str:
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
        kind = neutron.get('type') or ''
        message = neutron.get('message') or ''
        return '%s: %s' % (kind, message) if kind and message else (message or kind)
    if isinstance(neutron, str):
        return neutron
    error = data.get('error')
    if isinstance(error, dict):
        return error.get('message') or error.get('title') or ''
    if 'error_msg' in data or 'error_code' in data:
        return _coded(data.get('error_code'), data.get('error_msg'))
    if 'message' in data:
        message = data.get('message')
        inner = _json_or_none(message) if isinstance(message, str) else None
        if isinstance(inner, dict):
            message = _message_from_json(inner) or message
        return _coded(data.get('code'), message)
    return ''


def _coded(code: object, message: object) -> str:
    """``CODE: message`` when both are present."""
    if code and message:
        return '%s: %s' % (code, message)
    return str(message or code or '')


def _json_or_none(text: str) -> object:
    """Parse ``text`` as JSON, or return None."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _message_from_html(text: str) -> str:
    """The title or first heading of an HTML error page, as a proxy sends it."""
    for pattern in (r'<title[^>]*>(.*?)</title>', r'<h1[^>]*>(.*?)</h1>'):
        found = re.search(pattern, text, re.IGNORECASE | re.DOTALL)
        if found:
            return 'HTML page: %s' % re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', '', found.group(1))).strip()
    return 'HTML page without a title'


def parse_error_body(text: str) -> str:
    """The API's own words from an error response body, whatever its shape."""
    stripped = (text or '').strip()
    if not stripped:
        return 'empty response body'
    data = _json_or_none(stripped)
    if data is not None:
        return _message_from_json(data) or _shorten(stripped)
    if stripped.startswith('<'):
        return _message_from_html(stripped)
    return _shorten(stripped)


def _shorten(text: str, limit: int = 300) -> str:
    """Keep a body quotable in a one-line message."""
    text = re.sub(r'\s+', ' ', text)
    return text if len(text) <= limit else text[:limit] + '...'


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------

def _decode(response) -> dict:
    """The JSON body of a successful response ({} when empty)."""
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise ApiError('HTTP %d %s: the response body is not valid JSON: %s'
                       % (response.status_code, response.reason or '', _shorten(response.text, 120)),
                       status=response.status_code) from None


def base_endpoint(url: str) -> str:
    """The API root without a trailing slash or ``/v2.0``: both spellings are common in catalogs."""
    url = url.rstrip('/')
    if url.endswith('/' + API_VERSION):
        url = url[:-len(API_VERSION) - 1]
    return url


class Client:
    """Talks to one VPN API endpoint for the duration of one module run."""

    def __init__(self, params: dict, secrets: list = None, log=None) -> None:
        self.params = params = resolve(params)
        self.auth = select_auth(params)
        self._secrets = [s for s in (secrets or []) if s] + [s for s in self.auth.secrets() if s]
        self._log = log or (lambda message: None)
        self.timeout = params.get('timeout') or 30
        self.retries = params.get('retries') if params.get('retries') is not None else DEFAULT_RETRIES
        self.retried = []
        self.verify = params.get('ca_path') or params.get('validate_certs') is not False
        self.session = requests.Session()
        self.session.headers.update({
            'Accept': 'application/json',
            'User-Agent': 'vpnaas.cloud/%s python-requests/%s' % (COLLECTION_VERSION, requests.__version__),
        })
        if self.auth.name == 'aksk':
            self._endpoint = base_endpoint(aksk_endpoint(params))
        else:
            self._endpoint = base_endpoint(params['endpoint']) if params.get('endpoint') else None

    # -- secrets -----------------------------------------------------------
    def add_secret(self, value: str) -> None:
        """Remember a value that must be scrubbed from every message."""
        if value:
            self._secrets.append(value)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by the mask."""
        return redact_text(text, self._secrets)

    # -- endpoint ----------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The API root, logging in first when it has to come from the catalog."""
        if self._endpoint is None:
            self.ensure_login()
            self._endpoint = base_endpoint(self.auth.endpoint_from_catalog())
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
        may have expired mid-task) is answered by logging in again, once.
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
                    raise
                self._note_retry(method, url, str(exc), attempt, delay)
                continue
            if response.status_code == 401 and authenticated and not renewed and hasattr(self.auth, 'login'):
                self._log('vpnaas.cloud: %s %s answered 401; logging in again once' % (method, url))
                self.auth.login(self)
                renewed = True
                response = self._send_once(method, url, body, query, authenticated)
            if response.status_code < 400:
                return response
            delay = self._retry_delay(method, attempt, response=response)
            if delay is None:
                raise self._http_error(response, method, url, authenticated)
            self._note_retry(method, url, 'answered HTTP %d' % response.status_code, attempt, delay)
        raise self._http_error(response, method, url, authenticated)  # pragma: no cover - loop always returns

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

    def _note_retry(self, method: str, url: str, problem: str, attempt: int, delay: float) -> None:
        """Record and log a retry, then wait for it."""
        note = '%s %s %s; retry %d of %d in %.1f s' % (method, url, problem, attempt + 1, self.retries, delay)
        self.retried.append(self.redact(note))
        self._log('vpnaas.cloud: ' + note)
        time.sleep(delay)

    def _send_once(self, method: str, url: str, body: dict, query: dict, authenticated: bool):
        """One HTTP exchange; transport failures become ``ApiError`` (with ``transport`` set)."""
        self._log('vpnaas.cloud: %s %s' % (method, url))
        try:
            return self.session.request(method, url, json=body, params=query, timeout=self.timeout, verify=self.verify,
                                        auth=self.auth if authenticated else None)
        except requests.exceptions.SSLError as exc:
            raise self._error('TLS verification of %s failed (%s); set ca_path to the CA bundle that signed '
                              'its certificate, or validate_certs=false for a test endpoint' % (url, exc), method, url)
        except requests.exceptions.ConnectTimeout:
            raise self._error('cannot connect to %s within %s seconds' % (url, self.timeout), method, url,
                              transport='connect')
        except requests.exceptions.Timeout:
            raise self._error('no answer from %s within %s seconds (timeout)' % (url, self.timeout), method, url,
                              transport='read')
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise self._error('the answer from %s was cut short' % url, method, url, transport='read')
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise self._error('cannot connect to %s: %s' % (url, exc), method, url, transport='connect')
            raise self._error('the connection to %s was lost before an answer: %s' % (url, exc), method, url,
                              transport='read')
        except requests.exceptions.RequestException as exc:
            raise self._error('%s %s failed: %s' % (method, url, exc), method, url)

    def _http_error(self, response, method: str, url: str, authenticated: bool) -> ApiError:
        """The ApiError of an HTTP error status, naming the auth method on 401/403."""
        api_message = parse_error_body(response.text)
        request_id = next((response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), '')
        detail = 'HTTP %d %s: %s' % (response.status_code, response.reason or '', api_message)
        if response.status_code in (401, 403):
            detail += ' [%s]' % (self.auth.describe() if authenticated or self.auth.name == 'password'
                                 else 'unauthenticated request')
        if request_id:
            detail += ' (request id %s)' % request_id
        return self._error(detail, method, url, response.status_code, api_message, request_id)

    def _error(self, detail: str, method: str, url: str, status: int = 0, api_message: str = '',
               request_id: str = '', transport: str = '') -> ApiError:
        """An ApiError with every secret scrubbed from its text."""
        error = ApiError(self.redact(detail), method, url, status, self.redact(api_message), request_id)
        error.transport = transport
        return error

    def call(self, method: str, parts: tuple, body: dict = None, query: dict = None) -> dict:
        """One VPN API call; returns the decoded JSON body ({} for an empty one)."""
        response = self.send(method, self.url(*parts), body=body, query=_query_text(query))
        try:
            return _decode(response)
        except ApiError as exc:
            raise self._error(str(exc), method, response.url, response.status_code)

    def list_all(self, parts: tuple, list_key: str, query: dict = None) -> list:
        """Every item of a collection, following ``<list_key>_links`` ``rel: next`` pages.

        Neutron pages with ``limit``/``marker`` and links; Huawei/OTC document neither,
        and answer with everything at once.  The link's own host is not trusted (behind
        a proxy it is often an internal name): only its query is taken, on our endpoint.
        """
        items, seen_markers = [], set()
        params = dict(query or {})
        for _page in range(MAX_PAGES):
            body = self.call('GET', parts, query=params)
            page = body.get(list_key) or []
            items.extend(page)
            next_query = _next_page_query(body.get(list_key + '_links'))
            marker = next_query.get('marker', [None])[-1]
            if not page or not marker or marker in seen_markers:
                return items
            seen_markers.add(marker)
            params = next_query
        raise ApiError('the listing of %s did not end after %d pages' % ('/'.join(parts), MAX_PAGES))


def _backoff(attempt: int) -> float:
    """Capped exponential backoff with jitter (half to full), so parallel jobs do not retry in step."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)) * random.uniform(0.5, 1.0)


def _retry_after(value: str):
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(RETRY_AFTER_CAP, seconds))


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
    for link in links or []:
        if isinstance(link, dict) and link.get('rel') == 'next' and link.get('href'):
            query = {}
            for key, value in parse_qsl(urlsplit(link['href']).query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
            return query
    return {}
