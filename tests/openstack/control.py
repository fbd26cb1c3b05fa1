# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSGI middleware around a real Neutron: the emulator's ``/_emulator/`` control API, for real.

The integration targets drive the emulator through ``/_emulator/...``; this middleware serves
the same endpoints in front of Neutron, so that a target runs unchanged against both:

* ``GET``/``DELETE /_emulator/log`` (and ``GET /_emulator/log/take``, the same as DELETE): every non-control request, in the emulator's format
  (``tests.emulator.requestlog``: secrets masked);
* ``POST /_emulator/reset``: delete every VPN object, as the emulator does (networks, subnets
  and the router stay), clear the log, back to the start-up agent delay;
* ``POST /_emulator/topology``: register the router and subnet that seeds use;
* ``POST /_emulator/seed``: create the objects through Neutron's own API (so Neutron validates
  them), then give them the requested ``id`` and ``status`` in the database. What the real API
  needs and an emulator seed may leave out is filled in: references that do not exist yet are
  created (with the requested ids), routers and subnets that do not exist are replaced by the
  topology's, policies get ``auth_algorithm: sha256``;
* ``GET /_emulator/state``: every VPN object, ``psk`` masked with ``psk_sha256`` added;
* ``PATCH /_emulator/resources/<collection>/<id>``: set ``status`` (or another plain column)
  in the database, as the agent would (see ``agent.AgentStandIn.hold``);
* ``GET``/``POST /_emulator/config``: ``pending_seconds`` is the agent's delay; the emulator's
  listing switches (``server_filter``, ``paging``, ``max_limit``) accept only Neutron's
  behaviour (true, true, 0), anything else is a 400: a target must not ask a real server to
  behave like another cloud.

Fault injection is not offered: those targets are emulator-only. Seeding, state and reset call
Neutron internally without credentials, so they work in noauth mode only.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any, Callable

from tests.emulator.messages import Request
from tests.emulator.requestlog import RequestLog

CONTROL = '/_emulator/'
MASK = '******'

# plural (state/seed key) -> (URL name, body key, table)
COLLECTIONS = {
    'endpoint_groups': ('endpoint-groups', 'endpoint_group', 'vpn_endpoint_groups'),
    'ikepolicies': ('ikepolicies', 'ikepolicy', 'ikepolicies'),
    'ipsecpolicies': ('ipsecpolicies', 'ipsecpolicy', 'ipsecpolicies'),
    'vpnservices': ('vpnservices', 'vpnservice', 'vpnservices'),
    'ipsec_site_connections': ('ipsec-site-connections', 'ipsec_site_connection', 'ipsec_site_connections'),
}
SEED_ORDER = tuple(COLLECTIONS)  # references first
# Rows that point at a resource's id, updated when a seeded object gets its requested id.
ID_REFERENCES = {
    'ipsec_site_connections': [('ipsecpeercidrs', 'ipsec_site_connection_id')],
    'vpnservices': [('providerresourceassociations', 'resource_id')],
    'endpoint_groups': [('vpn_endpoints', 'endpoint_group_id')],
    'ikepolicies': [],
    'ipsecpolicies': [],
}
SERVER_FIELDS = frozenset(('id', 'status', 'tenant_id', 'project_id', 'created_at', 'external_v4_ip', 'external_v6_ip',
                           'route_mode', 'auth_mode', 'order_id', 'product_id', 'psk_sha256'))
LISTING_DEFAULTS = {'server_filter': True, 'paging': True, 'max_limit': 0}
PATCHABLE = frozenset(('status', 'name', 'description', 'mtu', 'admin_state_up', 'peer_address', 'peer_id'))


class ControlError(Exception):
    """A control-API error, answered as ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def state_view(record: dict) -> dict:
    """The object with ``psk`` masked and ``psk_sha256`` added, as the emulator's /state shows it."""
    shown = dict(record)
    if 'psk' in shown:
        secret = shown['psk']
        shown['psk_sha256'] = None if secret is None else hashlib.sha256(str(secret).encode('utf-8')).hexdigest()
        shown['psk'] = None if secret is None else MASK
    return shown


