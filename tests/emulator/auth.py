# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keystone v3 authentication (password, application credential, token) and token checks for ``/v2.0`` calls."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from .config import PROJECT_ID, PROJECT_NAME, Config
from .errors import KEYSTONE_401_MESSAGE, ApiError, keystone_error_body
from .messages import Request, Response

USER_ID = "fedcba9876543210fedcba9876543210"
USER_NAME = "demo"
USER_PASSWORD = "demo-password"
DOMAIN = {"id": "default", "name": "Default"}
#: The user's one application credential, bound to the project (as Keystone binds every one).
APP_CRED_ID = "ac0ffee0ac0ffee0ac0ffee0ac0ffee0"
APP_CRED_NAME = "vpn-automation"
APP_CRED_SECRET = "emulator-app-cred-secret"
MAX_TOKENS = 10000


class AuthError(Exception):
    """A Keystone error answer (status and message)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message

    def response(self) -> Response:
        """Return the Keystone-style JSON error response."""
        return Response.json(self.status, keystone_error_body(self.status, self.title, self.message))


def unauthorized() -> AuthError:
    """Return Keystone's 401."""
    return AuthError(401, "Unauthorized", KEYSTONE_401_MESSAGE)


def malformed(detail: str) -> AuthError:
    """Return Keystone's 400 for a malformed auth request."""
    return AuthError(400, "Bad Request", f"Invalid authentication request: {detail}")


