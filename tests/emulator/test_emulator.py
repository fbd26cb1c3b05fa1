# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the emulator itself: real HTTP on 127.0.0.1 against an in-process server."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from . import aksk
from .auth import APP_CRED_ID, APP_CRED_NAME, APP_CRED_SECRET, USER_ID
from .config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, PROJECT_ID, Config
from .messages import Request
from .run_with import REPO_ROOT, Emulator, EmulatorClient
from .server import EmulatorServer, start_server
from .tls import make_test_pki

CONN = "/v2.0/vpn/ipsec-site-connections"
PSK = "s3cret-psk-value"
AUTH_BODY = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "demo", "domain": {"name": "Default"}, "password": "demo-password"}}},
    "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}


class Api(EmulatorClient):
    """Test client bound to an in-process server."""

    def __init__(self, server: EmulatorServer) -> None:
        super().__init__(server.url)
        self.server = server

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        """Return (status, parsed body)."""
        status, _headers, payload = self.request(method, path, body, **kwargs)
        return status, payload

    @property
    def sha256(self) -> str:
        """The spelling of SHA-256 this flavour accepts (sha2-256 on Huawei/OTC)."""
        return "sha2-256" if self.server.app.config.flavour == "huawei" else "sha256"

    def siblings(self) -> dict[str, str]:
        """Create a VPN service, both policies and both endpoint groups through the API; return their ids."""
        made = {
            "vpnservice_id": self.create("vpnservices", "vpnservice", {"router_id": "router-1"}),
            "ikepolicy_id": self.create("ikepolicies", "ikepolicy", {"name": "ike", "auth_algorithm": self.sha256}),
            "ipsecpolicy_id": self.create("ipsecpolicies", "ipsecpolicy", {"name": "ipsec", "auth_algorithm": self.sha256}),
            "local_ep_group_id": self.create("endpoint-groups", "endpoint_group", {"type": "subnet", "endpoints": ["subnet-1"]}),
            "peer_ep_group_id": self.create("endpoint-groups", "endpoint_group", {"type": "cidr", "endpoints": ["10.9.0.0/16"]}),
        }
        return made

    def create(self, collection: str, key: str, attrs: dict[str, Any]) -> str:
        """POST an object, assert 201, return its id."""
        status, body = self.call("POST", f"/v2.0/vpn/{collection}", {key: attrs})
        assert status == 201, body
        return body[key]["id"]

    def connection(self, **overrides: Any) -> tuple[int, Any]:
        """POST a connection built on fresh siblings."""
        attrs = {**self.siblings(), "peer_address": "203.0.113.5", "peer_id": "203.0.113.5", "psk": PSK, "name": "c1"}
        attrs.update(overrides)
        return self.call("POST", CONN, {"ipsec_site_connection": attrs})

    def new_connection(self, **overrides: Any) -> dict[str, Any]:
        """POST a connection and return it (asserting 201)."""
        status, body = self.connection(**overrides)
        assert status == 201, body
        return body["ipsec_site_connection"]

    def put(self, rid: str, attrs: Any) -> tuple[int, Any]:
        """PUT a connection."""
        return self.call("PUT", f"{CONN}/{rid}", {"ipsec_site_connection": attrs})

    def wait_status(self, rid: str, wanted: str, timeout: float = 3.0) -> str:
        """Poll (bounded) until the connection shows ``wanted``; return the last status seen."""
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            code, body = self.call("GET", f"{CONN}/{rid}")
            status = body["ipsec_site_connection"]["status"] if code == 200 else str(code)
            if status == wanted:
                break
            time.sleep(0.05)
        return status


@pytest.fixture(name="make_api")
def fixture_make_api() -> Iterator[Callable[..., Api]]:
    """Factory of emulators configured by keyword (Config fields); all stopped at the end."""
    servers: list[EmulatorServer] = []

    def make(**settings: Any) -> Api:
        server = start_server(Config(**settings))
        servers.append(server)
        return Api(server)
    yield make
    for server in servers:
        server.stop()


@pytest.fixture(name="api")
def fixture_api(make_api: Callable[..., Api]) -> Api:
    """A default (neutron) emulator with deterministic ids."""
    return make_api(id_seed=7)


