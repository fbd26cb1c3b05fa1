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
        auth_type=dict(type='str', fallback=_env('OS_AUTH_TYPE')),
        auth_url=dict(type='str', fallback=_env('OS_AUTH_URL')),
        application_credential_id=dict(type='str', fallback=_env('OS_APPLICATION_CREDENTIAL_ID')),
        application_credential_name=dict(type='str', fallback=_env('OS_APPLICATION_CREDENTIAL_NAME')),
        application_credential_secret=dict(type='str', no_log=True, fallback=_env('OS_APPLICATION_CREDENTIAL_SECRET')),
        username=dict(type='str', fallback=_env('OS_USERNAME')),
        user_id=dict(type='str', fallback=_env('OS_USER_ID')),
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


class _KeystoneLogin(_SendsToken):
    """Keystone v3 login (``POST /v3/auth/tokens``); the token and catalog are fetched once per client.

    Subclasses give the identity (and scope) of the request: ``request_body``,
    ``secrets`` and ``describe``.
    """

    name = 'keystone'

    def __init__(self, params: dict) -> None:
        self.auth_url = params['auth_url'].rstrip('/')
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

    def _user(self) -> dict:
        """The user by id (unique, no domain needed) or by name in its domain."""
        if self.params.get('user_id') and not self.params.get('username'):
            return {'id': self.params['user_id']}
        return {'name': self.params.get('username'), 'domain': self._domain('user')}

    def _scope(self) -> dict:
        """The project scope: by id, else by name in its domain."""
        if self.params.get('project_id'):
            return {'project': {'id': self.params['project_id']}}
        return {'project': {'name': self.params.get('project_name'), 'domain': self._domain('project')}}

    def _project_text(self) -> str:
        return self.params.get('project_id') or self.params.get('project_name')

    def request_body(self) -> dict:  # pragma: no cover - every method defines it
        """The body of the token request."""
        raise NotImplementedError

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


class KeystonePasswordAuth(_KeystoneLogin):
    """Keystone v3 password authentication (``auth_type`` password / v3password), scoped to a project."""

    name = 'password'

    def __init__(self, params: dict) -> None:
        super().__init__(params)
        self.username = params.get('username') or params.get('user_id')
        self.password = params['password']

    def request_body(self) -> dict:
        """The v3 password request with a project scope."""
        user = dict(self._user(), password=self.password)
        return {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}}, 'scope': self._scope()}}

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.password]

    def describe(self) -> str:
        """The method, for 401/403 messages."""
        return 'Keystone password authentication as user %s, project %s' % (self.username, self._project_text())


class KeystoneApplicationCredentialAuth(_KeystoneLogin):
    """Keystone v3 application credential (``auth_type`` v3applicationcredential), by id or by name and user.

    The request carries no scope: the credential is bound to the project it was made
    in, and Keystone refuses an application credential request that asks for a scope.
    """

    name = 'application_credential'

    def __init__(self, params: dict) -> None:
        super().__init__(params)
        self.secret = params['application_credential_secret']

    def request_body(self) -> dict:
        """The v3 application credential request: id and secret, or name, user and secret; no scope."""
        credential = {'secret': self.secret}
        if self.params.get('application_credential_id'):
            credential['id'] = self.params['application_credential_id']
        else:
            credential['name'] = self.params['application_credential_name']
            credential['user'] = self._user()
        return {'auth': {'identity': {'methods': ['application_credential'], 'application_credential': credential}}}

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.secret]

    def describe(self) -> str:
        """The method, for 401/403 messages (the credential's id or name, never its secret)."""
        if self.params.get('application_credential_id'):
            return 'Keystone application credential %s' % self.params['application_credential_id']
        user = self.params.get('username') or self.params.get('user_id')
        return 'Keystone application credential %s of user %s' % (self.params['application_credential_name'], user)


