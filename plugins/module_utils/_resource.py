# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine: find, plan, apply, for any Neutron-style VPN resource described by a table.

Private to the collection: the names and signatures here may change at any time.

A resource module declares a ``Resource`` (its path, body key and a table of
``Field`` s) and hands it to ``ResourceModule``.  Everything else happens here:
the argument spec is built from the table, input is checked before any request,
one pure function (``plan_update``) turns the current and desired state into a
``Plan``, and the same plan drives the real run, check mode and diff mode.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field as dataclass_field
from typing import Callable, Optional

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import connection_argument_spec, validate_connection
from ansible_collections.vpnaas.cloud.plugins.module_utils._client import REQUESTS_IMPORT_ERROR, Client, json_kind
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError, ConfigError
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import Secrets

#: Statuses during which Neutron refuses updates (VPNStateInvalidToUpdate).
PENDING_STATUSES = frozenset(['PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE'])
DEFAULT_WAIT_TIMEOUT = 180
DEFAULT_WAIT_ACTIVE_TIMEOUT = 300
#: What ends a wait for ACTIVE: ACTIVE itself, or ERROR (which fails at once).
ACTIVE_OR_FAILED = frozenset(['ACTIVE', 'ERROR'])
POLL_FIRST = 0.5   # seconds before the first status poll; doubled each time
POLL_CAP = 5.0     # seconds, at most, between two polls


def _settled(found: dict) -> bool:
    """A resource whose status is no longer PENDING_* (a vanished one counts as settled too)."""
    return not found or found.get('status') not in PENDING_STATUSES


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


def validate_input(resource: Resource, params: dict) -> None:
    """Run every field's checks on the options the user set; raise ``InputError`` naming the option."""
    validate_options(params)
    for fld in resource.fields:
        value = params.get(fld.name)
        if value is not None:
            for check in fld.checks:
                problem = check(value)
                if problem:
                    raise InputError('%s: %s' % (fld.name, problem))
        if fld.by_name and params.get(fld.by_name) is not None:
            problem = length(1, 255)(params[fld.by_name]) or printable(params[fld.by_name])
            if problem:
                raise InputError('%s: %s' % (fld.by_name, problem))
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


# ---------------------------------------------------------------------------
# Planning: one pure function, used by the real run, check mode and diff mode
# ---------------------------------------------------------------------------

@dataclass
class Plan:
    """What to do: the request body, and the resource before and after (changed fields only)."""

    action: str                 # 'none', 'create', 'update' or 'delete'
    body: dict
    before: dict
    after: dict
    predicted: dict             # the whole resource as it will be after the action
    #: For each write-only field given on an update (the psk): whether the API showed it, so it was compared.
    compared: dict = dataclass_field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether the plan writes anything."""
        return self.action != 'none'


def _current_value(fld: Field, current: dict) -> object:
    """The API's value, or the server default when the API leaves the field out."""
    value = current.get(fld.name)
    if value is None and fld.rule != compare.SECRET:
        return fld.default
    return value


def plan_update(resource: Resource, current: dict, desired: dict, update_secrets: str = 'on_change') -> Plan:
    """Compare ``desired`` options with the ``current`` resource and plan a minimal update.

    Options that are None are unmanaged.  The body holds only the fields (and, for
    SUBSET fields, only the sub-keys) that differ.  Raises ``InputError`` when the
    result would break a cross-field rule (e.g. dpd timeout not above interval).
    A write-only field (the psk) follows ``update_secrets`` (see ``compare.secret_action``);
    the plan records whether it could be compared, and its diff shows the two masks.
    """
    check_create_only(resource, current, desired)
    body, before, after, compared = {}, {}, {}, {}
    predicted = dict(current)
    for fld in resource.fields:
        want = desired.get(fld.name)
        if want is None or not fld.updatable:
            continue
        have = _current_value(fld, current)
        if fld.rule == compare.SECRET:
            compared[fld.name] = update_secrets != 'on_create' and compare.secret_readable(have)
            if compare.secret_action(have, want, update_secrets) == 'send':
                body[fld.name] = compare.changed_part(fld.rule, have, want)
                before[fld.name], after[fld.name] = compare.SECRET_BEFORE, compare.SECRET_AFTER
                predicted[fld.name] = want
            continue
        if not compare.differs(fld.rule, have, want):
            continue
        body[fld.name] = compare.changed_part(fld.rule, have, want)
        predicted[fld.name] = compare.merged(fld.rule, have, body[fld.name])
        before[fld.name], after[fld.name] = have, predicted[fld.name]
    _cross_check(resource, current, predicted, desired)
    return Plan('update' if body else 'none', body, before, after, predicted, compared)


