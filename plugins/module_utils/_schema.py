# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema layer of the engine: a resource's fields, the checks of user input, and answers checked like input.

Private to the collection: the names and signatures here may change at any time.

A resource is a ``Resource`` (its path, body keys and a table of ``Field`` s). Nothing
here sends a request or knows of ``AnsibleModule``: the planner (``_planner``), the store
(``_store``, HTTP) and the runner (``_resource``, Ansible) build on it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field as dataclass_field
from typing import Callable, Optional

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import validate_connection
from ansible_collections.vpnaas.cloud.plugins.module_utils._client import json_kind
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError


class InputError(Exception):
    """A user option is invalid; the text names the option."""


# ---------------------------------------------------------------------------
# Checks: small validators a Field lists; each returns None or an error text
# ---------------------------------------------------------------------------

def length(minimum: int, maximum: int) -> Callable:
    """A string length between ``minimum`` and ``maximum`` characters."""
    def check(value):
        if not minimum <= len(value) <= maximum:
            return 'must be %d to %d characters long (got %d)' % (minimum, maximum, len(value))
        return None
    return check


def printable(value: str) -> Optional[str]:
    """No control characters (a newline or a bell in a name is a mistake, and breaks logs)."""
    bad = [char for char in value if ord(char) < 32 or ord(char) == 127]
    return 'must not contain control characters (found %r)' % bad[0] if bad else None


def at_least(minimum: int) -> Callable:
    """An integer not below ``minimum``."""
    def check(value):
        return None if value >= minimum else 'must be at least %d (got %s)' % (minimum, value)
    return check


def networks(value: list) -> Optional[str]:
    """Every item is a network address in CIDR notation."""
    for item in value:
        try:
            compare.normalize_network(item)
        except ValueError as exc:
            return str(exc)
    return None


def positive_suboptions(*names: str) -> Callable:
    """The named integer sub-options, when given, are greater than zero."""
    def check(value):
        for name in names:
            if value.get(name) is not None and value[name] <= 0:
                return '%s must be a positive number of seconds (got %s)' % (name, value[name])
        return None
    return check


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One API field of a resource, exposed as a module option of the same name.

    ``rule`` is a comparison rule from ``_compare``; ``default`` is the server's
    default, substituted when the API omits the field so that a user asking for
    the default value sees no change; ``checks`` validate the value before any
    request; ``spec`` holds the Ansible argument-spec keys (type, choices, ...).
    A field that is not ``updatable`` is set on create only (Neutron ``allow_put: False``).
    A field that ``refers`` to another resource holds that resource's id; it gets a
    companion option, its name without ``_id``, that takes a name or an id instead.
    """

    name: str
    spec: dict
    rule: str = compare.VALUE
    default: object = None
    checks: tuple = ()
    updatable: bool = True
    refers: Optional['Resource'] = None

    @property
    def by_name(self) -> Optional[str]:
        """The companion option that takes a name or an id (``vpnservice`` for ``vpnservice_id``), if any."""
        return self.name[:-3] if self.refers is not None and self.name.endswith('_id') else None


@dataclass(frozen=True)
class Usage:
    """Resources of another kind that refer to this one (for the message of a 409 "in use")."""

    noun: str          # 'IPsec site connection'
    collection: str    # 'ipsec-site-connections'
    list_key: str      # 'ipsec_site_connections'
    fields: tuple      # the fields of theirs that hold our id: ('ikepolicy_id',)


@dataclass(frozen=True)
class Hint:
    """Advice for a known pitfall of an API, appended to a failure after the API's own words.

    It applies to an answer with ``status`` to one of ``methods`` whose message matches ``pattern``
    (a regular expression, case-insensitive; '' matches any).  ``text`` is fixed advice, and
    ``words`` (params, error -> text or '') may add what this task sent; neither holds a secret.
    """

    status: int
    methods: tuple
    text: str
    pattern: str = ''
    words: Optional[Callable] = None

    def applies(self, error: ApiError) -> bool:
        """Whether ``error`` is the pitfall this hint is about."""
        return (error.status == self.status and error.method in self.methods
                and re.search(self.pattern, error.api_message or '', re.IGNORECASE) is not None)

    def render(self, params: dict, error: ApiError) -> str:
        """The hint's text, with what the task sent when ``words`` says it."""
        extra = self.words(params, error) if self.words is not None else ''
        return self.text + (' ' + extra if extra else '')


#: Fields every VPN resource has that the API sets, returns and filters on (not options of a module); ``status``
#: only some have, so it is in their ``read_only``.
COMMON_READ_ONLY = ('id', 'name', 'project_id', 'tenant_id')


