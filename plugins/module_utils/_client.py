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
import re
import traceback
from urllib.parse import parse_qsl, quote, urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.vpnaas.cloud.plugins.module_utils._compare import redact_text

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib()
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = '0.1.0'
API_VERSION = 'v2.0'
#: Catalog service types that serve the VPN API: OpenStack lists Neutron as ``network``,
#: Huawei Cloud lists the VPC service (which also serves VPN) as ``vpc``.
CATALOG_TYPES = ('network', 'vpc')
_REQUEST_ID_HEADERS = ('X-Openstack-Request-Id', 'X-Request-Id', 'X-Compute-Request-Id')
#: Upper bound on the pages one listing follows, so a server that keeps linking to itself cannot loop us.
MAX_PAGES = 10000


def connection_argument_spec() -> dict:
    """Options shared by every module: where the API is and how to authenticate (see the doc fragment)."""
    return dict(
        endpoint=dict(type='str', fallback=(env_fallback, ['VPNAAS_ENDPOINT'])),
        auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['VPNAAS_AUTH_TOKEN', 'OS_AUTH_TOKEN'])),
        auth_url=dict(type='str', fallback=(env_fallback, ['OS_AUTH_URL'])),
        username=dict(type='str', fallback=(env_fallback, ['OS_USERNAME'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['OS_PASSWORD'])),
        project_name=dict(type='str', fallback=(env_fallback, ['OS_PROJECT_NAME'])),
        project_id=dict(type='str', fallback=(env_fallback, ['OS_PROJECT_ID'])),
        user_domain_name=dict(type='str', fallback=(env_fallback, ['OS_USER_DOMAIN_NAME'])),
        project_domain_name=dict(type='str', fallback=(env_fallback, ['OS_PROJECT_DOMAIN_NAME'])),
        region=dict(type='str', fallback=(env_fallback, ['OS_REGION_NAME'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VPNAAS_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['VPNAAS_CA_PATH', 'OS_CACERT'])),
        timeout=dict(type='int', default=30, fallback=(env_fallback, ['VPNAAS_TIMEOUT'])),
    )


class ConfigError(Exception):
    """The connection options are incomplete or contradictory; raised before any request."""


class ApiError(Exception):
    """A request failed: on the wire, or with an HTTP error status.

    ``str(error)`` is the complete, secret-free explanation, e.g.
    ``HTTP 400 Bad Request: Invalid input for mtu (request id req-1)``.
    """

    def __init__(self, detail: str, method: str = '', url: str = '', status: int = 0,
                 api_message: str = '', request_id: str = '') -> None:
        super().__init__(detail)
        self.method = method
        self.url = url
        self.status = status
        self.api_message = api_message
        self.request_id = request_id


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
# Authentication methods
# ---------------------------------------------------------------------------

class TokenAuth:
    """A ready token (``auth_token``) used against an explicit ``endpoint``."""

    name = 'token'

    def __init__(self, token: str) -> None:
        self.token = token

    def headers(self) -> dict:
        """Headers that authenticate one request."""
        return {'X-Auth-Token': self.token}

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.token]


class KeystonePasswordAuth:
    """Keystone v3 password authentication, scoped to a project; the token is fetched once per client."""

    name = 'password'

    def __init__(self, params: dict) -> None:
        self.auth_url = params['auth_url'].rstrip('/')
        self.username = params['username']
        self.password = params['password']
        self.project_id = params.get('project_id')
        self.project_name = params.get('project_name')
        self.user_domain = params.get('user_domain_name') or 'Default'
        self.project_domain = params.get('project_domain_name') or self.user_domain
        self.region = params.get('region')
        self.token = None
        self.catalog = []

    def tokens_url(self) -> str:
        """The token URL, whether ``auth_url`` names the Keystone root or its /v3."""
        base = self.auth_url if re.search(r'/v3$', self.auth_url) else self.auth_url + '/v3'
        return base + '/auth/tokens'

    def request_body(self) -> dict:
        """The v3 password request with a project scope."""
        if self.project_id:
            project = {'id': self.project_id}
        else:
            project = {'name': self.project_name, 'domain': {'name': self.project_domain}}
        user = {'name': self.username, 'domain': {'name': self.user_domain}, 'password': self.password}
        return {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}},
                         'scope': {'project': project}}}

    def login(self, client: Client) -> None:
        """Get a token and the catalog."""
        response = client.send('POST', self.tokens_url(), body=self.request_body(), auth=False,
                               what='authenticate with Keystone as user %s' % self.username)
        self.token = response.headers.get('X-Subject-Token')
        if not self.token:
            raise ApiError('Keystone answered without an X-Subject-Token header', url=self.tokens_url())
        client.add_secret(self.token)
        self.catalog = (_decode(response).get('token') or {}).get('catalog') or []

    def endpoint_from_catalog(self) -> str:
        """The public VPN endpoint of the selected region, from the token's catalog."""
        for service_type in CATALOG_TYPES:
            for service in self.catalog:
                if service.get('type') != service_type:
                    continue
                for endpoint in service.get('endpoints') or []:
                    region = endpoint.get('region_id') or endpoint.get('region')
                    if endpoint.get('interface', 'public') == 'public' and (not self.region or region == self.region):
                        return endpoint['url']
        where = ' in region %s' % self.region if self.region else ''
        raise ConfigError('The Keystone catalog has no public %s endpoint%s; set endpoint explicitly'
                          % (' or '.join(CATALOG_TYPES), where))

    def headers(self) -> dict:
        """Headers that authenticate one request."""
        return {'X-Auth-Token': self.token}

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.password]


