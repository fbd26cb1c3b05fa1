# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redacting secrets from every text that leaves a module.

Private to the collection: the names and signatures here may change at any time.
Standard library only, and nothing else from the collection: every other module may
import this one.

A module run collects its secrets (a pre-shared key, a password, a Keystone token, an
AK/SK secret key) in one ``Secrets``; every message, warning, result and diff goes
through ``Secrets.redact`` or ``Secrets.redact_data`` before it leaves the module.
The texts come from HTTP servers that may echo a secret back in any spelling, so each
secret ``s`` of four characters or more is looked for in all of these forms:

1. raw: ``s`` itself;
2. JSON string escaping: ``json.dumps(s)[1:-1]`` with ``ensure_ascii`` true and false,
   ``/`` written ``\\/`` or not, Go's HTML-safe escaping (``< > & '`` and U+2028/U+2029
   written ``\\u003c`` ...), control characters as ``\\n`` or as ``\\u000a``, hex digits
   in lower or upper case; also JSON escaped twice (a JSON document held in a JSON
   string) and the JSON form with its backslashes doubled (a JSON form shown by repr);
3. every character ``\\uXXXX``-escaped (UTF-16 code units, lower and upper case hex);
   Python's ``repr(s)``, ``ascii(s)`` and ``unicode_escape`` spellings (``\\r``,
   ``\\x07``, ``\\xe9``, ``\\u0441``), the ``repr`` of its UTF-8 bytes (``\\xc3\\xa9``),
   and every byte written ``\\xHH`` (lower and upper case);
4. URL encoding of its UTF-8 bytes, with the safe sets of ``quote(s, safe='')``,
   ``quote(s)``, ``quote_plus(s)``, ``quote_plus(s, safe='/')``, JavaScript's
   ``encodeURIComponent`` and ``encodeURI``, Go's ``PathEscape``, Java's ``URLEncoder``,
   PHP's ``urlencode``, Python before 3.7 (``~`` encoded) and every byte encoded; each
   with upper or lower case hex digits; the ``safe=''``, ``quote_plus`` and
   every-byte spellings also double-encoded (``%`` written ``%25``); the JSON form
   percent-encoded as well;
5. HTML escaping: ``& < >`` as named entities, ``"`` as ``&quot;``, ``&#34;`` or raw,
   ``'`` as ``&#x27;``, ``&#39;``, ``&apos;`` or raw (which covers ``html.escape(s)``,
   ``html.escape(s, quote=False)`` and MarkupSafe), also applied to the JSON form; and
   every character as a decimal (``&#115;``) or hex (``&#x73;``, any case of ``x`` and
   of the digits) numeric character reference;
6. base64 of its UTF-8 bytes (and of its JSON forms, for a secret held in a JSON
   document), standard and URL-safe alphabets, with or without ``=`` padding; and, for
   a secret embedded at any byte offset in a longer base64 text (``user:secret`` in
   HTTP Basic auth), the stable core of the encoding of ``b'\\0' * k + secret`` for
   k = 0, 1, 2: the characters that neither the k leading bytes nor the final partial
   group affect, and the same with the final group when the secret ends the encoded
   text (with or without padding); only cores of at least 8 characters are used;
7. hex of its UTF-8 bytes, lower and upper case;
8. with whitespace inserted, collapsed or removed: each form is also looked for with
   its whitespace removed in a copy of the text with all whitespace removed; a match
   masks the whole original span, the inserted whitespace (a line wrapped and
   indented inside the secret, a hex dump with spaces) included.  Forms that hold
   whitespace themselves are also looked for as they are, so that a leading or
   trailing ``\\r`` is masked with the rest;
9. cut short: a head or a tail of at least ``min(len(f), max(10, ceil(3 * len(f) / 4)))``
   characters of the raw form or of a JSON form ``f`` (whitespace removed), extended as
   far as the text agrees with the secret; the first 15 characters of a 17-character key
   at the end of a truncated message are masked, and so are its last 13 at the start of
   one.  Interior fragments are not, nor shorter heads and tails: they would mask
   ordinary words (``password`` or ``-password`` of ``demo-password``).

Not done, on purpose: case folding of the secret (an upper-cased key is a different
key, and masking every word that happens to match wastes the message).  A secret
shorter than four characters is only looked for raw and in its JSON forms, as it is
(not in the whitespace-free copy, not by fragments): more would mask ordinary text.

