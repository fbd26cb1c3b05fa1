# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner of vpnaas.cloud.ipsec_connections: a VPN service's connections as one resource list.

Private to the collection: the names and signatures here may change at any time.

It builds on the same layers as the single-item modules (``_schema`` checks each item,
``_planner`` plans each item, ``_store`` sends the requests), and adds what a fleet needs:

- one listing per collection (every page) instead of a GET per item, and references
  resolved once per run, into copies of the items;
- the resource-module states (merged, replaced, overridden, deleted, gathered, rendered, parsed);
- writes in a bounded pool of threads, and waits settled by polling the listing;
- a failed item does not stop the others: the task fails at the end naming each one.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field as dataclass_field
from typing import Optional

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils._auth import connection_argument_spec
from ansible_collections.vpnaas.cloud.plugins.module_utils._client import API_VERSION, REQUESTS_IMPORT_ERROR, Client
from ansible_collections.vpnaas.cloud.plugins.module_utils._errors import ApiError, ConfigError
from ansible_collections.vpnaas.cloud.plugins.module_utils._planner import Plan, plan_create, plan_update
from ansible_collections.vpnaas.cloud.plugins.module_utils._resource import VpnaasModule
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import (
    InputError, fields_problem, looks_like_id, networks, validate_options,
)
from ansible_collections.vpnaas.cloud.plugins.module_utils._store import (
    DEFAULT_WAIT_TIMEOUT, PENDING_STATUSES, Store, outcome_unknown, refused_as_pending, settled,
)
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import (
    ENDPOINT_GROUP, IKE_POLICY, IPSEC_POLICY, IPSEC_SITE_CONNECTION, VPN_SERVICE,
)

CONNECTION = IPSEC_SITE_CONNECTION
STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered', 'rendered', 'parsed')
OFFLINE = ('rendered', 'parsed')
#: The reference fields that the top level sets for every item that does not set its own.
SHARED_REFERENCES = ('ikepolicy_id', 'ipsecpolicy_id', 'local_ep_group_id')
#: The connection fields an item of ``config`` takes (the VPN service is the task's scope, not an item's).
ITEM_FIELDS = tuple(fld for fld in CONNECTION.fields if fld.name != 'vpnservice_id')
#: The order of the keys of a gathered item (the order of the options in the documentation).
GATHERED_ORDER = ('name', 'description', 'admin_state_up', 'peer_address', 'peer_id', 'local_id', 'initiator', 'mtu',
                  'dpd', 'ikepolicy_id', 'ipsecpolicy_id', 'local_ep_group_id', 'peer_ep_group_id', 'peer_networks',
                  'peer_cidrs')
DEFAULT_PARALLEL = 4
MAX_PARALLEL = 16
#: What the plan holds in place of the id of a peer endpoint group that this run creates.
NEW_GROUP = '(the new endpoint group %s)'
PEER_GROUP_SUFFIX = '-peers'


def managed_group_name(connection_name: str) -> str:
    """The name of the peer endpoint group this module keeps for a connection."""
    return connection_name + PEER_GROUP_SUFFIX


def item_argument_spec() -> dict:
    """The options of one item of ``config``: those of ipsec_connection, less the VPN service, plus peer_networks."""
    spec = {}
    for fld in ITEM_FIELDS:
        spec[fld.name] = dict(fld.spec)
        if fld.by_name:
            spec[fld.by_name] = dict(type='str')
    spec['name'] = dict(type='str', required=True)
    spec['peer_networks'] = dict(type='list', elements='str')
    return spec


def argument_spec() -> dict:
    """The module's options (the connection options come from the ``connection`` fragment)."""
    spec = connection_argument_spec()
    spec.update(
        vpnservice=dict(type='str'),
        vpnservice_id=dict(type='str'),
        ikepolicy=dict(type='str'),
        ikepolicy_id=dict(type='str'),
        ipsecpolicy=dict(type='str'),
        ipsecpolicy_id=dict(type='str'),
        local_ep_group=dict(type='str'),
        local_ep_group_id=dict(type='str'),
        config=dict(type='list', elements='dict', options=item_argument_spec()),
        running_config=dict(type='str'),
        state=dict(type='str', choices=list(STATES), default='merged'),
        update_psk=dict(type='str', choices=list(compare.SECRET_UPDATE_MODES), default='on_change', no_log=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=DEFAULT_WAIT_TIMEOUT),
        parallel=dict(type='int', default=DEFAULT_PARALLEL),
    )
    return spec


MUTUALLY_EXCLUSIVE = [('vpnservice', 'vpnservice_id'), ('ikepolicy', 'ikepolicy_id'), ('ipsecpolicy', 'ipsecpolicy_id'),
                      ('local_ep_group', 'local_ep_group_id')]