def _cross_check(resource: Resource, current: dict, predicted: dict, desired: dict) -> None:
    """Run the resource's rules over several fields on the predicted result."""
    for cross_check in resource.cross_checks:
        problem = cross_check(current, predicted, desired)
        if problem:
            raise InputError(problem)


def check_create_only(resource: Resource, current: dict, desired: dict) -> None:
    """Fail when a field that only a create can set is asked to differ from the current value."""
    for fld in resource.fields:
        want = desired.get(fld.name)
        if fld.updatable or want is None or not compare.differs(fld.rule, current.get(fld.name), want):
            continue
        raise InputError('%s cannot be changed on an existing %s (current: %s, requested: %s); '
                         'delete it and create it again to change it'
                         % (fld.name, resource.noun, current.get(fld.name), want))


def plan_create(resource: Resource, desired: dict) -> Plan:
    """Plan a create: the body holds every option given; the prediction adds the server defaults.

    Raises ``InputError`` naming every missing requirement at once.
    """
    missing = resource.missing_for_create(desired)
    if missing:
        raise InputError('Cannot create a new %s: missing %s' % (resource.noun, ', '.join(missing)))
    body, predicted = {}, {}
    for fld in resource.fields:
        want = desired.get(fld.name)
        if want is None:
            if fld.default is not None:
                predicted[fld.name] = fld.default
            continue
        body[fld.name] = compare.changed_part(fld.rule, {} if fld.rule == compare.SUBSET else None, want)
        predicted[fld.name] = compare.merged(fld.rule, fld.default, body[fld.name])
    _cross_check(resource, {}, predicted, desired)
    return Plan('create', body, {}, dict(predicted), predicted)


def plan_delete(current: dict) -> Plan:
    """Plan a delete (or nothing, when there is nothing to delete)."""
    if not current:
        return Plan('none', {}, {}, {}, {})
    return Plan('delete', {}, dict(current), {}, {})


# ---------------------------------------------------------------------------
# Running a module
# ---------------------------------------------------------------------------

def _in_use(error: ApiError) -> bool:
    """The API refused because other resources use this one: a 409 (most resources), or a
    400 whose type ends in ``InUse`` (Neutron 29 answers ``EndpointGroupInUse`` with 400)."""
    return error.status == 409 or (error.status == 400 and bool(re.match(r'^\w*InUse\b', error.api_message or '')))


def _outcome_unknown(error: ApiError) -> bool:
    """Whether the server may have carried out a write that failed.

    Only a 4xx (other than a 401 after which the client logged in again) or a request
    that never left (no connection) certainly changed nothing.  A lost answer, a 5xx,
    a redirect or a 2xx whose body cannot be read may all follow a write that happened.
    """
    if error.renewed:
        return True
    if error.status:
        return not 400 <= error.status < 500
    return error.transport == 'read'


