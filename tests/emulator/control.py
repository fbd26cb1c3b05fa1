# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unauthenticated control API under ``/_emulator/`` (reset, seed, state, log, faults, config)."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import TYPE_CHECKING, Any, Callable

from .errors import ApiError
from .messages import Request, Response
from .resources import BY_PLURAL, MASK, SPECS, ResourceSpec, lookup
from .vpn_api import merge

if TYPE_CHECKING:
    from .server import EmulatorApp

RESOURCE_ROUTE = re.compile(r"^/_emulator/resources/(?P<collection>[^/]+)/(?P<rid>[^/]+)/?$")
FAULT_ROUTE = re.compile(r"^/_emulator/faults/(?P<fault_id>\d+)/?$")


class ControlError(Exception):
    """A control-API error: answered as ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def state_view(record: dict[str, Any]) -> dict[str, Any]:
    """Return a stored object with ``psk`` masked and ``psk_sha256`` added (both null when unset)."""
    shown = copy.deepcopy(record)
    if "psk" in shown:
        secret = shown["psk"]
        shown["psk_sha256"] = None if secret is None else hashlib.sha256(str(secret).encode("utf-8")).hexdigest()
        shown["psk"] = None if secret is None else MASK
    return shown


def _json_body(request: Request) -> Any:
    try:
        return request.json()
    except ApiError:
        raise ControlError(400, "the body is not valid JSON") from None


class ControlApi:
    """Routes ``/_emulator/...`` requests to the emulator's parts."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", "reset"): self.reset, ("POST", "seed"): self.seed, ("GET", "state"): self.state,
            ("GET", "log"): self.get_log, ("DELETE", "log"): self.clear_log, ("GET", "log/take"): self.clear_log,
            ("GET", "faults"): self.list_faults, ("POST", "faults"): self.add_fault,
            ("DELETE", "faults"): self.clear_faults, ("GET", "config"): self.get_config,
            ("POST", "config"): self.set_config,
        }

    def handle(self, request: Request) -> Response:
        """Serve one control request."""
        try:
            return self._route(request)
        except ControlError as err:
            return Response.json(err.status, {"error": err.message})

    def _route(self, request: Request) -> Response:
        name = request.path[len("/_emulator/"):].strip("/")
        handler = self.routes.get((request.method, name))
        if handler is not None:
            return handler(request)
        match = RESOURCE_ROUTE.match(request.path)
        if match and request.method == "PATCH":
            return self.patch(match.group("collection"), match.group("rid"), _json_body(request))
        match = FAULT_ROUTE.match(request.path)
        if match and request.method == "DELETE":
            return self.remove_fault(int(match.group("fault_id")))
        raise ControlError(404, f"no control endpoint {request.method} {request.path}")

    def reset(self, _request: Request) -> Response:
        """Clear resources, log, faults and the rate limiter."""
        self.app.reset()
        return Response.json(200, {"reset": True})

    def seed(self, request: Request) -> Response:
        """Insert objects as given (defaults filled in, no validation)."""
        payload = _json_body(request)
        if not isinstance(payload, dict):
            raise ControlError(400, "the body must be an object of lists, e.g. {\"ipsec_site_connections\": [...]}")
        unknown = sorted(set(payload) - set(BY_PLURAL))
        if unknown:
            raise ControlError(400, f"unknown collection(s): {', '.join(unknown)}")
        with self.app.store.lock:
            result = {plural: [state_view(self._seed_one(BY_PLURAL[plural], item)) for item in self._items(payload, plural)]
                      for plural in payload}
        return Response.json(200, result)

    @staticmethod
    def _items(payload: dict[str, Any], plural: str) -> list[dict[str, Any]]:
        items = payload[plural]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ControlError(400, f"{plural} must be a list of objects")
        return items

    def _seed_one(self, spec: ResourceSpec, given: dict[str, Any]) -> dict[str, Any]:
        defaults = {item.name: None if item.required else item.default_value() for item in spec.fields}
        known = {key: value for key, value in given.items() if key in spec.field_map()}
        attrs = {**merge(spec, defaults, known), **{key: value for key, value in given.items() if key not in known}}
        record = self.app.vpn.new_record(spec, copy.deepcopy(attrs))
        self.app.store.clear_pending(spec.plural, record["id"])
        return self.app.store.put(spec.plural, record)

    def state(self, _request: Request) -> Response:
        """Every stored object, psk masked with its sha256 added."""
        with self.app.store.lock:
            return Response.json(200, {spec.plural: [state_view(item) for item in self.app.store.items(spec.plural)]
                                       for spec in SPECS})

    def get_log(self, _request: Request) -> Response:
        """The request log."""
        return Response.json(200, {"requests": self.app.log.entries()})

    def clear_log(self, _request: Request) -> Response:
        """Empty the request log, answering with the entries it held (read and clear in one step).

        Also served as ``GET /_emulator/log/take``, for clients that can only GET (Ansible's url lookup).
        """
        return Response.json(200, {"requests": self.app.log.clear()})

    def list_faults(self, _request: Request) -> Response:
        """The fault rules with their remaining counts."""
        return Response.json(200, {"faults": self.app.faults.public()})

    def add_fault(self, request: Request) -> Response:
        """Register a fault rule."""
        try:
            fault = self.app.faults.add(_json_body(request))
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        return Response.json(200, {"id": fault.id, "fault": fault.public()})

    def clear_faults(self, _request: Request) -> Response:
        """Remove all fault rules."""
        self.app.faults.clear()
        return Response.json(200, {"faults": []})

    def remove_fault(self, fault_id: int) -> Response:
        """Remove one fault rule."""
        if not self.app.faults.remove(fault_id):
            raise ControlError(404, f"no fault {fault_id}")
        return Response.json(200, {"faults": self.app.faults.public()})

    def patch(self, collection: str, rid: str, changes: Any) -> Response:
        """Set stored fields directly, without validation (another client or the VPN agent)."""
        spec = lookup(collection)
        if spec is None:
            raise ControlError(404, f"unknown collection {collection}")
        if not isinstance(changes, dict) or "id" in changes:
            raise ControlError(400, "the body must be an object of fields to set (not id)")
        changes = dict(changes)
        settle_after = changes.pop("settle_after", None)
        if settle_after is not None and (isinstance(settle_after, bool) or not isinstance(settle_after, (int, float))
                                         or settle_after < 0 or "status" not in changes):
            raise ControlError(400, "settle_after must be a number of seconds >= 0, given with status")
        with self.app.store.lock:
            record = self.app.store.get(spec.plural, rid)
            if record is None:
                raise ControlError(404, f"no {spec.singular} {rid}")
            record.update(copy.deepcopy(changes))
            if "status" in changes:
                self.app.store.clear_pending(spec.plural, rid)
            if settle_after is not None:
                # As the VPN agent would report: the status becomes ACTIVE after that many seconds.
                self.app.store.settle_later(spec.plural, rid, float(settle_after), "ACTIVE")
            return Response.json(200, {spec.singular: state_view(record)})

    def get_config(self, _request: Request) -> Response:
        """The effective settings."""
        return Response.json(200, self.app.config.public())

    def set_config(self, request: Request) -> Response:
        """Change settings at run time."""
        try:
            self.app.config.update(_json_body(request))
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        return Response.json(200, self.app.config.public())