# ---------------------------------------------------------------------------
# Items: checked before any request, and turned into the config shape
# ---------------------------------------------------------------------------

def item_label(index: int, item: dict) -> str:
    """How messages name an item of ``config``."""
    name = item.get('name')
    return 'config[%d] (%s)' % (index, name) if isinstance(name, str) and name.isprintable() else 'config[%d]' % index


def item_problem(item: dict) -> Optional[str]:
    """Why one item of ``config`` is unusable (its own checks, not those needing the API), or None."""
    for fld in ITEM_FIELDS:
        if fld.by_name and item.get(fld.by_name) is not None and item.get(fld.name) is not None:
            return 'parameters are mutually exclusive: %s|%s' % (fld.by_name, fld.name)
    problem = fields_problem(ITEM_FIELDS, item)
    if problem:
        return problem
    if item.get('peer_networks') is not None:
        given = [name for name in ('peer_ep_group', 'peer_ep_group_id', 'peer_cidrs') if item.get(name) is not None]
        if given:
            return 'parameters are mutually exclusive: peer_networks|%s' % given[0]
        if not item['peer_networks']:
            return 'peer_networks: must hold at least one network (leave it out to leave the peer networks alone)'
        problem = networks(item['peer_networks'])
        if problem:
            return 'peer_networks: %s' % problem
    return None


def validate_fleet(params: dict) -> None:
    """Every check that needs no request: the state's options, each item, unique names. Raises ``InputError``."""
    state = params['state']
    if state not in OFFLINE:
        validate_options(params)
    if state != 'parsed' and not params.get('vpnservice') and not params.get('vpnservice_id'):
        raise InputError('state=%s: one of vpnservice or vpnservice_id is required (the VPN service whose connections '
                         'this task manages)' % state)
    if state in ('merged', 'replaced', 'overridden', 'rendered') and params.get('config') is None:
        raise InputError('state=%s: config is required (the list of connections)%s' % (
            state, '; to delete every connection of the VPN service, give config: []' if state == 'overridden' else ''))
    if state == 'parsed' and not params.get('running_config'):
        raise InputError('state=parsed: running_config is required (the JSON of a list of connections as the API returns it)')
    if state in ('gathered', 'parsed') and params.get('config'):
        raise InputError('state=%s: config is not used; leave it out (the result is in %s)' % (state, state))
    if not 1 <= params['parallel'] <= MAX_PARALLEL:
        raise InputError('parallel: must be between 1 and %d (got %d)' % (MAX_PARALLEL, params['parallel']))
    if params['wait_timeout'] <= 0:
        raise InputError('wait_timeout: must be a positive number of seconds (got %d)' % params['wait_timeout'])
    problem = fields_problem(tuple(fld for fld in CONNECTION.fields if fld.by_name), params)  # the top-level references
    if problem:
        raise InputError(problem)
    seen = {}
    for index, item in enumerate(params.get('config') or []):
        problem = item_problem(item)
        if problem:
            raise InputError('%s: %s' % (item_label(index, item), problem))
        if item['name'] in seen:
            raise InputError("config: the name '%s' is given twice (config[%d] and config[%d]); names identify the "
                             'connections and must be unique' % (item['name'], seen[item['name']], index))
        seen[item['name']] = index


def config_of(connection: dict, groups: dict = None) -> dict:
    """A connection as an item of ``config`` (what ``gathered`` and ``parsed`` return; no psk).

    A peer endpoint group of CIDRs that ``groups`` (id -> group) knows becomes ``peer_networks``;
    otherwise its id stays. Empty ``peer_cidrs`` beside an endpoint group are left out.
    """
    item = {}
    for fld in ITEM_FIELDS:
        value = connection.get(fld.name)
        if value is None or fld.rule == compare.SECRET:
            continue
        item[fld.name] = value
    group = (groups or {}).get(item.get('peer_ep_group_id'))
    if group is not None and group.get('type') == 'cidr' and group.get('endpoints'):
        item['peer_networks'] = sorted(set(compare.set_item(entry) for entry in group['endpoints']))
        del item['peer_ep_group_id']
    if not item.get('peer_cidrs') and (item.get('peer_ep_group_id') or item.get('peer_networks')):
        item.pop('peer_cidrs', None)
    if item.get('dpd'):
        item['dpd'] = dict((key, item['dpd'][key]) for key in ('action', 'interval', 'timeout') if key in item['dpd'])
    return dict((key, item[key]) for key in GATHERED_ORDER if key in item)


def shown(connection: dict, groups: dict = None) -> dict:
    """A connection for ``before`` and ``after``: the config shape, with the psk masked when the API showed one."""
    item = config_of(connection, groups)
    if connection.get('psk') is not None:
        item['psk'] = compare.MASK
    return item