Spans that overlap or touch are merged and replaced by a single ``MASK``.  All the
text processing is ``str.find`` and slicing: linear in the text, with a runs-of-a-
period shortcut so that a periodic secret in a periodic text does not make it slow.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import operator
import re

MASK = '********'
"""What every secret is replaced with in results, diffs and messages."""

# Secrets shorter than this are only looked for raw and JSON-escaped, as they are.
_MIN_FULL = 4
# The shortest head or tail of a secret worth masking, and the shortest base64 core.
_MIN_FRAGMENT = 10
_MIN_CORE = 8
# More fragment starting points than this in one form are replaced by evenly spaced ones.
_MAX_WINDOWS = 16

_WHITESPACE = re.compile(r'\s+')

_JSON_SHORT = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}

_ALNUM = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
_UNRESERVED = _ALNUM + b'-._~'
# (bytes left as they are, whether a space is written '+'), one per URL encoder.
_URL_STYLES = (
    (_UNRESERVED, False),                       # quote(s, safe=''), rawurlencode, encodeURIComponent's core
    (_UNRESERVED + b'/', False),                # quote(s)
    (_UNRESERVED, True),                        # quote_plus(s), Go url.QueryEscape
    (_UNRESERVED + b'/', True),                 # quote_plus(s, safe='/')
    (_UNRESERVED + b"!*'()", False),            # JavaScript encodeURIComponent
    (_UNRESERVED + b"!*'();,/?:@&=+$#", False),  # JavaScript encodeURI
    (_UNRESERVED + b'$&+:=@', False),           # Go url.PathEscape
    (_ALNUM + b'-._*', True),                   # Java URLEncoder
    (_ALNUM + b'-._', True),                    # PHP urlencode
    (_ALNUM + b'-._', False),                   # Python < 3.7 quote (~ encoded)
    (b'', False),                               # every byte
)
# The styles that are also double-encoded (indices into _URL_STYLES).
_URL_DOUBLE = (0, 2, len(_URL_STYLES) - 1)

# (how '"' is written, how "'" is written) in the HTML escapes looked for.
_HTML_QUOTES = tuple((dq, sq) for dq in ('&quot;', '&#34;', '"') for sq in ('&#x27;', '&#39;', '&apos;', "'"))
_HTML_NUMERIC = ('&#%d;', '&#x%x;', '&#x%X;', '&#X%x;', '&#X%X;')


