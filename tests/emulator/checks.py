# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules that span several fields or resources (neutron-vpnaas's validator and plugin checks)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from .config import Config
from .errors import HUAWEI, ApiError, bad_request
from .resources import CONNECTION, ENDPOINT_GROUP, IKEPOLICY, IPSECPOLICY, VPNSERVICE, ResourceSpec
from .store import Store
from .validators import cidr

IPV4_MIN_MTU, IPV6_MIN_MTU = 68, 1280


@dataclass(frozen=True)
class Context:
    """What cross-resource checks look at: the store and the settings."""

    store: Store
    config: Config


def check_dpd(record: dict[str, Any]) -> None:
    """The DPD timeout must be greater than the interval (checked on the merged value)."""
    dpd = record.get("dpd") or {}
    if dpd.get("timeout", 0) <= dpd.get("interval", 0):
        raise bad_request("ipsec_site_connection dpd_timeout is equal to or less than dpd_interval",
                          "IPsecSiteConnectionDpdIntervalValueError")


def check_mtu(record: dict[str, Any]) -> None:
    """MTU minimum: 68 for IPv4 peers, 1280 when the peer address is IPv6."""
    version = 4
    try:
        version = ipaddress.ip_address(str(record.get("peer_address"))).version
    except ValueError:
        pass
    minimum = IPV6_MIN_MTU if version == 6 else IPV4_MIN_MTU
    if record["mtu"] < minimum:
        raise bad_request(f"ipsec_site_connection MTU {record['mtu']} is too small for ipv{version}",
                          "IPsecSiteConnectionMtuError")


def require(store: Store, spec: ResourceSpec, rid: Any) -> dict[str, Any]:
    """Return the referenced object or raise the spec's 404."""
    found = store.get(spec.plural, rid) if isinstance(rid, str) else None
    if found is None:
        raise ApiError(404, spec.not_found_kind, spec.not_found(str(rid)))
    return found


def check_endpoint_group(store: Store, rid: str | None, which: str, expected: str) -> None:
    """A referenced endpoint group must exist and have the expected type."""
    if rid is None:
        return
    group = require(store, ENDPOINT_GROUP, rid)
    if group.get("type") != expected:
        raise bad_request(f"Endpoint group {which} type is '{group.get('type')}' and should be '{expected}'",
                          "WrongEndpointGroupType")


def _which(names: list[str]) -> tuple[str, str]:
    return " and ".join(names), "s" if len(names) > 1 else ""


def check_endpoint_mode(record: dict[str, Any], service: dict[str, Any], flavour: str) -> None:
    """Neutron: peer_cidrs with a subnet service, endpoint groups otherwise. Huawei: both groups."""
    local, peer = record.get("local_ep_group_id"), record.get("peer_ep_group_id")
    if flavour == HUAWEI or not service.get("subnet_id"):
        if flavour != HUAWEI and record.get("peer_cidrs"):
            raise bad_request("Peer CIDRs cannot be specified, when using endpoint groups", "PeerCidrsInvalid")
        missing = [name for name, value in (("local", local), ("peer", peer)) if not value]
        if missing:
            which, suffix = _which(missing)
            raise bad_request(f"Missing endpoint group{suffix} {which} for IPSec site-to-site connection",
                              "MissingRequiredEndpointGroup")
        return
    if not record.get("peer_cidrs"):
        raise bad_request("Missing peer CIDRs for IPsec site-to-site connection", "MissingPeerCidrs")
    given = [name for name, value in (("local", local), ("peer", peer)) if value]
    if given:
        which, suffix = _which(given)
        raise bad_request(f"Endpoint group{suffix} {which} cannot be specified, when VPN Service has subnet specified",
                          "InvalidEndpointGroup")


def connection_references(ctx: Context, record: dict[str, Any], given: dict[str, Any], creating: bool) -> None:
    """Check the objects a connection refers to (skipped when check_references is off)."""
    store, config = ctx.store, ctx.config
    if not config.check_references:
        return
    if not creating and config.flavour != HUAWEI:
        # Like Neutron 29 (tests/openstack): an update is checked against the service's endpoint
        # mode first (merged with the stored fields), before the endpoint groups' types.
        service = store.get(VPNSERVICE.plural, record.get("vpnservice_id") or "")
        if service is not None:
            check_endpoint_mode(record, service, config.flavour)
    if "local_ep_group_id" in given:
        check_endpoint_group(store, given["local_ep_group_id"], "local", "subnet")
    if "peer_ep_group_id" in given:
        check_endpoint_group(store, given["peer_ep_group_id"], "peer", "cidr")
    if not creating:
        return
    service = require(store, VPNSERVICE, record["vpnservice_id"])
    require(store, IKEPOLICY, record["ikepolicy_id"])
    require(store, IPSECPOLICY, record["ipsecpolicy_id"])
    check_endpoint_mode(record, service, config.flavour)


def check_endpoints(record: dict[str, Any]) -> None:
    """An endpoint group needs endpoints; CIDR groups need valid CIDRs."""
    if not record.get("endpoints"):
        raise bad_request(f"No endpoints specified for endpoint group '{record.get('name', '')}'",
                          "MissingEndpointForEndpointGroup")
    if record.get("type") == "cidr":
        for endpoint in record["endpoints"]:
            try:
                cidr("endpoints", endpoint)
            except ApiError:
                raise bad_request(f"Endpoint '{endpoint}' is invalid for group type 'cidr': not a valid CIDR",
                                  "InvalidEndpointInEndpointGroup") from None


def check_record(ctx: Context, spec: ResourceSpec, record: dict[str, Any], given: dict[str, Any], creating: bool) -> None:
    """Run the cross-field checks of ``spec`` on a merged (not yet stored) record."""
    if spec is CONNECTION:
        check_dpd(record)
        check_mtu(record)
        connection_references(ctx, record, given, creating)
    elif spec in (IKEPOLICY, IPSECPOLICY) and ctx.config.flavour != HUAWEI:
        check_database_enums(record)
    elif spec is ENDPOINT_GROUP and creating:
        check_endpoints(record)


# Values neutron-lib 5 still accepts (sha1 is even its default) that the database enums of
# neutron-vpnaas 29 no longer hold: the write fails in the database and Neutron answers 500.
DROPPED_ALGORITHMS = {"auth_algorithm": "sha1", "encryption_algorithm": "3des"}


def check_database_enums(record: dict[str, Any]) -> None:
    """500 like a real Neutron 29 for a policy with sha1 (also by default) or 3des."""
    if any(record.get(name) == value for name, value in DROPPED_ALGORITHMS.items()):
        raise ApiError(500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.")


def check_not_in_use(store: Store, spec: ResourceSpec, rid: str, updating: bool, flavour: str = HUAWEI) -> None:
    """409 when deleting a used object, or updating a used IKE/IPsec policy.

    Neutron 29 refuses to delete a used endpoint group with 400, not 409 (tests/openstack).
    """
    if not spec.in_use_kind or (updating and spec not in (IKEPOLICY, IPSECPOLICY)):
        return
    if store.users(spec.plural, rid):
        status = 400 if spec is ENDPOINT_GROUP and flavour != HUAWEI else 409
        raise ApiError(status, spec.in_use_kind, spec.in_use_message.format(id=rid))