def parse_running_config(text: str) -> list:
    """``running_config`` (a JSON list of connections, or the API's ``{"ipsec_site_connections": [...]}``) as items."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError('running_config: is not JSON (%s)' % exc) from None
    if isinstance(data, dict):
        data = data.get(CONNECTION.list_key, data.get(CONNECTION.key))
        data = [data] if isinstance(data, dict) else data
    if not isinstance(data, list):
        raise InputError('running_config: must be a JSON list of connections, or an object with "%s"' % CONNECTION.list_key)
    parsed = []
    for index, connection in enumerate(data):
        if not isinstance(connection, dict) or not isinstance(connection.get('name'), str):
            raise InputError('running_config: item %d is not a connection with a name' % index)
        parsed.append(config_of(connection))
    return sorted(parsed, key=lambda entry: entry['name'])


def command(method: str, parts: tuple, body: dict = None) -> str:
    """One request as ``commands`` shows it: ``PUT /v2.0/vpn/ipsec-site-connections/<id> {"mtu": 1400}``."""
    text = '%s /%s/%s' % (method, API_VERSION, '/'.join(parts))
    if body is not None:
        text += ' ' + json.dumps(compare.mask_secrets(body, CONNECTION.secret_keys), sort_keys=True)
    return text


# ---------------------------------------------------------------------------
# Plans of items
# ---------------------------------------------------------------------------

@dataclass(eq=False)  # plans are compared by identity: ``plan in waiting`` must not compare every field
class ItemPlan:
    """What to do with one connection of the fleet."""

    name: str
    action: str = 'none'                 # none, create, update, delete
    current: Optional[dict] = None
    desired: dict = dataclass_field(default_factory=dict)
    plan: Optional[Plan] = None
    #: The networks of a peer endpoint group to create first (peer_networks that no group of the connection holds).
    new_group: Optional[list] = None
    #: A peer endpoint group to delete once the connection no longer uses it.
    old_group: Optional[dict] = None
    error: Optional[str] = None
    after: Optional[dict] = None
    written: bool = False
    #: The API's refusal of the update because the connection had turned PENDING_* (it is written again after the wait).
    refused: Optional[ApiError] = None
    commands: list = dataclass_field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the plan writes anything."""
        return self.action != 'none' or self.new_group is not None or self.old_group is not None