def raw(api: Api, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """Send a raw request with http.client; returns the response (caller reads it)."""
    parts = urlsplit(api.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request(method, path, body=body, headers={"X-Auth-Token": api.token, **(headers or {})})
    return conn.getresponse()


def neutron_type(body: Any) -> str:
    """Return NeutronError.type."""
    return body["NeutronError"]["type"]


# --- Keystone and tokens ---------------------------------------------------------------------

def test_keystone_password_auth_gives_token_and_catalog(api: Api) -> None:
    """Password auth answers 201 with X-Subject-Token, project and catalog; the token works."""
    status, headers, body = api.request("POST", "/v3/auth/tokens", AUTH_BODY, token="")
    assert status == 201
    token = headers["X-Subject-Token"]
    assert body["token"]["project"]["id"] == PROJECT_ID
    assert body["token"]["expires_at"].endswith("Z")
    types = {entry["type"]: entry for entry in body["token"]["catalog"]}
    assert types["network"]["name"] == "neutron" and types["vpc"]["name"] == "vpc"
    assert types["network"]["endpoints"][0]["url"] == api.url
    assert types["network"]["endpoints"][0]["region_id"] == "RegionOne"
    assert api.call("GET", CONN, token=token) == (200, {"ipsec_site_connections": []})


@pytest.mark.parametrize("change", ["password", "user", "project"])
def test_keystone_rejects_bad_credentials(api: Api, change: str) -> None:
    """Wrong password, user or project: Keystone's 401 body."""
    body = json.loads(json.dumps(AUTH_BODY))
    if change == "project":
        body["auth"]["scope"]["project"]["name"] = "other"
    else:
        body["auth"]["identity"]["password"]["user"][change if change == "password" else "name"] = "wrong"
    status, payload = api.call("POST", "/v3/auth/tokens", body, token="")
    assert status == 401
    assert payload == {"error": {"code": 401, "title": "Unauthorized",
                                 "message": "The request you have made requires authentication."}}


def test_keystone_scope_by_project_id_and_domain_id(api: Api) -> None:
    """Domain by id and project scope by id are accepted."""
    body = json.loads(json.dumps(AUTH_BODY))
    body["auth"]["identity"]["password"]["user"]["domain"] = {"id": "default"}
    body["auth"]["scope"] = {"project": {"id": PROJECT_ID}}
    assert api.call("POST", "/v3/auth/tokens", body, token="")[0] == 201


UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}


def app_cred_body(**credential: Any) -> dict[str, Any]:
    """An application credential auth request."""
    return {"auth": {"identity": {"methods": ["application_credential"], "application_credential": credential}}}


@pytest.mark.parametrize("credential", [
    {"id": APP_CRED_ID, "secret": APP_CRED_SECRET},
    {"name": APP_CRED_NAME, "user": {"name": "demo", "domain": {"name": "Default"}}, "secret": APP_CRED_SECRET},
    {"name": APP_CRED_NAME, "user": {"id": USER_ID}, "secret": APP_CRED_SECRET},
])
def test_application_credential_gives_a_project_token(api: Api, credential: dict[str, Any]) -> None:
    """By id, or by name with the user by name and domain or by id: a token bound to the project, with the catalog."""
    status, headers, body = api.request("POST", "/v3/auth/tokens", app_cred_body(**credential), token="")
    assert status == 201
    assert body["token"]["methods"] == ["application_credential"]
    assert body["token"]["application_credential"] == {"id": APP_CRED_ID, "name": APP_CRED_NAME, "restricted": True}
    assert body["token"]["project"]["id"] == PROJECT_ID
    assert {entry["type"] for entry in body["token"]["catalog"]} >= {"network", "vpc"}
    assert api.call("GET", CONN, token=headers["X-Subject-Token"]) == (200, {"ipsec_site_connections": []})


@pytest.mark.parametrize("change", ["secret", "id", "name", "user", "scope"])
def test_application_credential_refusals(api: Api, change: str) -> None:
    """A wrong secret, id, name or user is Keystone's 401; so is a scope, which Keystone refuses for these."""
    credential: dict[str, Any] = {"id": APP_CRED_ID, "secret": APP_CRED_SECRET}
    if change == "secret":
        credential["secret"] = "wrong-secret"
    elif change == "id":
        credential["id"] = "0" * 32
    elif change in ("name", "user"):
        credential = {"name": "other" if change == "name" else APP_CRED_NAME, "secret": APP_CRED_SECRET,
                      "user": {"name": "demo" if change == "name" else "someone", "domain": {"id": "default"}}}
    body = app_cred_body(**credential)
    if change == "scope":
        body["auth"]["scope"] = {"project": {"id": PROJECT_ID}}
    assert api.call("POST", "/v3/auth/tokens", body, token="") == (401, UNAUTHORIZED)


def test_token_method_exchanges_an_unscoped_token_for_a_scoped_one(api: Api) -> None:
    """An unscoped token cannot call the network API; the token method with a scope gives one that can."""
    unscoped = json.loads(json.dumps(AUTH_BODY))
    del unscoped["auth"]["scope"]
    status, headers, body = api.request("POST", "/v3/auth/tokens", unscoped, token="")
    assert status == 201 and "catalog" not in body["token"]
    first = headers["X-Subject-Token"]
    assert api.call("GET", CONN, token=first)[0] == 401
    exchange = {"auth": {"identity": {"methods": ["token"], "token": {"id": first}},
                         "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
    status, headers, body = api.request("POST", "/v3/auth/tokens", exchange, token="")
    assert status == 201 and body["token"]["methods"] == ["token"] and body["token"]["project"]["id"] == PROJECT_ID
    assert api.call("GET", CONN, token=headers["X-Subject-Token"]) == (200, {"ipsec_site_connections": []})
    exchange["auth"]["identity"]["token"]["id"] = "not-a-token"
    assert api.call("POST", "/v3/auth/tokens", exchange, token="") == (401, UNAUTHORIZED)


def test_token_method_refuses_an_expired_token(api: Api) -> None:
    """A token past its TTL cannot be exchanged."""
    api.config(token_ttl=0)
    _status, headers, _body = api.request("POST", "/v3/auth/tokens", AUTH_BODY, token="")
    exchange = {"auth": {"identity": {"methods": ["token"], "token": {"id": headers["X-Subject-Token"]}},
                         "scope": {"project": {"id": PROJECT_ID}}}}
    assert api.call("POST", "/v3/auth/tokens", exchange, token="") == (401, UNAUTHORIZED)


@pytest.mark.parametrize("flavour", ["neutron", "huawei"])
def test_missing_or_bad_token_is_401_keystonemiddleware(make_api: Callable[..., Api], flavour: str) -> None:
    """No or unknown token: keystonemiddleware 401 with WWW-Authenticate, both flavours."""
    api = make_api(flavour=flavour)
    for token in ("", "not-a-token"):
        status, headers, body = api.request("GET", CONN, token=token)
        assert status == 401
        assert body["error"]["title"] == "Unauthorized"
        assert headers["WWW-Authenticate"] == f'Keystone uri="{api.url}/v3"'


def test_expired_token_is_401(api: Api) -> None:
    """A token past its TTL is refused."""
    api.config(token_ttl=0)
    _status, headers, _body = api.request("POST", "/v3/auth/tokens", AUTH_BODY, token="")
    assert api.call("GET", CONN, token=headers["X-Subject-Token"])[0] == 401


def test_aksk_signature_matches_huaweicloudsdkcore_vector() -> None:
    """The verifier rebuilds the signature huaweicloudsdkcore's Signer produced for this request."""
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID, "X-Sdk-Date": "20260102T150405Z",
               "Host": "127.0.0.1:1234"}
    request = Request("PUT", "/v2.0/vpn/ipsec-site-connections/abc", "name=a+b&fields=id&fields=name", headers,
                      b'{"ipsec_site_connection": {"name": "x y"}}')
    signed = ["content-type", "host", "x-project-id", "x-sdk-date"]
    canonical = aksk.canonical_request(request, signed)
    assert aksk.signature(DEFAULT_SECRET_KEY, "20260102T150405Z", canonical) == \
        "facd3e9c15eab9648bb72c06e3fb5dee1ea794cbc3a93df4366cef2d76c671a2"


@pytest.mark.parametrize("secret, expected", [(DEFAULT_SECRET_KEY, 200), ("wrong-secret", 401)])
def test_aksk_signed_requests(api: Api, secret: str, expected: int) -> None:
    """A correctly signed request passes; a bad signature gets APIG's 401 body."""
    date = datetime.now(timezone.utc).strftime(aksk.DATE_FORMAT)
    headers = {"Content-Type": "application/json", "Host": urlsplit(api.url).netloc, "X-Project-Id": PROJECT_ID,
               "X-Sdk-Date": date}
    signed = sorted(name.lower() for name in headers)
    canonical = aksk.canonical_request(Request("GET", CONN, "name=x", headers), signed)
    headers["Authorization"] = (f"SDK-HMAC-SHA256 Access={DEFAULT_ACCESS_KEY}, SignedHeaders={';'.join(signed)}, "
                                f"Signature={aksk.signature(secret, date, canonical)}")
    status, body = api.call("GET", f"{CONN}?name=x", token="", headers=headers)
    assert status == expected
    if expected == 401:
        assert body["error_code"] == "APIGW.0301"


# --- Connection CRUD and validation ----------------------------------------------------------

def test_connection_crud(api: Api) -> None:
    """Create, show, list, update and delete a connection with Neutron's defaults."""
    conn = api.new_connection()
    assert conn["status"] == "PENDING_CREATE" and conn["psk"] == PSK  # as Neutron answers; ACTIVE from the next read
    assert conn["route_mode"] == "static" and conn["auth_mode"] == "psk" and conn["mtu"] == 1500
    assert conn["dpd"] == {"action": "hold", "interval": 30, "timeout": 120}
    assert conn["initiator"] == "bi-directional" and conn["admin_state_up"] is True
    assert conn["tenant_id"] == conn["project_id"] == PROJECT_ID
    assert "created_at" not in conn and conn["local_id"] == ""  # as a real Neutron answers
    rid = conn["id"]
    assert api.call("GET", f"{CONN}/{rid}")[1]["ipsec_site_connection"] == {**conn, "status": "ACTIVE"}
    status, body = api.put(rid, {"name": "renamed", "mtu": 1400})
    assert status == 200 and body["ipsec_site_connection"]["name"] == "renamed"
    assert body["ipsec_site_connection"]["mtu"] == 1400
    assert [item["id"] for item in api.call("GET", CONN)[1]["ipsec_site_connections"]] == [rid]
    deleted = raw(api, "DELETE", f"{CONN}/{rid}")
    assert deleted.status == 204 and deleted.read() == b""
    status, body = api.call("GET", f"{CONN}/{rid}")
    assert status == 404 and neutron_type(body) == "IPsecSiteConnectionNotFound"
    assert body["NeutronError"]["message"] == f"ipsec_site_connection {rid} not found"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_id_is_404(api: Api, method: str) -> None:
    """GET/PUT/DELETE of an unknown id: IPsecSiteConnectionNotFound."""
    status, body = api.call(method, f"{CONN}/no-such-id", {"ipsec_site_connection": {}} if method == "PUT" else None)
    assert status == 404 and neutron_type(body) == "IPsecSiteConnectionNotFound"


@pytest.mark.parametrize("attrs, kind, text", [
    ({"bogus": 1}, "HTTPBadRequest", "Unrecognized attribute(s) 'bogus'"),
    ({"status": "DOWN"}, "HTTPBadRequest", "Cannot update read-only attribute status"),
    ({"vpnservice_id": "x"}, "HTTPBadRequest", "Cannot update read-only attribute vpnservice_id"),
    ({"initiator": "sometimes"}, "HTTPBadRequest", "not in valid_values"),
    ({"dpd": {"action": "explode"}}, "HTTPBadRequest", "not in valid_values"),
    ({"mtu": 10}, "IPsecSiteConnectionMtuError", "too small for ipv4"),
    ({"mtu": "abc"}, "InvalidInput", "is not an integer"),
    ({"dpd": {"timeout": 30}}, "IPsecSiteConnectionDpdIntervalValueError", "dpd_timeout"),
    ({"peer_cidrs": ["not-a-cidr"]}, "HTTPBadRequest", "not a valid IP subnet"),
    ({"name": "x" * 256}, "HTTPBadRequest", "exceeds maximum length"),
])
def test_update_validation(api: Api, attrs: dict[str, Any], kind: str, text: str) -> None:
    """Each PUT validation rule gives Neutron's 400 type and message."""
    rid = api.new_connection()["id"]
    status, body = api.put(rid, attrs)
    assert status == 400, body
    assert neutron_type(body) == kind and text in body["NeutronError"]["message"]


def test_mtu_has_no_upper_bound(api: Api) -> None:
    """A large MTU is accepted, as on Neutron."""
    rid = api.new_connection()["id"]
    assert api.put(rid, {"mtu": 70000})[1]["ipsec_site_connection"]["mtu"] == 70000


@pytest.mark.parametrize("body, kind", [
    (b"{not json", "MalformedRequestBody"),
    (b'{"name": "no wrapper"}', "HTTPBadRequest"),
])
def test_malformed_bodies(api: Api, body: bytes, kind: str) -> None:
    """Non-JSON and unwrapped bodies are refused."""
    rid = api.new_connection()["id"]
    answer = raw(api, "PUT", f"{CONN}/{rid}", body, {"Content-Type": "application/json"})
    assert answer.status == 400 and neutron_type(json.loads(answer.read())) == kind


def test_create_requires_psk_and_refuses_read_only(api: Api) -> None:
    """POST needs psk and refuses server-set attributes."""
    status, body = api.connection(psk=None)
    assert status == 400 and "not a valid string" in body["NeutronError"]["message"]
    attrs = {**api.siblings(), "peer_address": "1.2.3.4", "peer_id": "1.2.3.4"}
    status, body = api.call("POST", CONN, {"ipsec_site_connection": attrs})
    assert status == 400 and "Required attribute 'psk'" in body["NeutronError"]["message"]
    status, body = api.connection(status="ACTIVE")
    assert status == 400 and "not allowed in POST" in body["NeutronError"]["message"]


def test_dpd_put_merges_sub_keys(api: Api) -> None:
    """A PUT dpd merges into the stored dpd; timeout > interval is checked after merging."""
    rid = api.new_connection(dpd={"action": "restart"})["id"]
    status, body = api.put(rid, {"dpd": {"interval": 60}})
    assert status == 200
    assert body["ipsec_site_connection"]["dpd"] == {"action": "restart", "interval": 60, "timeout": 120}
    assert api.put(rid, {"dpd": {"interval": 120}})[0] == 400


def test_peer_cidrs_is_a_set(make_api: Callable[..., Api]) -> None:
    """peer_cidrs is deduplicated."""
    api = make_api(check_references=False)
    rid = api.new_connection(peer_cidrs=["10.2.0.0/16", "10.1.0.0/16", "10.2.0.0/16"])["id"]
    stored = api.call("GET", f"{CONN}/{rid}")[1]["ipsec_site_connection"]["peer_cidrs"]
    assert sorted(stored) == ["10.1.0.0/16", "10.2.0.0/16"]


# --- PENDING windows ---------------------------------------------------------------------------

def test_pending_windows(make_api: Callable[..., Api]) -> None:
    """PENDING_CREATE/UPDATE/DELETE windows last pending_seconds; updates are refused meanwhile (write windows on)."""
    api = make_api(pending_seconds=0.3, write_windows=True)
    conn = api.new_connection()
    rid = conn["id"]
    assert conn["status"] == "PENDING_CREATE"
    status, body = api.put(rid, {"name": "too-early"})
    assert status == 400 and neutron_type(body) == "VPNStateInvalidToUpdate"
    assert body["NeutronError"]["message"] == f"Invalid state PENDING_CREATE of vpnaas resource {rid} for updating"
    assert api.wait_status(rid, "ACTIVE") == "ACTIVE"
    api.patch("ipsec-site-connections", rid, status="DOWN")
    assert api.put(rid, {"name": "later"})[1]["ipsec_site_connection"]["status"] == "PENDING_UPDATE"
    assert api.wait_status(rid, "DOWN") == "DOWN"
    assert raw(api, "DELETE", f"{CONN}/{rid}").status == 204
    assert api.call("GET", f"{CONN}/{rid}")[1]["ipsec_site_connection"]["status"] == "PENDING_DELETE"
    assert api.wait_status(rid, "404") == "404"


@pytest.mark.parametrize("pending_seconds", [0, 0.3])
def test_neutron_statuses_follow_the_real_server(make_api: Callable[..., Api], pending_seconds: float) -> None:
    """Like Neutron 29 + VPNaaS 29 (tests/openstack): POST answers PENDING_CREATE, PUT keeps the status, DELETE is at once."""
    api = make_api(pending_seconds=pending_seconds)
    conn = api.new_connection()
    rid = conn["id"]
    assert conn["status"] == "PENDING_CREATE"
    assert api.wait_status(rid, "ACTIVE") == "ACTIVE"
    api.patch("ipsec-site-connections", rid, status="DOWN")
    assert api.put(rid, {"name": "later"})[1]["ipsec_site_connection"]["status"] == "DOWN"
    assert api.call("GET", f"{CONN}/{rid}")[1]["ipsec_site_connection"]["status"] == "DOWN"
    assert raw(api, "DELETE", f"{CONN}/{rid}").status == 204
    assert api.call("GET", f"{CONN}/{rid}")[0] == 404


def test_huawei_answers_a_create_with_the_final_status(make_api: Callable[..., Api]) -> None:
    """Huawei flavour with pending_seconds 0: the POST answer is already ACTIVE, PUT/DELETE windows are on."""
    api = make_api(flavour="huawei", check_references=False)
    assert api.config()["write_windows"] is True
    status, body = api.call("POST", CONN, {"ipsec_site_connection": {
        "peer_address": "203.0.113.5", "peer_id": "203.0.113.5", "psk": "Huawei-Psk-1", "vpnservice_id": "s",
        "ikepolicy_id": "i", "ipsecpolicy_id": "p", "local_ep_group_id": "l", "peer_ep_group_id": "r"}})
    assert status == 201 and body["ipsec_site_connection"]["status"] == "ACTIVE"
    assert time.strptime(body["ipsec_site_connection"]["created_at"], "%Y-%m-%d %H:%M:%S.%f")
    assert "local_id" not in body["ipsec_site_connection"]


def test_patched_status_settles_after_settle_after(api: Api) -> None:
    """PATCH with settle_after: the status set stays that long, then the agent's ACTIVE."""
    rid = api.new_connection()["id"]
    api.patch("ipsec_site_connections", rid, status="PENDING_UPDATE", settle_after=0.3)
    assert api.call("GET", f"{CONN}/{rid}")[1]["ipsec_site_connection"]["status"] == "PENDING_UPDATE"
    assert api.wait_status(rid, "ACTIVE") == "ACTIVE"
    status, _headers, body = api.request("PATCH", f"/_emulator/resources/ipsec-site-connections/{rid}",
                                         {"settle_after": 1})
    assert status == 400 and "settle_after" in body["error"]


def test_patched_pending_status_blocks_updates(api: Api) -> None:
    """A status forced through the control API blocks updates too."""
    rid = api.new_connection()["id"]
    api.patch("ipsec_site_connections", rid, status="PENDING_UPDATE")
    status, body = api.put(rid, {"name": "x"})
    assert status == 400 and "Invalid state PENDING_UPDATE" in body["NeutronError"]["message"]


# --- Lists -----------------------------------------------------------------------------------

def _seed_connections(api: Api, count: int) -> list[str]:
    items = [{"name": f"conn-{index % 3}", "psk": PSK, "vpnservice_id": "s", "ikepolicy_id": "i",
              "ipsecpolicy_id": "p", "peer_address": "1.1.1.1", "peer_id": "1.1.1.1"} for index in range(count)]
    return [item["id"] for item in api.seed({"ipsec_site_connections": items})["ipsec_site_connections"]]


def test_paging_follows_next_links(api: Api) -> None:
    """25 items, limit 10: pages of 10, 10, 5 linked by absolute next hrefs."""
    ids = _seed_connections(api, 25)
    seen: list[str] = []
    url = f"{CONN}?limit=10"
    sizes = []
    for _page in range(5):
        body = api.call("GET", url)[1]
        sizes.append(len(body["ipsec_site_connections"]))
        seen += [item["id"] for item in body["ipsec_site_connections"]]
        links = {link["rel"]: link["href"] for link in body.get("ipsec_site_connections_links", [])}
        if "next" not in links:
            break
        assert links["next"].startswith(api.url) and "limit=10" in links["next"]
        url = links["next"][len(api.url):]
    assert sizes == [10, 10, 5] and seen == ids


def test_max_limit_and_no_paging(api: Api) -> None:
    """max_limit caps pages; paging off returns everything without links."""
    _seed_connections(api, 7)
    api.config(max_limit=5)
    body = api.call("GET", CONN)[1]
    assert len(body["ipsec_site_connections"]) == 5 and "ipsec_site_connections_links" in body
    api.config(paging=False)
    body = api.call("GET", f"{CONN}?limit=2")[1]
    assert len(body["ipsec_site_connections"]) == 7 and "ipsec_site_connections_links" not in body


def test_filters_fields_and_no_server_filter(api: Api) -> None:
    """Filters (repeated keys OR), fields=, and filters ignored when switched off."""
    _seed_connections(api, 6)
    body = api.call("GET", f"{CONN}?name=conn-1")[1]
    assert {item["name"] for item in body["ipsec_site_connections"]} == {"conn-1"}
    body = api.call("GET", f"{CONN}?name=conn-1&name=conn-2")[1]
    assert len(body["ipsec_site_connections"]) == 4
    body = api.call("GET", f"{CONN}?name=conn-0&fields=id&fields=name")[1]
    assert all(set(item) == {"id", "name"} for item in body["ipsec_site_connections"])
    assert len(api.call("GET", f"{CONN}?admin_state_up=true")[1]["ipsec_site_connections"]) == 6
    api.config(server_filter=False)
    assert len(api.call("GET", f"{CONN}?name=conn-1")[1]["ipsec_site_connections"]) == 6


# --- Huawei flavour --------------------------------------------------------------------------

def test_huawei_error_body_masked_psk_and_extras(make_api: Callable[..., Api]) -> None:
    """Huawei: error_code bodies, masked psk, order_id/product_id, 64-char names, omitted psk."""
    api = make_api(flavour="huawei")
    conn = api.new_connection()
    assert conn["psk"] == "******" and conn["order_id"] == "" and conn["product_id"] == ""
    status, body = api.call("GET", f"{CONN}/missing")
    assert status == 404 and set(body) == {"error_code", "error_msg"} and body["error_code"].startswith("VPC.")
    assert api.put(conn["id"], {"name": "n" * 65})[0] == 400
    api.config(psk_mode="omitted")
    assert "psk" not in api.call("GET", f"{CONN}/{conn['id']}")[1]["ipsec_site_connection"]


@pytest.mark.parametrize("bad_psk", ["short", "has space", "amp&ersand", "x" * 129, 'quo"te'])
def test_huawei_psk_rules_echo_the_secret(make_api: Callable[..., Api], bad_psk: str) -> None:
    """Huawei PSK rules; the error message echoes the PSK as the real cloud does."""
    api = make_api(flavour="huawei")
    rid = api.new_connection()["id"]
    status, body = api.put(rid, {"psk": bad_psk})
    assert status == 400 and body["error_msg"] == f'The PSK "{bad_psk}" is invalid'


# --- Request log -----------------------------------------------------------------------------

def test_log_masks_secrets(api: Api) -> None:
    """The request log never holds psk, password or secret query values; control calls are not logged."""
    api.call("POST", "/v3/auth/tokens", AUTH_BODY, token="")
    rid = api.new_connection()["id"]
    api.put(rid, {"psk": "another-secret"})
    api.call("GET", f"{CONN}?psk=query-secret")
    text = json.dumps(api.log())
    for secret in ("demo-password", PSK, "another-secret", "query-secret"):
        assert secret not in text
    entries = api.log()
    assert entries[0]["path"] == "/v3/auth/tokens" and entries[0]["status"] == 201
    assert [entry["seq"] for entry in entries] == sorted(entry["seq"] for entry in entries)
    assert all(not entry["path"].startswith("/_emulator") for entry in entries)
    api.clear_log()
    assert api.log() == []


def test_log_take_reads_and_clears(api: Api) -> None:
    """GET /_emulator/log/take answers with the entries and empties the log, as DELETE does."""
    rid = api.new_connection()["id"]
    api.clear_log()
    api.call("GET", CONN)
    api.call("GET", f"{CONN}/{rid}")
    taken = api.take_log()
    assert [(entry["method"], entry["path"]) for entry in taken] == [("GET", CONN), ("GET", f"{CONN}/{rid}")]
    assert api.log() == []
    assert api.take_log() == []


def test_state_hides_psk_behind_sha256(api: Api) -> None:
    """State shows the psk as a mask plus its sha256."""
    api.new_connection()
    stored = api.state()["ipsec_site_connections"][0]
    assert stored["psk"] == "******"
    assert stored["psk_sha256"] == hashlib.sha256(PSK.encode()).hexdigest()


# --- Faults ----------------------------------------------------------------------------------

def test_fault_status_before_does_not_process(api: Api) -> None:
    """A status fault answers without processing and is logged."""
    api.fault(method="POST", path="ipsec-site-connections$", kind="status", status=503,
              headers={"Retry-After": "1"}, times=1)
    status, headers, body = api.request("POST", CONN, {"ipsec_site_connection": {}})
    assert status == 503 and headers["Retry-After"] == "1" and "NeutronError" in body
    assert api.state()["ipsec_site_connections"] == []
    assert api.log()[-1]["fault"] == "status"
    assert api.config() and api.call("GET", CONN)[0] == 200


def test_fault_status_after_processes_then_lies(api: Api) -> None:
    """before=false: the POST is stored but the client sees 504."""
    siblings = api.siblings()
    api.fault(method="POST", path="ipsec-site-connections", status=504, before=False, body="Gateway Timeout")
    status, _body = api.connection(**siblings)
    assert status == 504
    assert len(api.state()["ipsec_site_connections"]) == 1


def test_fault_times_method_and_listing(api: Api) -> None:
    """Faults match method and path, count down, and are listed and cleared."""
    fault_id = api.fault(method="GET", path="^/v2.0/vpn/ipsec-site-connections$", status=500, times=2)
    assert api.call("POST", "/v2.0/vpn/ikepolicies", {"ikepolicy": {"auth_algorithm": "sha256"}})[0] == 201
    assert [api.call("GET", CONN)[0] for _attempt in range(3)] == [500, 500, 200]
    listed = api.request("GET", "/_emulator/faults")[2]["faults"]
    assert listed[0]["id"] == fault_id and listed[0]["remaining"] == 0
    api.clear_faults()
    assert api.request("GET", "/_emulator/faults")[2]["faults"] == []


def test_fault_reset_closes_without_answer(api: Api) -> None:
    """A reset fault drops the connection; the log shows status null."""
    api.fault(path="ipsec-site-connections", kind="reset")
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        raw(api, "GET", CONN).read()
    assert api.log()[-1]["status"] is None


def test_fault_truncate_sends_half_a_body(api: Api) -> None:
    """A truncate fault cuts the body short of its Content-Length."""
    api.new_connection()
    api.fault(path="ipsec-site-connections", kind="truncate")
    answer = raw(api, "GET", CONN)
    assert answer.status == 200
    with pytest.raises(http.client.IncompleteRead):
        answer.read()


def test_fault_html_empty_and_delay(api: Api) -> None:
    """HTML page, empty body and delay faults."""
    api.fault(path="ipsec", kind="html", times=1)
    answer = raw(api, "GET", CONN)
    assert answer.status == 502 and answer.getheader("Content-Type") == "text/html"
    assert answer.read() == b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    api.fault(path="ipsec", kind="empty", status=500)
    answer = raw(api, "GET", CONN)
    assert answer.status == 500 and answer.read() == b""
    api.fault(path="ipsec", kind="delay", delay=0.3)
    started = time.monotonic()
    assert api.call("GET", CONN)[0] == 200 and time.monotonic() - started >= 0.3


def test_rate_limit(api: Api) -> None:
    """Above rate_limit requests per second: 429 with Retry-After."""
    api.config(rate_limit=3)
    statuses = [api.request("GET", CONN) for _attempt in range(5)]
    assert [item[0] for item in statuses] == [200, 200, 200, 429, 429]
    assert statuses[-1][1]["Retry-After"] == "1"


# --- Sibling resources -----------------------------------------------------------------------

def test_connection_references_must_exist(api: Api) -> None:
    """A connection's service, policies and endpoint groups must exist and fit."""
    status, body = api.connection(vpnservice_id="missing")
    assert status == 404 and neutron_type(body) == "VPNServiceNotFound"
    status, body = api.connection(ikepolicy_id="missing")
    assert status == 404 and neutron_type(body) == "IKEPolicyNotFound"
    siblings = api.siblings()
    status, body = api.connection(local_ep_group_id=siblings["peer_ep_group_id"])
    assert status == 400 and neutron_type(body) == "WrongEndpointGroupType"
    status, body = api.connection(peer_cidrs=["10.0.0.0/8"])
    assert status == 400 and neutron_type(body) == "PeerCidrsInvalid"


def test_in_use_conflicts(api: Api) -> None:
    """Deleting used objects or updating used policies is a 409 (a used endpoint group: 400, as in Neutron 29)."""
    conn = api.new_connection()
    for collection, key, expected in (("vpnservices", "vpnservice_id", 409), ("ikepolicies", "ikepolicy_id", 409),
                                      ("ipsecpolicies", "ipsecpolicy_id", 409),
                                      ("endpoint-groups", "local_ep_group_id", 400)):
        status, body = api.call("DELETE", f"/v2.0/vpn/{collection}/{conn[key]}")
        assert status == expected and "InUse" in neutron_type(body), collection
    status, body = api.call("PUT", f"/v2.0/vpn/ikepolicies/{conn['ikepolicy_id']}", {"ikepolicy": {"pfs": "group14"}})
    assert status == 409 and "in use" in body["NeutronError"]["message"]
    assert api.call("PUT", f"/v2.0/vpn/ipsecpolicies/{conn['ipsecpolicy_id']}", {"ipsecpolicy": {"name": "x"}})[0] == 409
    assert api.call("DELETE", f"{CONN}/{conn['id']}")[0] == 204
    assert api.call("DELETE", f"/v2.0/vpn/ikepolicies/{conn['ikepolicy_id']}")[0] == 204


@pytest.mark.parametrize("body", [{"name": "default"}, {"auth_algorithm": "sha1"},
                                  {"auth_algorithm": "sha256", "encryption_algorithm": "3des"}])
@pytest.mark.parametrize("collection,key", [("ikepolicies", "ikepolicy"), ("ipsecpolicies", "ipsecpolicy")])
def test_dropped_algorithms_fail_like_neutron_29(make_api: Callable[..., Api], collection: str, key: str,
                                                 body: dict[str, Any]) -> None:
    """sha1 (the default) and 3des pass the API checks but not neutron-vpnaas 29's database: 500; Huawei accepts them."""
    status, answer = make_api().call("POST", f"/v2.0/vpn/{collection}", {key: body})
    assert status == 500 and neutron_type(answer) == "HTTPInternalServerError"
    huawei_body = {**body, "auth_algorithm": "sha2-256"} if body.get("auth_algorithm") == "sha256" else body
    assert make_api(flavour="huawei").call("POST", f"/v2.0/vpn/{collection}", {key: huawei_body})[0] == 201


POLICIES = [("ikepolicies", "ikepolicy"), ("ipsecpolicies", "ipsecpolicy")]
# (field, value, accepted by the Neutron flavour, accepted by the Huawei flavour): neutron-lib 29 and its
# extensions against the Huawei Cloud classic VPN / OTC API references. Neutron's 500s for sha1/3des are above.
POLICY_VALUES = [
    ("auth_algorithm", "sha256", True, False),
    ("auth_algorithm", "sha512", True, False),
    ("auth_algorithm", "aes-xcbc", True, False),
    ("auth_algorithm", "aes-cmac", True, False),
    ("auth_algorithm", "md5", False, True),
    ("auth_algorithm", "sha2-256", False, True),
    ("auth_algorithm", "sha2-384", False, True),
    ("auth_algorithm", "sha2-512", False, True),
    ("encryption_algorithm", "aes-256", True, True),
    ("encryption_algorithm", "aes-256-gcm-16", True, False),
    ("encryption_algorithm", "aes-128-ctr", True, False),
    ("encryption_algorithm", "aes-192-ccm-8", True, False),
    ("pfs", "group1", False, True),
    ("pfs", "group14", True, True),
    ("pfs", "group19", True, True),
    ("pfs", "group31", True, False),
    ("pfs", "disable", False, True),
    ("lifetime", {"units": "kilobytes"}, False, False),
    ("lifetime", {"value": 60}, True, True),
    ("lifetime", {"value": 59}, False, False),
    ("lifetime", {"value": 604800}, True, True),
    ("lifetime", {"value": 604801}, True, False),
]


@pytest.mark.parametrize("field,value,on_neutron,on_huawei", POLICY_VALUES)
@pytest.mark.parametrize("collection,key", POLICIES)
def test_policy_values_per_flavour(make_api: Callable[..., Api], collection: str, key: str, field: str, value: Any,
                                   on_neutron: bool, on_huawei: bool) -> None:
    """Each flavour accepts what its cloud publishes, and answers 400 naming the field otherwise."""
    for flavour, accepted in (("neutron", on_neutron), ("huawei", on_huawei)):
        api = make_api(flavour=flavour)
        status, body = api.call("POST", f"/v2.0/vpn/{collection}", {key: {"auth_algorithm": api.sha256, field: value}})
        if accepted:
            assert status == 201, (flavour, body)
            stored = body[key][field]
            assert stored == ({**stored, **value} if isinstance(value, dict) else value)
        else:
            assert status == 400, (flavour, status, body)
            message = body["error_msg"] if flavour == "huawei" else body["NeutronError"]["message"]
            assert f"Invalid input for {field}" in message, message


@pytest.mark.parametrize("field,value,on_neutron,on_huawei", [
    ("phase1_negotiation_mode", "aggressive", True, True),
    ("ike_version", "v2", True, True),
])
def test_ike_only_values(make_api: Callable[..., Api], field: str, value: str, on_neutron: bool, on_huawei: bool) -> None:
    """IKE policies: both modes and both IKE versions on every cloud."""
    for flavour, accepted in (("neutron", on_neutron), ("huawei", on_huawei)):
        api = make_api(flavour=flavour)
        status, body = api.call("POST", "/v2.0/vpn/ikepolicies", {"ikepolicy": {"auth_algorithm": api.sha256, field: value}})
        assert (status == 201) == accepted and (not accepted or body["ikepolicy"][field] == value), body


@pytest.mark.parametrize("field,value,on_neutron,on_huawei", [
    ("encapsulation_mode", "transport", True, False),
    ("encapsulation_mode", "tunnel", True, True),
    ("transform_protocol", "ah-esp", True, True),
])
def test_ipsec_only_values(make_api: Callable[..., Api], field: str, value: str, on_neutron: bool, on_huawei: bool) -> None:
    """IPsec policies: Huawei/OTC only encapsulate in tunnel mode."""
    for flavour, accepted in (("neutron", on_neutron), ("huawei", on_huawei)):
        api = make_api(flavour=flavour)
        status, body = api.call("POST", "/v2.0/vpn/ipsecpolicies", {"ipsecpolicy": {"auth_algorithm": api.sha256, field: value}})
        assert (status == 201) == accepted, (flavour, body)


@pytest.mark.parametrize("collection,key", POLICIES + [("vpnservices", "vpnservice")])
def test_huawei_names_are_1_to_64_characters(make_api: Callable[..., Api], collection: str, key: str) -> None:
    """Huawei/OTC: names of 1 to 64 characters; Neutron: empty names and up to 255."""
    extra = {"router_id": "router-1"} if key == "vpnservice" else {}
    for flavour, name, accepted in (("huawei", "", False), ("huawei", "n" * 64, True), ("huawei", "n" * 65, False),
                                    ("neutron", "", True), ("neutron", "n" * 255, True), ("neutron", "n" * 256, False)):
        api = make_api(flavour=flavour)
        if key != "vpnservice":
            extra = {"auth_algorithm": api.sha256}
        status, body = api.call("POST", f"/v2.0/vpn/{collection}", {key: {"name": name, **extra}})
        assert (status == 201) == accepted, (flavour, len(name), body)


def test_sibling_defaults_and_validation(api: Api) -> None:
    """Sibling resources get defaults, merge lifetime, and validate their fields."""
    status, body = api.call("POST", "/v2.0/vpn/ikepolicies", {"ikepolicy": {"name": "ike", "auth_algorithm": "sha256"}})
    assert status == 201
    assert body["ikepolicy"]["lifetime"] == {"units": "seconds", "value": 3600}
    assert body["ikepolicy"]["pfs"] == "group5" and body["ikepolicy"]["encryption_algorithm"] == "aes-128"
    rid = body["ikepolicy"]["id"]
    status, body = api.call("PUT", f"/v2.0/vpn/ikepolicies/{rid}", {"ikepolicy": {"lifetime": {"value": 7200}}})
    assert body["ikepolicy"]["lifetime"] == {"units": "seconds", "value": 7200}
    assert api.call("POST", "/v2.0/vpn/ipsecpolicies", {"ipsecpolicy": {"transform_protocol": "gre"}})[0] == 400
    status, body = api.call("POST", "/v2.0/vpn/endpoint-groups", {"endpoint_group": {"type": "cidr", "endpoints": ["bad"]}})
    assert status == 400 and neutron_type(body) == "InvalidEndpointInEndpointGroup"
    group = api.create("endpoint-groups", "endpoint_group", {"type": "cidr", "endpoints": ["10.0.0.0/24"]})
    status, body = api.call("PUT", f"/v2.0/vpn/endpoint-groups/{group}", {"endpoint_group": {"endpoints": []}})
    assert status == 400 and "read-only" in body["NeutronError"]["message"]
    status, body = api.call("POST", "/v2.0/vpn/vpnservices", {"vpnservice": {"router_id": "r"}})
    assert body["vpnservice"]["status"] == "PENDING_CREATE" and body["vpnservice"]["external_v4_ip"]


def test_neutron_subnet_service_requires_peer_cidrs(api: Api) -> None:
    """Neutron: a service with a subnet takes peer_cidrs, not endpoint groups."""
    service = api.create("vpnservices", "vpnservice", {"router_id": "r", "subnet_id": "sub"})
    status, body = api.connection(vpnservice_id=service, peer_cidrs=["10.0.0.0/24"])
    assert status == 400 and neutron_type(body) == "InvalidEndpointGroup"
    status, body = api.connection(vpnservice_id=service, local_ep_group_id=None, peer_ep_group_id=None)
    assert status == 400 and neutron_type(body) == "MissingPeerCidrs"
    assert api.connection(vpnservice_id=service, local_ep_group_id=None, peer_ep_group_id=None,
                          peer_cidrs=["10.0.0.0/24"])[0] == 201


# --- Control API -----------------------------------------------------------------------------

def test_seed_patch_reset_and_config(api: Api) -> None:
    """Seed fills defaults, patch sets fields, bad control bodies are 400, reset clears."""
    seeded = api.seed({"ipsec_site_connections": [{"id": "fixed-id", "name": "seeded", "psk": PSK,
                                                   "dpd": {"interval": 10}}]})
    conn = seeded["ipsec_site_connections"][0]
    assert conn["status"] == "ACTIVE" and conn["psk"] == "******" and conn["mtu"] == 1500
    assert conn["dpd"] == {"action": "hold", "interval": 10, "timeout": 120}
    assert conn["vpnservice_id"] is None and conn["psk_sha256"] == hashlib.sha256(PSK.encode()).hexdigest()
    assert api.call("GET", f"{CONN}/fixed-id")[1]["ipsec_site_connection"]["psk"] == PSK
    assert api.patch("ipsec-site-connections", "fixed-id", mtu=9)["mtu"] == 9
    assert api.request("POST", "/_emulator/config", {"psk_mode": "bogus"})[0] == 400
    assert api.request("POST", "/_emulator/seed", {"bogus": []})[0] == 400
    api.reset()
    assert api.state()["ipsec_site_connections"] == [] and api.log() == []


def test_id_seed_is_deterministic(make_api: Callable[..., Api]) -> None:
    """The same id_seed gives the same UUID4-format ids."""
    first = make_api(id_seed=42).new_connection()["id"]
    second = make_api(id_seed=42).new_connection()["id"]
    assert first == second and len(first) == 36 and first[14] == "4"


# --- Subprocess: CLI, run_with ----------------------------------------------------------------

def test_emulator_context_manager_subprocess() -> None:
    """Emulator() starts a subprocess, serves the control API and exits cleanly."""
    with Emulator(flavour="huawei", pending_seconds=0, id_seed=1) as emu:
        assert emu.url.startswith("http://127.0.0.1:")
        assert emu.config()["flavour"] == "huawei"
        emu.seed({"ikepolicies": [{"name": "x"}]})
        assert emu.state()["ikepolicies"][0]["name"] == "x"
        process = emu.process
    assert process is not None and process.returncode == 0


def test_run_with_cli_passes_env_and_exit_code() -> None:
    """run_with.py passes URL and token in the environment and returns the exit code."""
    script = ("import os, sys, urllib.request; url = os.environ['VPNAAS_EMULATOR_URL'];"
              "req = urllib.request.Request(url + '/v2.0/vpn/vpnservices', "
              "headers={'X-Auth-Token': os.environ['VPNAAS_EMULATOR_TOKEN']});"
              "sys.exit(7 if urllib.request.urlopen(req, timeout=5).status == 200 else 1)")
    result = subprocess.run([sys.executable, "tests/emulator/run_with.py", "--static-token", "tok", "--",
                             sys.executable, "-c", script], cwd=REPO_ROOT, timeout=30, check=False)
    assert result.returncode == 7


# --- HTTPS (tls.py, Emulator(tls=True), run_with --tls) ---------------------------------------

def _https_status(url: str, ca_path: str | None) -> int:
    """GET ``url`` trusting only ``ca_path`` (the system CAs when None); returns the HTTP status."""
    context = ssl.create_default_context(cafile=ca_path)
    with urllib.request.urlopen(url, timeout=10, context=context) as answer:
        return answer.status


def test_tls_pki_files(tmp_path: Path) -> None:
    """make_test_pki writes a CA, a 127.0.0.1/localhost server certificate with its key, and another CA."""
    pki = make_test_pki(tmp_path / "pki")
    assert sorted(pki) == ["ca", "cert", "key", "other_ca"]
    assert all(Path(path).is_file() for path in pki.values())
    assert Path(pki["key"]).stat().st_mode & 0o077 == 0
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])