class VpnaasModule(AnsibleModule):
    """AnsibleModule through which no secret leaves: the one owner of redaction in a module run.

    Every text that leaves the module (``msg``, warnings, debug and log lines, the
    result with its diff and ``retried``) is redacted against ``self.secrets``: the
    values of every ``no_log`` option (nested ones too) and what the client adds
    while it runs (tokens that Keystone issues), in every encoding ``_secrets`` knows.

    ansible-core 2.19 stops collecting ``no_log`` values when an option of type dict
    gets a value it cannot parse as one (e.g. ``dpd: x``), and then reports the failure
    with every option, secrets included, in ``invocation`` and without naming the
    option. ``fail_json`` fills in both before failing.
    """

    def __init__(self, *args, **kwargs) -> None:
        self.secrets = Secrets()
        super().__init__(*args, **kwargs)
        self._collect_secrets()

    def _collect_secrets(self) -> None:
        """Add the values of the no_log options (at any depth) and Ansible's own no_log values."""
        spec = getattr(self, 'argument_spec', None) or {}
        params = getattr(self, 'params', None) or {}
        for value in _no_log_values(spec, params):
            self.secrets.add(value)
            self.no_log_values.add(value)
        for value in getattr(self, 'no_log_values', ()):
            self.secrets.add(value)

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        spec = getattr(self, 'argument_spec', None) or {}
        params = getattr(self, 'params', None) or {}
        msg = str(msg)
        for name, option in spec.items():
            if option.get('type') == 'dict' and isinstance(params.get(name), str) and not msg.startswith(name):
                msg = '%s: %s' % (name, msg)
        self._collect_secrets()
        super().fail_json(msg=self.secrets.redact(msg), **self.secrets.redact_data(kwargs))

    def exit_json(self, **kwargs):
        self.exit_keeping((), **kwargs)

    def exit_keeping(self, keep: tuple, **kwargs):
        """Exit with every value redacted except those of the keys in ``keep``: the token that
        vpnaas.cloud.auth exists to return (its action plugin marks the whole result no_log)."""
        redacted = self.secrets.redact_data(dict((key, value) for key, value in kwargs.items() if key not in keep))
        # In the order given: ansible-core's debug output shows the raw result, and tests read it.
        result = dict((key, kwargs[key] if key in keep else redacted[key]) for key in kwargs)
        super().exit_json(**result)

    def warn(self, warning):
        super().warn(self.secrets.redact(str(warning)))

    def log(self, msg, log_args=None):
        super().log(self.secrets.redact(str(msg)), log_args=log_args)


def _no_log_values(spec: dict, params: object) -> list:
    """The values of the no_log options of ``spec`` in ``params``, in sub-options and lists of them too."""
    found = []
    if not isinstance(params, dict):
        return found
    for name, option in spec.items():
        value = params.get(name)
        if value in (None, ''):
            continue
        if option.get('no_log'):
            found.append(value if isinstance(value, str) else str(value))
        elif option.get('options'):
            for item in value if isinstance(value, list) else [value]:
                found.extend(_no_log_values(option['options'], item))
    return found


