# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command against a freshly started emulator, or drive one from Python.

Command line (from anywhere)::

    python tests/emulator/run_with.py [--run-timeout S] [--tls] [emulator options...] -- command args...

The command gets ``VPNAAS_EMULATOR_URL`` and ``VPNAAS_EMULATOR_TOKEN``; the emulator is always
stopped afterwards and the command's exit code is returned. With ``--tls`` (run_with's own option,
before ``--``) the emulator serves HTTPS with a throw-away test CA whose certificate file is exported
as ``VPNAAS_EMULATOR_CA``.

From pytest::

    from tests.emulator.run_with import Emulator
    with Emulator(flavour="huawei", pending_seconds=0) as emu:
        emu.seed({...}); emu.state(); emu.log()
    with Emulator(tls=True) as emu:     # https://127.0.0.1:PORT, emu.ca_path, emu.other_ca_path
        ...

Standard library only and self-contained (no import of the emulator package), so the file also
works when run as a script; only ``tls=True`` loads the sibling ``tls.py``, which needs ``cryptography``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TOKEN = "emulator-static-token"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
REQUEST_TIMEOUT = 30.0
DEFAULT_RUN_TIMEOUT = 3600.0
LOOPBACK_PREFIXES = ("http://127.0.0.1:", "https://127.0.0.1:")


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control call failed."""


def option_args(options: dict[str, Any]) -> list[str]:
    """Turn keyword options into emulator flags: ``id_seed=3`` -> ``--id-seed 3``, ``no_paging=True`` -> ``--no-paging``."""
    args: list[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is not None and value is not False:
            args += [flag, str(value)]
    return args


class EmulatorClient:
    """Helpers for an emulator already running at ``url`` (control API and raw API calls)."""

    def __init__(self, url: str, token: str = DEFAULT_TOKEN, ca_path: str | None = None) -> None:
        if not url.startswith(LOOPBACK_PREFIXES):
            raise EmulatorError(f"refusing to talk to {url!r}: only 127.0.0.1 is allowed")
        self.url = url.rstrip("/")
        self.token = token
        self.ca_path = ca_path

    @classmethod
    def from_env(cls) -> EmulatorClient:
        """Attach to the emulator started by run_with.py (``VPNAAS_EMULATOR_URL``/``_TOKEN``/``_CA``)."""
        url = os.environ.get("VPNAAS_EMULATOR_URL")
        if not url:
            raise EmulatorError("VPNAAS_EMULATOR_URL is not set")
        return cls(url, os.environ.get("VPNAAS_EMULATOR_TOKEN", DEFAULT_TOKEN), os.environ.get("VPNAAS_EMULATOR_CA") or None)

    def ssl_context(self) -> ssl.SSLContext | None:
        """For an ``https://`` URL, a client context trusting ``ca_path`` (the system CAs if None)."""
        if not self.url.startswith("https://"):
            return None
        return ssl.create_default_context(cafile=self.ca_path)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """Call the emulator; returns (status, headers, parsed JSON or text or None). ``token=""`` sends none."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
        sent = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        chosen = self.token if token is None else token
        if chosen and not path.startswith("/_emulator"):
            sent["X-Auth-Token"] = chosen
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT, context=self.ssl_context()) as answer:
                return answer.status, dict(answer.headers.items()), _decode(answer.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, dict(err.headers.items()), _decode(err.read())

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        status, _headers, payload = self.request(method, "/_emulator/" + path, body)
        if status != 200:
            raise EmulatorError(f"{method} /_emulator/{path} answered {status}: {payload}")
        return payload

    def reset(self) -> None:
        """Clear resources, log and faults."""
        self._control("POST", "reset", {})

    def seed(self, objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        """Insert objects (``{"ipsec_site_connections": [...], ...}``); returns them as stored (psk masked)."""
        return self._control("POST", "seed", objects)

    def state(self) -> dict[str, Any]:
        """Every stored object, psk masked with ``psk_sha256`` added."""
        return self._control("GET", "state")

    def log(self) -> list[dict[str, Any]]:
        """Requests served so far (secrets masked)."""
        return self._control("GET", "log")["requests"]

    def clear_log(self) -> list[dict[str, Any]]:
        """Empty the request log; returns the entries it held."""
        return self._control("DELETE", "log")["requests"]

    def take_log(self) -> list[dict[str, Any]]:
        """The same as ``clear_log``, through ``GET /_emulator/log/take`` (what the targets' url lookup calls)."""
        return self._control("GET", "log/take")["requests"]

    def fault(self, **spec: Any) -> int:
        """Add a fault rule (``method``, ``path``, ``kind``, ``status``, ``times``...); returns its id."""
        return self._control("POST", "faults", spec)["id"]

    def clear_faults(self) -> None:
        """Remove all fault rules."""
        self._control("DELETE", "faults")

    def patch(self, collection: str, rid: str, **fields: Any) -> dict[str, Any]:
        """Set stored fields without validation; returns the object (psk masked)."""
        payload = self._control("PATCH", f"resources/{collection}/{rid}", fields)
        return next(iter(payload.values()))

    def config(self, **settings: Any) -> dict[str, Any]:
        """Change settings (none given: just read them); returns the effective config."""
        if not settings:
            return self._control("GET", "config")
        return self._control("POST", "config", settings)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _read_first_line(stream: IO[str], lines: queue.Queue[str]) -> None:
    lines.put(stream.readline())


def load_tls_module() -> Any:
    """Load the sibling ``tls.py`` by path (works whether this file is a script or a module)."""
    spec = importlib.util.spec_from_file_location("vpnaas_emulator_tls", Path(__file__).with_name("tls.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Emulator(EmulatorClient):  # pylint: disable=too-many-instance-attributes
    """An emulator subprocess, as a context manager: ``with Emulator(flavour="huawei") as emu:``.

    Keyword options become command-line flags (see :func:`option_args`); ``args`` adds raw flags.
    ``tls=True`` serves HTTPS with a fresh test PKI (see ``tls.py``): ``url`` is then
    ``https://127.0.0.1:PORT``, ``ca_path`` the CA that signed the server certificate (trusted by the
    helper methods) and ``other_ca_path`` an unrelated CA; the files are removed by :meth:`stop`.
    """

    def __init__(self, args: Sequence[str] = (), static_token: str = DEFAULT_TOKEN, tls: bool = False,
                 **options: Any) -> None:
        # pylint: disable=super-init-not-called
        self.args = ["--port", "0", "--static-token", static_token, *option_args(options), *args]
        self.url = ""
        self.token = static_token
        self.tls = tls
        self.ca_path: str | None = None
        self.other_ca_path: str | None = None
        self._pki_dir: str | None = None
        self.process: subprocess.Popen[str] | None = None
        self._stderr: IO[bytes] | None = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        """Start the subprocess and wait (at most 15 s) for its URL line."""
        command = [sys.executable, "-m", "tests.emulator", *self.args, *self._tls_args()]
        self._stderr = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(command,  # pylint: disable=consider-using-with
                                        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self._stderr,
                                        stdin=subprocess.DEVNULL, text=True)
        lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=_read_first_line, args=(self.process.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).strip()
        except queue.Empty:
            line = ""
        if not line.startswith(LOOPBACK_PREFIXES):
            try:
                code: int | None = self.process.wait(timeout=1 if not line else 0.01)
            except subprocess.TimeoutExpired:
                code = None
            why = f"exited with code {code}" if code is not None else f"printed no URL within {START_TIMEOUT:.0f}s"
            details = self._stderr_text()
            self.stop()
            raise EmulatorError(f"emulator {why}: {details}")
        self.url = line

    def _tls_args(self) -> list[str]:
        """With ``tls``: write a test PKI into a new temporary directory and return the emulator's TLS flags."""
        if not self.tls:
            return []
        self._remove_pki()
        self._pki_dir = tempfile.mkdtemp(prefix="vpnaas-emulator-tls-")
        try:
            pki = load_tls_module().make_test_pki(self._pki_dir)
        except BaseException:
            self._remove_pki()
            raise
        self.ca_path, self.other_ca_path = pki["ca"], pki["other_ca"]
        return ["--tls-cert", pki["cert"], "--tls-key", pki["key"]]

    def _remove_pki(self) -> None:
        if self._pki_dir is not None:
            shutil.rmtree(self._pki_dir, ignore_errors=True)
            self._pki_dir = None

    def stop(self) -> None:
        """SIGTERM the subprocess, SIGKILL after 5 s."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._remove_pki()

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace").strip() or "(no output)"


def split_argv(argv: Sequence[str]) -> tuple[list[str], float, list[str]]:
    """Split ``[--run-timeout S] [emulator args] -- command`` into its three parts."""
    if "--" not in argv:
        raise SystemExit("usage: run_with.py [--run-timeout S] [--tls] [emulator options...] -- command [args...]")
    cut = list(argv).index("--")
    emulator_args, command = list(argv[:cut]), list(argv[cut + 1:])
    timeout = DEFAULT_RUN_TIMEOUT
    if "--run-timeout" in emulator_args:
        at = emulator_args.index("--run-timeout")
        timeout = float(emulator_args[at + 1])
        del emulator_args[at:at + 2]
    if not command:
        raise SystemExit("run_with.py: no command after --")
    return emulator_args, timeout, command


def pop_flag(args: list[str], flag: str) -> bool:
    """Remove every ``flag`` from ``args`` (in place); return whether there was one."""
    found = flag in args
    args[:] = [arg for arg in args if arg != flag]
    return found


def static_token_of(args: Sequence[str]) -> str:
    """Return the ``--static-token`` given in emulator args, or the default."""
    for index, arg in enumerate(args):
        if arg == "--static-token" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--static-token="):
            return arg.split("=", 1)[1]
    return DEFAULT_TOKEN


def _terminate(_signum: int, _frame: Any) -> None:
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the emulator, run the command with its URL and token in the environment, stop it."""
    emulator_args, timeout, command = split_argv(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    tls = pop_flag(emulator_args, "--tls")
    emulator = Emulator(emulator_args, static_token=static_token_of(emulator_args), tls=tls)
    try:
        emulator.start()
    except (EmulatorError, ImportError) as exc:
        print(f"run_with.py: {exc}", file=sys.stderr)
        emulator.stop()
        return 2
    try:
        env = {**os.environ, "VPNAAS_EMULATOR_URL": emulator.url, "VPNAAS_EMULATOR_TOKEN": emulator.token}
        if emulator.ca_path:
            env["VPNAAS_EMULATOR_CA"] = emulator.ca_path
        return subprocess.run(command, env=env, check=False, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"run_with.py: command timed out after {timeout:.0f}s", file=sys.stderr)
        return 124
    except OSError as exc:
        print(f"run_with.py: cannot run {command[0]}: {exc}", file=sys.stderr)
        return 127
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
