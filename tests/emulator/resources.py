# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data-driven description of the five VPNaaS resources.

Each resource is a :class:`ResourceSpec`: its URL segment, JSON keys, Neutron error names,
its client fields (:class:`Field`: default, create-only or updatable, validator) and the
read-only fields the server sets.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from . import validators as v

REQUIRED = object()
"""Marker default: the field must be given on create."""

CREATE_ONLY = "create-only"
UPDATABLE = "updatable"

PENDING_STATES = ("PENDING_CREATE", "PENDING_UPDATE", "PENDING_DELETE")
MASK = "******"


@dataclass(frozen=True)
class Field:
    """A client-writable attribute.

    ``merge`` marks dict attributes whose sub-keys given in a request are merged into the
    stored (or default) value instead of replacing it.
    """

    name: str
    mode: str
    validator: v.Validator
    default: Any = REQUIRED
    merge: bool = False

    @property
    def required(self) -> bool:
        """Whether the field must be given on create."""
        return self.default is REQUIRED

    def default_value(self) -> Any:
        """Return a fresh copy of the default value."""
        return copy.deepcopy(self.default)


@dataclass(frozen=True)
class ResourceSpec:  # pylint: disable=too-many-instance-attributes
    """Everything the emulator needs to serve one collection."""

    collection: str
    singular: str
    plural: str
    not_found_kind: str
    not_found_message: str
    fields: tuple[Field, ...]
    server_fields: dict[str, Any] = field(default_factory=dict)
    has_status: bool = False
    in_use_kind: str = ""
    in_use_message: str = ""
    huawei_extras: dict[str, Any] = field(default_factory=dict)

    def field_map(self) -> dict[str, Field]:
        """Return the client fields by name."""
        return {item.name: item for item in self.fields}

    def read_only(self) -> set[str]:
        """Return the names of server-set attributes."""
        base = {"id", "tenant_id", "project_id"} | set(self.server_fields)
        return base | ({"status"} if self.has_status else set())

    def not_found(self, rid: str) -> str:
        """Return the not-found message for ``rid``."""
        return self.not_found_message.format(id=rid)


def _common(name_default: Any = "") -> tuple[Field, ...]:
    """Return the name and description fields every resource has."""
    return (
        Field("name", UPDATABLE, v.name_string, name_default),
        Field("description", UPDATABLE, v.string(255), ""),
    )


DPD_ACTIONS = ("clear", "hold", "restart", "disabled", "restart-by-peer")
DPD_DEFAULT = {"action": "hold", "interval": 30, "timeout": 120}
LIFETIME_DEFAULT = {"units": "seconds", "value": 3600}
# What each flavour accepts for the IKE and IPsec policies.
# Neutron: neutron-lib 29's API definition with the vpn-aes-ctr, vpn-aes-ccm-gcm and extended PFS extensions
# (neutron-vpnaas 29 loads them). sha1 and 3des still pass the API but no longer fit the database (see
# checks.check_database_enums: 500).
NEUTRON_AUTH_ALGORITHMS = ("sha1", "sha256", "sha384", "sha512", "aes-xcbc", "aes-cmac")
NEUTRON_ENCRYPTION_ALGORITHMS = ("3des", "aes-128", "aes-192", "aes-256", "aes-128-ctr", "aes-192-ctr", "aes-256-ctr") + tuple(
    f"aes-{bits}-{mode}-{icv}" for mode in ("ccm", "gcm") for icv in (8, 12, 16) for bits in (128, 192, 256))
NEUTRON_PFS_GROUPS = ("group2", "group5") + tuple(f"group{number}" for number in range(14, 32))
NEUTRON_ENCAPSULATION_MODES = ("tunnel", "transport")
# Huawei Cloud classic VPN v2.0 and OTC (API references, "Creating an IKE Policy" / "Creating an IPsec Policy"):
# the SHA-2 names are spelt sha2-256..., md5 is accepted, PFS adds group1..group21 and disable, the
# encapsulation is only tunnel, the lifetime only seconds, 60 to 604800.
HUAWEI_AUTH_ALGORITHMS = ("md5", "sha1", "sha2-256", "sha2-384", "sha2-512")
HUAWEI_ENCRYPTION_ALGORITHMS = ("3des", "aes-128", "aes-192", "aes-256")
HUAWEI_PFS_GROUPS = ("group1", "group2", "group5", "group14", "group15", "group16", "group19", "group20", "group21",
                     "disable")
