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

from dataclasses import dataclass, field as dataclass_field
from typing import Callable, Optional

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._client import (
    REQUESTS_IMPORT_ERROR,
    ApiError,
    Client,
    ConfigError,
    connection_argument_spec,
)

#: Statuses during which Neutron refuses updates (VPNStateInvalidToUpdate).
PENDING_STATUSES = frozenset(['PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE'])


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
    """

    name: str
    spec: dict
    rule: str = compare.VALUE
    default: object = None
    checks: tuple = ()
    updatable: bool = True


@dataclass(frozen=True)
class Resource:
    """A Neutron-style VPN resource: where it lives, what it is called, and its fields."""

    noun: str          # for messages: 'IPsec site connection'
    collection: str    # URL segment below /v2.0/vpn: 'ipsec-site-connections'
    key: str           # body key: 'ipsec_site_connection'
    fields: tuple = ()
    cross_checks: tuple = dataclass_field(default=())  # (current, merged) -> error text or None

    @property
    def secret_keys(self) -> frozenset:
        """Fields whose values are secrets (``no_log`` options)."""
        return frozenset(f.name for f in self.fields if f.spec.get('no_log'))

    def argument_spec(self) -> dict:
        """The module options for the fields."""
        return dict((f.name, dict(f.spec)) for f in self.fields)

    def path(self, resource_id: str = None) -> tuple:
        """Path parts below the API root."""
        parts = ('vpn', self.collection)
        return parts + (resource_id,) if resource_id is not None else parts


def validate_input(resource: Resource, params: dict) -> None:
    """Run every field's checks on the options the user set; raise ``InputError`` naming the option."""
    for fld in resource.fields:
        value = params.get(fld.name)
        if value is None:
            continue
        for check in fld.checks:
            problem = check(value)
            if problem:
                raise InputError('%s: %s' % (fld.name, problem))


# ---------------------------------------------------------------------------
# Planning: one pure function, used by the real run, check mode and diff mode
# ---------------------------------------------------------------------------

@dataclass
class Plan:
    """What to do: the request body, and the resource before and after (changed fields only)."""

    action: str                 # 'none' or 'update'
    body: dict
    before: dict
    after: dict
    predicted: dict             # the whole resource as it will be after the action

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


def plan_update(resource: Resource, current: dict, desired: dict, update_secrets: str = 'always') -> Plan:
    """Compare ``desired`` options with the ``current`` resource and plan a minimal update.

    Options that are None are unmanaged.  The body holds only the fields (and, for
    SUBSET fields, only the sub-keys) that differ.  Raises ``InputError`` when the
    result would break a cross-field rule (e.g. dpd timeout not above interval).
    """
    body, before, after = {}, {}, {}
    predicted = dict(current)
    for fld in resource.fields:
        want = desired.get(fld.name)
        if want is None or not fld.updatable:
            continue
        have = _current_value(fld, current)
        if fld.rule == compare.SECRET:
            if compare.secret_action(have, want, update_secrets) == 'send':
                body[fld.name] = compare.changed_part(fld.rule, have, want)
                before[fld.name], after[fld.name] = compare.MASK, compare.MASK + ' (new value)'
                predicted[fld.name] = want
            continue
        if not compare.differs(fld.rule, have, want):
            continue
        body[fld.name] = compare.changed_part(fld.rule, have, want)
        predicted[fld.name] = compare.merged(fld.rule, have, body[fld.name])
        before[fld.name], after[fld.name] = have, predicted[fld.name]
    for cross_check in resource.cross_checks:
        problem = cross_check(current, predicted, desired)
        if problem:
            raise InputError(problem)
    return Plan('update' if body else 'none', body, before, after, predicted)


# ---------------------------------------------------------------------------
# Running a module
# ---------------------------------------------------------------------------

class ResourceModule:
    """Runs one declarative resource module: options → find → plan → apply → result."""

    def __init__(self, resource: Resource, argument_spec: dict, **kwargs) -> None:
        self.resource = resource
        spec = connection_argument_spec()
        spec.update(resource.argument_spec())
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.client = None

    # -- helpers -------------------------------------------------------------
    def mask(self, data: object) -> object:
        """``data`` with secret fields replaced by the fixed mask."""
        return compare.mask_secrets(data, self.resource.secret_keys)

    def fail(self, message: str, **extra) -> None:
        """Fail the task; the message is scrubbed of every secret first."""
        secrets = [self.params.get(name) for name in self.resource.secret_keys]
        if self.client is not None:
            message = self.client.redact(message)
        self.module.fail_json(msg=compare.redact_text(message, secrets), **extra)

    def connect(self) -> Client:
        """The API client (no request is sent yet)."""
        secrets = [self.params.get(name) for name in self.resource.secret_keys]
        self.client = Client(self.params, secrets=secrets, log=self.module.debug)
        return self.client

    def show(self, resource_id: str) -> dict:
        """GET one resource; a 404 becomes a plain 'does not exist'."""
        try:
            return self.client.call('GET', self.resource.path(resource_id)).get(self.resource.key) or {}
        except ApiError as exc:
            if exc.status == 404:
                self.fail('%s %s does not exist (%s)' % (self.resource.noun, resource_id, exc))
            raise

    def result(self, plan: Plan, resource_after: dict) -> dict:
        """The module result: changed, the masked resource, and the diff when diff mode is on."""
        result = dict(changed=plan.changed)
        result[self.resource.key] = self.mask(resource_after)
        if self.module._diff:
            result['diff'] = dict(before=self.mask(plan.before), after=self.mask(plan.after))
        return result

    # -- the update-in-place flow -----------------------------------------------
    def run_update(self, resource_id: str, update_secrets: str) -> None:
        """Bring an existing resource to the desired options, changing only what differs."""
        verb = 'read'
        try:
            validate_input(self.resource, self.params)
            self.connect()
            current = self.show(resource_id)
            plan = plan_update(self.resource, current, self.params, update_secrets)
            if plan.changed and current.get('status') in PENDING_STATUSES:
                self.fail('%s %s is in status %s and cannot be updated until it settles; run again once it is '
                          'ACTIVE or DOWN' % (self.resource.noun, resource_id, current['status']))
            after = plan.predicted
            if plan.changed and not self.module.check_mode:
                verb = 'update'
                answer = self.client.call('PUT', self.resource.path(resource_id), body={self.resource.key: plan.body})
                after = answer.get(self.resource.key) or plan.predicted
        except (InputError, ConfigError) as exc:
            self.fail(str(exc))
        except ApiError as exc:
            self.fail('Failed to %s %s %s: %s' % (verb, self.resource.noun, resource_id, exc))
        self.module.exit_json(**self.result(plan, after))
