# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The comparison rules and secret redaction."""

from __future__ import annotations

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils import _compare as compare
from ansible_collections.vpnaas.cloud.plugins.module_utils import _secrets


@pytest.mark.parametrize('text, canonical', [
    ('10.1.0.0/16', '10.1.0.0/16'),
    (' 10.1.0.0/16 ', '10.1.0.0/16'),
    ('2001:0DB8:0000::/32', '2001:db8::/32'),
    ('0.0.0.0/0', '0.0.0.0/0'),
])
def test_normalize_network(text, canonical):
    assert compare.normalize_network(text) == canonical


@pytest.mark.parametrize('text, words', [
    ('10.1.0.1/16', "did you mean '10.1.0.0/16'"),
    ('10.1.0.0', 'CIDR notation'),
    ('banana/8', 'not a valid network'),
    ('10.0.0.0/40', 'not a valid network'),
])
def test_normalize_network_rejects(text, words):
    with pytest.raises(ValueError, match=words):
        compare.normalize_network(text)


@pytest.mark.parametrize('rule, current, desired, expected', [
    (compare.VALUE, 1500, 1500, False),
    (compare.VALUE, 1500, 1400, True),
    (compare.VALUE, True, False, True),
    (compare.CIDR_SET, ['10.0.0.0/8', '192.168.0.0/24'], ['192.168.0.0/24', '10.0.0.0/8'], False),
    (compare.CIDR_SET, [], ['10.0.0.0/8'], True),
    (compare.CIDR_SET, None, [], False),
    (compare.SUBSET, {'action': 'hold', 'interval': 30, 'timeout': 120}, {'timeout': 120, 'action': None}, False),
    (compare.SUBSET, {'action': 'hold', 'interval': 30, 'timeout': 120}, {'timeout': 121}, True),
    (compare.SUBSET, None, {'action': 'hold'}, True),
    (compare.ADDRESS, '192.0.2.1', '192.0.2.1', False),
    (compare.ADDRESS, '2001:db8::1', '2001:DB8:0::1', False),
    (compare.ADDRESS, '192.0.2.1', '192.0.2.2', True),
    (compare.ADDRESS, '127.0.0.1', 'localhost', False),
    (compare.SET, ['subnet-b', 'subnet-a'], ['subnet-a', 'subnet-b', 'subnet-a'], False),
    (compare.SET, ['subnet-a'], ['subnet-a', 'subnet-b'], True),
    (compare.SET, ['2001:db8::/32'], ['2001:DB8:0::/32'], False),
    (compare.SET, ['Subnet-A'], ['subnet-a'], True),
    (compare.SET, None, [], False),
])
def test_differs(rule, current, desired, expected):
    assert compare.differs(rule, current, desired) is expected


def test_changed_part_of_subset_holds_only_changed_keys():
    current = {'action': 'hold', 'interval': 30, 'timeout': 120}
    assert compare.changed_part(compare.SUBSET, current, {'action': 'hold', 'timeout': 150, 'interval': None}) == {'timeout': 150}


def test_changed_part_of_cidr_set_is_sorted_canonical():
    assert compare.changed_part(compare.CIDR_SET, [], ['2001:DB8::/32', '10.0.0.0/8', '10.0.0.0/8']) == ['10.0.0.0/8', '2001:db8::/32']


@pytest.mark.parametrize('current, desired, mode, action', [
    ('abc123', 'abc123', 'always', 'keep'),
    ('abc123', 'xyz789', 'always', 'send'),
    ('******', 'xyz789', 'always', 'send'),
    (None, 'xyz789', 'always', 'send'),
    ('', 'xyz789', 'always', 'send'),
    ('abc123', 'xyz789', 'on_create', 'keep'),
    ('abc123', None, 'always', 'keep'),
    ('abc123', 'abc123', 'on_change', 'keep'),
    ('abc123', 'xyz789', 'on_change', 'send'),
    ('******', 'xyz789', 'on_change', 'keep'),
    (None, 'xyz789', 'on_change', 'keep'),
    ('', 'xyz789', 'on_change', 'keep'),
    ('******', 'xyz789', 'on_create', 'keep'),
])
def test_secret_action(current, desired, mode, action):
    assert compare.secret_action(current, desired, mode) == action


def test_redact_text_catches_plain_and_json_escaped_forms():
    secret = 'p"s\\k-é'
    text = 'plain %s, escaped %s, ascii-escaped %s' % (secret, 'p\\"s\\\\k-é', 'p\\"s\\\\k-\\u00e9')
    redacted = _secrets.redact_text(text, [secret])
    assert redacted == 'plain ********, escaped ********, ascii-escaped ********'


def test_mask_secrets_is_recursive_and_keeps_absence():
    data = {'psk': 'x', 'nested': [{'psk': 'y', 'name': 'n'}], 'other': None}
    expected = {'psk': '********', 'nested': [{'psk': '********', 'name': 'n'}], 'other': None}
    assert compare.mask_secrets(data, frozenset(['psk'])) == expected
    assert compare.mask_secrets({'name': 'n'}, frozenset(['psk'])) == {'name': 'n'}


def test_changed_part_of_set_drops_repeats_and_keeps_order():
    assert compare.changed_part(compare.SET, None, ['s2', 's1', 's2']) == ['s2', 's1']