HUAWEI_ENCAPSULATION_MODES = ("tunnel",)
HUAWEI_LIFETIME_RANGE = (60, 604800)
NEUTRON_LIFETIME_MIN = 60

validate_auth_algorithm = v.one_of_flavour(NEUTRON_AUTH_ALGORITHMS, HUAWEI_AUTH_ALGORITHMS)
validate_encryption_algorithm = v.one_of_flavour(NEUTRON_ENCRYPTION_ALGORITHMS, HUAWEI_ENCRYPTION_ALGORITHMS)
validate_pfs = v.one_of_flavour(NEUTRON_PFS_GROUPS, HUAWEI_PFS_GROUPS)
validate_encapsulation_mode = v.one_of_flavour(NEUTRON_ENCAPSULATION_MODES, HUAWEI_ENCAPSULATION_MODES)

validate_dpd = v.sub_dict({"action": v.one_of(*DPD_ACTIONS), "interval": v.non_negative, "timeout": v.non_negative})


def validate_lifetime_value(name: str, value: Any, flavour: str) -> int:
    """neutron-lib 29 wants at least 60 (seconds); Huawei/OTC 60 to 604800."""
    if flavour == v.HUAWEI:
        return v.between(*HUAWEI_LIFETIME_RANGE)(name, value, flavour)
    return v.at_least(NEUTRON_LIFETIME_MIN)(name, value, flavour)


# Both accept only seconds (neutron-lib 29; the Huawei/OTC references: "units can only be in seconds").
validate_lifetime = v.sub_dict({"units": v.one_of("seconds"), "value": validate_lifetime_value})

CONNECTION = ResourceSpec(
    collection="ipsec-site-connections",
    singular="ipsec_site_connection",
    plural="ipsec_site_connections",
    not_found_kind="IPsecSiteConnectionNotFound",
    not_found_message="ipsec_site_connection {id} not found",  # as neutron-vpnaas 29 words it
    fields=_common() + (
        Field("vpnservice_id", CREATE_ONLY, v.string(255)),
        Field("ikepolicy_id", CREATE_ONLY, v.string(255)),
        Field("ipsecpolicy_id", CREATE_ONLY, v.string(255)),
        Field("local_ep_group_id", UPDATABLE, v.string(255, nullable=True), None),
        Field("peer_ep_group_id", UPDATABLE, v.string(255, nullable=True), None),
        Field("peer_address", UPDATABLE, v.string(250)),
        Field("peer_id", UPDATABLE, v.string(250)),
        Field("local_id", UPDATABLE, v.string(255), ""),
        Field("psk", UPDATABLE, v.psk),
        Field("initiator", UPDATABLE, v.one_of("bi-directional", "response-only"), "bi-directional"),
        Field("admin_state_up", UPDATABLE, v.boolean, True),
        Field("mtu", UPDATABLE, v.integer, 1500),
        Field("peer_cidrs", UPDATABLE, v.cidr_set, []),
        Field("dpd", UPDATABLE, validate_dpd, DPD_DEFAULT, merge=True),
    ),
    server_fields={"route_mode": "static", "auth_mode": "psk", "created_at": None},
    has_status=True,
    huawei_extras={"order_id": "", "product_id": ""},
)

VPNSERVICE = ResourceSpec(
    collection="vpnservices",
    singular="vpnservice",
    plural="vpnservices",
    not_found_kind="VPNServiceNotFound",
    not_found_message="VPNService {id} could not be found",
    fields=_common() + (
        Field("router_id", CREATE_ONLY, v.string(255)),
        Field("subnet_id", CREATE_ONLY, v.string(255, nullable=True), None),
        Field("flavor_id", CREATE_ONLY, v.string(255, nullable=True), None),
        Field("admin_state_up", UPDATABLE, v.boolean, True),
    ),
    server_fields={"external_v4_ip": None, "external_v6_ip": None},
    has_status=True,
    in_use_kind="VPNServiceInUse",
    in_use_message="VPNService {id} is still in use",
)

