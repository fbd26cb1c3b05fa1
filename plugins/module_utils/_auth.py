# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: the connection options, the methods, and how one is chosen.

Private to the collection: the names and signatures here may change at any time.

A method is an object that the client calls on every prepared request (the
``requests`` auth protocol: ``method(request) -> request``), plus ``secrets()``
(values to scrub from messages), ``describe()`` (for 401/403 messages) and,
where it logs in, ``login(client)``.  ``select_auth`` picks the method from the
options that are set and fails, before any request, when they are incomplete
or contradictory.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError, ConfigError
from ansible_collections.vpnaas.cloud.plugins.module_utils import _signer as signer
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import header_safe_problem

#: Catalog service types that serve the VPN API: OpenStack lists Neutron as ``network``,
#: Huawei Cloud lists the VPC service (which also serves VPN) as ``vpc``.
CATALOG_TYPES = ('network', 'vpc')
#: Where OpenStack tools look for clouds.yaml, after $OS_CLIENT_CONFIG_FILE.
CLOUDS_YAML_PATHS = ('clouds.yaml', '~/.config/openstack/clouds.yaml', '/etc/openstack/clouds.yaml')
DEFAULT_CLOUD_DOMAIN = 'myhuaweicloud.com'


def _env(*names: str) -> tuple:
    return (env_fallback, list(names))


def connection_argument_spec() -> dict:
    """Options shared by every module: where the API is and how to authenticate (see the doc fragment)."""
    return dict(
        endpoint=dict(type='str', fallback=_env('VPNAAS_ENDPOINT')),
        auth_token=dict(type='str', no_log=True, fallback=_env('VPNAAS_AUTH_TOKEN', 'OS_AUTH_TOKEN')),
        auth_url=dict(type='str', fallback=_env('OS_AUTH_URL')),
        username=dict(type='str', fallback=_env('OS_USERNAME')),
        password=dict(type='str', no_log=True, fallback=_env('OS_PASSWORD')),
        project_name=dict(type='str', fallback=_env('OS_PROJECT_NAME', 'OS_TENANT_NAME')),
        project_id=dict(type='str', fallback=_env('OS_PROJECT_ID', 'OS_TENANT_ID', 'HW_PROJECT_ID')),
        user_domain_name=dict(type='str', fallback=_env('OS_USER_DOMAIN_NAME')),
        user_domain_id=dict(type='str', fallback=_env('OS_USER_DOMAIN_ID')),
        project_domain_name=dict(type='str', fallback=_env('OS_PROJECT_DOMAIN_NAME')),
        project_domain_id=dict(type='str', fallback=_env('OS_PROJECT_DOMAIN_ID')),
        region=dict(type='str', fallback=_env('OS_REGION_NAME', 'HW_REGION_NAME')),
        interface=dict(type='str', choices=['public', 'internal', 'admin'], fallback=_env('OS_INTERFACE')),
        access_key=dict(type='str', no_log=False, fallback=_env('HW_ACCESS_KEY')),
        secret_key=dict(type='str', no_log=True, fallback=_env('HW_SECRET_KEY')),
        security_token=dict(type='str', no_log=True, fallback=_env('HW_SECURITY_TOKEN')),
        cloud_domain=dict(type='str', fallback=_env('HW_CLOUD')),
        cloud=dict(type='str', fallback=_env('OS_CLOUD')),
        validate_certs=dict(type='bool', fallback=_env('VPNAAS_VALIDATE_CERTS')),
        ca_path=dict(type='path', fallback=_env('VPNAAS_CA_PATH', 'OS_CACERT')),
        timeout=dict(type='int', default=30, fallback=_env('VPNAAS_TIMEOUT')),
        retries=dict(type='int', default=4, fallback=_env('VPNAAS_RETRIES')),
    )


# ---------------------------------------------------------------------------
# Checking the connection options (every module runs this before any request)
# ---------------------------------------------------------------------------

