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
        """Get a token and the catalog (again, when renewing an expired token)."""
        response = client.send('POST', self.tokens_url(), body=self.request_body(), authenticated=False)
        token = response.headers.get('X-Subject-Token')
        if not token:
            raise ApiError('Keystone answered without an X-Subject-Token header', url=self.tokens_url())
        client.add_secret(token)
        self.token = token
        try:
            token_body = response.json().get('token') or {}
        except ValueError:
            raise ApiError('Keystone answered HTTP %d with a body that is not JSON' % response.status_code,
                           url=self.tokens_url(), status=response.status_code) from None
        self.catalog = token_body.get('catalog') or []
        self.expires_at = token_body.get('expires_at')

    def needs_login(self) -> bool:
        """Whether no token has been fetched yet."""
        return self.token is None

    def endpoint_from_catalog(self) -> str:
        """The VPN endpoint of the selected region and interface, from the token's catalog."""
        for service_type in CATALOG_TYPES:
            for service in self.catalog:
                if service.get('type') != service_type:
                    continue
                for endpoint in service.get('endpoints') or []:
                    region = endpoint.get('region_id') or endpoint.get('region')
                    if endpoint.get('interface', 'public') == self.interface and (not self.region or region == self.region):
                        return endpoint['url']
        where = ' in region %s' % self.region if self.region else ''
        raise ConfigError('The Keystone catalog has no %s %s endpoint%s; set endpoint explicitly'
                          % (self.interface, ' or '.join(CATALOG_TYPES), where))

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
