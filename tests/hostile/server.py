# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile server: two ports on 127.0.0.1, one scenario per first path segment (see README.md).

Written as an attacker or a broken load balancer behaves, apart from the collection's code: standard
library only, nothing imported from ``plugins/`` or ``tests/emulator``. Every request is recorded
before it is answered (so one that gets no answer still counts). Every loop is bounded: a drip stops
after ``MAX_DRIP_SECONDS`` or when the client goes away, idle keep-alive connections are dropped after
``IDLE_TIMEOUT`` seconds, handler threads are daemons, and the process exits when its parent dies or
after ``--max-lifetime`` seconds.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import select
import socket
import socketserver
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

HOST = '127.0.0.1'
CID = '0a1b2c3d-0000-4000-8000-00000000a001'
VPNSERVICE_ID = '0a1b2c3d-0000-4000-8000-00000000a0a1'
IKEPOLICY_ID = '0a1b2c3d-0000-4000-8000-00000000a0b1'
IPSECPOLICY_ID = '0a1b2c3d-0000-4000-8000-00000000a0c1'
PROJECT_ID = '0a1b2c3d00004000800000000000a0f1'
COLLECTION = '/v2.0/vpn/ipsec-site-connections'
TOKENS = '/v3/auth/tokens'
CONTROL = '/_hostile'
MASKED_PSK = '******'

MAX_DRIP_SECONDS = 60          # a dripping answer stops after this long ...
DRIP_INTERVAL = 1.0            # ... sending one byte per this many seconds
IDLE_TIMEOUT = 30              # seconds a kept-alive connection may sit idle
DEFAULT_MAX_LIFETIME = 900.0   # seconds; the process exits afterwards
MAX_REQUEST_BODY = 16 * 1024 * 1024
MAX_RECORDED_BODY = 1024 * 1024
MAX_ENTRIES = 50000            # entries kept in full; the counts stay exact beyond
PENDING_SECONDS = 6.0
GZIP_BOMB_BYTES = 2 * 1024 ** 3
BIG_HTML_BYTES = 294000
HUGE_MESSAGE_BYTES = 10 * 1024 * 1024
DEEP_LEVELS = 100000
BIGINT_DIGITS = 5000

ECHO_FORMS = ('raw', 'uescape', 'json', 'urlencoded', 'html', 'base64', 'slash', 'amp', 'collapsed', 'wrapped',
              'truncated')
REDIRECT_CODES = (301, 302, 303, 307, 308)
SHAPES = ('shape-list', 'shape-null', 'shape-string', 'shape-noid', 'shape-wrongkey', 'shape-204', 'shape-badcidr',
          'shape-types', 'shape-deep', 'shape-bigint', 'shape-nan', 'shape-id-newline', 'shape-html200',
          'shape-truncated')
CATALOG_SHAPES = ('shape-catalog', 'shape-catalog-strings', 'shape-catalog-endpoints')
#: Scenarios that start without the connection (the module creates it).
CREATE_SCENARIOS = ('redirect-after-create', 'create-401')
#: Scenarios that answer like an honest Neutron (the fault is on the module's side, or it is the control case).
HONEST_SCENARIOS = ('honest', 'shape-token-crlf', 'id-newline')

KEYSTONE_401_MESSAGE = 'The request you have made requires authentication.'


def scenario_names() -> list:
    """Every scenario this server knows (a ``~suffix`` may be appended to any, to count tasks apart)."""
    names = ['redirect-%d' % code for code in REDIRECT_CODES]
    names += ['redirect-same-307', 'redirect-downgrade', 'redirect-keystone', 'redirect-after-create']
    names += ['echo-%s' % form for form in ECHO_FORMS] + ['echo-keystone-%s' % form for form in ECHO_FORMS]
    names += ['echo-security-token', 'echo-issued-token']
    names += list(SHAPES) + list(CATALOG_SHAPES) + ['shape-token-crlf']
    names += ['big-html', 'gzip-bomb', 'drip-headers', 'drip-body', 'huge-message', 'endless-pages', 'pages-elsewhere']
    names += ['create-401', 'put-lost', 'put-502', 'pending-long', 'honest', 'id-newline']
    return names


def connection(**changes) -> dict:
    """The connection object of the GETs (fixed UUIDs), with ``changes`` applied."""
    conn = {'id': CID, 'name': 'hostile-1', 'status': 'ACTIVE', 'peer_address': '192.0.2.10', 'peer_id': '192.0.2.10',
            'psk': MASKED_PSK, 'mtu': 1500, 'initiator': 'bi-directional', 'admin_state_up': True,
            'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120}, 'peer_cidrs': ['10.2.0.0/24'],
            'vpnservice_id': VPNSERVICE_ID, 'ikepolicy_id': IKEPOLICY_ID, 'ipsecpolicy_id': IPSECPOLICY_ID,
            'local_ep_group_id': None, 'peer_ep_group_id': None, 'description': ''}
    conn.update(changes)
    return conn