def test_tls_in_process_server(tmp_path: Path) -> None:
    """An in-process HTTPS emulator is trusted with the test CA (IP and DNS names), not without it."""
    pki = make_test_pki(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    server = start_server(ssl_context=context)
    try:
        assert server.url.startswith("https://127.0.0.1:")
        assert _https_status(server.url + "/v3", pki["ca"]) == 200
        for ca_path in (None, pki["other_ca"]):
            with pytest.raises(urllib.error.URLError) as info:
                _https_status(server.url + "/v3", ca_path)
            assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
        client = ssl.create_default_context(cafile=pki["ca"])
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as plain:
            with client.wrap_socket(plain, server_hostname="localhost") as tls:
                assert tls.version() is not None
    finally:
        server.stop()


def test_tls_emulator_subprocess() -> None:
    """Emulator(tls=True) serves HTTPS; its helpers trust the CA; other clients must bring it."""
    with Emulator(tls=True, flavour="huawei") as emu:
        assert emu.url.startswith("https://127.0.0.1:") and emu.ca_path and emu.other_ca_path
        emu.seed({"ikepolicies": [{"name": "x"}]})
        assert emu.state()["ikepolicies"][0]["name"] == "x"
        assert emu.request("GET", "/v2.0/vpn/ikepolicies")[0] == 200
        with pytest.raises(urllib.error.URLError):
            _https_status(emu.url + "/v3", emu.other_ca_path)
        with pytest.raises(urllib.error.URLError):
            EmulatorClient(emu.url).state()
        assert EmulatorClient(emu.url, ca_path=emu.ca_path).config()["flavour"] == "huawei"
        pki_dir = Path(emu.ca_path).parent
    assert not pki_dir.exists()


def test_run_with_cli_tls_exports_ca() -> None:
    """run_with.py --tls gives the command an https URL and VPNAAS_EMULATOR_CA."""
    script = ("import os, ssl, sys, urllib.request; url = os.environ['VPNAAS_EMULATOR_URL'];"
              "ctx = ssl.create_default_context(cafile=os.environ['VPNAAS_EMULATOR_CA']);"
              "req = urllib.request.Request(url + '/v2.0/vpn/vpnservices', headers={'X-Auth-Token': os.environ['VPNAAS_EMULATOR_TOKEN']});"
              "sys.exit(7 if url.startswith('https://127.0.0.1:') and urllib.request.urlopen(req, timeout=5, context=ctx).status == 200 else 1)")
    result = subprocess.run([sys.executable, "tests/emulator/run_with.py", "--tls", "--", sys.executable, "-c", script],
                            cwd=REPO_ROOT, timeout=60, check=False)
    assert result.returncode == 7


def test_local_id_is_stored_and_updated_by_the_neutron_flavour(api: Api) -> None:
    """Neutron: local_id (the local IKE identity) is set on create, changed by PUT and shown on GET."""
    conn = api.new_connection(local_id="vpn.hq.example.com")
    assert conn["local_id"] == "vpn.hq.example.com"
    status, body = api.put(conn["id"], {"local_id": "198.51.100.7"})
    assert status == 200 and body["ipsec_site_connection"]["local_id"] == "198.51.100.7"
    assert api.call("GET", f"{CONN}/{conn['id']}")[1]["ipsec_site_connection"]["local_id"] == "198.51.100.7"
    status, body = api.put(conn["id"], {"local_id": "x" * 256})
    assert status == 400


def test_local_id_is_an_unknown_attribute_to_the_huawei_flavour(make_api: Callable[..., Api]) -> None:
    """Huawei's classic VPN pages do not list local_id: create and update refuse it like any unknown attribute."""
    api = make_api(flavour="huawei", check_references=False)
    status, body = api.connection(local_id="vpn.hq.example.com")
    assert status == 400 and body["error_msg"] == "Unrecognized attribute(s) 'local_id'"
    conn = api.new_connection()
    status, body = api.put(conn["id"], {"local_id": "vpn.hq.example.com"})
    assert status == 400 and body["error_msg"] == "Unrecognized attribute(s) 'local_id'"
    assert "local_id" not in api.call("GET", f"{CONN}/{conn['id']}")[1]["ipsec_site_connection"]