class ControlMiddleware:  # pylint: disable=too-many-instance-attributes
    """Neutron's WSGI app plus the control API, the request log and the agent stand-in's hook."""

    def __init__(self, app: Callable, agent, lock, noauth: bool) -> None:
        self.app = app
        self.agent = agent
        self.lock = lock
        self.noauth = noauth
        self.log = RequestLog()
        self.topology: dict[str, Any] = {}
        self.defaults: dict[str, str] = {}

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable):
        # Neutron's URL map moves /v2.0 into SCRIPT_NAME: keep the path as the client sent it.
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        body = self._read_body(environ)
        with self.lock:
            if path.startswith(CONTROL):
                status, payload = self._control(environ['REQUEST_METHOD'], path, body)
                data = json.dumps(payload).encode()
                start_response('%d %s' % (status, 'OK' if status < 400 else 'Error'),
                               [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])
                return [data]
            captured: dict[str, Any] = {}

            def capture(status_line, headers, exc_info=None):
                captured['status'] = int(status_line.split()[0])
                return start_response(status_line, headers, exc_info)

            environ['wsgi.input'] = io.BytesIO(body)
            query = environ.get('QUERY_STRING', '')
            result = self.app(environ, capture)
            try:
                chunks = list(result)
            finally:
                if hasattr(result, 'close'):
                    result.close()
            self.log.record(Request(method=environ['REQUEST_METHOD'], path=path, query=query,
                                    body=body), captured.get('status'))
            self.agent.step()  # with delay 0, a new PENDING_CREATE is settled before the next request
            return chunks

    @staticmethod
    def _read_body(environ: dict) -> bytes:
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            length = 0
        return environ['wsgi.input'].read(length) if length > 0 else b''

    # -- internal calls to Neutron ----------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call Neutron in-process (not logged) and return (status, parsed JSON or None)."""
        data = b'' if body is None else json.dumps(body).encode()
        path, _sep, query = path.partition('?')
        environ = {
            'REQUEST_METHOD': method, 'PATH_INFO': path, 'QUERY_STRING': query, 'SCRIPT_NAME': '',
            'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '80', 'SERVER_PROTOCOL': 'HTTP/1.1',
            'CONTENT_TYPE': 'application/json', 'CONTENT_LENGTH': str(len(data)), 'HTTP_ACCEPT': 'application/json',
            'wsgi.input': io.BytesIO(data), 'wsgi.errors': io.StringIO(), 'wsgi.version': (1, 0),
            'wsgi.url_scheme': 'http', 'wsgi.multithread': False, 'wsgi.multiprocess': False, 'wsgi.run_once': False,
        }
        captured: dict[str, int] = {}

        def start(status_line, _headers, _exc_info=None):
            captured['status'] = int(status_line.split()[0])

        raw = b''.join(self.app(environ, start))
        return captured.get('status', 500), (json.loads(raw) if raw.strip() else None)

    def _checked(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status >= 400:
            raise ControlError(400, 'Neutron refused %s %s with %d: %s' % (method, path, status, json.dumps(answer)))
        return answer

    def _exists(self, path: str) -> bool:
        return self.call('GET', path)[0] == 200

    # -- control API ------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        name = path[len(CONTROL):].strip('/')
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return 400, {'error': 'the body is not valid JSON'}
        routes = {('POST', 'reset'): self.reset, ('POST', 'seed'): self.seed, ('GET', 'state'): self.state,
                  ('GET', 'log'): lambda _p: {'requests': self.log.entries()},
                  ('DELETE', 'log'): lambda _p: {'requests': self.log.clear()},
                  ('GET', 'log/take'): lambda _p: {'requests': self.log.clear()},
                  ('GET', 'config'): lambda _p: self.config(None), ('POST', 'config'): self.config,
                  ('POST', 'topology'): self.set_topology}
        try:
            if (method, name) in routes:
                if name in ('reset', 'seed', 'state') and not self.noauth:
                    raise ControlError(400, '/_emulator/%s needs the noauth server (no Keystone)' % name)
                return 200, routes[(method, name)](payload)
            match = re.match(r'^resources/([^/]+)/([^/]+)$', name)
            if method == 'PATCH' and match:
                return 200, self.patch(match.group(1), match.group(2), payload)
            raise ControlError(404, 'no control endpoint %s %s on the real server' % (method, path))
        except ControlError as exc:
            return exc.status, {'error': str(exc)}

    def set_topology(self, payload: Any) -> dict:
        """Register the topology: the router and subnet ids that seeds use."""
        if not isinstance(payload, dict) or 'router_id' not in payload or 'subnet_id' not in payload:
            raise ControlError(400, 'the topology needs router_id and subnet_id')
        self.topology = payload
        return self.topology

    def config(self, payload: Any) -> dict:
        """Read or change the settings: pending_seconds is the agent's delay."""
        if payload is not None:
            if not isinstance(payload, dict):
                raise ControlError(400, 'the body must be an object')
            for key, value in payload.items():
                if key == 'pending_seconds':
                    self.agent.delay = float(value)
                elif key in LISTING_DEFAULTS:
                    if value != LISTING_DEFAULTS[key]:
                        raise ControlError(400, '%s=%r is not supported: a real Neutron server filters and pages '
                                                'as it does (emulator-only setting)' % (key, value))
                else:
                    raise ControlError(400, 'setting %s is not supported on the real server' % key)
        return {'pending_seconds': self.agent.delay, **LISTING_DEFAULTS}

    def reset(self, _payload: Any) -> dict:
        """Delete every VPN object (users first), clear the log, restore the agent's delay."""
        connection = self.agent.connect()
        try:
            for plural in reversed(SEED_ORDER):
                table = COLLECTIONS[plural][2]
                doomed = [(row[0],) for row in connection.execute('SELECT id FROM %s' % table)]
                for child_table, column in ID_REFERENCES[plural]:
                    connection.executemany('DELETE FROM %s WHERE %s = ?' % (child_table, column), doomed)
                connection.executemany('DELETE FROM %s WHERE id = ?' % table, doomed)
            connection.commit()
        finally:
            connection.close()
        self.defaults.clear()
        self.log.clear()
        self.agent.reset()
        return {'reset': True}

    def state(self, _payload: Any) -> dict:
        """Every VPN object, as Neutron lists it, psk masked."""
        return {plural: [state_view(item) for item in self._checked('GET', '/v2.0/vpn/%s' % url)[plural]]
                for plural, (url, _key, _table) in COLLECTIONS.items()}

    def patch(self, collection: str, rid: str, changes: Any) -> dict:
        """Set columns of a connection or VPN service directly (the agent's or another client's doing)."""
        plural = collection.replace('-', '_')
        if plural not in COLLECTIONS:
            raise ControlError(404, 'unknown collection %s' % collection)
        if not isinstance(changes, dict) or not changes:
            raise ControlError(400, 'the body must be an object of fields to set')
        changes = dict(changes)
        settle_after = changes.pop('settle_after', None)
        if set(changes) - PATCHABLE:
            raise ControlError(400, 'only these fields can be set: %s' % ', '.join(sorted(PATCHABLE)))
        if settle_after is not None and (not isinstance(settle_after, (int, float)) or 'status' not in changes):
            raise ControlError(400, 'settle_after must be a number of seconds >= 0, given with status')
        self._set_columns(plural, rid, changes, settle_after)
        url, key, _table = COLLECTIONS[plural]
        status, answer = self.call('GET', '/v2.0/vpn/%s/%s' % (url, rid))
        if status != 200:
            raise ControlError(404, 'no %s %s' % (key, rid))
        return {key: state_view(answer[key])}

    def _set_columns(self, plural: str, rid: str, changes: dict, settle_after: float | None = None) -> None:
        table = COLLECTIONS[plural][2]
        connection = self.agent.connect()
        try:
            for column, value in changes.items():
                connection.execute('UPDATE %s SET %s = ? WHERE id = ?' % (table, column), (value, rid))
            connection.commit()
        finally:
            connection.close()
        if 'status' in changes:
            self.agent.hold(table, rid, changes['status'], settle_after)

    def _rename(self, plural: str, old: str, new: str) -> None:
        """Give a just-created object the id the seed asked for (nothing refers to it yet but its own rows)."""
        connection = self.agent.connect()
        try:
            for child_table, column in ID_REFERENCES[plural]:
                connection.execute('UPDATE %s SET %s = ? WHERE %s = ?' % (child_table, column, column), (new, old))
            connection.execute('UPDATE %s SET id = ? WHERE id = ?' % COLLECTIONS[plural][2], (new, old))
            connection.commit()
        finally:
            connection.close()

    # -- seeding ----------------------------------------------------------------------------

    def seed(self, payload: Any) -> dict:
        """Create the objects through Neutron, with the requested ids and statuses."""
        if not isinstance(payload, dict) or set(payload) - set(COLLECTIONS):
            raise ControlError(400, 'the body must be an object of lists keyed by %s' % ', '.join(COLLECTIONS))
        if not self.topology:
            raise ControlError(400, 'no topology registered (POST /_emulator/topology)')
        result: dict[str, list] = {}
        for plural in SEED_ORDER:
            for item in payload.get(plural, []):
                if not isinstance(item, dict):
                    raise ControlError(400, '%s must be a list of objects' % plural)
                result.setdefault(plural, []).append(state_view(self._seed_one(plural, dict(item))))
        return result

    def _seed_one(self, plural: str, given: dict) -> dict:
        url, key, table = COLLECTIONS[plural]
        wanted_id = given.get('id')
        if wanted_id and self._exists('/v2.0/vpn/%s/%s' % (url, wanted_id)):
            raise ControlError(400, '%s %s exists already (the real server cannot replace it)' % (key, wanted_id))
        status = given.get('status', 'ACTIVE')
        body = {name: value for name, value in given.items() if name not in SERVER_FIELDS}
        getattr(self, '_complete_%s' % key)(body)
        created = self._checked('POST', '/v2.0/vpn/%s' % url, {key: body})[key]
        rid = created['id']
        if wanted_id:
            self._rename(plural, rid, wanted_id)
            rid = wanted_id
        if table in ('ipsec_site_connections', 'vpnservices'):
            self._set_columns(plural, rid, {'status': status})
        return self._checked('GET', '/v2.0/vpn/%s/%s' % (url, rid))[key]

    @staticmethod
    def _complete_ikepolicy(body: dict) -> None:
        # neutron-lib still defaults auth_algorithm to sha1, which neutron-vpnaas 29 refuses (500).
        body.setdefault('auth_algorithm', 'sha256')

    _complete_ipsecpolicy = _complete_ikepolicy

    def _complete_endpoint_group(self, body: dict) -> None:
        if body.get('type') == 'subnet':
            body['endpoints'] = [endpoint if endpoint and self._exists('/v2.0/subnets/%s' % endpoint)
                                 else self.topology['subnet_id']
                                 for endpoint in body.get('endpoints') or ['']]
            body['endpoints'] = sorted(set(body['endpoints']))

    def _complete_vpnservice(self, body: dict) -> None:
        if not body.get('router_id') or not self._exists('/v2.0/routers/%s' % body['router_id']):
            body['router_id'] = self.topology['router_id']
        if body.get('subnet_id') and not self._exists('/v2.0/subnets/%s' % body['subnet_id']):
            body['subnet_id'] = self.topology['subnet_id']

    def _complete_ipsec_site_connection(self, body: dict) -> None:
        """Fill in what Neutron requires and an emulator seed may leave out."""
        body.setdefault('psk', 'seeded-placeholder-psk')
        body.setdefault('peer_address', '192.0.2.1')
        body.setdefault('peer_id', body['peer_address'])
        with_cidrs = bool(body.get('peer_cidrs'))
        if not with_cidrs:
            for side, kind, endpoints in (('local', 'subnet', [self.topology['subnet_id']]),
                                          ('peer', 'cidr', ['10.99.0.0/16'])):
                if not body.get('%s_ep_group_id' % side):
                    body['%s_ep_group_id' % side] = self._default('%s-group' % side, 'endpoint_groups', {
                        'name': 'seed-%s' % side, 'type': kind, 'endpoints': endpoints})
                self._ensure('endpoint_groups', body['%s_ep_group_id' % side],
                             {'name': 'seed-%s' % side, 'type': kind, 'endpoints': endpoints})
        service = {'name': 'seed-service', 'router_id': self.topology['router_id']}
        if with_cidrs:
            service['subnet_id'] = self.topology['subnet_id']
        for field, plural, spec in (('vpnservice_id', 'vpnservices', service),
                                    ('ikepolicy_id', 'ikepolicies', {'name': 'seed-ike'}),
                                    ('ipsecpolicy_id', 'ipsecpolicies', {'name': 'seed-ipsec'})):
            variant = '%s-%s' % (plural, 'subnet' if with_cidrs and plural == 'vpnservices' else 'plain')
            if not body.get(field):
                body[field] = self._default(variant, plural, spec)
            else:
                self._ensure(plural, body[field], spec)

    def _default(self, variant: str, plural: str, spec: dict) -> str:
        """The id of a shared helper object (created once until the next reset)."""
        if variant not in self.defaults:
            self.defaults[variant] = self._seed_one(plural, dict(spec))['id']
        return self.defaults[variant]

    def _ensure(self, plural: str, rid: str, spec: dict) -> None:
        """Create the referenced object with id ``rid`` unless it exists."""
        if not self._exists('/v2.0/vpn/%s/%s' % (COLLECTIONS[plural][0], rid)):
            self._seed_one(plural, dict(spec, id=rid))