IKEPOLICY = ResourceSpec(
    collection="ikepolicies",
    singular="ikepolicy",
    plural="ikepolicies",
    not_found_kind="IKEPolicyNotFound",
    not_found_message="IKEPolicy {id} could not be found",
    fields=_common() + (
        Field("auth_algorithm", UPDATABLE, validate_auth_algorithm, "sha1"),
        Field("encryption_algorithm", UPDATABLE, validate_encryption_algorithm, "aes-128"),
        Field("phase1_negotiation_mode", UPDATABLE, v.one_of("main", "aggressive"), "main"),
        Field("ike_version", UPDATABLE, v.one_of("v1", "v2"), "v1"),
        Field("pfs", UPDATABLE, validate_pfs, "group5"),
        Field("lifetime", UPDATABLE, validate_lifetime, LIFETIME_DEFAULT, merge=True),
    ),
    in_use_kind="IKEPolicyInUse",
    in_use_message="IKEPolicy {id} is in use by existing IPsecSiteConnection and can't be updated or deleted",
)

IPSECPOLICY = ResourceSpec(
    collection="ipsecpolicies",
    singular="ipsecpolicy",
    plural="ipsecpolicies",
    not_found_kind="IPsecPolicyNotFound",
    not_found_message="IPsecPolicy {id} could not be found",
    fields=_common() + (
        Field("auth_algorithm", UPDATABLE, validate_auth_algorithm, "sha1"),
        Field("encryption_algorithm", UPDATABLE, validate_encryption_algorithm, "aes-128"),
        Field("pfs", UPDATABLE, validate_pfs, "group5"),
        Field("transform_protocol", UPDATABLE, v.one_of("esp", "ah", "ah-esp"), "esp"),
        Field("encapsulation_mode", UPDATABLE, validate_encapsulation_mode, "tunnel"),
        Field("lifetime", UPDATABLE, validate_lifetime, LIFETIME_DEFAULT, merge=True),
    ),
    in_use_kind="IPsecPolicyInUse",
    in_use_message="IPsecPolicy {id} is in use by existing IPsecSiteConnection and can't be updated or deleted",
)

ENDPOINT_TYPES = ("subnet", "cidr", "network", "router", "vlan")

ENDPOINT_GROUP = ResourceSpec(
    collection="endpoint-groups",
    singular="endpoint_group",
    plural="endpoint_groups",
    not_found_kind="VPNEndpointGroupNotFound",
    not_found_message="Endpoint group {id} could not be found",
    fields=_common() + (
        Field("type", CREATE_ONLY, v.one_of(*ENDPOINT_TYPES)),
        Field("endpoints", CREATE_ONLY, v.string_list, []),
    ),
    in_use_kind="EndpointGroupInUse",
    in_use_message="Endpoint group {id} is in use and cannot be deleted",
)

SPECS: tuple[ResourceSpec, ...] = (CONNECTION, VPNSERVICE, IKEPOLICY, IPSECPOLICY, ENDPOINT_GROUP)
BY_COLLECTION: dict[str, ResourceSpec] = {spec.collection: spec for spec in SPECS}
BY_PLURAL: dict[str, ResourceSpec] = {spec.plural: spec for spec in SPECS}

# Which connection attribute references which resource (used for in-use checks).
CONNECTION_REFERENCES: dict[str, tuple[str, ...]] = {
    "vpnservices": ("vpnservice_id",),
    "ikepolicies": ("ikepolicy_id",),
    "ipsecpolicies": ("ipsecpolicy_id",),
    "endpoint_groups": ("local_ep_group_id", "peer_ep_group_id"),
}


def lookup(name: str) -> ResourceSpec | None:
    """Find a spec by URL segment (``ipsec-site-connections``) or list key (``ipsec_site_connections``)."""
    return BY_COLLECTION.get(name) or BY_PLURAL.get(name)
