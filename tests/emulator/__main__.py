# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: ``python -m tests.emulator [options]``; prints the base URL, serves until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading
import time
from typing import Any, Sequence

from .config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_STATIC_TOKEN, PSK_MODES, Config
from .errors import FLAVOURS
from .messages import Request
from .server import EmulatorApp, EmulatorServer


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="loopback address to bind (127.x.x.x only)")
    add("--port", type=int, default=0, help="port (0: pick a free one)")
    add("--flavour", choices=FLAVOURS, default="neutron", help="error bodies and quirks")
    add("--pending-seconds", type=float, default=0.0, help="length of PENDING_* windows")
    add("--seed", metavar="FILE.json", help="objects to load at start (same format as POST /_emulator/seed)")
    add("--static-token", default=DEFAULT_STATIC_TOKEN, help="X-Auth-Token always accepted")
    add("--token-ttl", type=float, default=86400.0, help="lifetime of Keystone tokens in seconds")
    add("--psk-mode", choices=PSK_MODES, default=None, help="psk in responses (default: clear, masked on huawei)")
    add("--no-server-filter", action="store_true", help="lists ignore filter query parameters")
    add("--no-paging", action="store_true", help="lists ignore limit/marker")
    add("--max-limit", type=int, default=0, help="server page size cap (0: none)")
    add("--id-seed", type=int, default=None, help="make ids deterministic")
    add("--region", default="RegionOne", help="region of the catalog endpoints")
    add("--write-windows", choices=("on", "off"), default=None,
        help="PUT/DELETE go through PENDING_UPDATE/PENDING_DELETE (default: on for huawei, off for neutron)")
    add("--no-reference-check", action="store_true", help="do not require referenced objects to exist")
    add("--access-key", default=DEFAULT_ACCESS_KEY, help="AK accepted for SDK-HMAC-SHA256 signatures")
    add("--secret-key", default=DEFAULT_SECRET_KEY, help="SK of that AK")
    add("--tls-cert", help="PEM certificate: serve HTTPS")
    add("--tls-key", help="PEM private key for --tls-cert")
    add("--max-lifetime", type=float, default=0.0, help="exit after this many seconds (0: never)")
    add("--verbose", action="store_true", help="access log on stderr")
    return parser


def make_config(args: argparse.Namespace) -> Config:
    """Build the :class:`Config` from parsed arguments."""
    return Config(flavour=args.flavour, pending_seconds=args.pending_seconds, psk_mode=args.psk_mode,
                  server_filter=not args.no_server_filter, paging=not args.no_paging, max_limit=args.max_limit,
                  token_ttl=args.token_ttl, check_references=not args.no_reference_check,
                  write_windows=None if args.write_windows is None else args.write_windows == "on",
                  static_token=args.static_token, region=args.region, id_seed=args.id_seed,
                  access_key=args.access_key, secret_key=args.secret_key)


def tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """Return a server TLS context when ``--tls-cert`` is given."""
    if not args.tls_cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def load_seed(server: EmulatorServer, path: str) -> None:
    """Load ``--seed`` through the control API code path."""
    with open(path, "rb") as handle:
        response = server.app.control.handle(Request("POST", "/_emulator/seed", body=handle.read()))
    if response.status != 200:
        raise ValueError(f"--seed {path}: {response.body.decode('utf-8', 'replace')}")


def wait_for_stop(stop: threading.Event, max_lifetime: float) -> None:
    """Block until SIGTERM/SIGINT (or ``--max-lifetime``)."""
    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    deadline = time.monotonic() + max_lifetime if max_lifetime > 0 else None
    while not stop.wait(0.5):
        if deadline is not None and time.monotonic() >= deadline:
            break


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until signalled; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        server = EmulatorServer(EmulatorApp(make_config(args)), args.host, args.port, tls_context(args), args.verbose)
        if args.seed:
            load_seed(server, args.seed)
    except (OSError, ValueError) as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2
    server.start()
    print(server.url, flush=True)
    try:
        wait_for_stop(threading.Event(), args.max_lifetime)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