def url_problem(value: str):
    """Why ``value`` is not a usable base URL (http/https, a host, no credentials, query or fragment), or None."""
    if not isinstance(value, str) or not value or not value.isprintable() or any(c.isspace() for c in value):
        return 'must be an http:// or https:// URL without spaces or control characters'
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        return 'is not a valid URL (%s)' % exc
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        return 'must be an http:// or https:// URL with a host name'
    if parts.username is not None or parts.password is not None or '@' in parts.netloc:
        return 'must not hold a user name or password (user@host): give credentials in their own options'
    if parts.query or parts.fragment or '?' in value or '#' in value:
        return 'must not hold a query (?) or fragment (#)'
    if port is not None and not 0 < port < 65536:  # pragma: no cover - urlsplit already refuses most
        return 'has an invalid port'
    return None


def origin(url: str) -> tuple:
    """(scheme, host, port) of a URL, with the default port filled in."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or '').lower(), parts.port or (443 if parts.scheme == 'https' else 80)


def origin_text(url: str) -> str:
    """``scheme://host:port`` of a URL, for messages."""
    scheme, host, port = origin(url)
    return '%s://%s:%s' % (scheme, host, port)


#: A DNS label (region names such as eu-de, cn-north-4) and a DNS domain of labels, for derived host names.
_LABEL = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?')
_DOMAIN = re.compile(r'(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}')
#: Options sent in HTTP headers (as the token, project id or security token): a stray newline or
#: carriage return read from a file would otherwise crash requests, which quotes the value.
HEADER_OPTIONS = ('auth_token', 'security_token', 'access_key', 'project_id')


def validate_connection(params: dict) -> None:
    """Checks of the connection options, before any request; raises ``ConfigError`` naming the option.

    Nothing here quotes a secret: a problem in one is described by its position.
    """
    for name in ('timeout', 'wait_timeout'):
        if params.get(name) is not None and params[name] <= 0:
            raise ConfigError('%s: must be a positive number of seconds (got %s)' % (name, params[name]))
    if params.get('retries') is not None and params['retries'] < 0:
        raise ConfigError('retries: must be 0 or more (got %s)' % params['retries'])
    for name in ('endpoint', 'auth_url'):
        problem = url_problem(params[name]) if params.get(name) else None
        if problem:
            shown = params[name] if params[name].isprintable() else repr(params[name])
            raise ConfigError("%s: %s (got '%s')" % (name, problem, shown))
    if params.get('ca_path') and not os.path.isfile(params['ca_path']):
        raise ConfigError("ca_path: '%s' is not a file" % params['ca_path'])
    for name in HEADER_OPTIONS:
        problem = header_safe_problem(params[name]) if params.get(name) else None
        if problem:
            raise ConfigError('%s: %s' % (name, problem))


# ---------------------------------------------------------------------------
# The methods
# ---------------------------------------------------------------------------

class _SendsToken:
    """Methods that authenticate each request with ``self.token`` in ``X-Auth-Token``."""

    token = None

    def __call__(self, request):
        request.headers['X-Auth-Token'] = self.token
        return request


class TokenAuth(_SendsToken):
    """A ready token (``auth_token``) used against an explicit ``endpoint``."""

    name = 'token'

    def __init__(self, token: str) -> None:
        self.token = token

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.token]

    def describe(self) -> str:
        """The method, for 401/403 messages."""
        return 'token authentication (auth_token)'