@dataclass(frozen=True)
class Resource:
    """A Neutron-style VPN resource: where it lives, what it is called, and its fields."""

    noun: str          # for messages: 'IPsec site connection'
    collection: str    # URL segment below /v2.0/vpn: 'ipsec-site-connections'
    key: str           # body key: 'ipsec_site_connection'
    list_key: str      # list body key: 'ipsec_site_connections'
    fields: tuple = ()
    #: What a create needs: each entry is a tuple of alternatives, one of which must be given.
    create_requires: tuple = ()
    #: Rules over several fields: (current, predicted, desired) -> error text or None.
    cross_checks: tuple = dataclass_field(default=())
    #: Rules over several options, checked before any request: (params) -> error text or None.
    option_checks: tuple = ()
    #: Who may use this resource (a delete or update refused with 409 names them).
    used_by: tuple = ()
    #: Whether ``wait`` also waits for the status to settle after a create. Neutron keeps a new
    #: VPN service in PENDING_CREATE until a connection uses it, so that wait would never end.
    wait_after_create: bool = True
    #: Fields besides the table's that the API returns and filters on (``route_mode`` of a connection).
    read_only: tuple = ()
    #: Known pitfalls of the API with this resource (``Hint`` s).
    hints: tuple = ()

    @property
    def secret_keys(self) -> frozenset:
        """Fields whose values are secrets (``no_log`` options)."""
        return frozenset(f.name for f in self.fields if f.spec.get('no_log'))

    def argument_spec(self) -> dict:
        """The module options for the fields, plus the by-name companions of reference fields."""
        spec = dict((f.name, dict(f.spec)) for f in self.fields)
        spec.update((f.by_name, dict(type='str')) for f in self.fields if f.by_name)
        return spec

    def filter_keys(self) -> list:
        """The keys an ``_info`` module's ``filters`` accept: the table's fields and the read-only ones, sorted."""
        return sorted(set(COMMON_READ_ONLY) | set(self.read_only) | set(f.name for f in self.fields))

    def add_hints(self, error: ApiError, params: dict) -> None:
        """Append to ``error`` the hints that apply to it."""
        for hint in self.hints:
            if hint.applies(error):
                error.add_hint(hint.render(params, error))

    def mutually_exclusive(self) -> list:
        """Each reference field and its by-name companion exclude each other."""
        return [(f.name, f.by_name) for f in self.fields if f.by_name]

    def path(self, resource_id: str = None) -> tuple:
        """Path parts below the API root."""
        parts = ('vpn', self.collection)
        return parts + (resource_id,) if resource_id is not None else parts

    def missing_for_create(self, desired: dict) -> list:
        """The requirements of a create that ``desired`` does not meet, as option names.

        A reference field is met by its by-name companion too, and named with it.
        """
        companions = dict((f.name, f.by_name) for f in self.fields if f.by_name)
        missing = []
        for alternatives in self.create_requires:
            names = [part for name in alternatives for part in (name, companions.get(name)) if part]
            if all(desired.get(name) is None for name in names):
                missing.append(' or '.join(names))
        return missing


#: What an id may hold: Neutron and Huawei ids are UUIDs; anything with '/', '?', '#', spaces or a
#: dot-segment would change the URL's meaning even when percent-encoded by a careless proxy.
#: Matched with ``fullmatch``: ``$`` would let a trailing newline through.
_ID = re.compile(r'[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}')


def id_problem(value: object):
    """Why ``value`` is not a resource id, or None."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or '..' in value:
        return "is not a resource id (letters, digits, '-', '_', '.' and ':' only)"
    return None


def validate_options(params: dict) -> None:
    """Checks of the connection options and the id, before any request."""
    validate_connection(params)
    if params.get('wait_active_timeout') is not None and params['wait_active_timeout'] <= 0:
        raise InputError('wait_active_timeout: must be a positive number of seconds (got %s)' % params['wait_active_timeout'])
    resource_id = params.get('id')
    problem = id_problem(resource_id) if resource_id is not None else None
    if problem:
        shown = resource_id if resource_id.isprintable() else repr(resource_id)
        raise InputError("id: '%s' %s" % (shown, problem))


def fields_problem(fields: tuple, values: dict) -> Optional[str]:
    """The first problem, as ``option: problem``, of the values set in ``values`` for ``fields`` (each field's
    checks, and the by-name companion of a reference), or None. For a module's options or one item of a list."""
    for fld in fields:
        value = values.get(fld.name)
        if value is not None:
            for check in fld.checks:
                problem = check(value)
                if problem:
                    return '%s: %s' % (fld.name, problem)
        if fld.by_name and values.get(fld.by_name) is not None:
            problem = length(1, 255)(values[fld.by_name]) or printable(values[fld.by_name])
            if problem:
                return '%s: %s' % (fld.by_name, problem)
    return None


def validate_input(resource: Resource, params: dict) -> None:
    """Run every field's checks on the options the user set; raise ``InputError`` naming the option."""
    validate_options(params)
    problem = fields_problem(resource.fields, params)
    if problem:
        raise InputError(problem)
    for option_check in resource.option_checks:
        problem = option_check(params)
        if problem:
            raise InputError(problem)


_SCALARS = (str, int, float, bool)