class KeystoneTokenAuth(_KeystoneLogin):
    """Keystone v3 token exchange (``auth_type`` token / v3token): a token in, a project-scoped token out.

    Used when ``auth_token`` comes with ``auth_url`` and a project but no ``endpoint``:
    the new token's catalog gives the endpoint, as with a password login.
    """

    name = 'v3token'

    def __init__(self, params: dict) -> None:
        super().__init__(params)
        self.given_token = params['auth_token']

    def request_body(self) -> dict:
        """The v3 token method request with a project scope."""
        return {'auth': {'identity': {'methods': ['token'], 'token': {'id': self.given_token}}, 'scope': self._scope()}}

    def secrets(self) -> list:
        """Values that must never appear in output."""
        return [self.given_token]

    def describe(self) -> str:
        """The method, for 401/403 messages."""
        return 'Keystone token authentication (auth_token exchanged for project %s)' % self._project_text()


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

_CLOUD_AUTH_KEYS = ('auth_url', 'username', 'user_id', 'password', 'project_name', 'project_id', 'user_domain_name',
                    'user_domain_id', 'project_domain_name', 'project_domain_id', 'application_credential_id',
                    'application_credential_name', 'application_credential_secret')


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


def apply_cloud(params: dict, entry: dict, source: str = 'the clouds.yaml cloud') -> dict:
    """Options completed from a clouds.yaml entry; options that are set win over the file.

    The entry's ``auth_type`` is checked here, so that an unsupported one is refused
    naming the cloud and its file (``source``) rather than as a missing option later.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get('auth') or {}, dict):
        raise ConfigError('%s: the cloud and its auth must be mappings' % source)
    checked_auth_type(entry.get('auth_type'), 'auth_type of %s' % source)
    merged = dict(params)
    auth = entry.get('auth') or {}
    taken = dict((key, auth.get(key)) for key in _CLOUD_AUTH_KEYS)
    for key in ('user_domain_name', 'project_domain_name'):
        taken[key] = taken[key] or auth.get('domain_name')
    for key in ('user_domain_id', 'project_domain_id'):
        taken[key] = taken[key] or auth.get('domain_id')
    taken.update(auth_token=auth.get('token'), region=entry.get('region_name'), interface=entry.get('interface'),
                 ca_path=entry.get('cacert'), endpoint=entry.get('network_endpoint_override'),
                 auth_type=entry.get('auth_type'))
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
_APP_CRED = ('application_credential_id', 'application_credential_name', 'application_credential_secret')

#: The values of ``auth_type`` (keystoneauth's plugin names, as clouds.yaml and OS_AUTH_TYPE hold them)
#: and the method each selects.
AUTH_TYPES = {'password': 'password', 'v3password': 'password', 'v3applicationcredential': 'application_credential',
              'token': 'v3token', 'v3token': 'v3token'}
#: What each method needs, for the message that refuses an unknown auth_type.
AUTH_TYPE_NEEDS = ('password or v3password (auth_url, username or user_id, password, and project_name or project_id); '
                   'v3applicationcredential (auth_url, application_credential_secret, and application_credential_id or '
                   'application_credential_name with username or user_id; no project: the credential is bound to one); '
                   'v3token or token (auth_url, auth_token, and project_name or project_id; auth_token with endpoint is '
                   'used as it is, without Keystone). AK/SK of Huawei Cloud and Open Telekom Cloud needs no auth_type '
                   '(access_key, secret_key, project_id)')


def _given(params: dict, names: tuple) -> list:
    return [name for name in names if params.get(name)]


def checked_auth_type(value: object, where: str = 'auth_type') -> str | None:
    """The method that an ``auth_type`` value selects (None when unset); ``ConfigError`` for an unknown one."""
    if value in (None, ''):
        return None
    if isinstance(value, str) and value.strip().lower() in AUTH_TYPES:
        return AUTH_TYPES[value.strip().lower()]
    shown = value if isinstance(value, str) and value.isprintable() else repr(value)
    raise ConfigError("%s: '%s' is not a supported auth type. Supported are %s"
                      % (where, str(shown)[:80], AUTH_TYPE_NEEDS))


def resolve(params: dict) -> dict:
    """The options with clouds.yaml merged in, when a cloud is named or $OS_CLIENT_CONFIG_FILE is the only source."""
    nothing_else = not _given(params, ('auth_token',) + _AKSK + _PASSWORD + _APP_CRED)
    if params.get('cloud') or (nothing_else and os.environ.get('OS_CLIENT_CONFIG_FILE')):
        path, entry = load_cloud(params.get('cloud'))
        source = "cloud '%s' of %s" % (params['cloud'], path) if params.get('cloud') else 'the cloud of %s' % path
        return apply_cloud(params, entry, source)
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

    ``auth_token`` with ``endpoint`` wins over everything (that is what makes the
    once-per-play login of ``vpnaas.cloud.auth`` work inside an OpenStack shell
    environment); then ``auth_type`` names the method, else the options that are set
    do, where two methods' options together are a contradiction.  Raises
    ``ConfigError`` naming what is missing or conflicting, before any request is sent.
    """
    method = checked_auth_type(params.get('auth_type'))
    if params.get('auth_token') and params.get('endpoint'):
        return TokenAuth(params['auth_token'])
    if method is None:
        method = _inferred_method(params)
    if method == 'aksk':
        missing = [name for name in _AKSK + ('project_id',) if not params.get(name)]
        if missing:
            raise ConfigError('AK/SK authentication needs access_key, secret_key and project_id (missing: %s)'
                              % ', '.join(missing))
        aksk_endpoint(params)
        return AkSkAuth(params)
    missing = [] if params.get('auth_url') else ['auth_url']
    project = [] if params.get('project_id') or params.get('project_name') else ['project_id or project_name']
    user = [] if params.get('username') or params.get('user_id') else ['username or user_id']
    if method == 'application_credential':
        if not params.get('application_credential_secret'):
            missing.append('application_credential_secret')
        if not params.get('application_credential_id'):
            missing += (['application_credential_id or application_credential_name']
                        if not params.get('application_credential_name') else user)
        if missing:
            raise ConfigError('Keystone application credential authentication needs auth_url, application_credential_secret '
                              'and application_credential_id, or application_credential_name with username or user_id '
                              '(missing: %s)' % ', '.join(missing))
        return KeystoneApplicationCredentialAuth(params)
    if method == 'v3token':
        missing += ([] if params.get('auth_token') else ['auth_token']) + project
        if missing:
            raise ConfigError('Keystone token authentication (v3token) needs auth_url, auth_token and a project to '
                              'exchange the token for a project-scoped one (missing: %s)' % ', '.join(missing))
        return KeystoneTokenAuth(params)
    missing += user + ([] if params.get('password') else ['password']) + project
    if missing:
        raise ConfigError('Keystone password authentication needs auth_url, username, password and a project '
                          '(missing: %s)' % ', '.join(missing))
    return KeystonePasswordAuth(params)