def iso(moment: datetime) -> str:
    """Format a time like Keystone (``2026-01-02T15:04:05.000000Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _domain_matches(domain: Any) -> bool:
    if not isinstance(domain, dict):
        return False
    return domain.get("id") == DOMAIN["id"] or domain.get("name") == DOMAIN["name"]


def _obj(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise malformed(f"Expecting to find {key} in auth")
    return value


def check_password(auth: dict[str, Any]) -> None:
    """Check the password method credentials of an ``auth`` object."""
    identity = _obj(auth, "identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or "password" not in methods:
        raise unauthorized()
    user = _obj(_obj(identity, "password"), "user")
    known = user.get("id") == USER_ID or (user.get("name") == USER_NAME and _domain_matches(user.get("domain")))
    if not known or user.get("password") != USER_PASSWORD:
        raise unauthorized()


def check_application_credential(auth: dict[str, Any]) -> None:
    """Check an application credential: by id, or by name with its user (id, or name and domain), and the secret.

    Like Keystone, a request that also asks for a scope is refused (401): the credential
    is bound to the project it was made in.
    """
    credential = _obj(_obj(auth, "identity"), "application_credential")
    if "scope" in auth:
        raise unauthorized()
    if "id" in credential:
        known = credential["id"] == APP_CRED_ID
    else:
        user = _obj(credential, "user")
        known = credential.get("name") == APP_CRED_NAME and (
            user.get("id") == USER_ID or (user.get("name") == USER_NAME and _domain_matches(user.get("domain"))))
    secret = credential.get("secret")
    if not known or not isinstance(secret, str) or not secrets.compare_digest(secret, APP_CRED_SECRET):
        raise unauthorized()


def check_scope(auth: dict[str, Any]) -> bool:
    """Return True for a project-scoped request, False when unscoped; 401 for a wrong project."""
    scope = auth.get("scope")
    if scope is None:
        return False
    project = _obj({"scope": scope}, "scope").get("project")
    if not isinstance(project, dict):
        raise unauthorized()
    if project.get("id") == PROJECT_ID:
        return True
    if project.get("name") == PROJECT_NAME and _domain_matches(project.get("domain")):
        return True
    raise unauthorized()


@dataclass(frozen=True)
class Token:
    """An issued token: monotonic deadline and whether it is project-scoped."""

    deadline: float
    scoped: bool


class Keystone:
    """A one-user, one-project Keystone v3: the password, application credential and token methods."""

    def __init__(self, config: Config, base_url: Callable[[], str]) -> None:
        self.config = config
        self.base_url = base_url
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget issued tokens."""
        with self._lock:
            self._tokens.clear()

    def token_ok(self, token: str | None) -> bool:
        """Whether a ``X-Auth-Token`` value may call the network API."""
        if not token:
            return False
        if secrets.compare_digest(token, self.config.static_token):
            return True
        with self._lock:
            found = self._tokens.get(token)
        return found is not None and found.scoped and time.monotonic() < found.deadline

    def handle(self, request: Request) -> Response:
        """Serve ``/v3`` (version document) and ``POST /v3/auth/tokens``."""
        path = request.path.rstrip("/")
        if path == "/v3" and request.method == "GET":
            return Response.json(200, self.version_document())
        if path != "/v3/auth/tokens":
            return AuthError(404, "Not Found", "The resource could not be found.").response()
        if request.method != "POST":
            return AuthError(405, "Method Not Allowed", "The method is not allowed for the requested URL.").response()
        try:
            return self.issue(request)
        except AuthError as err:
            return err.response()

    def version_document(self) -> dict[str, Any]:
        """Return Keystone's ``GET /v3`` answer."""
        return {"version": {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                            "links": [{"rel": "self", "href": f"{self.base_url()}/v3/"}],
                            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}}

    def check_token(self, auth: dict[str, Any]) -> None:
        """Check the token method: a token this Keystone issued (scoped or not) that has not expired."""
        given = _obj(_obj(auth, "identity"), "token").get("id")
        if not isinstance(given, str) or not given:
            raise malformed("Expecting to find id in token")
        if secrets.compare_digest(given, self.config.static_token):
            return
        with self._lock:
            found = self._tokens.get(given)
        if found is None or time.monotonic() >= found.deadline:
            raise unauthorized()

    def issue(self, request: Request) -> Response:
        """Check an auth request (password, application_credential or token method); answer 201 with a new token."""
        try:
            payload = request.json()
        except ApiError:
            raise malformed("the body is not JSON") from None
        auth = _obj(payload, "auth")
        methods = _obj(auth, "identity").get("methods")
        if methods == ["application_credential"]:
            check_application_credential(auth)
            scoped = True
        elif methods == ["token"]:
            self.check_token(auth)
            scoped = check_scope(auth)
        else:
            check_password(auth)
            scoped = check_scope(auth)
            methods = ["password"]
        token = "gAAAAAB" + secrets.token_urlsafe(96)
        ttl = float(self.config.token_ttl)
        with self._lock:
            self._prune()
            self._tokens[token] = Token(time.monotonic() + ttl, scoped)
        return Response.json(201, {"token": self.token_body(scoped, ttl, methods)}, {"X-Subject-Token": token})

    def token_body(self, scoped: bool, ttl: float, methods: list | None = None) -> dict[str, Any]:
        """Return the ``token`` object of a Keystone answer."""
        now = datetime.now(timezone.utc)
        body: dict[str, Any] = {
            "methods": list(methods or ["password"]), "issued_at": iso(now), "expires_at": iso(now + timedelta(seconds=ttl)),
            "audit_ids": [secrets.token_urlsafe(16)],
            "user": {"id": USER_ID, "name": USER_NAME, "domain": dict(DOMAIN), "password_expires_at": None},
        }
        if body["methods"] == ["application_credential"]:
            body["application_credential"] = {"id": APP_CRED_ID, "name": APP_CRED_NAME, "restricted": True}
        if scoped:
            body["project"] = {"id": PROJECT_ID, "name": PROJECT_NAME, "domain": dict(DOMAIN)}
            body["roles"] = [{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"}]
            body["catalog"] = self.catalog()
        return body

    def catalog(self) -> list[dict[str, Any]]:
        """Return the service catalog: network/neutron, vpc/vpc and identity/keystone."""
        base, region = self.base_url(), self.config.region
        services = (("network", "neutron", base), ("vpc", "vpc", base), ("identity", "keystone", f"{base}/v3"))
        return [{"type": kind, "name": name, "id": f"{name}-service",
                 "endpoints": [{"id": f"{name}-public", "interface": "public", "region": region,
                                "region_id": region, "url": url}]}
                for kind, name, url in services]

    def _prune(self) -> None:
        now = time.monotonic()
        for token in [key for key, value in self._tokens.items() if value.deadline <= now]:
            del self._tokens[token]
        while len(self._tokens) >= MAX_TOKENS:
            self._tokens.pop(next(iter(self._tokens)))