def select_auth(params: dict):
    """Choose the authentication method from the options that are set.

    Precedence: ``auth_token`` (with ``endpoint``), then Keystone password
    (``auth_url`` + ``username`` + ``password``).  Raises ``ConfigError`` naming
    what is missing, before any request is sent.
    """
    if params.get('auth_token'):
        if not params.get('endpoint'):
            raise ConfigError('auth_token is set but endpoint is not: a bare token carries no catalog, '
                              'so endpoint (the base URL of the VPN API) is required with it')
        return TokenAuth(params['auth_token'])
    password_options = ('auth_url', 'username', 'password')
    if any(params.get(name) for name in password_options):
        missing = [name for name in password_options if not params.get(name)]
        if not params.get('project_id') and not params.get('project_name'):
            missing.append('project_id or project_name')
        if missing:
            raise ConfigError('Keystone password authentication needs %s (missing: %s)'
                              % (', '.join(password_options) + ' and a project', ', '.join(missing)))
        return KeystonePasswordAuth(params)
    raise ConfigError('No authentication configured: set auth_token and endpoint, or auth_url, username, '
                      'password and project_name (or project_id), as options or through the OS_* environment variables')


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
        self.params = params
        self.auth = select_auth(params)
        self._secrets = [s for s in (secrets or []) if s] + [s for s in self.auth.secrets() if s]
        self._log = log or (lambda message: None)
        self.timeout = params.get('timeout') or 30
        self.verify = params.get('ca_path') or bool(params.get('validate_certs', True))
        self.session = requests.Session()
        self.session.headers.update({
            'Accept': 'application/json',
            'User-Agent': 'vpnaas.cloud/%s python-requests/%s' % (COLLECTION_VERSION, requests.__version__),
        })
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
            self._ensure_login()
            self._endpoint = base_endpoint(self.auth.endpoint_from_catalog())
        return self._endpoint

    def _ensure_login(self) -> None:
        login = getattr(self.auth, 'login', None)
        if login is not None and getattr(self.auth, 'token', None) is None:
            login(self)

    def url(self, *parts: str) -> str:
        """Absolute URL of an API path; each part is percent-encoded (ids come from users)."""
        return '/'.join([self.endpoint, API_VERSION] + [quote(str(part), safe='') for part in parts])

    # -- requests ----------------------------------------------------------
    def send(self, method: str, url: str, body: dict = None, query: dict = None, auth: bool = True,
             what: str = ''):
        """Send one request and return the ``requests.Response``; raise ``ApiError`` on failure."""
        headers = {}
        if auth:
            self._ensure_login()
            headers.update(self.auth.headers())
        self._log('vpnaas.cloud: %s %s' % (method, url))
        try:
            response = self.session.request(method, url, json=body, params=query, headers=headers,
                                            timeout=self.timeout, verify=self.verify)
        except requests.exceptions.SSLError as exc:
            raise self._error('TLS verification of %s failed (%s); set ca_path to the CA bundle that signed '
                              'its certificate, or validate_certs=false for a test endpoint' % (url, exc), method, url)
        except requests.exceptions.Timeout:
            raise self._error('no answer from %s within %s seconds (timeout)' % (url, self.timeout), method, url)
        except requests.exceptions.ConnectionError as exc:
            raise self._error('cannot connect to %s: %s' % (url, exc), method, url)
        except requests.exceptions.RequestException as exc:
            raise self._error('%s %s failed: %s' % (method, url, exc), method, url)
        if response.status_code >= 400:
            api_message = parse_error_body(response.text)
            request_id = next((response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), '')
            detail = 'HTTP %d %s: %s' % (response.status_code, response.reason or '', api_message)
            if request_id:
                detail += ' (request id %s)' % request_id
            raise self._error(detail, method, url, response.status_code, api_message, request_id)
        return response

    def _error(self, detail: str, method: str, url: str, status: int = 0, api_message: str = '',
               request_id: str = '') -> ApiError:
        """An ApiError with every secret scrubbed from its text."""
        return ApiError(self.redact(detail), method, url, status, self.redact(api_message), request_id)

    def call(self, method: str, parts: tuple, body: dict = None, query: dict = None) -> dict:
        """One VPN API call; returns the decoded JSON body ({} for an empty one)."""
        response = self.send(method, self.url(*parts), body=body, query=query)
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


def _next_page_query(links: object) -> dict:
    """The query of the ``next`` link as {key: [values]} (keys may repeat), or {} on the last page."""
    for link in links or []:
        if isinstance(link, dict) and link.get('rel') == 'next' and link.get('href'):
            query = {}
            for key, value in parse_qsl(urlsplit(link['href']).query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
            return query
    return {}