def _inferred_method(params: dict) -> str:
    """The method that the options set imply, when auth_type does not name one."""
    if params.get('auth_token'):
        if not params.get('auth_url'):
            raise ConfigError('auth_token is set but endpoint is not: give endpoint (the base URL of the VPN API) to use '
                              'the token as it is, or auth_url and a project (project_name or project_id) to exchange it '
                              'with Keystone for a project-scoped token whose catalog names the endpoint')
        return 'v3token'
    aksk, password, credential = _given(params, _AKSK), _given(params, ('username', 'password')), _given(params, _APP_CRED)
    if credential and (aksk or params.get('password')):
        other = 'AK/SK (%s)' % ', '.join(aksk) if aksk else 'Keystone password (password)'
        raise ConfigError('Both a Keystone application credential (%s) and %s authentication are configured; set only '
                          'one, or choose with auth_type (HW_* and OS_* environment variables set these options too)'
                          % (', '.join(credential), other))
    if aksk and password:
        raise ConfigError('Both AK/SK (%s) and Keystone password (%s) authentication are configured; set only one '
                          '(HW_* and OS_* environment variables set these options too)'
                          % (', '.join(aksk), ', '.join(password)))
    if credential:
        return 'application_credential'
    if aksk:
        return 'aksk'
    if _given(params, _PASSWORD + ('user_id',)):
        return 'password'
    raise ConfigError('No authentication configured: set auth_token and endpoint; or access_key, secret_key and '
                      'project_id; or auth_url, username, password and project_name (or project_id); or auth_url, '
                      'application_credential_id and application_credential_secret; or cloud (clouds.yaml). The OS_*, '
                      'HW_* and VPNAAS_* environment variables set these options too')
