# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Serve a real Keystone 30 on 127.0.0.1, for the integration tests.

Runs with the Python of the Keystone venv (``tests/openstack/venvs.py``)::

    <keystone venv>/bin/python tests/openstack/keystone_server.py --workdir DIR --port N
        --admin-password-file FILE

It writes keystone.conf into DIR (SQLite database, fernet, receipt and credential key folders
all inside DIR: the defaults point under /etc), runs ``keystone-manage db_sync``,
``fernet_setup``, ``credential_setup`` and ``bootstrap`` (user ``admin``, project ``admin``,
region ``RegionOne``, identity endpoints at this server), serves the public WSGI application
with ``wsgiref`` (logging ``METHOD PATH STATUS`` of each request to DIR/requests.log, so
that tests can count logins) and prints ``http://127.0.0.1:PORT`` once it answers. SIGTERM or SIGINT stop it.
Users, projects and the network endpoint are created afterwards through the REST API
(``keystone.py``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler without the per-request access log on stderr."""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Drop access-log lines."""


def request_logging(app, log_path: Path):
    """Wrap ``app`` so that each request adds ``METHOD PATH STATUS`` to ``log_path`` (no headers, no bodies)."""
    def logged(environ, start_response):
        def start(status, headers, exc_info=None):
            path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
            with open(log_path, 'a', encoding='utf-8') as log:
                log.write('%s %s %s\n' % (environ['REQUEST_METHOD'], path, status.split()[0]))
            return start_response(status, headers, exc_info)
        return app(environ, start)
    return logged


def keystone_conf(workdir: Path) -> str:
    """keystone.conf with every path inside ``workdir``."""
    return (
        '[DEFAULT]\ndebug = false\nuse_stderr = true\n'
        '[database]\nconnection = sqlite:///%(w)s/keystone.sqlite\n'
        '[token]\nprovider = fernet\nexpiration = 3600\n'
        '[fernet_tokens]\nkey_repository = %(w)s/fernet-keys\n'
        '[fernet_receipts]\nkey_repository = %(w)s/fernet-receipts\n'
        '[credential]\nkey_repository = %(w)s/credential-keys\n'
        '[oslo_policy]\nenforce_scope = false\nenforce_new_defaults = false\n'
        % {'w': workdir})


def manage(conf: Path, *args: str) -> None:
    """Run one ``keystone-manage`` command (bounded); exit with its output on failure."""
    command = [sys.executable, str(Path(sys.executable).with_name('keystone-manage')), '--config-file', str(conf)]
    proc = subprocess.run(command + list(args), capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise SystemExit('ERROR: keystone-manage %s failed:\n%s' % (args[0], (proc.stdout + proc.stderr)[-3000:]))


def prepare(workdir: Path, url: str, admin_password: str) -> Path:
    """Write the configuration, create the database and keys, bootstrap the admin and the catalog."""
    conf = workdir / 'keystone.conf'
    conf.write_text(keystone_conf(workdir), encoding='utf-8')
    for folder in ('fernet-keys', 'fernet-receipts', 'credential-keys'):
        (workdir / folder).mkdir(mode=0o700, exist_ok=True)
    user = getpass.getuser()
    manage(conf, 'db_sync')
    manage(conf, 'fernet_setup', '--keystone-user', user, '--keystone-group', user)
    manage(conf, 'credential_setup', '--keystone-user', user, '--keystone-group', user)
    manage(conf, 'bootstrap', '--bootstrap-password', admin_password, '--bootstrap-region-id', 'RegionOne',
           '--bootstrap-admin-url', url + '/v3', '--bootstrap-public-url', url + '/v3',
           '--bootstrap-internal-url', url + '/v3')
    return conf


def main(argv: list) -> int:
    """Prepare and serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workdir', required=True, type=Path)
    parser.add_argument('--port', required=True, type=int)
    parser.add_argument('--admin-password-file', required=True, type=Path)
    args = parser.parse_args(argv)
    try:  # bind first: a busy port fails at once, before keystone-manage runs
        server = make_server('127.0.0.1', args.port, None, handler_class=QuietHandler)
    except OSError as exc:
        print('ERROR: cannot listen on 127.0.0.1:%d: %s' % (args.port, exc), file=sys.stderr)
        return 2
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    url = 'http://127.0.0.1:%d' % args.port
    conf = prepare(workdir, url, args.admin_password_file.read_text(encoding='utf-8').strip())
    os.environ['OS_KEYSTONE_CONFIG_DIR'] = str(workdir)
    sys.argv = ['keystone-wsgi-public']  # oslo.config must not see our options
    from keystone.server import wsgi  # pylint: disable=import-outside-toplevel
    server.set_app(request_logging(wsgi.initialize_public_application(), workdir / 'requests.log'))

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(url, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