def filter_problem(resource: Resource, filters: object) -> Optional[str]:
    """Why the ``filters`` of an ``_info`` module are not usable, or None (checked before any request).

    Keys must be fields the API returns (a misspelt key would match nothing, and a report of
    tunnels that are down would stay empty); values must be scalars or lists of them, of the
    field's type and among its choices where the table says so.
    """
    if not isinstance(filters, dict):
        return 'filters: must be a dictionary of field names and values'
    fields = dict((f.name, f) for f in resource.fields)
    valid = resource.filter_keys()
    # Secrets and dict or list fields are known keys, refused below with their own reason; the list
    # of valid keys names only those a filter can use.
    usable = [key for key in valid if key not in fields or not (
        fields[key].spec.get('no_log') or fields[key].spec.get('type') in ('dict', 'list'))]
    for key in sorted(filters, key=str):
        if key not in valid:
            return "filters: unknown key '%s'; valid keys: %s" % (key, ', '.join(usable))
        values = filters[key] if isinstance(filters[key], list) else [filters[key]]
        for value in values:
            problem = _filter_value_problem(fields.get(key), value)
            if problem:
                return 'filters: %s %s' % (key, problem)
    return None


def _filter_value_problem(fld: Optional[Field], value: object) -> Optional[str]:
    """Why one value of a filter cannot match the field ``fld`` (None: a read-only field, any scalar)."""
    if value is None or not isinstance(value, _SCALARS):
        return 'must be a string, a number, a boolean or a list of them (got %s)' % json_kind(value)
    if fld is None:
        return None
    if fld.spec.get('no_log'):
        return 'is a secret, which the API does not filter on'
    kind = fld.spec.get('type', 'str')
    if kind in ('dict', 'list'):
        return 'is %s field, which the API does not filter on' % ('a dictionary' if kind == 'dict' else 'a list')
    if kind == 'int' and (isinstance(value, bool) or not re.fullmatch(r'-?\d+', str(value))):
        return 'must be an integer (got %s)' % _shown(value)
    if kind == 'bool' and str(value).lower() not in ('true', 'false'):
        return 'must be true or false (got %s)' % _shown(value)
    choices = fld.spec.get('choices')
    if choices and str(value) not in choices:
        return 'must be one of %s (got %s)' % (', '.join(choices), _shown(value))
    return None


# ---------------------------------------------------------------------------
# Answers: what a server sends is checked like user input
# ---------------------------------------------------------------------------

_TYPES = {'str': (str,), 'int': (int,), 'bool': (bool,), 'list': (list,), 'dict': (dict,)}
_TYPE_WORDS = {'str': 'a string', 'int': 'an integer', 'bool': 'a boolean', 'list': 'a list', 'dict': 'an object'}


def _shown(value: object) -> str:
    """A short rendering of a value a server sent, for messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):  # pragma: no cover - answers come from json.loads
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _value_problem(spec: dict, value: object):
    """Why a server's value does not fit the option's type (None when it does); nested options are checked too."""
    kind = spec.get('type', 'str')
    wanted = _TYPES.get(kind)
    if wanted is None:
        return None
    if not isinstance(value, wanted) or (kind == 'int' and isinstance(value, bool)):
        return 'is not %s (%s)' % (_TYPE_WORDS[kind], _shown(value))
    if kind == 'list' and spec.get('elements') == 'str' and any(not isinstance(item, str) for item in value):
        return 'is not a list of strings (%s)' % _shown(value)
    if kind == 'dict':
        for name, sub in (spec.get('options') or {}).items():
            if value.get(name) is not None:
                problem = _value_problem(sub, value[name])
                if problem:
                    return '%s %s' % (name, problem)
    return None


def normalized_answer(resource: Resource, item: object) -> tuple:
    """A resource as a server sent it, checked against the table: (normalised copy, None) or (None, problem).

    The id must be an id, the status a string, and every field of the table of its
    option's type; networks are brought to their canonical text (a server may send
    host bits), so that the planner only ever compares values of the right type.
    """
    noun = resource.noun
    if not isinstance(item, dict):
        return None, '%s where %s %s object was expected' % (json_kind(item), _article(noun), noun)
    problem = id_problem(item.get('id'))
    if problem:
        return None, '%s %s whose id %s %s' % (_article(noun), noun, _shown(item.get('id')), problem)
    if item.get('status') is not None and not isinstance(item['status'], str):
        return None, '%s %s whose status is not a string (%s)' % (_article(noun), noun, _shown(item['status']))
    normal = dict(item)
    for fld in resource.fields:
        value = item.get(fld.name)
        if value is None:
            continue
        problem = _value_problem(fld.spec, value)
        if problem is None and fld.rule == compare.CIDR_SET:
            try:
                normal[fld.name] = [compare.canonical_network(entry) for entry in value]
            except ValueError as exc:
                problem = 'is not a list of networks (%s)' % exc
        if problem:
            return None, '%s %s whose %s %s' % (_article(noun), noun, fld.name, problem)
    return normal, None


def _article(noun: str) -> str:
    return 'an' if noun[:1].lower() in 'aeiou' else 'a'


#: The form of the ids Neutron and Huawei hand out; a by-name option holding one is taken as that id.
_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')


def looks_like_id(value: str) -> bool:
    """Whether ``value`` has the form of a resource id (a UUID)."""
    return bool(_UUID.fullmatch(value))