class Secrets:
    """The secrets of one module run; every text that leaves the module goes through redact()."""

    def __init__(self, values: object = ()) -> None:
        self._values: dict[str, None] = {}  # the distinct secrets, in order
        self._exact: dict[str, None] = {}  # needles looked for in the text as it is
        self._squeezed: dict[str, None] = {}  # needles looked for in the whitespace-free copy
        # Fragment needles looked for in the whitespace-free copy: needle -> [(before, after)], the
        # texts around it in the forms it comes from when a match is to be extended (else empty).
        self._windows: dict[str, list] = {}
        self._periods: dict[str, int] = {}
        if values is None:
            return
        if isinstance(values, (str, bytes, bytearray, int, float)):
            values = (values,)
        for value in values:
            self.add(value)

    def __len__(self) -> int:
        return len(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:
        return '<Secrets: %d>' % len(self._values)

    def add(self, value: object) -> None:
        """Add one secret; ``None``, empty values, booleans and containers are ignored.

        Numbers are added as their ``str()``, bytes as their UTF-8 text (ignored when
        they are not UTF-8).
        """
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, (bytes, bytearray)):
            try:
                value = bytes(value).decode('utf-8')
            except UnicodeDecodeError:
                return
        elif isinstance(value, (int, float)):
            value = str(value)
        elif not isinstance(value, str):
            return
        secret = str(value)
        if not secret or secret in self._values:
            return
        self._values[secret] = None
        if len(secret) < _MIN_FULL:
            for form in _json_forms(secret):
                self._exact[form] = None
            return
        for form in _all_forms(secret):
            needle = _squeeze(form)
            if len(needle) != len(form) or len(needle) < _MIN_FULL:
                self._exact[form] = None
            if len(needle) >= _MIN_FULL:
                self._squeezed[needle] = None
        for form in _fragment_forms(secret):
            self._add_windows(_squeeze(form))

    def _add_windows(self, form: str) -> None:
        """Add the fragment needles of one (whitespace-free) form: its head and its tail.

        A secret is cut short at one end (a server's message limit, a line cut off), so
        only a prefix or a suffix of at least ``_fragment_length`` characters counts; a
        match is extended as far as the text goes on agreeing with the secret.  Interior
        windows are not used: a password such as ``demo-password`` would otherwise mask
        every ordinary word ``password`` in a message.
        """
        length = len(form)
        shortest = _fragment_length(length)
        if shortest >= length:
            return
        head, tail = form[:shortest], form[length - shortest:]
        self._windows.setdefault(head, []).append(('', form[shortest:]))
        self._windows.setdefault(tail, []).append((form[:length - shortest], ''))

    def _period(self, needle: str) -> int:
        period = self._periods.get(needle)
        if period is None:
            period = self._periods[needle] = _smallest_period(needle)
        return period

    def redact(self, text: str) -> str:
        """Return ``text`` with every form of every secret replaced by ``MASK``.

        A text with nothing to mask is returned as it is (the same object).
        """
        if not self._values or not text:
            return text
        if not isinstance(text, str):
            text = str(text)
        spans = []
        for needle in self._exact:
            spans.extend(_occurrences(text, needle, self._period))
        squeezed = ''.join(text.split())
        found = []
        for needle in self._squeezed:
            found.extend(_occurrences(squeezed, needle, self._period))
        for needle, contexts in self._windows.items():
            for start, end in _occurrences(squeezed, needle, self._period):
                if contexts:
                    start, end = _extend(squeezed, start, end, contexts)
                found.append((start, end))
        if found:
            if len(squeezed) == len(text):
                spans.extend(found)
            else:
                spans.extend(_unsqueeze(text, squeezed, found))
        if not spans:
            return text
        return _replace(text, spans)

    def redact_data(self, data: object) -> object:
        """Return a copy of a JSON-like structure with every string (dict keys too) redacted.

        Dicts, lists, tuples, sets and frozensets are copied (dicts as plain dicts);
        other values are kept as they are.  Works without recursion, so any depth of
        nesting is fine; a structure that holds itself is copied with the same cycle.
        Two keys that redact to the same text keep the value of the later one.

        A large result (5,000 listed connections) is first checked as one text, all its
        strings joined by NUL (which no form holds): when nothing in it is masked, the data
        is returned as it is, at the cost of one ``redact`` rather than one per string.
        """
        if not self._values:
            return data
        strings = _strings_of(data)
        if strings is not None and self.redact('\x00'.join(strings)) == '\x00'.join(strings):
            return data
        root = [data]
        copies: dict[int, object] = {}  # id of an original dict or list -> its copy
        pending = [(root, 0, data)]  # (container of the copy, index or key, original value)
        frozen = []  # (container, key, list to turn into a tuple/set/frozenset, type), in creation order
        while pending:
            holder, key, value = pending.pop()
            if isinstance(value, str):
                holder[key] = self.redact(value)
            elif isinstance(value, dict):
                copy = copies.get(id(value))
                if copy is None:
                    copy = copies[id(value)] = {}
                    for item_key, item in value.items():
                        new_key = self.redact(item_key) if isinstance(item_key, str) else item_key
                        copy[new_key] = None
                        pending.append((copy, new_key, item))
                holder[key] = copy
            elif isinstance(value, list):
                copy = copies.get(id(value))
                if copy is None:
                    copy = copies[id(value)] = [None] * len(value)
                    pending.extend((copy, index, item) for index, item in enumerate(value))
                holder[key] = copy
            elif isinstance(value, (tuple, set, frozenset)):
                items = list(value)
                copy = [None] * len(items)
                pending.extend((copy, index, item) for index, item in enumerate(items))
                holder[key] = copy
                kind = tuple if isinstance(value, tuple) else frozenset if isinstance(value, frozenset) else set
                frozen.append((holder, key, copy, kind))
            else:
                holder[key] = value
        # Innermost first: a tuple's items are final before the tuple is made.
        for holder, key, items, kind in reversed(frozen):
            holder[key] = kind(items)
        return root[0]


def _strings_of(data: object, limit: int = 5000000):
    """Every string (dict keys too) in a JSON-like structure, without recursion; None past ``limit`` values
    (a structure that holds itself never ends: the slow path copes with cycles)."""
    strings, pending, visited = [], [data], 0
    while pending:
        value = pending.pop()
        visited += 1
        if visited > limit:
            return None
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            strings.extend(key for key in value if isinstance(key, str))
            pending.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
    return strings


def redact_text(text: str, secrets: object) -> str:
    """Return ``text`` with every form of each of ``secrets`` masked: ``Secrets(secrets).redact(text)``."""
    if isinstance(secrets, Secrets):
        return secrets.redact(text)
    return Secrets(secrets).redact(text)


