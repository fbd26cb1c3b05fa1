# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Serve a real Neutron 29 + neutron-vpnaas 29 API on 127.0.0.1, for the integration tests.

Runs with the Python of the Neutron venv (``tests/openstack/venvs.py``), never the tools' one::

    <neutron venv>/bin/python tests/openstack/neutron_server.py --workdir DIR [--port N]
        [--agent-delay S] [--keystone-url URL --service-password-file FILE]

It writes its configuration into DIR, copies a fresh SQLite database there (built once per
venv from the HEAD models, see ``build_database``), serves ``neutron.wsgi.api:application``
with ``wsgiref`` and prints ``http://127.0.0.1:PORT`` on stdout once it answers. SIGTERM or
SIGINT stop it. Without ``--keystone-url`` Neutron runs with ``auth_strategy = noauth``; with
it, keystonemiddleware validates every ``X-Auth-Token`` against that Keystone.

The server is wrapped in ``control.ControlMiddleware``, which serves the part of the emulator's
``/_emulator/`` control API the integration targets use, and runs ``agent.AgentStandIn``, since
no VPN agent exists here to move connections out of PENDING_CREATE.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for tests.openstack and tests.emulator

from tests.openstack.agent import AgentStandIn  # noqa: E402
from tests.openstack.control import ControlMiddleware  # noqa: E402

# Bump when build_database changes: the cached template (in the venv) is then rebuilt.
SCHEMA_REVISION = 2
SERVICE_PROVIDER = 'VPN:strongswan:neutron_vpnaas.services.vpn.service_drivers.ipsec.IPsecVPNDriver:default'

# Our own paste file: neutron ships none inside the package. The noauth pipeline has the
# NoauthFakeProjectId filter, so requests run as admin of project "fake_project_id".
API_PASTE = """\
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions_composite
/v2.0: neutronapi_v2_0

[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
noauth = cors http_proxy_to_wsgi request_id catch_errors noauthfakeprojectid extensions neutronapiapp_v2_0
keystone = cors http_proxy_to_wsgi request_id catch_errors authtoken keystonecontext extensions neutronapiapp_v2_0

[composite:neutronversions_composite]
use = call:neutron.auth:pipeline_factory
noauth = cors http_proxy_to_wsgi neutronversions
keystone = cors http_proxy_to_wsgi neutronversions

[filter:noauthfakeprojectid]
paste.filter_factory = neutron.auth:NoauthFakeProjectId.factory

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = neutron

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory

[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory

[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
"""


def neutron_conf(workdir: Path, database: Path, keystone_url: str | None, service_password: str) -> str:
    """The neutron.conf text: ML2 without mechanism drivers, the router and VPNaaS plugins, no RPC."""
    auth = 'noauth'
    authtoken = ''
    if keystone_url:
        auth = 'keystone'
        authtoken = (
            '[keystone_authtoken]\n'
            'www_authenticate_uri = %(url)s\nauth_url = %(url)s\nauth_type = password\n'
            'username = neutron\npassword = %(password)s\nproject_name = service\n'
            'user_domain_name = Default\nproject_domain_name = Default\n'
            'service_token_roles_required = false\n'
            % {'url': keystone_url, 'password': service_password})
    return (
        '[DEFAULT]\n'
        'core_plugin = ml2\nservice_plugins = router,vpnaas\n'
        'auth_strategy = %(auth)s\n'
        'transport_url = fake:/\n'  # RPC casts to the (absent) agents go nowhere
        'api_paste_config = %(paste)s\nstate_path = %(workdir)s\n'
        'allow_overlapping_ips = true\ndebug = false\nuse_stderr = true\n'
        '[database]\nconnection = sqlite:///%(database)s\n'
        '[oslo_concurrency]\nlock_path = %(workdir)s/lock\n'
        '[ml2]\ntype_drivers = flat,vxlan\ntenant_network_types = vxlan\nmechanism_drivers =\n'
        'extension_drivers = port_security\n'
        '[ml2_type_flat]\nflat_networks = public\n'
        '[ml2_type_vxlan]\nvni_ranges = 1:1000\n'
        '[service_providers]\nservice_provider = %(provider)s\n'
        '[oslo_policy]\nenforce_scope = false\nenforce_new_defaults = false\n'
        '%(authtoken)s'
        % {'auth': auth, 'paste': workdir / 'api-paste.ini', 'workdir': workdir, 'database': database,
           'provider': SERVICE_PROVIDER, 'authtoken': authtoken})


def add_enum_checks(metadata) -> None:
    """Add ``CHECK (col IN (...))`` for every Enum column.

    SQLite has no ENUM type and SQLAlchemy 2 no longer adds the CHECK by default, so without
    it an out-of-enum value (such as auth_algorithm sha1, which neutron-lib still accepts and
    defaults to while neutron-vpnaas 29 dropped it from the Enum) would be stored and every
    later read would fail with 500. With it the write fails with 500, as on MySQL.
    """
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel
    for table in metadata.tables.values():
        for column in list(table.columns):
            if isinstance(column.type, sa.Enum) and column.type.enums:
                table.append_constraint(sa.CheckConstraint(column.in_(column.type.enums),
                                                           name='ck_%s_%s' % (table.name, column.name)))