class ResourceModule:
    """Runs one resource module: options -> find -> plan -> apply -> result.

    ``fields_as_options`` adds an option for every field of the table (declarative
    modules); ``_info`` modules pass False and bring their own options.
    """

    def __init__(self, resource: Resource, argument_spec: dict, fields_as_options: bool = True, **kwargs) -> None:
        self.resource = resource
        spec = connection_argument_spec()
        if fields_as_options:
            spec.update(resource.argument_spec())
        spec.update(argument_spec)
        if fields_as_options:
            kwargs['mutually_exclusive'] = resource.mutually_exclusive() + list(kwargs.get('mutually_exclusive', []))
        self.module = VpnaasModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.client = None
        self.update_secrets = 'on_change'
        #: Whether the API accepted (or was seen to carry out) a write in this run: then the task
        #: reports changed, whatever fails afterwards.
        self.written = False
        #: The resource as last seen from the API (for the result of a task that fails after a write).
        self.last_seen = None

    # -- helpers -------------------------------------------------------------
    def mask(self, data: object) -> object:
        """``data`` with secret fields replaced by the fixed mask."""
        return compare.mask_secrets(data, self.resource.secret_keys)

    def fail(self, message: str, **extra) -> None:
        """Fail the task, telling the truth about ``changed`` (VpnaasModule redacts every secret).

        After a write that the API accepted the result says ``changed: true`` and holds the
        resource as last seen, so that the next run converges from what is really there.
        """
        if self.client is not None and self.client.retried:
            extra.setdefault('retried', self.client.retried)
        extra.setdefault('changed', self.written)
        if self.written and self.last_seen:
            extra.setdefault(self.resource.key, self.mask(self.last_seen))
        self.module.fail_json(msg=message, **extra)

    def connect(self) -> Client:
        """The API client (no request is sent yet); it shares the module's secrets."""
        self.client = Client(self.params, secrets=self.module.secrets, log=self.module.debug)
        return self.client

    def label(self, current: dict = None) -> str:
        """How messages name the resource: by id when known, else by name."""
        resource_id = (current or {}).get('id') or self.params.get('id')
        if resource_id:
            return '%s %s' % (self.resource.noun, resource_id)
        return "%s named '%s'" % (self.resource.noun, self.params.get('name'))

    # -- reading -----------------------------------------------------------------
    def show(self, resource_id: str) -> dict:
        """GET one resource by id, checked; None when it does not exist."""
        path = self.resource.path(resource_id)
        try:
            body = self.client.call('GET', path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        found = self.answer(body, 'GET', path)
        if found.get('id') != resource_id:
            url = self.client.url(*path)
            raise ApiError('GET %s answered %s %s, not the one asked for' % (url, self.resource.noun, found.get('id')),
                           'GET', url)
        self.last_seen = found
        return found

    def answer(self, body: dict, method: str, path: tuple, resource: Resource = None) -> dict:
        """The resource in an answer's body (``{"<key>": {...}}``), checked and normalised; ApiError otherwise."""
        resource = resource or self.resource
        item = body.get(resource.key)
        problem = 'without an "%s" object' % resource.key if not isinstance(item, dict) else None
        if problem is None:
            item, problem = normalized_answer(resource, item)
        if problem:
            url = self.client.url(*path)
            raise ApiError('%s %s answered %s' % (method, url, problem), method, url)
        return item

    def list(self, query: dict, resource: Resource = None) -> list:
        """Every resource (of this module, or ``resource``) matching ``query``, filtered here too (some clouds ignore filters)."""
        resource = resource or self.resource
        items = []
        for item in self.client.list_all(resource.path(), resource.list_key, query):
            item, problem = normalized_answer(resource, item)
            if problem:
                url = self.client.url(*resource.path())
                raise ApiError('GET %s answered a list holding %s' % (url, problem), 'GET', url)
            items.append(item)
        return [item for item in items if all(_matches(item.get(key), value) for key, value in query.items())]

    def resolve_references(self) -> None:
        """Turn each by-name option (``vpnservice: branch-1``) into the id of its reference field.

        A value in the form of an id is taken as one, without a request; anything else is
        looked up by name (one list request), and must name exactly one resource. In check
        mode a name that matches nothing yet (made earlier in the same check run) is kept,
        with a warning, so that the prediction can go on.
        """
        for fld in self.resource.fields:
            value = self.params.get(fld.by_name) if fld.by_name else None
            if value is None:
                continue
            if looks_like_id(value):
                self.params[fld.name] = value
                continue
            target = fld.refers
            matches = self.list({'name': value}, target)
            if len(matches) > 1:
                raise InputError("%s: %d %ss are named '%s' (ids: %s); give %s instead"
                                 % (fld.by_name, len(matches), target.noun, value, _ids(matches), fld.name))
            if matches:
                self.params[fld.name] = matches[0].get('id')
            elif self.module.check_mode:
                self.module.warn("%s: no %s is named '%s' yet; check mode goes on with the name in place of its id"
                                 % (fld.by_name, target.noun, value))
                self.params[fld.name] = value
            else:
                raise InputError("%s: no %s is named '%s'" % (fld.by_name, target.noun, value))

    def users(self, resource_id: str) -> list:
        """Labels of the resources that refer to ``resource_id`` (for a 409 "in use"); [] if they cannot be read."""
        labels = []
        for usage in self.resource.used_by:
            for field_name in usage.fields:
                try:
                    items = self.client.list_all(('vpn', usage.collection), usage.list_key, {field_name: resource_id})
                except ApiError:
                    return []
                labels.extend("%s '%s' (%s)" % (usage.noun, item.get('name') or '', item.get('id'))
                              for item in items if item.get(field_name) == resource_id)
        return sorted(set(labels))

    def in_use_message(self, exc: ApiError, verb: str, current: dict) -> str:
        """The failure text of a 409: who uses the resource, then the API's own words."""
        users = self.users(current['id']) if current and current.get('id') else []
        if not users:
            return 'Failed to %s %s: %s' % (verb, self.label(current), exc)
        advice = ('delete those first' if verb == 'delete' else
                  'the API changes no %s that is in use: make a new one for the change, or delete those first'
                  % self.resource.noun)
        return 'Failed to %s %s: it is in use by %s; %s. The API said: %s' % (
            verb, self.label(current), ', '.join(users), advice, exc)

    def find(self) -> dict:
        """The resource by ``id``, else by ``name``; None when absent; several by name fail listing their ids."""
        if self.params.get('id'):
            return self.show(self.params['id'])
        name = self.params.get('name')
        if not name:
            raise InputError('one of id or name is required to identify the %s' % self.resource.noun)
        matches = self.list({'name': name})
        if len(matches) > 1:
            raise InputError("%d %ss are named '%s' (ids: %s); give id to choose one"
                             % (len(matches), self.resource.noun, name, _ids(matches)))
        return matches[0] if matches else None

    # -- planning and applying ---------------------------------------------------------
    def plan(self, current: dict) -> Plan:
        """The one plan for this run, whatever the state and mode."""
        if self.params.get('state') == 'absent':
            return plan_delete(current)
        if current is None:
            if self.params.get('id'):
                raise InputError('%s does not exist; to create one, leave id out and give name'
                                 % self.label())
            return plan_create(self.resource, self.params)
        plan = plan_update(self.resource, current, self.params, self.update_secrets)
        if plan.changed and current.get('status') in PENDING_STATUSES and not self.waits():
            raise InputError('%s is in status %s and cannot be updated until it settles; run again once it is '
                             'ACTIVE or DOWN, or set wait=true' % (self.label(current), current['status']))
        return plan

    def waits(self) -> bool:
        """Whether this module waits for PENDING_* states (modules without the option do not)."""
        return bool(self.params.get('wait'))

    def apply(self, plan: Plan, current: dict) -> tuple:
        """Carry out ``plan``; returns the plan carried out (see ``update``) and the resource afterwards ({} once deleted)."""
        if plan.action == 'update':
            plan, after = self.update(plan, current)
            return plan, self.settled(after, 'update') if plan.changed else after
        if plan.action == 'create':
            created = self.create(plan)
            return plan, self.settled(created, 'create') if self.resource.wait_after_create else created
        if plan.action == 'delete':
            self.delete(current)
            return plan, {}
        return plan, current or {}

    def wait_seconds(self) -> float:
        """How long this run may wait for PENDING states, in all."""
        return self.params.get('wait_timeout') or DEFAULT_WAIT_TIMEOUT

    def update(self, plan: Plan, current: dict) -> tuple:
        """PUT the changed fields, first waiting out a PENDING_* status (the API refuses updates then).

        The wait can end in a different resource (someone else changed it meanwhile):
        then the plan is made again, so that the PUT still holds only what differs.
        Another client may keep the resource PENDING: this goes on until ``wait_timeout``
        has passed, not for a fixed number of attempts.  A PUT whose answer is lost or
        unreadable is followed by a GET: when that shows the change, it happened.
        Returns the plan carried out and the resource after it.
        """
        key, path = self.resource.key, self.resource.path(current['id'])
        deadline = time.monotonic() + self.wait_seconds()
        while True:
            if self.waits() and current.get('status') in PENDING_STATUSES:
                current = self.wait_for(current['id'], _settled, 'to leave status %s' % current['status'],
                                        deadline=deadline)
                if not current:
                    raise ApiError('%s was deleted while waiting to update it' % self.label())
                plan = plan_update(self.resource, current, self.params, self.update_secrets)
                if not plan.changed:
                    return plan, current
            try:
                answer = self.client.call('PUT', path, body={key: plan.body})
            except ApiError as exc:
                # The status can turn PENDING_* between our GET and our PUT (another client's update).
                if self.waits() and exc.status == 400 and 'PENDING' in exc.api_message.upper():
                    if time.monotonic() >= deadline:
                        raise ApiError('%s stayed in a PENDING status for %s seconds (wait_timeout); the API said: %s'
                                       % (self.label(current), self.wait_seconds(), exc), exc.method, exc.url,
                                       exc.status, exc.api_message)
                    current = dict(current, status='PENDING_UPDATE')
                    continue
                if _outcome_unknown(exc):
                    return plan, self.observe_update(plan, current, exc)
                raise
            self.written = True
            after = self.answer_or_predicted(answer, 'PUT', path, plan.predicted)
            return plan, after

    def answer_or_predicted(self, answer: dict, method: str, path: tuple, predicted: dict) -> dict:
        """The resource a write answered with; the prediction when the body is empty (some clouds send none)."""
        if not answer:
            return predicted
        after = self.answer(answer, method, path)
        self.last_seen = after
        return after

    def observe_update(self, plan: Plan, before: dict, error: ApiError) -> dict:
        """After a PUT of unknown outcome: read the resource back; the change seen there is a change made.

        Fields that are write-only (the psk) cannot be seen; when nothing else was sent,
        the outcome stays unknown and the error stands.
        """
        self.last_seen = before
        seen = self.show(before['id'])
        visible = [fld for fld in self.resource.fields if fld.name in plan.body and fld.rule != compare.SECRET]
        if not seen or not visible:
            raise error
        still = [fld.name for fld in visible
                 if compare.differs(fld.rule, _current_value(fld, seen), self.params.get(fld.name))]
        moved = [fld.name for fld in visible if seen.get(fld.name) != before.get(fld.name)]
        if still:
            if moved:
                self.written = True
            raise error
        self.written = True
        self.module.warn('The update of %s had no clear answer (%s); reading it back shows the change was made'
                         % (self.label(before), error))
        return seen

    def delete(self, current: dict) -> None:
        """DELETE, then (with ``wait``) poll until it is gone; a delete of unknown outcome is checked by a GET."""
        try:
            self.client.call('DELETE', self.resource.path(current['id']))
        except ApiError as exc:
            if exc.status == 404:  # gone already: someone else deleted it meanwhile
                return
            if not _outcome_unknown(exc) or self.show(current['id']) is not None:
                raise
        self.written = True
        if self.waits():
            self.wait_for(current['id'], lambda found: found is None, 'to be deleted', look_first=True)

    def settled(self, resource_after: dict, what: str) -> dict:
        """After a create or update: wait until the status leaves PENDING_*; ERROR fails."""
        if not self.waits() or not resource_after.get('id'):
            return resource_after
        if resource_after.get('status') in PENDING_STATUSES:
            resource_after = self.wait_for(resource_after['id'], _settled, 'to leave status %s after the %s'
                                           % (resource_after['status'], what))
        if not resource_after:
            raise ApiError('%s disappeared after the %s' % (self.label(self.last_seen), what))
        if resource_after.get('status') == 'ERROR':
            raise ApiError('%s is in status ERROR after the %s' % (self.label(resource_after), what))
        return resource_after

    def wait_for(self, resource_id: str, done, what: str, look_first: bool = False, deadline: float = None,
                 timeout: float = None, option: str = None) -> dict:
        """Poll the resource until ``done(resource or None)``, backing off; fail at the timeout naming the last status.

        The caller has just seen the resource unsettled, so the first poll comes after
        the first interval, unless ``look_first`` (after a delete, which may be immediate).
        The timeout is ``wait_timeout`` unless ``timeout`` is given (then ``option`` names it in the message).
        """
        timeout = timeout or self.wait_seconds()
        if deadline is None:
            deadline = time.monotonic() + timeout
        interval, last = POLL_FIRST, None
        if not look_first:
            time.sleep(interval)
            interval = min(POLL_CAP, interval * 2)
        while True:
            found = self.show(resource_id)
            if done(found):
                return found or {}
            last = (found or {}).get('status')
            if time.monotonic() + interval > deadline:
                raise ApiError('timed out after %s seconds%s waiting for %s %s %s; the last status seen was %s'
                               % (timeout, ' (%s)' % option if option else '', self.resource.noun, resource_id, what, last))
            time.sleep(interval)
            interval = min(POLL_CAP, interval * 2)

    def until_active(self, resource_after: dict) -> dict:
        """With ``wait_active``: poll (backing off, within ``wait_active_timeout``) until the status is ACTIVE.

        DOWN, BUILD and PENDING_* are not ACTIVE, so the wait goes on through them; ERROR fails at
        once (the agent will not leave it by itself). A resource already seen ACTIVE costs no request.
        """
        label = self.label(resource_after)
        if resource_after.get('status') not in ACTIVE_OR_FAILED:
            resource_after = self.wait_for(resource_after['id'], lambda found: not found or found.get('status') in ACTIVE_OR_FAILED,
                                           'to become ACTIVE', timeout=self.params.get('wait_active_timeout'),
                                           option='wait_active_timeout')
        if not resource_after:
            raise ApiError('%s disappeared while waiting for it to become ACTIVE' % label)
        if resource_after.get('status') == 'ERROR':
            raise ApiError('%s is in status ERROR' % label)
        return resource_after

    def waits_active(self) -> bool:
        """Whether this run waits for ACTIVE: ``wait_active`` set, ``state=present`` and not check mode."""
        return bool(self.params.get('wait_active')) and self.params.get('state') == 'present' and not self.module.check_mode

    def create(self, plan: Plan) -> dict:
        """POST once. When the outcome is unknown, look the resource up rather than send it again.

        Only after a 401 that the client answered by logging in again (the old token had
        expired), and when the lookup finds nothing, is the POST sent a second time.
        """
        path, body = self.resource.path(), {self.resource.key: plan.body}
        try:
            answer = self.client.call('POST', path, body=body)
        except ApiError as exc:
            found = self.look_up_after(exc)
            if found is not None:
                return found
            if not exc.renewed:
                raise
            answer = self.client.call('POST', path, body=body)
        self.written = True
        try:
            created = self.answer(answer, 'POST', path)
        except ApiError as exc:
            found = self.look_up_after(exc)
            if found is None:
                raise
            return found
        self.last_seen = created
        return created

    def look_up_after(self, error: ApiError):
        """After a create of unknown outcome: the resource found by name (the create happened), or None."""
        if not _outcome_unknown(error) or not self.params.get('name'):
            return None
        self.module.warn('The create of %s had no clear answer (%s); looking it up by name instead of sending it '
                         'again' % (self.label(), error))
        found = self.find()
        if found is not None:
            self.written = True
            self.last_seen = found
        return found

    # -- the declarative flow --------------------------------------------------------
    def run(self, update_secrets: str = 'on_change') -> None:
        """Bring the resource to ``state`` with the options given, changing only what differs."""
        self.update_secrets = update_secrets
        current, plan, after = None, None, None
        try:
            validate_input(self.resource, self.params)
            self.connect()
            self.resolve_references()
            current = self.find()
            plan = self.plan(current)
            if self.module.check_mode:
                after = plan.predicted
            else:
                plan, after = self.apply(plan, current)
        except (InputError, ConfigError) as exc:
            self.fail(str(exc))
        except ApiError as exc:
            verb = {'create': 'create', 'update': 'update', 'delete': 'delete'}.get(plan.action if plan else '', 'read')
            if _in_use(exc) and self.resource.used_by and verb in ('update', 'delete'):
                self.fail(self.in_use_message(exc, verb, current))
            self.resource.add_hints(exc, self.params)
            self.fail('Failed to %s %s: %s' % (verb, self.label(current or self.last_seen), exc))
        if self.waits_active():
            try:
                after = self.until_active(after)
            except ApiError as exc:
                self.fail('%s did not become ACTIVE: %s' % (self.label(after), exc),
                          **{self.resource.key: self.mask(self.last_seen or after), 'changed': plan.changed or self.written})
        self.module.exit_json(**self.result(plan, after))

    def result(self, plan: Plan, resource_after: dict) -> dict:
        """The module result: changed, the masked resource ({} when absent), and the diff in diff mode."""
        result = dict(changed=plan.changed)
        result[self.resource.key] = self.mask(resource_after or {})
        for name, compared in sorted(plan.compared.items()):
            result['%s_compared' % name] = compared
        if self.client is not None and self.client.retried:
            result['retried'] = self.client.retried
        if self.module._diff:
            result['diff'] = dict(before=self.mask_diff(plan.before, compare.SECRET_BEFORE),
                                  after=self.mask_diff(plan.after, compare.SECRET_AFTER))
        return result

    def mask_diff(self, side: dict, marker: str) -> dict:
        """One side of a diff, masked; a secret that is sent keeps its marker (the two masks must differ)."""
        masked = self.mask(side)
        masked.update((key, marker) for key in self.resource.secret_keys if side.get(key) == marker)
        return masked

    # -- the _info flow ----------------------------------------------------------------
    def run_info(self, filters: dict = None) -> None:
        """Report resources by id, by name and filters (default: the ``filters`` option), or all; never changes anything."""
        if filters is None:
            filters = self.params.get('filters') or {}
        try:
            validate_options(self.params)
            problem = printable(self.params['name']) if self.params.get('name') else None
            if problem:
                raise InputError('name: %s' % problem)
            problem = filter_problem(self.resource, filters)
            if problem:
                raise InputError(problem)
            self.connect()
            if self.params.get('id'):
                found = self.show(self.params['id'])
                items = [found] if found and all(_matches(found.get(k), v) for k, v in filters.items()) else []
            else:
                query = dict(filters)
                if self.params.get('name') is not None:
                    query['name'] = self.params['name']
                items = self.list(query)
        except (InputError, ConfigError) as exc:
            self.fail(str(exc))
        except ApiError as exc:
            self.fail('Failed to list %ss: %s' % (self.resource.noun, exc))
        extra = dict(retried=self.client.retried) if self.client.retried else {}
        self.module.exit_json(changed=False, **dict(extra, **{self.resource.list_key: self.mask(items)}))


def declarative_module(resource: Resource, extra_options: dict = None) -> ResourceModule:
    """The module of a resource: its fields as options, plus ``id``, ``state``, ``wait`` and ``wait_timeout``."""
    options = dict(
        id=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=DEFAULT_WAIT_TIMEOUT),
    )
    options.update(extra_options or {})
    return ResourceModule(resource, options, required_one_of=[('id', 'name')])