def neutron_error(kind: str, message: str) -> dict:
    """A Neutron error body."""
    return {'NeutronError': {'type': kind, 'message': message, 'detail': ''}}


# ---------------------------------------------------------------------------
# Encoded forms of an echoed secret
# ---------------------------------------------------------------------------

def json_chars(text: str) -> str:
    """``text`` as the inside of a JSON string."""
    return json.dumps(text)[1:-1]


def transform(form: str, value: str) -> str:
    """The echoed value as the message (decoded) holds it, for the forms that change the text itself."""
    if form == 'json':
        return json.dumps(value)
    if form == 'urlencoded':
        return quote(value, safe='')
    if form == 'html':
        return html.escape(value, quote=True)
    if form == 'base64':
        return base64.b64encode(value.encode('utf-8')).decode('ascii')
    if form == 'collapsed':
        return re.sub(r'\s+', ' ', value)
    if form == 'wrapped':
        half = len(value) // 2
        return value[:half] + '\n    ' + value[half:]
    return value


def body_chars(form: str, value: str) -> str:
    """The echoed value as it appears in the JSON text of the answer (inside a string)."""
    value = transform(form, value)
    if form == 'uescape':
        return ''.join('\\u%04x' % ord(char) if ord(char) < 0x10000 else json_chars(char) for char in value)
    text = json_chars(value)
    if form == 'slash':
        return text.replace('/', '\\/')
    if form == 'amp':
        for char, escape in (('&', '\\u0026'), ('<', '\\u003c'), ('>', '\\u003e'), ("'", '\\u0027')):
            text = text.replace(char, escape)
        return text
    return text


def message_chars(form: str, parts: list) -> str:
    """A message made of ``parts`` ((text, is_secret) pairs) as JSON string content; ``truncated`` ends the message
    after the first len-2 characters of the first secret."""
    out = []
    for text, secret in parts:
        if not secret:
            out.append(json_chars(text))
        elif form == 'truncated':
            out.append(json_chars(text[:max(0, len(text) - 2)]))
            break
        else:
            out.append(body_chars(form, text))
    return ''.join(out)


# ---------------------------------------------------------------------------
# Big bodies, built once
# ---------------------------------------------------------------------------

class _Lazy:
    """A value computed once, in a background thread started at first ``start()``; ``get()`` waits (bounded)."""

    def __init__(self, build) -> None:
        self._build = build
        self._value = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, daemon=True, name='hostile-build').start()

    def _run(self) -> None:
        try:
            self._value = self._build()
        finally:
            self._done.set()

    def get(self, timeout: float = 120.0):
        self.start()
        self._done.wait(timeout)
        return self._value


def build_gzip_bomb() -> bytes:
    """A gzip stream of ``{"a": "000...`` whose decompressed size is 2 GiB, built in 1 MiB chunks (about 2 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31, 9, zlib.Z_RLE)
    head = b'{"a": "'
    out = [compressor.compress(head)]
    chunk = b'0' * (1024 * 1024)
    remaining = GZIP_BOMB_BYTES - len(head)
    while remaining > 0:
        piece = chunk if remaining >= len(chunk) else chunk[:remaining]
        out.append(compressor.compress(piece))
        remaining -= len(piece)
    out.append(compressor.flush())
    return b''.join(out)


GZIP_BOMB = _Lazy(build_gzip_bomb)


def deep_body() -> bytes:
    """The connection with its psk nested DEEP_LEVELS lists deep, as raw text."""
    text = json.dumps({'ipsec_site_connection': connection(psk='\x00DEEP\x00')})
    return text.replace(json.dumps('\x00DEEP\x00'), '[' * DEEP_LEVELS + ']' * DEEP_LEVELS).encode('ascii')


def raw_field_body(field: str, raw: str, **changes) -> bytes:
    """The connection with ``field`` replaced by the raw JSON text ``raw``."""
    text = json.dumps({'ipsec_site_connection': connection(**dict(changes, **{field: '\x00RAW\x00'}))})
    return text.replace(json.dumps('\x00RAW\x00'), raw).encode('ascii')


def shape_body(name: str) -> tuple:
    """(status, content type, body bytes) of a shape scenario's answer to the connections API."""
    def as_json(data) -> bytes:
        return json.dumps(data).encode('utf-8')

    if name == 'shape-list':
        return 200, 'application/json', b'[]'
    if name == 'shape-null':
        return 200, 'application/json', b'null'
    if name == 'shape-string':
        return 200, 'application/json', b'"x"'
    if name == 'shape-noid':
        conn = connection()
        del conn['id']
        return 200, 'application/json', as_json({'ipsec_site_connection': conn})
    if name == 'shape-wrongkey':
        return 200, 'application/json', b'{"other": {}}'
    if name == 'shape-204':
        return 204, None, b''
    if name == 'shape-badcidr':
        return 200, 'application/json', as_json({'ipsec_site_connection': connection(peer_cidrs=['not-a-cidr'])})
    if name == 'shape-types':
        conn = connection(mtu='abc', admin_state_up='yes', dpd='x', status=7)
        return 200, 'application/json', as_json({'ipsec_site_connection': conn})
    if name == 'shape-deep':
        return 200, 'application/json', deep_body()
    if name == 'shape-bigint':
        return 200, 'application/json', raw_field_body('mtu', '7' * BIGINT_DIGITS)
    if name == 'shape-nan':
        return 200, 'application/json', raw_field_body('mtu', 'NaN')
    if name == 'shape-id-newline':
        return 200, 'application/json', as_json({'ipsec_site_connection': connection(id=CID + '\n')})
    if name == 'shape-html200':
        return 200, 'text/html', (b'<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head>'
                                  b'<body><h1>Welcome to nginx!</h1><p>If you see this page, the web server is '
                                  b'successfully installed.</p></body></html>')
    raise KeyError(name)