def build_database(template: Path, conf: Path) -> None:
    """Create the SQLite schema from the HEAD models and stamp the alembic heads (once per venv).

    ``neutron-db-manage upgrade heads`` cannot run on SQLite (ALTER of constraints), so this
    is what neutron's own tests do: ``metadata.create_all()`` over the HEAD models, then
    ``stamp heads`` so that Neutron sees an up-to-date schema.
    """
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel
    from neutron_vpnaas.db.models import head  # pylint: disable=import-outside-toplevel
    partial = template.with_suffix('.%d.partial' % os.getpid())  # two runs may build at once
    partial.unlink(missing_ok=True)
    metadata = head.get_metadata()
    add_enum_checks(metadata)
    engine = sa.create_engine('sqlite:///%s' % partial)
    metadata.create_all(engine)
    engine.dispose()
    stamp_conf = conf.with_name('stamp.conf')
    stamp_conf.write_text('[database]\nconnection = sqlite:///%s\n' % partial, encoding='utf-8')
    manage = Path(sys.executable).with_name('neutron-db-manage')
    proc = subprocess.run([sys.executable, str(manage), '--config-file', str(stamp_conf), 'stamp', 'heads'],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise SystemExit('ERROR: neutron-db-manage stamp heads failed:\n%s' % proc.stderr[-3000:])
    os.replace(partial, template)


def block_name_resolution() -> None:
    """Refuse DNS for anything but IP literals and localhost: nothing may leave the machine.

    Neutron resolves a host name given as ``peer_address``; with this it answers 400
    ``VPNPeerAddressNotResolved`` at once instead of asking a resolver.
    """
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name != 'localhost':
            try:
                ipaddress.ip_address(str(name).split('%', maxsplit=1)[0])
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, 'name resolution is disabled in the test server') from None
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = lambda name: getaddrinfo(name, None)[0][4][0]


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler without the per-request access log on stderr."""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Drop access-log lines."""


def load_neutron(conf: Path):
    """Import ``neutron.wsgi.api`` (which builds the app from sys.argv at import) and return the app."""
    # oslo.config parses sys.argv on import; give it only our config file.
    sys.argv = ['neutron-api', '--config-file', str(conf)]
    from neutron.wsgi import api  # pylint: disable=import-outside-toplevel
    if api.application is None:
        raise SystemExit('ERROR: neutron.wsgi.api built no application (see the log above)')
    return api.application


def parse_args(argv: list) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workdir', required=True, type=Path)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--agent-delay', type=float, default=0.0,
                        help='seconds before the agent stand-in settles a PENDING_* status')
    parser.add_argument('--keystone-url', help='validate tokens with this Keystone (default: noauth)')
    parser.add_argument('--service-password-file', type=Path, help="file holding the neutron service user's password")
    return parser.parse_args(argv)


def main(argv: list) -> int:
    """Configure, build the database, serve until SIGTERM/SIGINT."""
    args = parse_args(argv)
    try:  # bind first: a busy port fails at once, before the slow start of Neutron
        server = make_server('127.0.0.1', args.port, None, server_class=WSGIServer, handler_class=QuietHandler)
    except OSError as exc:
        print('ERROR: cannot listen on 127.0.0.1:%d: %s' % (args.port, exc), file=sys.stderr)
        return 2
    workdir = args.workdir.resolve()
    (workdir / 'lock').mkdir(parents=True, exist_ok=True)
    password = args.service_password_file.read_text(encoding='utf-8').strip() if args.service_password_file else ''
    database = workdir / 'neutron.sqlite'
    conf = workdir / 'neutron.conf'
    (workdir / 'api-paste.ini').write_text(API_PASTE, encoding='utf-8')
    conf.write_text(neutron_conf(workdir, database, args.keystone_url, password), encoding='utf-8')
    # The template lives in the venv, so it is rebuilt with the venv when the pins change.
    template = Path(sys.prefix) / ('vpnaas-neutron-template-%d.sqlite' % SCHEMA_REVISION)
    if not template.is_file():
        build_database(template, conf)
    shutil.copyfile(template, database)  # a fresh database per run
    block_name_resolution()
    lock = threading.RLock()  # one request or agent step at a time: SQLite and wsgiref are single-writer
    agent = AgentStandIn(lambda: sqlite3.connect(str(database), timeout=30), lock, args.agent_delay)
    server.set_app(ControlMiddleware(load_neutron(conf), agent, lock, noauth=not args.keystone_url))
    agent.start()

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('http://127.0.0.1:%d' % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        agent.stop()
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