def shorten(text: str, limit: int) -> str:
    """Return ``text`` on one line, whitespace runs collapsed to one space, cut to at most ``limit`` characters.

    A cut text ends in ``'...'``.  The cut never falls inside an occurrence of
    ``MASK``: the mask is then dropped whole, so that no fragment of it is taken for
    a value.
    """
    line = ' '.join(str(text).split())
    if limit <= 0:
        return ''
    if len(line) <= limit:
        return line
    if limit <= 3:
        return '.' * limit
    cut = limit - 3
    while cut > 0:
        start = line.find(MASK, max(0, cut - len(MASK) + 1))
        if start < 0 or start >= cut:
            break
        cut = start
    return line[:cut].rstrip() + '...'


def header_safe_problem(value: str) -> str | None:
    """Return None when ``value`` can be sent as an HTTP header value as it is, else what is wrong with it.

    Fit means non-empty printable ASCII without whitespace (0x21..0x7e).  The text
    returned never quotes the value (it is a token or key); it names the first unfit
    character by its kind and its position (counted from 1) in the value, with a hint
    where the cause is common, e.g. "contains a carriage return (\\r) at position 34 of
    34; was it read from a file with Windows line endings?".
    """
    if not isinstance(value, str):
        return 'is not a text but %s' % type(value).__name__
    if not value:
        return 'is empty'
    length = len(value)
    for index, char in enumerate(value):
        code = ord(char)
        if 0x21 <= code <= 0x7e:
            continue
        where = 'at position %d of %d' % (index + 1, length)
        last = index == length - 1
        if char == '\r':
            return 'contains a carriage return (\\r) %s; was it read from a file with Windows line endings?' % where
        if char == '\n':
            hint = '; was it read from a file with its trailing newline?' if last else ''
            return 'contains a line feed (\\n) %s%s' % (where, hint)
        if char == '\ufeff':
            return 'contains a byte order mark (U+FEFF) %s; was it read from a file saved as UTF-8 with BOM?' % where
        if char.isspace():
            kind = {' ': 'a space', '\t': 'a tab, \\t'}.get(char, 'U+%04X' % code)
            hint = ''
            if index == 0 or last:
                hint = '; was it copied with %s whitespace?' % ('leading' if index == 0 else 'trailing')
            return 'contains whitespace (%s) %s%s' % (kind, where, hint)
        if code < 0x20 or code == 0x7f or 0x80 <= code < 0xa0:
            return 'contains a control character (U+%04X) %s' % (code, where)
        return 'contains a non-ASCII character %s' % where
    return None


# ---------------------------------------------------------------------------
# The forms of one secret


def _squeeze(text: str) -> str:
    """``text`` with all its whitespace removed (whitespace as ``str.split`` sees it)."""
    return ''.join(text.split())


def _utf8(text: str) -> bytes:
    return text.encode('utf-8', 'surrogatepass')


def _json_escape(text: str, ascii_only: bool, slash: bool, html_safe: bool, upper: bool, short: bool) -> str:
    """One JSON string escaping of ``text``, without the quotes."""
    hex_format = '\\u%04X' if upper else '\\u%04x'
    out = []
    for char in text:
        code = ord(char)
        if char == '"' or char == '\\':
            out.append('\\' + char)
        elif code < 0x20:
            out.append(_JSON_SHORT[char] if short and char in _JSON_SHORT else hex_format % code)
        elif char == '/' and slash:
            out.append('\\/')
        elif html_safe and (char in '<>&\'' or code in (0x2028, 0x2029)):
            out.append(hex_format % code)
        elif ascii_only and code > 0x7e:
            if code > 0xffff:
                code -= 0x10000
                out.append(hex_format % (0xd800 | (code >> 10)) + hex_format % (0xdc00 | (code & 0x3ff)))
            else:
                out.append(hex_format % code)
        else:
            out.append(char)
    return ''.join(out)


def _json_forms(secret: str) -> list:
    """The raw secret and its JSON string escapings, distinct, in a stable order."""
    forms = {secret: None, json.dumps(secret)[1:-1]: None, json.dumps(secret, ensure_ascii=False)[1:-1]: None}
    for ascii_only in (True, False):
        for slash in (False, True):
            for html_safe in (False, True):
                for upper in (False, True):
                    for short in (True, False):
                        forms[_json_escape(secret, ascii_only, slash, html_safe, upper, short)] = None
    return list(forms)


