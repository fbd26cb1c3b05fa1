# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Emulator configuration: start-up options and the settings the control API may change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import FLAVOURS, HUAWEI

PSK_MODES = ("clear", "masked", "omitted")
DEFAULT_STATIC_TOKEN = "emulator-static-token"
DEFAULT_ACCESS_KEY = "EMULATORACCESSKEY0001"
DEFAULT_SECRET_KEY = "emulator-secret-key"


def _flavour(value: Any) -> str:
    if value not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}")
    return value


def _psk_mode(value: Any) -> str | None:
    if value is not None and value not in PSK_MODES:
        raise ValueError(f"psk_mode must be one of {', '.join(PSK_MODES)}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected a boolean")
    return value


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else _bool(value)


def _non_negative(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("expected a number >= 0")
    return value


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("expected an integer >= 0")
    return value


# Settings the control API may change, with their checkers.
MUTABLE = {
    "flavour": _flavour,
    "pending_seconds": _non_negative,
    "psk_mode": _psk_mode,
    "server_filter": _bool,
    "paging": _bool,
    "max_limit": _non_negative_int,
    "token_ttl": _non_negative,
    "rate_limit": _non_negative,
    "check_references": _bool,
    "write_windows": _optional_bool,
}


@dataclass
class Config:  # pylint: disable=too-many-instance-attributes
    """All emulator settings. ``psk_mode`` None means the flavour's default."""

    flavour: str = "neutron"
    pending_seconds: float = 0.0
    psk_mode: str | None = None
    server_filter: bool = True
    paging: bool = True
    max_limit: int = 0
    token_ttl: float = 86400.0
    rate_limit: float = 0.0
    check_references: bool = True
    write_windows: bool | None = None
    static_token: str = DEFAULT_STATIC_TOKEN
    region: str = "RegionOne"
    id_seed: int | None = None
    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = DEFAULT_SECRET_KEY

    @property
    def effective_psk_mode(self) -> str:
        """Return the psk mode in force: clear on Neutron, masked on Huawei unless set."""
        if self.psk_mode:
            return self.psk_mode
        return "masked" if self.flavour == HUAWEI else "clear"

    @property
    def effective_write_windows(self) -> bool:
        """Whether a PUT/DELETE goes through PENDING_UPDATE/PENDING_DELETE (default: Huawei yes, Neutron no).

        A real Neutron 29 + neutron-vpnaas 29 leaves the status of a connection as it was after a
        successful PUT and deletes it at once (tests/openstack); only the agent changes statuses.
        """
        if self.write_windows is not None:
            return self.write_windows
        return self.flavour == HUAWEI

    def update(self, changes: Any) -> None:
        """Apply control-API changes after checking all of them; raise ValueError if any is bad."""
        if not isinstance(changes, dict):
            raise ValueError("the body must be a JSON object")
        unknown = sorted(set(changes) - set(MUTABLE))
        if unknown:
            raise ValueError(f"unknown or read-only setting(s): {', '.join(unknown)}")
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            try:
                checked[key] = MUTABLE[key](value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        for key, value in checked.items():
            setattr(self, key, value)

    def public(self) -> dict[str, Any]:
        """Return the effective settings (the static token and secret key left out: tests search output for them)."""
        shown = {key: getattr(self, key) for key in MUTABLE}
        shown["psk_mode"] = self.effective_psk_mode
        shown["write_windows"] = self.effective_write_windows
        shown.update(region=self.region, id_seed=self.id_seed, access_key=self.access_key)
        return shown


PROJECT_ID = "0123456789abcdef0123456789abcdef"
PROJECT_NAME = "demo"
