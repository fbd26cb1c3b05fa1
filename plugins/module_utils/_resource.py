# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible runner layer of the engine: options in, find, plan, apply, results and messages out.

Private to the collection: the names and signatures here may change at any time.

The engine has four layers, shared by the single-item modules and the fleet
(``ipsec_connections``, whose runner is ``_fleet``):

- ``_schema``: a resource's table of ``Field`` s, the checks of user input, answers checked like input;
- ``_planner``: one pure function from the current and desired state to a ``Plan``, used by the
  real run, check mode and diff mode;
- ``_store``: the HTTP verbs, listings and waits of one resource kind, and what PENDING_* and a
  lost answer mean (no ``AnsibleModule``);
- this module: the Ansible side (argument spec, references resolved into a copy of the options,
  messages, ``changed``, the result and its diff).

"""

from __future__ import annotations

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import connection_argument_spec
from ansible_collections.vpnaas.cloud.plugins.module_utils._client import REQUESTS_IMPORT_ERROR, Client
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError, ConfigError
from ansible_collections.vpnaas.cloud.plugins.module_utils._planner import Plan, plan_create, plan_delete, plan_update, _current_value
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import (
    InputError, Resource, filter_problem, looks_like_id, printable, validate_input, validate_options,
)
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import Secrets
from ansible_collections.vpnaas.cloud.plugins.module_utils._store import (
    ACTIVE_OR_FAILED, DEFAULT_WAIT_TIMEOUT, PENDING_STATUSES, Store, in_use, matches, outcome_unknown, refused_as_pending,
    settled,
)


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


class _Pending:
    """One update on its way through the store's PENDING wait: the resource as last seen, the plan, the result."""

    __slots__ = ('current', 'plan', 'after')

    def __init__(self, current: dict, plan: Plan) -> None:
        self.current, self.plan, self.after = current, plan, current


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
        #: The options as the plan sees them: a copy of ``params`` in which references are resolved to ids.
        self.desired = dict(self.params)
        self.client = None
        self.store = None
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
        self.store = Store(self.client, self.resource)
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
        found = self.store.show(resource_id)
        if found is not None:
            self.last_seen = found
        return found

    def answer(self, body: dict, method: str, path: tuple) -> dict:
        """The resource in an answer's body, checked and normalised; ApiError otherwise."""
        return self.store.answer(body, method, path)

    def list(self, query: dict, resource: Resource = None) -> list:
        """Every resource (of this module, or ``resource``) matching ``query``, filtered here too (some clouds ignore filters)."""
        return (self.store if resource is None else Store(self.client, resource)).list(query)

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
                self.desired[fld.name] = value
                continue
            target = fld.refers
            found = self.list({'name': value}, target)
            if len(found) > 1:
                raise InputError("%s: %d %ss are named '%s' (ids: %s); give %s instead"
                                 % (fld.by_name, len(found), target.noun, value, _ids(found), fld.name))
            if found:
                self.desired[fld.name] = found[0].get('id')
            elif self.module.check_mode:
                self.module.warn("%s: no %s is named '%s' yet; check mode goes on with the name in place of its id"
                                 % (fld.by_name, target.noun, value))
                self.desired[fld.name] = value
            else:
                raise InputError("%s: no %s is named '%s'" % (fld.by_name, target.noun, value))

    def users(self, resource_id: str) -> list:
        """Labels of the resources that refer to ``resource_id`` (for a 409 "in use"); [] if they cannot be read."""
        return self.store.users(resource_id)

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
        found = self.list({'name': name})
        if len(found) > 1:
            raise InputError("%d %ss are named '%s' (ids: %s); give id to choose one"
                             % (len(found), self.resource.noun, name, _ids(found)))
        return found[0] if found else None

    # -- planning and applying ---------------------------------------------------------
    def plan(self, current: dict) -> Plan:
        """The one plan for this run, whatever the state and mode."""
        if self.params.get('state') == 'absent':
            return plan_delete(current)
        if current is None:
            if self.params.get('id'):
                raise InputError('%s does not exist; to create one, leave id out and give name'
                                 % self.label())
            return plan_create(self.resource, self.desired)
        plan = plan_update(self.resource, current, self.desired, self.update_secrets)
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
        """PUT the changed fields, waiting out a PENDING_* status first (the API refuses updates then).

        The waiting is the store's (``Store.write_through_pending``, as for a fleet): the wait
        can end in a different resource (someone else changed it meanwhile), and then the plan
        is made again, so that the PUT still holds only what differs. Another client may keep
        the resource PENDING: this goes on until ``wait_timeout`` has passed, not for a fixed
        number of attempts. A PUT whose answer is lost or unreadable is followed by a GET:
        when that shows the change, it happened. Returns the plan carried out and the resource after it.
        """
        item = _Pending(current, plan)
        resource_id, path = current['id'], self.resource.path(current['id'])

        def write(items: list) -> list:
            for one in items:
                try:
                    answer = self.store.update(resource_id, one.plan.body)
                except ApiError as exc:
                    # The status can turn PENDING_* between our GET and our PUT (another client's update).
                    if self.waits() and refused_as_pending(exc):
                        return [(one, exc)]
                    if outcome_unknown(exc):
                        one.after = self.observe_update(one.plan, one.current, exc)
                        return []
                    raise
                self.written = True
                one.after = self.answer_or_predicted(answer, 'PUT', path, one.plan.predicted)
            return []

        def replan(one: _Pending, found: dict) -> bool:
            if not found:
                raise ApiError('%s was deleted while waiting to update it' % self.label())
            one.current = one.after = found
            one.plan = plan_update(self.resource, found, self.desired, self.update_secrets)
            return one.plan.changed

        def fail(_one: _Pending, error: ApiError) -> None:
            raise error

        self.store.write_through_pending(
            [item], lambda one: self.waits() and one.current.get('status') in PENDING_STATUSES, write,
            lambda: {resource_id: self.show(resource_id)}, replan, fail, lambda one: self.label(one.current),
            lambda waiting, found: '%s %s to leave status %s; the last status seen was %s' % (
                self.resource.noun, resource_id, waiting[0].current['status'], (found.get(resource_id) or {}).get('status')),
            time.monotonic() + self.wait_seconds(), self.wait_seconds())
        return item.plan, item.after

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
                 if compare.differs(fld.rule, _current_value(fld, seen), self.desired.get(fld.name))]
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
            if not outcome_unknown(exc) or self.show(current['id']) is not None:
                raise
        self.written = True
        if self.waits():
            self.wait_for(current['id'], lambda found: found is None, 'to be deleted', look_first=True)

    def settled(self, resource_after: dict, what: str) -> dict:
        """After a create or update: wait until the status leaves PENDING_*; ERROR fails."""
        if not self.waits() or not resource_after.get('id'):
            return resource_after
        if resource_after.get('status') in PENDING_STATUSES:
            resource_after = self.wait_for(resource_after['id'], settled, 'to leave status %s after the %s'
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
        found = self.store.wait_for(
            lambda: self.show(resource_id), done,
            lambda last: '%s %s %s; the last status seen was %s' % (
                self.resource.noun, resource_id, what, (last or {}).get('status')),
            deadline, timeout, option=option, look_first=look_first)
        return found or {}

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
        if not outcome_unknown(error) or not self.params.get('name'):
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
            if in_use(exc) and self.resource.used_by and verb in ('update', 'delete'):
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
                items = [found] if found and all(matches(found.get(k), v) for k, v in filters.items()) else []
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
