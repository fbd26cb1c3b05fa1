# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP server of the emulator: request dispatch, auth, rate limit, faults and the request log."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from . import aksk
from .auth import Keystone
from .config import Config
from .control import ControlApi
from .errors import KEYSTONE_401_MESSAGE, ApiError, keystone_error_body
from .faults import Fault, FaultRegistry, RateLimiter
from .messages import Request, Response
from .requestlog import RequestLog
from .store import Store
from .vpn_api import VpnApi

MAX_BODY = 10 * 1024 * 1024
MAX_CHUNKS = 100000
CONTROL_PREFIX = "/_emulator"


class EmulatorApp:  # pylint: disable=too-many-instance-attributes
    """The whole emulated cloud, independent of the HTTP transport."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.base_url = ""
        self.store = Store(config)
        self.log = RequestLog()
        self.faults = FaultRegistry()
        self.limiter = RateLimiter()
        self.keystone = Keystone(config, lambda: self.base_url)
        self.vpn = VpnApi(self.store, config, lambda: self.base_url)
        self.control = ControlApi(self)

    def reset(self) -> None:
        """Clear resources, log, faults and the rate-limit window (settings and tokens stay)."""
        self.store.reset()
        self.log = RequestLog()
        self.faults.clear()
        self.limiter.reset()

    def handle(self, request: Request) -> Response:
        """Serve one request: control API, or faults + processing + logging."""
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return self.control.handle(request)
        fault = self.faults.take(request.method, request.path)
        response = self._serve_with(fault, request)
        status = None if response.action == "reset" else response.status
        self.log.record(request, status, fault.kind if fault else None)
        return response

    def _serve_with(self, fault: Fault | None, request: Request) -> Response:
        if fault is None:
            return self.process(request)
        if fault.kind == "delay":
            time.sleep(fault.delay)
            return self.process(request)
        if fault.replaces_before():
            return fault.response(self.config.flavour)
        response = self.process(request)
        if fault.kind == "truncate":
            response.action = "truncate"
            return response
        return fault.response(self.config.flavour)

    def process(self, request: Request) -> Response:
        """Answer a request of the emulated cloud (no faults, no logging)."""
        try:
            if request.path == "/v3" or request.path.startswith("/v3/"):
                return self.keystone.handle(request)
            if request.path == "/v2.0" or request.path.startswith("/v2.0/"):
                return self.network(request)
            raise ApiError(404, "HTTPNotFound", "The resource could not be found.")
        except ApiError as err:
            return Response.error(err, self.config.flavour)
        except Exception:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            err = ApiError(500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.")
            return Response.error(err, self.config.flavour)

    def network(self, request: Request) -> Response:
        """Serve ``/v2.0``: token check, rate limit, then the VPN API."""
        refused = self.authenticate(request)
        if refused is not None:
            return refused
        if not self.limiter.allow(self.config.rate_limit):
            raise ApiError(429, "OverLimit", "Too many requests, retry later.", {"Retry-After": "1"})
        return self.vpn.handle(request)

    def authenticate(self, request: Request) -> Response | None:
        """Return a 401 unless the request has a valid token or AK/SK signature."""
        if aksk.is_signed(request):
            try:
                aksk.verify(request, self.config)
                return None
            except aksk.SignatureError as exc:
                body = {"error_code": "APIGW.0301", "error_msg": f"Incorrect IAM authentication information: {exc}",
                        "request_id": uuid.uuid4().hex}
                return Response.json(401, body)
        if self.keystone.token_ok(request.header("X-Auth-Token")):
            return None
        body = keystone_error_body(401, "Unauthorized", KEYSTONE_401_MESSAGE)
        return Response.json(401, body, {"WWW-Authenticate": f'Keystone uri="{self.base_url}/v3"'})


class EmulatorHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to :class:`EmulatorApp`, delivers the answer (or a fault)."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the second
    # request on a kept-alive connection then waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "vpnaas-emulator/1.0"
    timeout = 30
    server: EmulatorServer

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """Serve GET."""
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:  # pylint: disable=redefined-builtin
        """Access log to stderr only with ``--verbose``."""
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self._deliver(Response.json(413 if "large" in str(exc) else 400, {"error": str(exc)}))
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        request = Request(self.command, unquote(parts.path) or "/", parts.query, dict(self.headers.items()), body)
        self._deliver(self.server.app.handle(request))

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is not None:
            if not length.strip().isdigit():
                raise ValueError("bad Content-Length")
            if int(length) > MAX_BODY:
                raise ValueError("request body too large")
            return self.rfile.read(int(length))
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        return b""

    def _read_chunked(self) -> bytes:
        data = bytearray()
        for _chunk in range(MAX_CHUNKS):
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline(1024)
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline(1024)
            if len(data) > MAX_BODY:
                raise ValueError("request body too large")
        raise ValueError("too many chunks")

    def _deliver(self, response: Response) -> None:
        if response.action == "reset":
            self._reset()
            return
        body = response.body
        if self.path.startswith("/v3"):
            # Keystone is a Flask app: Werkzeug sends upper-case reason phrases ("401 UNAUTHORIZED",
            # "201 CREATED"), where Neutron (WebOb) sends "401 Unauthorized" (seen on the real servers).
            self.send_response(response.status, HTTPStatus(response.status).phrase.upper())
        else:
            self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Openstack-Request-Id", f"req-{uuid.uuid4()}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[:len(body) // 2] if response.action == "truncate" else body)
        if response.action == "truncate":
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection without an answer (RST where the OS allows)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def check_loopback(host: str) -> None:
    """Refuse to bind anything but an IPv4 loopback address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"--host must be a 127.x.x.x address, not {host!r}") from None
    if address.version != 4 or not address.is_loopback:
        raise ValueError(f"--host must be a 127.x.x.x address, not {host!r}")


class EmulatorServer(ThreadingHTTPServer):
    """A threading HTTP(S) server bound to loopback, carrying the :class:`EmulatorApp`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0,
                 ssl_context: ssl.SSLContext | None = None, verbose: bool = False) -> None:
        check_loopback(host)
        super().__init__((host, port), EmulatorHandler)
        scheme = "http"
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)
            scheme = "https"
        self.app = app
        self.verbose = verbose
        self.url = f"{scheme}://{host}:{self.server_address[1]}"
        app.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="vpnaas-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (bounded wait for the thread)."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_server(config: Config | None = None, host: str = "127.0.0.1", port: int = 0,
                 ssl_context: ssl.SSLContext | None = None, verbose: bool = False) -> EmulatorServer:
    """Create and start an emulator in this process (for pytest); call ``stop()`` when done."""
    return EmulatorServer(EmulatorApp(config or Config()), host, port, ssl_context, verbose).start()