class KeystonePasswordAuth(_SendsToken):
    """Keystone v3 password authentication, scoped to a project; the token is fetched once per client."""

    name = 'password'

    def __init__(self, params: dict) -> None:
        self.auth_url = params['auth_url'].rstrip('/')
        self.username = params['username']
        self.password = params['password']
        self.params = params
        self.region = params.get('region')
        self.interface = params.get('interface') or 'public'
        self.token = None
        self.expires_at = None
        self.catalog = []

    def tokens_url(self) -> str:
        """The token URL, whether ``auth_url`` names the Keystone root or its /v3."""
        base = self.auth_url if re.search(r'/v3$', self.auth_url) else self.auth_url + '/v3'
        return base + '/auth/tokens'

    def _domain(self, prefix: str) -> dict:
        """A domain by id or name; the project's domain defaults to the user's, the user's to Default."""
        params = self.params
        if params.get(prefix + '_domain_id'):
            return {'id': params[prefix + '_domain_id']}
        if params.get(prefix + '_domain_name'):
            return {'name': params[prefix + '_domain_name']}
        return self._domain('user') if prefix == 'project' else {'name': 'Default'}

    def request_body(self) -> dict:
        """The v3 password request with a project scope."""
        if self.params.get('project_id'):
            project = {'id': self.params['project_id']}
        else:
            project = {'name': self.params.get('project_name'), 'domain': self._domain('project')}
        user = {'name': self.username, 'domain': self._domain('user'), 'password': self.password}
        return {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}},
                         'scope': {'project': project}}}

    def login(self, client) -> None:
        """Get a token and the catalog (again, when renewing an expired token).

        The answer is checked like any other: the token must be fit to send back in a
        header, and the catalog must have the documented shape, or the login fails
        naming the request and what was wrong.
        """
        url = self.tokens_url()
        response = client.send('POST', url, body=self.request_body(), authenticated=False)
        token = response.headers.get('X-Subject-Token')
        if not token:
            raise ApiError('POST %s: Keystone answered HTTP %d without an X-Subject-Token header'
                           % (url, response.status_code), 'POST', url, response.status_code)
        client.add_secret(token)
        problem = header_safe_problem(token)
        if problem:
            raise ApiError('POST %s: the X-Subject-Token that Keystone issued cannot be sent back: it %s'
                           % (url, problem), 'POST', url, response.status_code)
        token_body = client.decode(response, 'POST').get('token')
        if token_body is None:
            token_body = {}
        if not isinstance(token_body, dict):
            raise ApiError('POST %s: Keystone answered a token that is not a JSON object' % url, 'POST', url,
                           response.status_code)
        self.catalog = _checked_catalog(token_body.get('catalog'), url)
        expires_at = token_body.get('expires_at')
        self.expires_at = expires_at if isinstance(expires_at, str) else None
        self.token = token

    def needs_login(self) -> bool:
        """Whether no token has been fetched yet."""
        return self.token is None

    def endpoint_from_catalog(self) -> str:
        """The VPN endpoint of the selected region and interface, from the token's catalog.

        The URL must be a plain http(s) base URL; a catalog that would take the token from
        an https ``auth_url`` to plain http is refused (set ``endpoint`` to override it).
        """
        for service_type in CATALOG_TYPES:
            for service in self.catalog:
                if service.get('type') != service_type:
                    continue
                for endpoint in service.get('endpoints') or []:
                    region = endpoint.get('region_id') or endpoint.get('region')
                    if endpoint.get('interface', 'public') == self.interface and (not self.region or region == self.region):
                        return self._checked_endpoint(endpoint.get('url'))
        where = ' in region %s' % self.region if self.region else ''
        raise ConfigError('The Keystone catalog has no %s %s endpoint%s; set endpoint explicitly'
                          % (self.interface, ' or '.join(CATALOG_TYPES), where))

    def _checked_endpoint(self, url: object) -> str:
        """A catalog URL, checked before any credential is sent to it."""
        problem = url_problem(url) if isinstance(url, str) else 'is missing or not a string'
        shown = (url if isinstance(url, str) and url.isprintable() else repr(url))[:200]
        if problem:
            raise ApiError("The Keystone catalog's endpoint URL %s %s; set endpoint explicitly" % (shown, problem),
                           'POST', self.tokens_url())
        if urlsplit(self.auth_url).scheme == 'https' and urlsplit(url).scheme != 'https':
            raise ApiError("The Keystone catalog's endpoint %s is plain http while auth_url is https: the token "
                           "would travel in clear. Set endpoint explicitly if that is really wanted" % shown,
                           'POST', self.tokens_url())
        return url

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.password]

    def describe(self) -> str:
        """The method, for 401/403 messages."""
        project = self.params.get('project_id') or self.params.get('project_name')
        return 'Keystone password authentication as user %s, project %s' % (self.username, project)


