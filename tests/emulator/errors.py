# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API errors and how each flavour renders them."""

from __future__ import annotations

from typing import Any

NEUTRON = "neutron"
HUAWEI = "huawei"
FLAVOURS = (NEUTRON, HUAWEI)

# Huawei error codes chosen by HTTP status (the emulator's own, consistent choice).
HUAWEI_CODES: dict[int, str] = {
    400: "VPC.0601",
    401: "VPC.0001",
    403: "VPC.0002",
    404: "VPC.0602",
    405: "VPC.0605",
    409: "VPC.0603",
    413: "VPC.0604",
    429: "APIGW.0308",
}
HUAWEI_DEFAULT_CODE = "VPC.0500"

KEYSTONE_401_MESSAGE = "The request you have made requires authentication."


class ApiError(Exception):
    """An error answer of the emulated API.

    ``kind`` is the Neutron exception name (``NeutronError.type``); the Huawei flavour maps
    the HTTP status to an ``error_code``.
    """

    def __init__(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = dict(headers or {})

    def body(self, flavour: str) -> dict[str, Any]:
        """Return the JSON error body in the given flavour."""
        return error_body(flavour, self.status, self.kind, self.message)


def error_body(flavour: str, status: int, kind: str, message: str) -> dict[str, Any]:
    """Build a flavour-specific JSON error body."""
    if flavour == HUAWEI:
        return {"error_code": HUAWEI_CODES.get(status, HUAWEI_DEFAULT_CODE), "error_msg": message}
    return {"NeutronError": {"type": kind, "message": message, "detail": ""}}


def keystone_error_body(status: int, title: str, message: str) -> dict[str, Any]:
    """Build a Keystone / keystonemiddleware style error body."""
    return {"error": {"code": status, "title": title, "message": message}}


def bad_request(message: str, kind: str = "HTTPBadRequest") -> ApiError:
    """Return a 400 error (Neutron's attribute validation type by default)."""
    return ApiError(400, kind, message)


def invalid_input(field: str, reason: str) -> ApiError:
    """Return Neutron's 'Invalid input for <field>' 400 error."""
    return ApiError(400, "HTTPBadRequest", f"Invalid input for {field}. Reason: {reason}.")


def invalid_operation_input(reason: str) -> ApiError:
    """Return Neutron's InvalidInput error (raised by converters such as convert_to_int)."""
    return ApiError(400, "InvalidInput", f"Invalid input for operation: {reason}.")