def _percent(data: bytes, safe: bytes, plus: bool, upper: bool) -> str:
    """``data`` percent-encoded, ``safe`` bytes left as they are, a space as '+' when ``plus``."""
    hex_format = '%%%02X' if upper else '%%%02x'
    out = []
    for byte in data:
        if byte == 0x20 and plus:
            out.append('+')
        elif byte in safe:
            out.append(chr(byte))
        else:
            out.append(hex_format % byte)
    return ''.join(out)


def _html_escape(text: str, double_quote: str, single_quote: str) -> str:
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', double_quote).replace("'", single_quote))


def _base64_forms(data: bytes) -> list:
    """Whole base64 encodings of ``data`` and the stable cores of it embedded at any offset."""
    forms = []
    standard = base64.b64encode(data).decode('ascii')
    forms.extend([standard, standard.rstrip('=')])
    length = len(data)
    for lead, drop in ((0, 0), (1, 2), (2, 3)):
        encoded = base64.b64encode(b'\0' * lead + data).decode('ascii')
        # The core ends before the last partial group, which depends on the bytes after the
        # secret; when there are none (``user:secret``), the encoding's own end is stable too.
        for core in (encoded[drop:4 * ((lead + length) // 3)], encoded[drop:], encoded[drop:].rstrip('=')):
            if len(core) >= _MIN_CORE:
                forms.append(core)
    return forms + [form.replace('+', '-').replace('/', '_') for form in forms]


def _all_forms(secret: str) -> list:
    """Every form of a secret of at least _MIN_FULL characters, distinct."""
    forms = dict.fromkeys(_json_forms(secret))
    plain_json = json.dumps(secret)[1:-1]
    unicode_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    data = _utf8(secret)
    # JSON escaped twice, and the JSON form with its backslashes doubled.
    for form in (plain_json, unicode_json):
        forms[json.dumps(form)[1:-1]] = None
        forms[json.dumps(form, ensure_ascii=False)[1:-1]] = None
        forms[form.replace('\\', '\\\\')] = None
    # Every character \uXXXX-escaped; Python's spellings.
    units = secret.encode('utf-16-be', 'surrogatepass')
    codes = [int.from_bytes(units[index:index + 2], 'big') for index in range(0, len(units), 2)]
    for hex_format in ('\\u%04x', '\\u%04X'):
        forms[''.join(hex_format % code for code in codes)] = None
    forms[repr(secret)[1:-1]] = None
    forms[ascii(secret)[1:-1]] = None
    forms[secret.encode('unicode_escape').decode('ascii')] = None
    forms[repr(data)[2:-1]] = None
    for hex_format in ('\\x%02x', '\\x%02X'):
        forms[''.join(hex_format % byte for byte in data)] = None
    # URL encodings.
    for index, (safe, plus) in enumerate(_URL_STYLES):
        for upper in (True, False):
            once = _percent(data, safe, plus, upper)
            forms[once] = None
            if index in _URL_DOUBLE:
                forms[_percent(once.encode('ascii'), _UNRESERVED, False, upper)] = None
    for upper in (True, False):
        forms[_percent(_utf8(plain_json), _UNRESERVED, False, upper)] = None
    # HTML escapes.
    for form in (secret, plain_json):
        for double_quote, single_quote in _HTML_QUOTES:
            forms[_html_escape(form, double_quote, single_quote)] = None
    for entity in _HTML_NUMERIC:
        forms[''.join(entity % ord(char) for char in secret)] = None
    # base64, of the secret and of its JSON forms.
    for form in dict.fromkeys((secret, plain_json, unicode_json)):
        for encoded in _base64_forms(_utf8(form)):
            forms[encoded] = None
    # hex.
    forms[data.hex()] = None
    forms[data.hex().upper()] = None
    return [form for form in forms if form]


def _fragment_length(length: int) -> int:
    """The shortest head or tail of a secret of ``length`` characters that is masked on its own."""
    return min(length, max(_MIN_FRAGMENT, -(-3 * length // 4)))


def _fragment_forms(secret: str) -> list:
    """The forms whose fragments are masked too: raw and JSON-escaped."""
    return list(dict.fromkeys((secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1])))


# ---------------------------------------------------------------------------
# Finding and replacing


def _smallest_period(text: str) -> int:
    """The smallest p > 0 with text[i] == text[i + p] for every i (len(text) when there is none shorter)."""
    length = len(text)
    border = [0] * length
    matched = 0
    for index in range(1, length):
        char = text[index]
        while matched and char != text[matched]:
            matched = border[matched - 1]
        if char == text[matched]:
            matched += 1
        border[index] = matched
    return length - (border[-1] if length else 0)


def _periodic_end(text: str, end: int, period: int) -> int:
    """The first index from ``end`` on where ``text`` stops repeating itself ``period`` characters back."""
    total = len(text)
    step = 64
    while end < total:
        high = min(total, end + step)
        if text[end:high] == text[end - period:high - period]:
            end = high
            step *= 2
            continue
        low = end
        while high - low > 1:
            middle = (low + high) // 2
            if text[low:middle] == text[low - period:middle - period]:
                low = middle
            else:
                high = middle
        return low
    return end


def _occurrences(text: str, needle: str, period_of) -> list:
    """Spans covering every occurrence of ``needle`` in ``text``; a run of overlapping ones is one span.

    Overlapping occurrences of a needle with smallest period p < len(needle) lie p
    apart, in a stretch of text with period p (Fine and Wilf), so such a stretch is
    measured with a few slice comparisons instead of being walked occurrence by
    occurrence.
    """
    spans = []
    size = len(needle)
    find = text.find
    start = find(needle)
    while start >= 0:
        period = period_of(needle)
        if period < size:
            stop = _periodic_end(text, start + size, period)
            last = start + ((stop - start - size) // period) * period
            spans.append((start, last + size))
            start = find(needle, stop - size + 1)
        else:
            spans.append((start, start + size))
            start = find(needle, start + size)
    return spans


def _extend(text: str, start: int, end: int, contexts: list) -> tuple:
    """Widen a span of fragment matches as far as the text agrees with what surrounds the fragment in a form."""
    left = right = 0
    for before, after in contexts:
        size = len(before)
        if size > left:
            if text[start - size:start] == before and start >= size:
                left = size
            else:
                step = 0
                while step < size and step < start and text[start - 1 - step] == before[-1 - step]:
                    step += 1
                left = max(left, step)
        size = len(after)
        if size > right:
            if text[end:end + size] == after:
                right = size
            else:
                step = 0
                while step < size and end + step < len(text) and text[end + step] == after[step]:
                    step += 1
                right = max(right, step)
    return start - left, end + right


def _unsqueeze(text: str, squeezed: str, spans: list) -> list:
    """Map spans of ``squeezed`` (``text`` without whitespace) back onto ``text``, merging overlapping ones."""
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lengths = list(map(len, text.split()))
    squeezed_starts = list(itertools.accumulate([0] + lengths[:-1]))
    # The whitespace before each word, from the runs of whitespace; str.split and the
    # regular expression agree on what whitespace is, and each span is checked anyway.
    runs = list(map(len, _WHITESPACE.findall(text)))
    if text[:1].isspace():
        before = runs[:len(lengths)]
    else:
        before = [0] + runs[:len(lengths) - 1]
    if len(before) != len(lengths):
        return _unsqueeze_slowly(text, merged)
    starts = list(map(operator.add, squeezed_starts, itertools.accumulate(before)))

    def original(index: int) -> int:
        word = bisect.bisect_right(squeezed_starts, index) - 1
        return starts[word] + index - squeezed_starts[word]

    result = []
    for start, end in merged:
        first, last = original(start), original(end - 1) + 1
        if ''.join(text[first:last].split()) != squeezed[start:end]:
            return _unsqueeze_slowly(text, merged)
        result.append((first, last))
    return result


def _unsqueeze_slowly(text: str, spans: list) -> list:
    """Map spans of the whitespace-free copy of ``text`` back onto ``text``, word by word."""
    squeezed_starts = []
    starts = []
    position = squeezed = 0
    find = text.find
    for word in text.split():
        position = find(word, position)
        squeezed_starts.append(squeezed)
        starts.append(position)
        squeezed += len(word)
        position += len(word)

    def original(index: int) -> int:
        word = bisect.bisect_right(squeezed_starts, index) - 1
        return starts[word] + index - squeezed_starts[word]

    return [(original(start), original(end - 1) + 1) for start, end in spans]


def _replace(text: str, spans: list) -> str:
    """``text`` with each union of overlapping or touching spans replaced by one MASK."""
    spans.sort()
    out = []
    done = 0
    current_start, current_end = spans[0]
    for start, end in spans[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
            continue
        out.append(text[done:current_start])
        out.append(MASK)
        done = current_end
        current_start, current_end = start, end
    out.append(text[done:current_start])
    out.append(MASK)
    out.append(text[current_end:])
    return ''.join(out)