class FleetModule:
    """Runs vpnaas.cloud.ipsec_connections."""

    def __init__(self) -> None:
        self.module = VpnaasModule(argument_spec=argument_spec(), supports_check_mode=True,
                                   mutually_exclusive=MUTUALLY_EXCLUSIVE)
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.state = self.params['state']
        self.client = None
        self.connections = None
        self.groups_store = None
        self.scope = None            # the VPN service id (or, in check mode, the name of one yet to be made)
        self.listings = {}           # resource noun -> {id: resource}, each listed once
        self.groups = {}             # id -> endpoint group
        self.current = {}            # id -> connection of the scope
        self.plans = []
        self.deadline = None
        self.endpoint = None
        self.warnings = []

    # -- the flow --------------------------------------------------------------------
    def run(self) -> None:
        """Validate, read, plan, write (unless check mode), settle, report."""
        try:
            validate_fleet(self.params)
            if self.state == 'rendered':
                self.module.exit_json(changed=False, rendered=self.rendered())
            if self.state == 'parsed':
                self.module.exit_json(changed=False, parsed=parse_running_config(self.params['running_config']))
            self.connect()
            self.read()
            if self.state == 'gathered':
                self.module.exit_json(changed=False, gathered=[config_of(conn, self.groups) for conn in self.sorted_current()],
                                      **self.retried())
            self.plan_all()
            if not self.module.check_mode:
                self.apply_all()
        except (InputError, ConfigError) as exc:
            self.fail(str(exc))
        except ApiError as exc:
            scope = self.scope or self.params.get('vpnservice_id') or self.params.get('vpnservice')
            self.fail('Failed to read the connections of VPN service %s: %s' % (scope, exc))
        self.finish()

    def connect(self) -> None:
        """The client and the stores (logs in now, once, before any thread starts)."""
        self.client = Client(self.params, secrets=self.module.secrets, log=self.module.debug)
        self.connections = Store(self.client, CONNECTION)
        self.groups_store = Store(self.client, ENDPOINT_GROUP)
        self.deadline = time.monotonic() + self.params['wait_timeout']
        self.endpoint = self.client.endpoint  # logs in when the endpoint comes from the catalog
        self.client.ensure_login()

    def written(self) -> bool:
        """Whether the API accepted a write in this run."""
        return any(item.written for item in self.plans)

    def retried(self) -> dict:
        """``retried`` for the result, when a request was retried."""
        return dict(retried=self.client.retried) if self.client is not None and self.client.retried else {}

    def fail(self, message: str, **extra) -> None:
        """Fail the task, telling the truth about ``changed``."""
        extra.update(self.retried())
        extra.setdefault('changed', self.written())
        self.module.fail_json(msg=message, **extra)

    # -- reading ------------------------------------------------------------------
    def listing(self, resource) -> dict:
        """Every resource of a kind, as {id: resource}: one listing per collection and run."""
        if resource.noun not in self.listings:
            self.listings[resource.noun] = Store(self.client, resource).index()
        return self.listings[resource.noun]

    def resolve(self, resource, option: str, value: str) -> str:
        """The id of the ``resource`` named ``value`` (or ``value``, in the form of an id). Raises ``InputError``."""
        if looks_like_id(value):
            return value
        found = [item for item in self.listing(resource).values() if item.get('name') == value]
        if len(found) > 1:
            raise InputError("%s: %d %ss are named '%s' (ids: %s); give its id instead"
                             % (option, len(found), resource.noun, value, ', '.join(sorted(item['id'] for item in found))))
        if found:
            return found[0]['id']
        if self.module.check_mode:
            self.module.warn("%s: no %s is named '%s' yet; check mode goes on with the name in place of its id"
                             % (option, resource.noun, value))
            return value
        raise InputError("%s: no %s is named '%s'" % (option, resource.noun, value))

    def needs_groups(self) -> bool:
        """Whether this run reads the endpoint groups: to compare peer_networks, gather them or delete managed ones."""
        return self.state in ('gathered', 'overridden', 'deleted') or any(
            item.get('peer_networks') is not None for item in self.params.get('config') or [])

    def read(self) -> None:
        """The scope (the VPN service), its connections (one listing) and, when needed, the endpoint groups."""
        if self.params.get('vpnservice_id'):
            self.scope = self.params['vpnservice_id']
        else:
            self.scope = self.resolve(VPN_SERVICE, 'vpnservice', self.params['vpnservice'])
        known = looks_like_id(self.scope)
        found = self.connections.index({'vpnservice_id': self.scope}) if known or not self.module.check_mode else {}
        self.current = found
        if self.needs_groups():
            self.groups = self.listing(ENDPOINT_GROUP)

    def sorted_current(self) -> list:
        return sorted(self.current.values(), key=lambda conn: (conn.get('name') or '', conn['id']))

    # -- planning -------------------------------------------------------------------
    def shared_references(self) -> dict:
        """The top-level references (ids), resolved once; an error here fails the task."""
        shared = {}
        for field_name, resource in (('ikepolicy_id', IKE_POLICY), ('ipsecpolicy_id', IPSEC_POLICY),
                                     ('local_ep_group_id', ENDPOINT_GROUP)):
            option = field_name[:-3]
            if self.params.get(field_name):
                shared[field_name] = self.params[field_name]
            elif self.params.get(option):
                shared[field_name] = self.resolve(resource, option, self.params[option])
        return shared

    def desired_of(self, item: dict, shared: dict) -> dict:
        """The fields an item asks for, its references resolved to ids (a copy: ``params`` stays as given)."""
        desired = dict((fld.name, item.get(fld.name)) for fld in ITEM_FIELDS)
        desired['vpnservice_id'] = self.scope
        for fld in ITEM_FIELDS:
            if fld.by_name and item.get(fld.by_name) is not None:
                desired[fld.name] = self.resolve(fld.refers, fld.by_name, item[fld.by_name])
        for field_name, value in shared.items():
            if desired.get(field_name) is None:
                desired[field_name] = value
        return desired

    def plan_all(self) -> None:
        """A plan for every item of ``config``, and for the connections ``overridden`` or ``deleted`` remove."""
        by_name = {}
        for conn in self.sorted_current():
            by_name.setdefault(conn.get('name'), []).append(conn)
        listed = set()
        shared = self.shared_references() if self.state != 'deleted' else {}
        for item in self.params.get('config') or []:
            listed.add(item['name'])
            same = by_name.get(item['name'], [])
            plan = ItemPlan(item['name'], current=same[0] if len(same) == 1 else None)
            self.plans.append(plan)
            try:
                if len(same) > 1:
                    raise InputError("%d connections of the VPN service are named '%s' (ids: %s); rename or delete all "
                                     'but one' % (len(same), item['name'], ', '.join(conn['id'] for conn in same)))
                if self.state == 'deleted':
                    self.plan_delete(plan)
                else:
                    self.plan_item(plan, item, shared)
            except InputError as exc:
                plan.error = str(exc)
        if self.state == 'overridden' or (self.state == 'deleted' and self.params.get('config') is None):
            for conn in self.sorted_current():
                if conn.get('name') not in listed:
                    plan = ItemPlan(conn.get('name') or conn['id'], current=conn)
                    self.plan_delete(plan)
                    self.plans.append(plan)

    def plan_delete(self, plan: ItemPlan) -> None:
        """Delete the connection (nothing when absent), and its managed peer endpoint group once unused."""
        if plan.current is None:
            return
        plan.action = 'delete'
        plan.commands.append(command('DELETE', CONNECTION.path(plan.current['id'])))
        plan.old_group = self.managed_group_of(plan.current)
        if plan.old_group is not None:
            plan.commands.append(command('DELETE', ENDPOINT_GROUP.path(plan.old_group['id'])))

    def managed_group_of(self, conn: dict, keep_if_used: bool = True) -> Optional[dict]:
        """The peer endpoint group of ``conn`` that this module made (named after it), when no other connection uses it."""
        group = self.groups.get(conn.get('peer_ep_group_id'))
        if group is None or group.get('name') != managed_group_name(conn.get('name') or ''):
            return None
        if keep_if_used and any(other['id'] != conn['id'] and other.get('peer_ep_group_id') == group['id']
                                for other in self.current.values()):
            return None
        return group

    def leftover_group(self, name: str, wanted: list) -> Optional[dict]:
        """A peer endpoint group named after connection ``name`` (``<name>-peers``) holding exactly ``wanted``,
        that no connection of the VPN service uses: left behind when the connection was deleted elsewhere."""
        used = set(conn.get('peer_ep_group_id') for conn in self.current.values())
        for group in sorted(self.groups.values(), key=lambda found: found['id']):
            if (group.get('name') == managed_group_name(name) and group.get('type') == 'cidr' and group['id'] not in used
                    and sorted(set(compare.set_item(entry) for entry in group.get('endpoints') or [])) == wanted):
                return group
        return None

    def plan_item(self, plan: ItemPlan, item: dict, shared: dict) -> None:
        """Plan a create or an update of one item (merged, replaced, overridden)."""
        desired = self.desired_of(item, shared)
        current = plan.current
        if item.get('peer_networks') is not None:
            wanted = sorted(set(compare.normalize_network(entry) for entry in item['peer_networks']))
            group = self.groups.get((current or {}).get('peer_ep_group_id'))
            have = sorted(set(compare.set_item(entry) for entry in (group or {}).get('endpoints') or []))
            leftover = self.leftover_group(item['name'], wanted)
            if group is not None and group.get('type') == 'cidr' and have == wanted:
                desired['peer_ep_group_id'] = group['id']
            elif leftover is not None:
                # The group this module made for the connection outlived it (deleted elsewhere): used again, not made twice.
                desired['peer_ep_group_id'] = leftover['id']
                if current is not None:
                    plan.old_group = self.managed_group_of(current)
            else:
                plan.new_group = wanted
                desired['peer_ep_group_id'] = NEW_GROUP % managed_group_name(item['name'])
                if current is not None:
                    plan.old_group = self.managed_group_of(current)
        if current is not None and self.state in ('replaced', 'overridden'):
            uses_groups = desired.get('peer_ep_group_id') is not None
            for fld in ITEM_FIELDS:
                if desired.get(fld.name) is None and fld.default is not None and fld.updatable:
                    if fld.name != 'peer_cidrs' or uses_groups:
                        desired[fld.name] = fld.default
        plan.desired = desired
        if plan.new_group is not None:
            plan.commands.append(command('POST', ENDPOINT_GROUP.path(), {ENDPOINT_GROUP.key: self.group_body(plan)}))
        if current is None:
            plan.plan = plan_create(CONNECTION, desired)
            plan.action = 'create'
            plan.commands.append(command('POST', CONNECTION.path(), {CONNECTION.key: plan.plan.body}))
        else:
            plan.plan = plan_update(CONNECTION, current, desired, self.params['update_psk'])
            if plan.plan.changed:
                plan.action = 'update'
                plan.commands.append(command('PUT', CONNECTION.path(current['id']), plan.plan.body))
                if current.get('status') in PENDING_STATUSES and not self.params['wait']:
                    raise InputError("connection '%s' (%s) is in status %s and cannot be updated until it settles; run "
                                     'again once it is ACTIVE or DOWN, or set wait=true'
                                     % (plan.name, current['id'], current['status']))
        if plan.old_group is not None:
            plan.commands.append(command('DELETE', ENDPOINT_GROUP.path(plan.old_group['id'])))

    def group_body(self, plan: ItemPlan) -> dict:
        """The body of the peer endpoint group made for a connection."""
        return dict(name=managed_group_name(plan.name), type='cidr', endpoints=plan.new_group,
                    description='Peer networks of IPsec site connection %s (vpnaas.cloud.ipsec_connections)' % plan.name)

    def rendered(self) -> list:
        """The requests that would create the items (offline: references as given, psk masked)."""
        requests = []
        top = dict((name, self.params.get(name) or self.params.get(name[:-3])) for name in SHARED_REFERENCES)
        scope = self.params.get('vpnservice_id') or self.params.get('vpnservice')
        for item in self.params['config']:
            body = dict((fld.name, item.get(fld.name) if item.get(fld.name) is not None else item.get(fld.by_name or ''))
                        for fld in ITEM_FIELDS)
            body['vpnservice_id'] = scope
            for name, value in top.items():
                if body.get(name) is None:
                    body[name] = value
            if item.get('peer_networks') is not None:
                group = managed_group_name(item['name'])
                requests.append(dict(method='POST', path='/%s/%s' % (API_VERSION, '/'.join(ENDPOINT_GROUP.path())),
                                     body={ENDPOINT_GROUP.key: dict(name=group, type='cidr', endpoints=item['peer_networks'])}))
                body['peer_ep_group_id'] = NEW_GROUP % group
            body = dict((key, value) for key, value in sorted(body.items()) if value is not None)
            requests.append(dict(method='POST', path='/%s/%s' % (API_VERSION, '/'.join(CONNECTION.path())),
                                 body={CONNECTION.key: compare.mask_secrets(body, CONNECTION.secret_keys)}))
        return requests

    # -- writing ---------------------------------------------------------------------
    def apply_all(self) -> None:
        """Carry the plans out: writes in a bounded pool, PENDING waited out by the store, polling the listing."""
        self.connections.write_through_pending(
            [plan for plan in self.plans if plan.error is None and plan.changed],
            lambda plan: plan.action == 'update' and plan.current.get('status') in PENDING_STATUSES,
            self.write_all, lambda: self.connections.index({'vpnservice_id': self.scope}), self.replan, self.failed,
            lambda plan: "connection '%s'" % plan.name,
            lambda waiting, found: 'connections to leave their PENDING status; still pending: %s' % ', '.join(
                sorted(plan.name for plan in waiting if not settled(found.get(plan.current['id'])))),
            self.deadline, self.params['wait_timeout'], option='wait_timeout')
        self.settle()
        self.pool(self.remove_old_group, [plan for plan in self.plans if plan.error is None and plan.old_group is not None])

    def write_all(self, plans: list) -> list:
        """Write ``plans`` in the pool; the (plan, error) of each update the API refused because of a PENDING status."""
        self.pool(self.write, plans)
        return [(plan, plan.refused) for plan in plans if plan.refused is not None and plan.error is None]

    @staticmethod
    def failed(plan: ItemPlan, error: ApiError) -> None:
        """One item failed: recorded, the others go on."""
        plan.error = str(error)

    def pool(self, work, plans: list) -> None:
        """Run ``work(plan)`` for each plan, at most ``parallel`` at a time; an exception fails that item only."""
        def guarded(plan):
            try:
                work(plan)
            except (ApiError, InputError) as exc:
                plan.error = str(exc)
            except Exception as exc:  # pylint: disable=broad-except  # one item's bug must not hide the others' results
                plan.error = 'unexpected %s: %s' % (type(exc).__name__, exc)
        if len(plans) <= 1 or self.params['parallel'] == 1:
            for plan in plans:
                guarded(plan)
            return
        with ThreadPoolExecutor(max_workers=min(self.params['parallel'], len(plans))) as executor:
            list(executor.map(guarded, plans))

    def write(self, plan: ItemPlan) -> None:
        """The create, update or delete of one item (and the creation of its new peer endpoint group)."""
        plan.refused = None
        if plan.action == 'delete':
            self.delete(plan)
            return
        placeholder = NEW_GROUP % managed_group_name(plan.name)
        if plan.new_group is not None and plan.desired.get('peer_ep_group_id') == placeholder:
            group = self.groups_store.answer(self.groups_store.create(self.group_body(plan)), 'POST', ENDPOINT_GROUP.path())
            plan.written = True
            self.groups[group['id']] = group
            for side in (plan.desired, plan.plan.body, plan.plan.predicted, plan.plan.after):
                if side.get('peer_ep_group_id') == placeholder:
                    side['peer_ep_group_id'] = group['id']
            plan.commands = [text.replace(placeholder, group['id']) for text in plan.commands]
        try:
            if plan.action == 'create':
                self.create(plan)
            elif plan.action == 'update':
                self.update(plan)
        except ApiError:
            if plan.action == 'create' and plan.new_group is not None and plan.after is None:
                self.drop_new_group(plan)
            raise

    def create(self, plan: ItemPlan) -> None:
        """POST once; an answer that is lost is looked up by name, never sent again (but once after a new login)."""
        try:
            answer = self.connections.create(plan.plan.body)
        except ApiError as exc:
            found = self.look_up(plan, exc)
            if found is not None:
                plan.after = found
                return
            if not exc.renewed:
                raise
            answer = self.connections.create(plan.plan.body)
        plan.written = True
        try:
            plan.after = self.connections.answer(answer, 'POST', CONNECTION.path())
        except ApiError as exc:
            found = self.look_up(plan, exc)
            if found is None:
                raise
            plan.after = found

    def look_up(self, plan: ItemPlan, error: ApiError) -> Optional[dict]:
        """After a create of unknown outcome: the connection found by name in the scope (it was made), or None."""
        if not outcome_unknown(error):
            return None
        found = self.connections.list({'vpnservice_id': self.scope, 'name': plan.name})
        if found:
            plan.written = True
            self.warnings.append("The create of connection '%s' had no clear answer (%s); it was found by name, so it was "
                                 'not sent again' % (plan.name, error))
            return found[0]
        return None

    def update(self, plan: ItemPlan) -> None:
        """PUT the changed fields; a refusal because of a PENDING status defers the item; a lost answer is read back."""
        path = CONNECTION.path(plan.current['id'])
        try:
            answer = self.connections.update(plan.current['id'], plan.plan.body)
        except ApiError as exc:
            if refused_as_pending(exc) and self.params['wait']:
                plan.refused = exc  # the store waits, then this item is planned again
                return
            if not outcome_unknown(exc):
                raise
            seen = self.connections.show(plan.current['id'])
            visible = [fld for fld in ITEM_FIELDS if fld.name in plan.plan.body and fld.rule != compare.SECRET]
            if not seen or not visible or any(
                    compare.differs(fld.rule, seen.get(fld.name, fld.default), plan.desired.get(fld.name)) for fld in visible):
                raise
            self.warnings.append("The update of connection '%s' had no clear answer (%s); reading it back shows the "
                                 'change was made' % (plan.name, exc))
            plan.written, plan.after = True, seen
            return
        plan.written = True
        plan.after = self.connections.answer(answer, 'PUT', path) if answer else plan.plan.predicted

    def delete(self, plan: ItemPlan) -> None:
        """DELETE the connection (already gone counts as done); a delete of unknown outcome is checked by a GET."""
        try:
            if not self.connections.delete(plan.current['id']):
                plan.after = {}  # gone already: someone else deleted it
                return
        except ApiError as exc:
            if not outcome_unknown(exc) or self.connections.show(plan.current['id']) is not None:
                raise
        plan.written = True
        plan.after = {}

    def drop_new_group(self, plan: ItemPlan) -> None:
        """After a create that failed for sure: delete the peer endpoint group made for it (best effort)."""
        group_id = plan.desired.get('peer_ep_group_id')
        try:
            self.groups_store.delete(group_id)
            self.groups.pop(group_id, None)
        except ApiError as exc:
            self.warnings.append("The peer endpoint group %s made for connection '%s' could not be deleted after the create "
                                 'failed: %s' % (group_id, plan.name, exc))

    def remove_old_group(self, plan: ItemPlan) -> None:
        """Delete a managed peer endpoint group the connection no longer uses; one still in use stays, with a warning."""
        if plan.after is None:  # the connection still uses it (its update or delete did not happen)
            return
        try:
            if self.groups_store.delete(plan.old_group['id']):
                plan.written = True
        except ApiError as exc:
            self.warnings.append("The endpoint group '%s' (%s) that connection '%s' used could not be deleted: %s"
                                 % (plan.old_group.get('name'), plan.old_group['id'], plan.name, exc))

    # -- waiting --------------------------------------------------------------------
    def poll(self, done, describe) -> dict:
        """Poll the scope's listing (one request for all the items) until ``done(listing)``; the last listing."""
        return self.connections.wait_for(lambda: self.connections.index({'vpnservice_id': self.scope}), done, describe,
                                         self.deadline, self.params['wait_timeout'], option='wait_timeout')

    def replan(self, plan: ItemPlan, current: Optional[dict]) -> bool:
        """After the wait: plan the item again from what the listing shows; True when it still has writes to do."""
        if current is None:
            plan.error = 'it was deleted while waiting to update it'
            return False
        plan.current = current
        self.current[current['id']] = current
        try:
            plan.plan = plan_update(CONNECTION, current, plan.desired, self.params['update_psk'])
        except InputError as exc:
            plan.error = str(exc)
            return False
        if plan.plan.changed:
            return True
        plan.action = 'none' if plan.new_group is None and plan.old_group is None else plan.action
        return False

    def settle(self) -> None:
        """With ``wait``: poll the listing until every connection written leaves PENDING_* (deleted ones: are gone)."""
        touched = [plan for plan in self.plans if plan.written and plan.error is None and plan.action in ('create', 'update', 'delete')]
        if not self.params['wait'] or not touched:
            return

        def state_of(plan, found):
            return found.get((plan.after or {}).get('id') or (plan.current or {}).get('id'))

        def done(found):
            for plan in touched:
                conn = state_of(plan, found)
                if plan.action == 'delete' and conn is not None:
                    return False
                if plan.action != 'delete' and not settled(conn):
                    return False
            return True

        def describe(found):
            left = [plan.name for plan in touched
                    if (state_of(plan, found) is not None if plan.action == 'delete' else not settled(state_of(plan, found)))]
            return 'connections to settle; still pending: %s' % ', '.join(sorted(left))
        if done(self.known_after(touched)):
            return
        try:
            listing = self.poll(done, describe)
        except ApiError as exc:
            for plan in touched:
                plan.error = str(exc)
            return
        for plan in touched:
            conn = state_of(plan, listing)
            if plan.action == 'delete':
                continue
            if conn is None:
                plan.error = 'it disappeared after the %s' % plan.action
            elif conn.get('status') == 'ERROR':
                plan.error = 'it is in status ERROR after the %s' % plan.action
                plan.after = conn
            else:
                plan.after = conn

    def known_after(self, touched: list) -> dict:
        """The listing as the write answers show it (to skip polling when every answer is settled already)."""
        known = dict(self.current)
        for plan in touched:
            if plan.action == 'delete':
                known.pop(plan.current['id'], None)
                if plan.old_group is not None:
                    # the connection must be seen gone before its group can go: poll once at least
                    known[plan.current['id']] = plan.current
            elif plan.after:
                known[plan.after['id']] = plan.after
        return known

    # -- the result ---------------------------------------------------------------------
    def finish(self) -> None:
        """Exit with before, after, commands and the diff; fail naming every failed item."""
        for warning in self.warnings:
            self.module.warn(warning)
        before = [shown(conn, self.groups) for conn in self.sorted_current()]
        after_by_id = dict(self.current)
        for plan in self.plans:
            if plan.error is not None and not plan.written:
                continue
            if self.module.check_mode:
                if plan.action == 'delete':
                    after_by_id.pop(plan.current['id'], None)
                elif plan.plan is not None and plan.changed:
                    predicted = dict(plan.plan.predicted, name=plan.name)
                    after_by_id[(plan.current or {}).get('id') or '(new) ' + plan.name] = predicted
            elif plan.action == 'delete' and plan.written:
                after_by_id.pop(plan.current['id'], None)
            elif plan.after:
                after_by_id[plan.after['id']] = plan.after
        groups = dict(self.groups)
        for plan in self.plans:
            if plan.new_group is not None:
                groups.setdefault(plan.desired.get('peer_ep_group_id'), dict(type='cidr', endpoints=plan.new_group))
        after = sorted((shown(conn, groups) for conn in after_by_id.values()), key=lambda entry: entry.get('name') or '')
        failures = [dict(name=plan.name, msg=plan.error) for plan in self.plans if plan.error is not None]
        result = dict(
            changed=self.written() if not self.module.check_mode else any(plan.changed for plan in self.plans if plan.error is None),
            before=before, after=after,
            commands=[text for plan in self.plans if plan.error is None or plan.written for text in plan.commands],
        )
        result.update(self.retried())
        if self.module._diff:
            result['diff'] = self.diff()
        if failures:
            result['failures'] = failures
            self.module.fail_json(msg='%d of %d connections failed: %s' % (
                len(failures), len(self.plans), '; '.join('%s: %s' % (entry['name'], entry['msg']) for entry in failures)),
                **result)
        self.module.exit_json(**result)

    def diff(self) -> list:
        """Per connection that changes, before and after of the changed fields only (the psk as two masks)."""
        diffs = []
        for plan in self.plans:
            if plan.error is not None and not plan.written or not plan.changed:
                continue
            if plan.action == 'delete':
                before, after = shown(plan.current, self.groups), {}
            elif plan.plan is not None:
                before, after = dict(plan.plan.before), dict(plan.plan.after)
                if plan.new_group is not None:
                    old = self.groups.get((plan.current or {}).get('peer_ep_group_id'))
                    if old is not None:
                        before['peer_networks'] = sorted(old.get('endpoints') or [])
                    after['peer_networks'] = plan.new_group
                    before.pop('peer_ep_group_id', None)
                    after.pop('peer_ep_group_id', None)
            else:
                continue
            for side, marker in ((before, compare.SECRET_BEFORE), (after, compare.SECRET_AFTER)):
                for key in CONNECTION.secret_keys:
                    if key in side:
                        side[key] = marker if side[key] == marker else compare.MASK
            diffs.append(dict(before_header=plan.name, after_header=plan.name, before=before, after=after))
        return diffs
