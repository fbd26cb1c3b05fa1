# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner: one pure function from (current, desired) to a plan."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils._planner import plan_update
from ansible_collections.vpnaas.cloud.plugins.module_utils._schema import InputError, validate_input
from ansible_collections.vpnaas.cloud.plugins.module_utils._tables import IPSEC_SITE_CONNECTION as CONNECTION
from ansible_collections.vpnaas.cloud.tests.unit.api import CONN


def desired(**options) -> dict:
    """Module params: every field unmanaged unless given."""
    params = dict((f.name, None) for f in CONNECTION.fields)
    params.update(options)
    return params


def test_nothing_given_plans_nothing():
    plan = plan_update(CONNECTION, CONN, desired())
    assert (plan.action, plan.body, plan.before, plan.after) == ('none', {}, {}, {})
    assert plan.predicted == CONN


def test_plan_holds_only_differences_and_predicts_the_result():
    dpd = {'action': 'clear', 'interval': 30, 'timeout': None}
    plan = plan_update(CONNECTION, CONN, desired(mtu=1400, name='vpnconnection1', dpd=dpd))
    assert plan.action == 'update'
    assert plan.body == {'mtu': 1400, 'dpd': {'action': 'clear'}}
    assert plan.before == {'mtu': 1500, 'dpd': {'action': 'hold', 'interval': 30, 'timeout': 120}}
    assert plan.after == {'mtu': 1400, 'dpd': {'action': 'clear', 'interval': 30, 'timeout': 120}}
    expected = copy.deepcopy(CONN)
    expected.update(mtu=1400, dpd={'action': 'clear', 'interval': 30, 'timeout': 120})
    assert plan.predicted == expected


def test_plan_does_not_modify_its_inputs():
    current = copy.deepcopy(CONN)
    plan_update(CONNECTION, current, desired(dpd={'interval': 10}))
    assert current == CONN


def test_secret_in_diff_is_masked():
    plan = plan_update(CONNECTION, dict(CONN, psk='******'), desired(psk='new-secret'), 'always')
    assert plan.body == {'psk': 'new-secret'}
    assert 'new-secret' not in repr(plan.before) + repr(plan.after)
    assert (plan.before, plan.after, plan.compared) == ({'psk': '******** (current)'}, {'psk': '******** (new)'}, {'psk': False})


@pytest.mark.parametrize('shown, mode, body, compared', [
    ('******', 'on_change', {}, False),       # masked: cannot compare, not sent by default
    (None, 'on_change', {}, False),           # omitted
    ('old-secret', 'on_change', {'psk': 'new-secret'}, True),
    ('new-secret', 'on_change', {}, True),
    ('new-secret', 'always', {}, True),
    ('******', 'always', {'psk': 'new-secret'}, False),
    ('old-secret', 'on_create', {}, False),   # on_create does not look at the key
])
def test_plan_of_the_psk_per_update_mode(shown, mode, body, compared):
    plan = plan_update(CONNECTION, dict(CONN, psk=shown), desired(psk='new-secret'), mode)
    assert plan.body == body and plan.compared == {'psk': compared}
    assert plan.changed is bool(body)


def test_default_update_mode_is_on_change():
    assert plan_update(CONNECTION, dict(CONN, psk='******'), desired(psk='new-secret')).body == {}


def test_cross_check_uses_current_interval():
    current = dict(CONN, dpd={'action': 'hold', 'interval': 100, 'timeout': 120})
    with pytest.raises(InputError, match=r'timeout \(90\) must be greater than interval \(100\)'):
        plan_update(CONNECTION, current, desired(dpd={'timeout': 90}))


def test_validate_input_names_the_option():
    with pytest.raises(InputError, match='^mtu: must be at least 68'):
        validate_input(CONNECTION, desired(mtu=10))
    validate_input(CONNECTION, desired(mtu=68, name='x' * 64, description='d' * 255))
