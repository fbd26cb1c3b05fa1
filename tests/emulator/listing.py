# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""List queries: filters, ``fields=`` and ``limit``/``marker`` paging with next links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .config import Config
from .errors import ApiError

RESERVED = ("fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse")
SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class ListQuery:
    """A parsed list query string."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, query: str) -> ListQuery:
        """Parse a raw query string (blank values kept)."""
        return cls(tuple(parse_qsl(query, keep_blank_values=True)))

    def values(self, key: str) -> list[str]:
        """Return every value given for ``key``."""
        return [value for name, value in self.pairs if name == key]

    def fields(self) -> list[str]:
        """Return the requested ``fields`` (empty: all)."""
        return [name for name in self.values("fields") if name]

    def filters(self) -> dict[str, list[str]]:
        """Return the filter parameters (repeated keys are alternatives)."""
        found: dict[str, list[str]] = {}
        for name, value in self.pairs:
            if name not in RESERVED:
                found.setdefault(name, []).append(value)
        return found


def _matches(value: Any, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return any(text.lower() in (("true", "1") if value else ("false", "0")) for text in wanted)
    text = "" if value is None else str(value)
    return text in wanted


def apply_filters(items: list[dict[str, Any]], filters: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Keep items whose scalar fields match every filter; unknown or non-scalar keys are ignored."""
    kept = []
    for item in items:
        if all(_matches(item[key], wanted) for key, wanted in filters.items()
               if key in item and isinstance(item[key], SCALARS)):
            kept.append(item)
    return kept


def parse_limit(query: ListQuery) -> int:
    """Return the requested page size (0: none) or raise Neutron's 400."""
    values = query.values("limit")
    if not values:
        return 0
    raw = values[-1]
    if not raw.isdigit():
        raise ApiError(400, "BadRequest", f"Bad limit request: Limit must be an integer 0 or greater and not '{raw}'")
    return int(raw)


@dataclass(frozen=True)
class Page:
    """One page of a list and the marker of the next page (None: last page)."""

    items: list[dict[str, Any]]
    next_marker: str | None
    limit: int


def paginate(items: list[dict[str, Any]], query: ListQuery, config: Config, not_found: ApiError) -> Page:
    """Cut ``items`` by limit/marker, honouring ``paging`` and ``max_limit``."""
    if not config.paging:
        return Page(items, None, 0)
    limit = parse_limit(query)
    if config.max_limit and (not limit or limit > config.max_limit):
        limit = config.max_limit
    start = 0
    markers = query.values("marker")
    if markers:
        ids = [item["id"] for item in items]
        if markers[-1] not in ids:
            raise not_found
        start = ids.index(markers[-1]) + 1
    if not limit:
        return Page(items[start:], None, 0)
    chunk = items[start:start + limit]
    more = start + limit < len(items)
    return Page(chunk, chunk[-1]["id"] if more and chunk else None, limit)


def next_link(base_url: str, path: str, query: ListQuery, page: Page) -> dict[str, str]:
    """Build the ``rel: next`` link, keeping the other query parameters."""
    kept = [(name, value) for name, value in query.pairs if name not in ("limit", "marker")]
    kept += [("limit", str(page.limit)), ("marker", str(page.next_marker))]
    return {"rel": "next", "href": f"{base_url}{path}?{urlencode(kept)}"}
