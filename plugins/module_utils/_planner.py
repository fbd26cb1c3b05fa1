# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner layer of the engine: one pure function from the current and desired state to a ``Plan``.

Private to the collection: the names and signatures here may change at any time.

The same plan drives the real run, check mode and diff mode, for one resource
(``_resource``) and for a fleet of them (``_fleet``). No request, no ``AnsibleModule``.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import Field, InputError, Resource


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