class AkSkAuth:
    """Huawei Cloud / OTC access key signing (SDK-HMAC-SHA256) of every request; no login."""

    name = 'aksk'

    def __init__(self, params: dict) -> None:
        self.access_key = params['access_key']
        self.secret_key = params['secret_key']
        self.project_id = params['project_id']
        self.security_token = params.get('security_token')

    #: The headers signed: those a proxy has no business changing.
    SIGNED = ('Host', 'X-Sdk-Date', 'X-Project-Id', 'X-Security-Token', 'Content-Type')

    def __call__(self, request):
        """Sign a prepared request in place."""
        request.headers['Host'] = urlsplit(request.url).netloc
        request.headers['X-Sdk-Date'] = signer.sdk_date()
        request.headers['X-Project-Id'] = self.project_id
        if self.security_token:
            request.headers['X-Security-Token'] = self.security_token
        signed = dict((name, request.headers[name]) for name in self.SIGNED if name in request.headers)
        request.headers['Authorization'] = signer.sign(request.method, request.url, signed, request.body or b'',
                                                       self.access_key, self.secret_key, signed['X-Sdk-Date'])
        return request

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.secret_key, self.security_token]

    def describe(self) -> str:
        """The method, for 401/403 messages (the access key is an id, shown shortened)."""
        return 'AK/SK authentication with access key %s..., project %s' % (self.access_key[:4], self.project_id)


def _checked_catalog(catalog: object, url: str) -> list:
    """The token's catalog, checked to be a list of services, each with a list of endpoint objects."""
    if catalog is None:
        return []
    problem = None
    if not isinstance(catalog, list):
        problem = 'the catalog is not a list'
    else:
        for number, service in enumerate(catalog, 1):
            if not isinstance(service, dict):
                problem = 'catalog entry %d is not an object' % number
            elif service.get('endpoints') is not None and not isinstance(service['endpoints'], list):
                problem = 'the endpoints of catalog entry %d are not a list' % number
            elif any(not isinstance(endpoint, dict) for endpoint in service.get('endpoints') or []):
                problem = 'an endpoint of catalog entry %d is not an object' % number
            if problem:
                break
    if problem:
        raise ApiError('POST %s: Keystone answered a token of the wrong shape: %s' % (url, problem), 'POST', url)
    return catalog


# ---------------------------------------------------------------------------
# clouds.yaml
# ---------------------------------------------------------------------------

_CLOUD_AUTH_KEYS = ('auth_url', 'username', 'password', 'project_name', 'project_id', 'user_domain_name',
                    'user_domain_id', 'project_domain_name', 'project_domain_id')


def _clouds_files() -> list:
    """Candidate clouds.yaml files, in the order OpenStack tools read them."""
    files = [os.environ['OS_CLIENT_CONFIG_FILE']] if os.environ.get('OS_CLIENT_CONFIG_FILE') else []
    return files + [os.path.expanduser(path) for path in CLOUDS_YAML_PATHS]


def _read_clouds(path: str) -> dict:
    """The ``clouds`` mapping of one clouds.yaml."""
    try:
        import yaml  # only needed here; ansible-core's own dependency
    except ImportError:
        raise ConfigError('Reading clouds.yaml needs the PyYAML Python library on the host that runs the module') from None
    try:
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError('Cannot read clouds.yaml %s: %s' % (path, exc)) from None
    clouds = data.get('clouds') if isinstance(data, dict) else None
    if not isinstance(clouds, dict):
        raise ConfigError('%s has no clouds: mapping' % path)
    return clouds


def load_cloud(name: str) -> tuple:
    """Find cloud ``name`` (or, with no name, the only cloud of $OS_CLIENT_CONFIG_FILE); returns (path, entry)."""
    for path in _clouds_files():
        if not os.path.isfile(path):
            continue
        clouds = _read_clouds(path)
        if name and name in clouds:
            return path, clouds[name]
        if not name:
            if len(clouds) != 1:
                raise ConfigError('%s holds %d clouds (%s); choose one with the cloud option or OS_CLOUD'
                                  % (path, len(clouds), ', '.join(sorted(clouds))))
            return path, next(iter(clouds.values()))
    raise ConfigError("No clouds.yaml defines the cloud '%s' (looked in: %s)" % (name, ', '.join(_clouds_files())))


def apply_cloud(params: dict, entry: dict) -> dict:
    """Options completed from a clouds.yaml entry; options that are set win over the file."""
    merged = dict(params)
    auth = entry.get('auth') or {}
    taken = dict((key, auth.get(key)) for key in _CLOUD_AUTH_KEYS)
    for key in ('user_domain_name', 'project_domain_name'):
        taken[key] = taken[key] or auth.get('domain_name')
    for key in ('user_domain_id', 'project_domain_id'):
        taken[key] = taken[key] or auth.get('domain_id')
    taken.update(auth_token=auth.get('token'), region=entry.get('region_name'), interface=entry.get('interface'),
                 ca_path=entry.get('cacert'), endpoint=entry.get('network_endpoint_override'))
    if entry.get('verify') is not None:
        taken['validate_certs'] = bool(entry['verify'])
    for key, value in taken.items():
        if value not in (None, '') and merged.get(key) in (None, ''):
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------
# Choosing the method
# ---------------------------------------------------------------------------