# ---------------------------------------------------------------------------
# The request log and the scenario state
# ---------------------------------------------------------------------------

class Recorder:
    """Every request of both ports, the issued tokens, and the scenarios' state; thread-safe."""

    def __init__(self, log_path: str = None) -> None:
        self.lock = threading.Lock()
        self.log_file = open(log_path, 'a', encoding='utf-8', buffering=1) if log_path else None  # noqa: SIM115
        self.salt = uuid.uuid4().hex
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.entries = []
            self.counts = {}
            self.dropped = 0
            self.issued = []
            self.state = {}
            self.sequence = 0
            self.token_counter = 0

    def record(self, entry: dict) -> dict:
        with self.lock:
            self.sequence += 1
            entry['n'] = self.sequence
            key = '%s %s %s' % (entry['port'], entry.get('scenario') or '-', entry.get('method') or entry['kind'])
            self.counts[key] = self.counts.get(key, 0) + 1
            if len(self.entries) < MAX_ENTRIES:
                self.entries.append(entry)
            else:
                self.dropped += 1
            if self.log_file is not None:
                self.log_file.write(json.dumps(entry, sort_keys=True) + '\n')
        return entry

    def snapshot(self) -> bytes:
        with self.lock:
            return json.dumps({'entries': self.entries, 'counts': self.counts, 'dropped': self.dropped,
                               'issued': self.issued}).encode('utf-8')

    def scenario_state(self, key) -> dict:
        with self.lock:
            return self.state.setdefault(key, {})

    def issue_token(self, scenario: str, port: str) -> str:
        with self.lock:
            self.token_counter += 1
            token = 'gAAAAAH' + hashlib.sha256(('%s|%s|%d|%s' % (scenario, port, self.token_counter, self.salt))
                                               .encode('utf-8')).hexdigest()
            self.issued.append({'scenario': scenario, 'port': port, 'token': token, 'time': time.time()})
        return token


