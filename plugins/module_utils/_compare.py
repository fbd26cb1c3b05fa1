# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalising and comparing option values, and redacting secrets.

Private to the collection: the names and signatures here may change at any time.

Every updatable field of a resource names one comparison rule (``Rule``).  A rule
decides, for one field, whether the value the user asked for differs from the
value the API holds, and what to send if it does.  Keeping the rules here, in one
table-driven place, is what lets a resource module stay a table of fields.
"""

from __future__ import annotations

import ipaddress
import socket

from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import MASK  # noqa: F401  (re-exported)

#: Values that some clouds return in place of a secret (Huawei/OTC mask or blank the psk).
_MASKED_SECRETS = frozenset(['', '*', '******', '********', '***'])

# The comparison rules.  A field's ``rule`` is one of these.
VALUE = 'value'
"""Plain equality after normalisation (strings, integers, booleans)."""
CIDR_SET = 'cidr_set'
"""A list compared as a set of normalised networks (peer_cidrs)."""
SET = 'set'
"""A list compared as a set (endpoints): order and repeats do not count; networks are normalised."""
SUBSET = 'subset'
"""A dict compared only on the sub-keys given (dpd); the API merges sub-keys on update."""
SECRET = 'secret'
"""A write-only value (psk): compared only when the API returns it readably."""
ADDRESS = 'address'
"""An IP address or host name (peer_address); Neutron stores a resolved host name as its IP."""


def normalize_network(value: str) -> str:
    """Return the canonical text of a network (``10.1.0.0/16``, compressed IPv6).

    Raises ``ValueError`` with a message fit for the user when ``value`` is not a
    network address, including when host bits are set (Neutron rejects those too).
    """
    text = str(value).strip()
    if '/' not in text:
        raise ValueError("'%s' is not a network in CIDR notation (address/prefix)" % value)
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError:
        try:
            suggestion = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError("'%s' is not a valid network" % value) from None
        raise ValueError("'%s' has host bits set; did you mean '%s'?" % (value, suggestion)) from None


def canonical_network(value: object) -> str:
    """The canonical text of a network a server sent (host bits allowed); ``ValueError`` when it is none."""
    if not isinstance(value, str) or '/' not in value:
        raise ValueError('%r is not a network in CIDR notation' % (value,))
    return str(ipaddress.ip_network(value.strip(), strict=False))


def set_item(value: object) -> str:
    """One item of a SET field, normalised: a network in CIDR notation in its canonical text, anything else as text."""
    text = str(value).strip()
    if '/' in text:
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            pass
    return text


def is_masked(value: object) -> bool:
    """Tell whether an API value is a placeholder for a secret rather than the secret."""
    if value is None:
        return True
    text = str(value)
    return text in _MASKED_SECRETS or set(text) == {'*'}


def is_ip_literal(value: str) -> bool:
    """Tell whether ``value`` is an IPv4 or IPv6 address literal."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def resolve_host(name: str) -> set[str]:
    """Addresses a host name resolves to, or an empty set when it does not resolve."""
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return set()
    return {str(ipaddress.ip_address(info[4][0])) for info in infos}


def addresses_equal(current: object, desired: object) -> bool:
    """Compare peer addresses: equal text, equal IPs, or a host name that resolves to the stored IP.

    Neutron resolves a host name given as ``peer_address`` and stores the IP, so a
    playbook that names the peer by host name would otherwise report a change on every run.
    """
    if current == desired:
        return True
    if current is None or desired is None:
        return False
    if is_ip_literal(str(current)) and is_ip_literal(str(desired)):
        return ipaddress.ip_address(str(current)) == ipaddress.ip_address(str(desired))
    if is_ip_literal(str(current)) and not is_ip_literal(str(desired)):
        return str(ipaddress.ip_address(str(current))) in resolve_host(str(desired))
    return False


def differs(rule: str, current: object, desired: object) -> bool:
    """Tell whether ``desired`` differs from ``current`` under ``rule``.

    ``current`` is the API's value with the server default already substituted for
    a missing one.  The SECRET rule is decided by the caller (see ``secret_action``),
    because it depends on the user's ``update_psk`` choice as well as on the values.
    """
    if rule == CIDR_SET:
        have = {normalize_network(item) for item in (current or [])}
        want = {normalize_network(item) for item in (desired or [])}
        return have != want
    if rule == SET:
        return {set_item(item) for item in (current or [])} != {set_item(item) for item in (desired or [])}
    if rule == SUBSET:
        current = current or {}
        return any(current.get(key) != value for key, value in desired.items() if value is not None)
    if rule == ADDRESS:
        return not addresses_equal(current, desired)
    return current != desired


def changed_part(rule: str, current: object, desired: object) -> object:
    """The part of ``desired`` that must be sent so the API holds it (call only when it differs)."""
    if rule == SUBSET:
        current = current or {}
        return dict((key, value) for key, value in desired.items() if value is not None and current.get(key) != value)
    if rule == CIDR_SET:
        return sorted({normalize_network(item) for item in desired})
    if rule == SET:
        return list(dict.fromkeys(desired))
    return desired


def merged(rule: str, current: object, sent: object) -> object:
    """What the API will hold after ``sent`` is applied over ``current`` (for predictions)."""
    if rule == SUBSET:
        result = dict(current or {})
        result.update(sent)
        return result
    return sent


#: The choices of ``update_psk`` (a module option): when a write-only secret is sent to an existing resource.
SECRET_UPDATE_MODES = ('on_change', 'always', 'on_create')

#: How a diff shows a secret that is sent (or would be, in check mode): masked on both sides, yet visibly
#: different, so that a rotation shows in ``--diff`` without the value.
SECRET_BEFORE = MASK + ' (current)'
SECRET_AFTER = MASK + ' (new)'


def secret_readable(current: object) -> bool:
    """Whether the API showed a secret readably (Neutron), rather than masking or omitting it (Huawei/OTC)."""
    return not is_masked(current)


def secret_action(current: object, desired: object, update_mode: str) -> str:
    """Decide what to do with a write-only secret on update.

    Returns ``'keep'`` (send nothing) or ``'send'``.  With ``update_mode``

    * ``on_change`` (the modules' default): compared when the API returns it readably, and sent
      only when it differs; never sent when the API masks or omits it (it cannot be compared);
    * ``always``: compared when readable, and sent when masked or omitted (the explicit rotation run);
    * ``on_create``: never sent on update.
    """
    if desired is None or update_mode == 'on_create':
        return 'keep'
    if not secret_readable(current):
        return 'send' if update_mode == 'always' else 'keep'
    return 'send' if current != desired else 'keep'


def mask_secrets(data: object, secret_keys: frozenset) -> object:
    """Return a copy of ``data`` with the values of ``secret_keys`` replaced by the mask (recursively).

    A key whose value is missing stays missing: absence is information too.
    """
    if isinstance(data, dict):
        return dict((key, MASK if key in secret_keys and value is not None else mask_secrets(value, secret_keys))
                    for key, value in data.items())
    if isinstance(data, list):
        return [mask_secrets(item, secret_keys) for item in data]
    return data