_AKSK = ('access_key', 'secret_key')
_PASSWORD = ('auth_url', 'username', 'password')


def _given(params: dict, names: tuple) -> list:
    return [name for name in names if params.get(name)]


def resolve(params: dict) -> dict:
    """The options with clouds.yaml merged in, when a cloud is named or $OS_CLIENT_CONFIG_FILE is the only source."""
    nothing_else = not _given(params, ('auth_token',) + _AKSK + _PASSWORD)
    if params.get('cloud') or (nothing_else and os.environ.get('OS_CLIENT_CONFIG_FILE')):
        _path, entry = load_cloud(params.get('cloud'))
        return apply_cloud(params, entry)
    return params


def aksk_endpoint(params: dict) -> str:
    """The VPN endpoint of AK/SK users: ``endpoint``, else the region's VPC endpoint of the cloud domain."""
    if params.get('endpoint'):
        return params['endpoint']
    if not params.get('region'):
        raise ConfigError('AK/SK authentication needs endpoint, or region to derive it from '
                          '(https://vpc.<region>.<cloud_domain>)')
    # Both become part of the host name that signed requests go to: a value such as
    # '127.0.0.1:8080/#' or 'x@evil' (a survey answer in AWX) must not move them elsewhere.
    for name, pattern, what in (('region', _LABEL, 'a region name (letters, digits and -, e.g. eu-de)'),
                                ('cloud_domain', _DOMAIN, 'a DNS domain such as myhuaweicloud.com')):
        value = params.get(name)
        if value and not pattern.fullmatch(value):
            shown = value if value.isprintable() else repr(value)
            raise ConfigError("%s: must be %s when the endpoint is derived from it (got '%s'); or set endpoint"
                              % (name, what, shown))
    return 'https://vpc.%s.%s' % (params['region'], params.get('cloud_domain') or DEFAULT_CLOUD_DOMAIN)


def select_auth(params: dict):
    """Choose the authentication method from the options that are set (see the doc fragment for the order).

    ``auth_token`` wins over everything (that is what makes the once-per-play login
    of ``vpnaas.cloud.auth`` work inside an OpenStack shell environment); AK/SK and
    Keystone password together are a contradiction.  Raises ``ConfigError`` naming
    what is missing or conflicting, before any request is sent.
    """
    if params.get('auth_token'):
        if not params.get('endpoint'):
            raise ConfigError('auth_token is set but endpoint is not: a bare token carries no catalog, '
                              'so endpoint (the base URL of the VPN API) is required with it')
        return TokenAuth(params['auth_token'])
    aksk, password = _given(params, _AKSK), _given(params, ('username', 'password'))
    if aksk and password:
        raise ConfigError('Both AK/SK (%s) and Keystone password (%s) authentication are configured; set only one '
                          '(HW_* and OS_* environment variables set these options too)'
                          % (', '.join(aksk), ', '.join(password)))
    if aksk:
        missing = [name for name in _AKSK + ('project_id',) if not params.get(name)]
        if missing:
            raise ConfigError('AK/SK authentication needs access_key, secret_key and project_id (missing: %s)'
                              % ', '.join(missing))
        aksk_endpoint(params)
        return AkSkAuth(params)
    if _given(params, _PASSWORD):
        missing = [name for name in _PASSWORD if not params.get(name)]
        if not params.get('project_id') and not params.get('project_name'):
            missing.append('project_id or project_name')
        if missing:
            raise ConfigError('Keystone password authentication needs auth_url, username, password and a project '
                              '(missing: %s)' % ', '.join(missing))
        return KeystonePasswordAuth(params)
    raise ConfigError('No authentication configured: set auth_token and endpoint; or access_key, secret_key and '
                      'project_id; or auth_url, username, password and project_name (or project_id); or cloud '
                      '(clouds.yaml). The OS_*, HW_* and VPNAAS_* environment variables set these options too')
