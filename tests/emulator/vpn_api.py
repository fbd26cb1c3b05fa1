# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VPN API under ``/v2.0/vpn/``: CRUD of the five resources, driven by their specs."""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

from .checks import Context, check_not_in_use, check_record
from .config import PROJECT_ID, Config
from .errors import HUAWEI, NEUTRON, ApiError, bad_request
from .listing import ListQuery, apply_filters, next_link, paginate
from .messages import Request, Response
from .resources import BY_COLLECTION, MASK, PENDING_STATES, UPDATABLE, VPNSERVICE, ResourceSpec
from .store import Store

ROUTE = re.compile(r"^/v2\.0/vpn/(?P<collection>[^/]+?)(?:/(?P<rid>[^/]+))?/?$")
PROJECT_FIELDS = ("tenant_id", "project_id")


# Fields only one flavour shows: a real Neutron 29 answers local_id ("" by default) and no
# created_at (tests/openstack compares the two); Huawei documents created_at.
FLAVOUR_ONLY = {"created_at": HUAWEI, "local_id": NEUTRON}
# Client fields only one flavour knows: Huawei's classic VPN pages (create, update) do not list
# local_id, so the Huawei flavour refuses it as Neutron refuses any attribute it does not know.
FLAVOUR_INPUT_ONLY = {"local_id": NEUTRON}


def render(spec: ResourceSpec, record: dict[str, Any], config: Config, fields: list[str] | None = None) -> dict[str, Any]:
    """Return an object as the API shows it (psk mode, Huawei extras, ``fields=``)."""
    shown = copy.deepcopy(record)
    if "psk" in shown:
        mode = config.effective_psk_mode
        if mode == "masked":
            shown["psk"] = MASK
        elif mode == "omitted":
            del shown["psk"]
    if config.flavour == HUAWEI:
        for key, value in spec.huawei_extras.items():
            shown.setdefault(key, value)
    for key, flavour in FLAVOUR_ONLY.items():
        if config.flavour != flavour:
            shown.pop(key, None)
    if fields:
        shown = {key: shown[key] for key in fields if key in shown}
    return shown


def unwrap(spec: ResourceSpec, payload: Any) -> dict[str, Any]:
    """Return the attributes inside the ``{"<singular>": {...}}`` wrapper."""
    if payload is None:
        return {}
    if not isinstance(payload, dict) or spec.singular not in payload:
        raise bad_request(f"Unable to find '{spec.singular}' in request body")
    attrs = payload[spec.singular]
    if not isinstance(attrs, dict):
        raise bad_request(f"Object '{spec.singular}' contains invalid data")
    return attrs


def check_names(spec: ResourceSpec, attrs: dict[str, Any], creating: bool, flavour: str = NEUTRON) -> None:
    """Refuse unknown attributes (those of another flavour too), server-set ones, and create-only ones in an update."""
    fields = spec.field_map()
    read_only = spec.read_only()
    unknown = [name for name in attrs if (name not in fields and name not in read_only)
               or FLAVOUR_INPUT_ONLY.get(name, flavour) != flavour]
    if unknown:
        raise bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    for name in attrs:
        if creating and name in read_only and name not in PROJECT_FIELDS:
            raise bad_request(f"Attribute '{name}' not allowed in POST")
        if not creating and (name in read_only or fields[name].mode != UPDATABLE):
            raise bad_request(f"Cannot update read-only attribute {name}")
    for name in PROJECT_FIELDS:
        if creating and name in attrs and attrs[name] != PROJECT_ID:
            raise ApiError(403, "HTTPForbidden",
                           f"Specifying '{name}' other than the authenticated project in request requires admin privileges")


def validate(spec: ResourceSpec, attrs: dict[str, Any], flavour: str, creating: bool) -> dict[str, Any]:
    """Check and convert the client attributes of a request."""
    check_names(spec, attrs, creating, flavour)
    fields = spec.field_map()
    if creating:
        for item in spec.fields:
            if item.required and item.name not in attrs:
                raise bad_request(f"Failed to parse request. Required attribute '{item.name}' not specified")
    return {name: fields[name].validator(name, value, flavour) for name, value in attrs.items() if name in fields}