def info_module(resource: Resource) -> ResourceModule:
    """The ``_info`` module of a resource: ``id``, ``name`` and ``filters``."""
    return ResourceModule(resource, dict(
        id=dict(type='str'),
        name=dict(type='str'),
        filters=dict(type='dict', default={}),
    ), fields_as_options=False)


def _ids(items: list) -> str:
    """The ids of several resources, sorted, for a message about an ambiguous name."""
    return ', '.join(sorted(item.get('id', '?') for item in items))


def _matches(value: object, wanted: object) -> bool:
    """Client-side filter: equal values, comparing booleans and numbers with their text forms too."""
    if isinstance(wanted, list):
        return any(_matches(value, item) for item in wanted)
    if isinstance(value, bool) or isinstance(wanted, bool):
        return str(value).lower() == str(wanted).lower()
    return value == wanted or str(value) == str(wanted)


class AuthModule:
    """Runs vpnaas.cloud.auth: log in once, return the token and the endpoint."""

    def __init__(self) -> None:
        self.module = VpnaasModule(argument_spec=connection_argument_spec(), supports_check_mode=True)
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    def run(self) -> None:
        """Log in (or take the token given) and exit with the token and the endpoint."""
        client = None
        try:
            client = Client(self.module.params, secrets=self.module.secrets, log=self.module.debug)
            if client.auth.name == 'aksk':
                raise ConfigError('AK/SK authentication signs every request and has no login or token: give '
                                  'access_key, secret_key and project_id to the modules (module_defaults) instead')
            endpoint = client.endpoint  # logs in when the endpoint comes from the catalog
            client.ensure_login()
        except ConfigError as exc:
            self.module.fail_json(msg=str(exc))
        except ApiError as exc:
            self.module.fail_json(msg='Failed to authenticate: %s' % exc)
        result = dict(changed=False, auth_token=client.auth.token, endpoint=endpoint)
        if getattr(client.auth, 'expires_at', None):
            result['expires_at'] = client.auth.expires_at
        self.module.exit_keeping(('auth_token',), **result)