class Request:
    """One parsed request."""

    def __init__(self, method: str, raw_path: str, headers: list, body: bytes) -> None:
        parts = urlsplit(raw_path)
        self.method = method
        self.raw_path = raw_path
        self.path = parts.path or '/'
        self.query = parts.query
        self.params = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.headers = headers
        self.body = body
        segments = self.path.split('/', 2)
        self.scenario = unquote(segments[1]) if len(segments) > 1 else ''
        self.base = self.scenario.split('~', 1)[0]
        self.rest = '/' + segments[2] if len(segments) > 2 else ''

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return ''

    def json(self):
        try:
            return json.loads(self.body.decode('utf-8')) if self.body else None
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def conn_id(self) -> str:
        """The connection id of ``.../ipsec-site-connections/<id>`` (decoded), or ''."""
        if self.rest.startswith(COLLECTION + '/'):
            return unquote(self.rest[len(COLLECTION) + 1:])
        return ''

    @property
    def is_collection(self) -> bool:
        return self.rest.rstrip('/') == COLLECTION

    @property
    def is_tokens(self) -> bool:
        return self.rest.rstrip('/') == TOKENS and self.method == 'POST'


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """Reads a request, records it, then lets the scenario answer (or misbehave)."""

    protocol_version = 'HTTP/1.1'
    server_version = 'hostile/1.0'
    sys_version = ''
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    server: 'Server'

    # -- plumbing -------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        if self.server.role == 'elsewhere':   # nothing may even connect there (TLS, garbage, anything)
            self.server.recorder.record({'kind': 'connection', 'port': self.server.role, 'time': time.time(),
                                         'client': '%s:%s' % self.client_address[:2]})

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # pylint: disable=redefined-builtin
        """Quiet."""

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if not ok:
            raw = (self.raw_requestline or b'')[:200]
            self.server.recorder.record({'kind': 'invalid', 'port': self.server.role, 'time': time.time(),
                                         'raw': raw.decode('latin-1')})
        return ok

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self._record_request(b'')
            self.send_json(400, {'error': str(exc)}, close=True)
            return
        if self.server.role == 'api' and self.path.split('?', 1)[0] in (CONTROL + '/log', CONTROL + '/reset'):
            self._control()
            return
        request = self._record_request(body)
        try:
            self.server.app.serve(self, request)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

    def _read_body(self) -> bytes:
        length = self.headers.get('Content-Length')
        if length is not None:
            if not length.strip().isdigit() or int(length) > MAX_REQUEST_BODY:
                self.close_connection = True
                raise ValueError('bad or too large Content-Length')
            return self.rfile.read(int(length))
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            data = bytearray()
            for _chunk in range(100000):
                size = int(self.rfile.readline(1024).split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    self.rfile.readline(1024)
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline(1024)
                if len(data) > MAX_REQUEST_BODY:
                    break
            self.close_connection = True
            raise ValueError('bad chunked body')
        return b''

    def _record_request(self, body: bytes) -> Request:
        request = Request(self.command, self.path, list(self.headers.items()), body)
        self.server.recorder.record({
            'kind': 'request', 'port': self.server.role, 'time': time.time(), 'scenario': request.scenario,
            'method': request.method, 'path': request.path, 'query': request.query, 'headers': request.headers,
            'body': body[:MAX_RECORDED_BODY].decode('utf-8', 'replace'), 'body_bytes': len(body)})
        return request

    def _control(self) -> None:
        recorder = self.server.recorder
        if self.path.startswith(CONTROL + '/log') and self.command == 'GET':
            self.send_bytes(200, recorder.snapshot(), 'application/json')
        elif self.path.startswith(CONTROL + '/reset') and self.command == 'POST':
            recorder.reset()
            self.send_json(200, {'reset': True})
        else:
            self.send_json(405, {'error': 'GET %s/log or POST %s/reset' % (CONTROL, CONTROL)})

    # -- answers --------------------------------------------------------------
    def send_bytes(self, status: int, body: bytes, content_type: str = None, headers: dict = None,
                   close: bool = False) -> None:
        self.send_response(status)
        if content_type:
            self.send_header('Content-Type', content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 204 and status >= 200:
            self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Openstack-Request-Id', 'req-%s' % uuid.uuid4())
        if close:
            self.send_header('Connection', 'close')
            self.close_connection = True
        self.end_headers()
        if self.command != 'HEAD' and status != 204 and body:
            self.wfile.write(body)

    def send_json(self, status: int, data, headers: dict = None, close: bool = False) -> None:
        self.send_bytes(status, json.dumps(data).encode('utf-8'), 'application/json', headers, close)

    def send_text_json(self, status: int, text: str, headers: dict = None) -> None:
        """A JSON body given as text (for the hand-made encodings)."""
        self.send_bytes(status, text.encode('utf-8'), 'application/json', headers)

    def client_gone(self) -> bool:
        """Whether the client closed its side (EOF readable) or the socket broke."""
        try:
            readable, _w, _x = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b''
        except (OSError, ValueError):
            return True
        return False

    def drip(self, data: bytes) -> None:
        """Send ``data`` one byte per DRIP_INTERVAL, for at most MAX_DRIP_SECONDS or until the client goes away."""
        self.close_connection = True
        deadline = time.monotonic() + MAX_DRIP_SECONDS
        for index in range(len(data)):
            if time.monotonic() >= deadline or self.client_gone():
                break
            try:
                self.connection.sendall(data[index:index + 1])
            except OSError:
                break
            time.sleep(DRIP_INTERVAL)
        self.drop()

    def drop(self) -> None:
        """Close the connection without (more of) an answer."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    """One listening port (``role`` api or elsewhere)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, port: int, role: str, app: 'App', recorder: Recorder) -> None:
        self.role = role
        self.app = app
        self.recorder = recorder
        super().__init__((HOST, port), Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup of HTTPServer.server_bind."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]


# ---------------------------------------------------------------------------
# The scenarios
# ---------------------------------------------------------------------------

class App:
    """Answers each request according to its scenario."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.api_port = 0
        self.elsewhere_port = 0
        self.big_html = b'<title>' * (BIG_HTML_BYTES // len(b'<title>'))
        self._deep = None
        self._huge = None

    def url(self, role: str, path: str = '') -> str:
        return 'http://%s:%d%s' % (HOST, self.api_port if role == 'api' else self.elsewhere_port, path)

    # -- dispatch -------------------------------------------------------------
    def serve(self, handler: Handler, request: Request) -> None:
        if handler.server.role == 'elsewhere':
            self.honest(handler, request, role='elsewhere')
            return
        base = request.base
        redirect = re.match(r'redirect-(\d{3})$', base)
        if redirect and int(redirect.group(1)) in REDIRECT_CODES:
            self.redirect(handler, int(redirect.group(1)), self.url('elsewhere', handler.path))
        elif base == 'redirect-same-307':
            self.redirect(handler, 307, self.url('api', handler.path))
        elif base == 'redirect-downgrade':
            # The api is plain http on loopback too: the "downgrade" is modelled as a 308 to another
            # http origin (the elsewhere port); against an https api it would be https -> http.
            self.redirect(handler, 308, self.url('elsewhere', handler.path))
        elif base == 'redirect-keystone':
            if request.is_tokens:
                self.redirect(handler, 307, self.url('elsewhere', handler.path))
            else:
                self.honest(handler, request)
        elif base == 'redirect-after-create':
            if request.is_collection and request.method == 'POST':
                self.create(request, 'api')
                self.redirect(handler, 307, self.url('api', handler.path))
            else:
                self.honest(handler, request)
        elif base.startswith('echo-keystone-') and base[len('echo-keystone-'):] in ECHO_FORMS:
            self.echo_keystone(handler, request, base[len('echo-keystone-'):])
        elif base.startswith('echo-') and base[len('echo-'):] in ECHO_FORMS:
            self.echo(handler, request, base[len('echo-'):])
        elif base == 'echo-security-token':
            self.echo_security_token(handler, request)
        elif base == 'echo-issued-token':
            self.echo_issued_token(handler, request)
        elif base in SHAPES:
            self.shape(handler, request, base)
        elif base in CATALOG_SHAPES:
            self.catalog_shape(handler, request, base)
        elif base in HONEST_SCENARIOS or base in ('create-401', 'put-lost', 'put-502', 'pending-long'):
            self.outcome(handler, request, base)
        elif base in ('big-html', 'gzip-bomb', 'drip-headers', 'drip-body', 'huge-message'):
            self.size(handler, request, base)
        elif base == 'endless-pages':
            self.endless_pages(handler, request)
        elif base == 'pages-elsewhere':
            self.pages_elsewhere(handler, request)
        else:
            handler.send_json(404, neutron_error('HTTPNotFound', 'No hostile scenario is called %r.' % base[:80]))

    # -- redirects ------------------------------------------------------------
    @staticmethod
    def redirect(handler: Handler, status: int, location: str) -> None:
        body = ('<html><body>Moved: <a href="%s">here</a></body></html>' % html.escape(location)).encode('utf-8')
        handler.send_bytes(status, body, 'text/html', {'Location': location})

    # -- an honest Neutron + Keystone (the control case, the elsewhere port, and the outcome scenarios) ----
    def store(self, request: Request, role: str) -> dict:
        state = self.recorder.scenario_state((role, request.scenario))
        with self.recorder.lock:
            if 'conns' not in state:
                state['conns'] = {} if request.base in CREATE_SCENARIOS and role == 'api' else {CID: connection()}
                state['created'] = 0
        return state

    def create(self, request: Request, role: str) -> dict:
        state = self.store(request, role)
        data = request.json()
        fields = data.get('ipsec_site_connection') if isinstance(data, dict) else None
        fields = fields if isinstance(fields, dict) else {}
        with self.recorder.lock:
            state['created'] += 1
            conn = connection(id='0a1b2c3d-0000-4000-8000-%012d' % (0xb000 + state['created']), psk=MASKED_PSK)
            conn.update(dict((key, value) for key, value in fields.items() if key not in ('id', 'status', 'psk')))
            state['conns'][conn['id']] = conn
        return dict(conn)

    def token_answer(self, handler: Handler, request: Request, role: str, catalog=None) -> None:
        token = self.recorder.issue_token(request.scenario, role)
        if catalog is None:
            catalog = [{'type': 'network', 'name': 'neutron', 'id': 'hostile-network', 'endpoints': [
                {'id': 'hostile-%s' % interface, 'interface': interface, 'region': 'RegionOne', 'region_id': 'RegionOne',
                 'url': self.url(role, '/' + request.scenario)} for interface in ('public', 'internal', 'admin')]}]
        body = {'token': {'methods': ['password'], 'expires_at': '2099-01-01T00:00:00.000000Z',
                          'issued_at': '2026-01-01T00:00:00.000000Z',
                          'user': {'id': 'hostile-user', 'name': 'hostile', 'domain': {'id': 'default', 'name': 'Default'}},
                          'project': {'id': PROJECT_ID, 'name': 'hostile', 'domain': {'id': 'default', 'name': 'Default'}},
                          'catalog': catalog}}
        handler.send_json(201, body, {'X-Subject-Token': token})

    def honest(self, handler: Handler, request: Request, role: str = 'api') -> None:
        if request.is_tokens:
            self.token_answer(handler, request, role)
            return
        state = self.store(request, role)
        if request.is_collection:
            if request.method == 'GET':
                with self.recorder.lock:
                    items = [dict(conn) for conn in state['conns'].values()]
                for key, value in request.params.items():
                    if key in ('limit', 'marker', 'fields', 'sort_key', 'sort_dir'):
                        continue
                    items = [item for item in items if str(item.get(key)) == value]
                handler.send_json(200, {'ipsec_site_connections': items, 'ipsec_site_connections_links': []})
            elif request.method == 'POST':
                handler.send_json(201, {'ipsec_site_connection': self.create(request, role)})
            else:
                handler.send_json(405, neutron_error('HTTPMethodNotAllowed', 'Method not allowed.'))
            return
        conn_id = request.conn_id
        if not conn_id:
            handler.send_json(404, neutron_error('HTTPNotFound', 'The resource could not be found.'))
            return
        with self.recorder.lock:
            conn = state['conns'].get(conn_id)
            found = dict(conn) if conn else None
        if found is None:
            handler.send_json(404, neutron_error('IPsecSiteConnectionNotFound',
                                                 'ipsec_site_connection %s could not be found' % conn_id[:80]))
        elif request.method == 'GET':
            handler.send_json(200, {'ipsec_site_connection': found})
        elif request.method == 'PUT':
            updated = self.apply_put(request, state, conn_id)
            if updated is None:
                handler.send_json(400, neutron_error('MalformedRequestBody', 'Malformed request body.'))
            else:
                handler.send_json(200, {'ipsec_site_connection': updated})
        elif request.method == 'DELETE':
            with self.recorder.lock:
                state['conns'].pop(conn_id, None)
            handler.send_bytes(204, b'')
        else:
            handler.send_json(405, neutron_error('HTTPMethodNotAllowed', 'Method not allowed.'))

    def apply_put(self, request: Request, state: dict, conn_id: str):
        """Merge a PUT body into the stored connection; the merged object, or None for a malformed body."""
        data = request.json()
        fields = data.get('ipsec_site_connection') if isinstance(data, dict) else None
        if not isinstance(fields, dict):
            return None
        with self.recorder.lock:
            conn = state['conns'].setdefault(conn_id, connection(id=conn_id))
            for key, value in fields.items():
                if key in ('id', 'status'):
                    continue
                if key == 'psk':
                    continue      # never stored in clear; GETs keep answering the mask
                if key == 'dpd' and isinstance(value, dict) and isinstance(conn.get('dpd'), dict):
                    conn['dpd'] = dict(conn['dpd'], **value)
                else:
                    conn[key] = value
            return dict(conn)

    # -- outcomes ------------------------------------------------------------
    def outcome(self, handler: Handler, request: Request, base: str) -> None:
        if base == 'create-401' and request.is_collection and request.method == 'POST':
            self.create(request, 'api')
            handler.send_json(401, {'error': {'code': 401, 'title': 'Unauthorized', 'message': KEYSTONE_401_MESSAGE}},
                              {'WWW-Authenticate': 'Keystone uri="%s"' % self.url('api', '/' + request.scenario + '/v3')})
            return
        if base in ('put-lost', 'put-502') and request.method == 'PUT' and request.conn_id:
            state = self.store(request, 'api')
            self.apply_put(request, state, request.conn_id)
            if base == 'put-lost':
                handler.drop()
            else:
                handler.send_bytes(502, b'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad '
                                        b'Gateway</h1></center><hr><center>nginx</center></body></html>', 'text/html')
            return
        if base == 'pending-long' and not request.is_tokens:
            state = self.store(request, 'api')
            with self.recorder.lock:
                state.setdefault('first', time.monotonic())
                pending = time.monotonic() - state['first'] < PENDING_SECONDS
                for conn in state['conns'].values():
                    conn['status'] = 'PENDING_UPDATE' if pending else 'ACTIVE'
            if pending and request.method == 'PUT':
                handler.send_json(400, neutron_error('VPNStateInvalidToUpdate', 'Invalid state PENDING_UPDATE of '
                                                     'vpnaas resource %s for updating' % request.conn_id[:80]))
                return
        self.honest(handler, request)

    # -- echoes ----------------------------------------------------------------
    def echo(self, handler: Handler, request: Request, form: str) -> None:
        if request.is_tokens:
            self.token_answer(handler, request, 'api')
            return
        state = self.recorder.scenario_state(('api', request.scenario))
        if request.method == 'PUT' and request.conn_id:
            data = request.json()
            fields = data.get('ipsec_site_connection') if isinstance(data, dict) else None
            psk = fields.get('psk') if isinstance(fields, dict) and isinstance(fields.get('psk'), str) else ''
            token = request.header('X-Auth-Token')
            with self.recorder.lock:
                state['psk'] = psk
            message = message_chars(form, [('The PSK "', False), (psk, True), ('" is invalid; token ', False),
                                           (token, True)])
            handler.send_text_json(400, '{"NeutronError": {"type": "HTTPBadRequest", "message": "%s", "detail": ""}}'
                                   % message)
            return
        with self.recorder.lock:
            psk = state.get('psk')
        if request.method != 'GET':
            handler.send_json(405, neutron_error('HTTPMethodNotAllowed', 'Method not allowed.'))
            return
        placeholder = json.dumps('\x00PSK\x00')
        if psk and form == 'truncated':
            echoed = '"%s"' % json_chars(psk[:max(0, len(psk) - 2)])
        else:
            echoed = '"%s"' % (body_chars(form, psk) if psk else MASKED_PSK)
        if request.is_collection:
            text = json.dumps({'ipsec_site_connections': [connection(psk='\x00PSK\x00')],
                               'ipsec_site_connections_links': []})
        elif request.conn_id == CID:
            text = json.dumps({'ipsec_site_connection': connection(psk='\x00PSK\x00')})
        else:
            handler.send_json(404, neutron_error('IPsecSiteConnectionNotFound', 'ipsec_site_connection could not be found'))
            return
        handler.send_text_json(200, text.replace(placeholder, echoed))

    def echo_keystone(self, handler: Handler, request: Request, form: str) -> None:
        if not request.is_tokens:
            self.honest(handler, request)
            return
        data = request.json()
        try:
            user = data['auth']['identity']['password']['user']
            password, name = str(user.get('password') or ''), str(user.get('name') or '')
        except (KeyError, TypeError, AttributeError):
            password, name = '', ''
        message = message_chars(form, [('The password "', False), (password, True),
                                       ('" is not correct for user "%s".' % name[:64], False)])
        handler.send_text_json(401, '{"error": {"code": 401, "title": "Unauthorized", "message": "%s"}}' % message,
                               {'WWW-Authenticate': 'Keystone uri="%s"' % self.url('api', '/' + request.scenario + '/v3')})

    def echo_security_token(self, handler: Handler, request: Request) -> None:
        token = request.header('X-Security-Token')
        encoded = base64.b64encode(token.encode('utf-8')).decode('ascii')
        handler.send_json(403, {'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: '
                                'security token %s (%s) has expired' % (token, encoded),
                                'request_id': uuid.uuid4().hex})

    def echo_issued_token(self, handler: Handler, request: Request) -> None:
        if request.is_tokens:
            self.token_answer(handler, request, 'api')
            return
        token = request.header('X-Auth-Token')
        encoded = base64.b64encode(token.encode('utf-8')).decode('ascii')
        handler.send_json(401, {'error': {'code': 401, 'title': 'Unauthorized',
                                          'message': 'The token %s (%s) is not valid.' % (encoded, token)}},
                          {'WWW-Authenticate': 'Keystone uri="%s"' % self.url('api', '/' + request.scenario + '/v3')})

    # -- shapes ----------------------------------------------------------------
    def shape(self, handler: Handler, request: Request, base: str) -> None:
        if request.is_tokens:
            self.token_answer(handler, request, 'api')
            return
        if not request.rest.startswith('/v2.0/'):
            handler.send_json(404, neutron_error('HTTPNotFound', 'The resource could not be found.'))
            return
        if base == 'shape-truncated':
            handler.send_response(200)
            handler.send_header('Content-Type', 'application/json')
            handler.send_header('Connection', 'close')
            handler.end_headers()
            handler.wfile.write(b'{"ipsec_site_connection": {"id": ')
            handler.drop()
            return
        if base == 'shape-deep':
            if self._deep is None:
                self._deep = deep_body()
            handler.send_bytes(200, self._deep, 'application/json')
            return
        status, content_type, body = shape_body(base)
        handler.send_bytes(status, body, content_type)

    def catalog_shape(self, handler: Handler, request: Request, base: str) -> None:
        if not request.is_tokens:
            self.honest(handler, request)
            return
        token = self.recorder.issue_token(request.scenario, 'api')
        if base == 'shape-catalog':
            catalog = 'nope'
        elif base == 'shape-catalog-strings':
            catalog = ['network', 'vpc', 'identity']
        else:
            catalog = [{'type': 'network', 'name': 'neutron', 'endpoints': self.url('api', '/' + request.scenario)}]
        handler.send_json(201, {'token': {'catalog': catalog}}, {'X-Subject-Token': token})

    # -- size and time -----------------------------------------------------------
    def size(self, handler: Handler, request: Request, base: str) -> None:
        if request.is_tokens:
            self.token_answer(handler, request, 'api')
            return
        if base == 'big-html':
            handler.send_bytes(400, self.big_html, 'text/html')
        elif base == 'huge-message':
            if self._huge is None:
                filler = 'The request is invalid: ' + 'x' * HUGE_MESSAGE_BYTES
                self._huge = json.dumps(neutron_error('HTTPBadRequest', filler[:HUGE_MESSAGE_BYTES])).encode('ascii')
            handler.send_bytes(400, self._huge, 'application/json')
        elif base == 'gzip-bomb':
            bomb = GZIP_BOMB.get()
            if bomb is None:
                handler.send_json(500, neutron_error('HTTPInternalServerError', 'the bomb is not ready'))
                return
            handler.send_response(200)
            handler.send_header('Content-Type', 'application/json')
            handler.send_header('Content-Encoding', 'gzip')
            handler.send_header('Content-Length', str(len(bomb)))
            handler.end_headers()
            for start in range(0, len(bomb), 65536):
                if handler.client_gone():
                    handler.drop()
                    return
                handler.wfile.write(bomb[start:start + 65536])
        elif base == 'drip-headers':
            body = json.dumps({'ipsec_site_connection': connection()}).encode('utf-8')
            head = ('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                    % len(body)).encode('ascii')
            handler.drip(head + body)
        elif base == 'drip-body':
            handler.send_response(200)
            handler.send_header('Content-Type', 'application/json')
            handler.send_header('Content-Length', '100000')
            handler.send_header('Connection', 'close')
            handler.end_headers()
            handler.wfile.flush()
            handler.drip(b' ' * 100000)

    def endless_pages(self, handler: Handler, request: Request) -> None:
        if request.is_tokens or not (request.is_collection and request.method == 'GET'):
            self.honest(handler, request)
            return
        state = self.recorder.scenario_state(('api', request.scenario))
        with self.recorder.lock:
            state['page'] = state.get('page', 0) + 1
            page = state['page']
        conn_id = '0a1b2c3d-0000-4000-8000-%012d' % (100000 + page)
        link = self.url('api', '/%s%s?limit=1&marker=%s' % (request.scenario, COLLECTION, conn_id))
        handler.send_json(200, {'ipsec_site_connections': [connection(id=conn_id, name='endless-%d' % page)],
                                'ipsec_site_connections_links': [{'rel': 'next', 'href': link}]})

    def pages_elsewhere(self, handler: Handler, request: Request) -> None:
        if request.is_tokens or not (request.is_collection and request.method == 'GET'):
            self.honest(handler, request)
            return
        if request.params.get('marker'):
            handler.send_json(200, {'ipsec_site_connections': [], 'ipsec_site_connections_links': []})
            return
        link = self.url('elsewhere', '/%s%s?limit=1&marker=%s' % (request.scenario, COLLECTION, CID))
        handler.send_json(200, {'ipsec_site_connections': [connection()],
                                'ipsec_site_connections_links': [{'rel': 'next', 'href': link}]})


# ---------------------------------------------------------------------------
# Process
# ---------------------------------------------------------------------------

def watchdog(parent: int, deadline: float) -> None:
    """Exit the process when the parent dies or the lifetime is over (checked twice a second)."""
    while True:
        if time.monotonic() >= deadline:
            sys.stderr.write('hostile: max lifetime reached, exiting\n')
            os._exit(0)
        if parent and os.getppid() != parent:
            sys.stderr.write('hostile: parent %d is gone, exiting\n' % parent)
            os._exit(0)
        time.sleep(0.5)


def start(api_port: int = 0, elsewhere_port: int = 0, log_path: str = None) -> tuple:
    """Start both ports in daemon threads; returns (app, recorder, api server, elsewhere server)."""
    recorder = Recorder(log_path)
    app = App(recorder)
    api = Server(api_port, 'api', app, recorder)
    elsewhere = Server(elsewhere_port, 'elsewhere', app, recorder)
    app.api_port, app.elsewhere_port = api.server_address[1], elsewhere.server_address[1]
    for server in (api, elsewhere):
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True,
                         name='hostile-%s' % server.role).start()
    GZIP_BOMB.start()
    return app, recorder, api, elsewhere


def main(argv: list = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m tests.hostile', description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--port-file', required=True, help='JSON file written with {"api": port, "elsewhere": port, "pid": pid}')
    parser.add_argument('--log', help='append every recorded request to this file (JSON lines)')
    parser.add_argument('--api-port', type=int, default=0, help='0: a free port')
    parser.add_argument('--elsewhere-port', type=int, default=0, help='0: a free port')
    parser.add_argument('--max-lifetime', type=float, default=DEFAULT_MAX_LIFETIME, help='seconds before the process exits')
    parser.add_argument('--parent-pid', type=int, default=os.getppid(), help='exit when this process is no longer the parent')
    args = parser.parse_args(argv)
    app, _recorder, _api, _elsewhere = start(args.api_port, args.elsewhere_port, args.log)
    temporary = args.port_file + '.tmp'
    with open(temporary, 'w', encoding='utf-8') as handle:
        json.dump({'api': app.api_port, 'elsewhere': app.elsewhere_port, 'pid': os.getpid()}, handle)
    os.replace(temporary, args.port_file)
    watchdog(args.parent_pid, time.monotonic() + args.max_lifetime)
    return 0