def merge(spec: ResourceSpec, base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated with ``given``; dict fields marked ``merge`` take sub-keys."""
    merged = copy.deepcopy(base)
    fields = spec.field_map()
    for name, value in given.items():
        if fields[name].merge and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


class VpnApi:
    """Serves ``/v2.0/vpn/<collection>[/<id>]`` from a :class:`Store`."""

    def __init__(self, store: Store, config: Config, base_url: Callable[[], str]) -> None:
        self.store = store
        self.config = config
        self.base_url = base_url
        self.context = Context(store, config)

    def handle(self, request: Request) -> Response:
        """Route a request to the list/create/show/update/delete handler."""
        match = ROUTE.match(request.path)
        spec = BY_COLLECTION.get(match.group("collection")) if match else None
        if not match or spec is None:
            raise ApiError(404, "HTTPNotFound", "The resource could not be found.")
        rid = match.group("rid")
        handlers = {("GET", False): self.list, ("POST", False): self.create, ("GET", True): self.show,
                    ("PUT", True): self.update, ("DELETE", True): self.delete}
        handler = handlers.get((request.method, rid is not None))
        if handler is None:
            raise ApiError(405, "HTTPMethodNotAllowed", f"The method {request.method} is not allowed for this resource.")
        with self.store.lock:
            return handler(spec, request, rid)

    def _found(self, spec: ResourceSpec, rid: str) -> dict[str, Any]:
        record = self.store.get(spec.plural, rid)
        if record is None:
            raise ApiError(404, spec.not_found_kind, spec.not_found(rid))
        return record

    def _one(self, status: int, spec: ResourceSpec, record: dict[str, Any], fields: list[str] | None = None) -> Response:
        return Response.json(status, {spec.singular: render(spec, record, self.config, fields)})

    def list(self, spec: ResourceSpec, request: Request, _rid: None) -> Response:
        """GET collection: filters (unless disabled), paging, ``fields=``."""
        query = ListQuery.parse(request.query)
        items = self.store.items(spec.plural)
        if self.config.server_filter:
            items = apply_filters(items, query.filters())
        marker = (query.values("marker") or [""])[-1]
        page = paginate(items, query, self.config, ApiError(404, spec.not_found_kind, spec.not_found(marker)))
        payload: dict[str, Any] = {spec.plural: [render(spec, item, self.config, query.fields()) for item in page.items]}
        if page.next_marker:
            payload[f"{spec.plural}_links"] = [next_link(self.base_url(), request.path, query, page)]
        return Response.json(200, payload)

    def show(self, spec: ResourceSpec, request: Request, rid: str) -> Response:
        """GET one object."""
        return self._one(200, spec, self._found(spec, rid), ListQuery.parse(request.query).fields())

    def create(self, spec: ResourceSpec, request: Request, _rid: None) -> Response:
        """POST: validate, check references, store; PENDING_CREATE when pending_seconds > 0."""
        given = validate(spec, unwrap(spec, request.json()), self.config.flavour, creating=True)
        defaults = {item.name: item.default_value() for item in spec.fields if not item.required}
        record = merge(spec, defaults, given)
        check_record(self.context, spec, record, given, creating=True)
        record = self.new_record(spec, record)
        self.store.put(spec.plural, record)
        if spec.has_status:
            # Neutron answers PENDING_CREATE and only its agent makes it ACTIVE, even at once.
            self.store.transition(spec.plural, record, "PENDING_CREATE", "ACTIVE",
                                  answer_pending=self.config.flavour != HUAWEI)
        return self._one(201, spec, record)

    def new_record(self, spec: ResourceSpec, attrs: dict[str, Any]) -> dict[str, Any]:
        """Add the server-set fields to client attributes (also used by seeding)."""
        record = {"id": attrs.get("id") or self.store.new_id(), "tenant_id": PROJECT_ID, "project_id": PROJECT_ID}
        if spec.has_status:
            record["status"] = "ACTIVE"
        record.update(copy.deepcopy(spec.server_fields))
        if "created_at" in record:
            record["created_at"] = self.store.timestamp()
        if spec is VPNSERVICE:
            record["external_v4_ip"] = f"192.0.2.{10 + self.store.next_number() % 240}"
        record.update(attrs)
        return record

    def update(self, spec: ResourceSpec, request: Request, rid: str) -> Response:
        """PUT: only updatable fields; 400 while PENDING_*; dict sub-keys merged."""
        given = validate(spec, unwrap(spec, request.json()), self.config.flavour, creating=False)
        current = self._found(spec, rid)
        status = current.get("status")
        if spec.has_status and status in PENDING_STATES:
            raise bad_request(f"Invalid state {status} of vpnaas resource {rid} for updating", "VPNStateInvalidToUpdate")
        check_not_in_use(self.store, spec, rid, updating=True, flavour=self.config.flavour)
        record = merge(spec, current, given)
        check_record(self.context, spec, record, given, creating=False)
        self.store.put(spec.plural, record)
        if spec.has_status and self.config.effective_write_windows:
            self.store.transition(spec.plural, record, "PENDING_UPDATE", status)
        return self._one(200, spec, record)

    def delete(self, spec: ResourceSpec, _request: Request, rid: str) -> Response:
        """DELETE: 409 when in use; PENDING_DELETE for pending_seconds, then gone."""
        record = self._found(spec, rid)
        check_not_in_use(self.store, spec, rid, updating=False, flavour=self.config.flavour)
        if not spec.has_status or not self.config.effective_write_windows:
            self.store.remove(spec.plural, rid)
        elif record.get("status") != "PENDING_DELETE" or not self.store.is_pending(spec.plural, rid):
            self.store.transition(spec.plural, record, "PENDING_DELETE", None)
        return Response.empty(204)
