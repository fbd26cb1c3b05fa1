# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An independent leak checker: the encoded forms of a secret, and where any of them appears in some texts.

Written apart from the collection's own redaction (nothing imported from ``plugins/``), so that it does not
share its blind spots. ``encoded_forms(secret)`` yields ``(label, text)`` for every way the secret may come
back from an API or a library: raw, JSON-escaped, every character ``\\uXXXX``-escaped, URL-encoded,
HTML-escaped, base64 (standard and URL-safe, with and without padding), hex, JSON with ``\\/``, JSON with
``\\u0026``-style escapes of ``<>&'``, Python repr, whitespace collapsed, and its first len-2 characters.
``find_leaks(texts, secrets)`` searches each text for each form, and also for the secret with any whitespace
(or ``\\n``/``\\r``/``\\t`` escape) inserted or removed ("whitespace-mangled"). It reports place, secret label,
form label and line numbers; never the secret itself.
"""

from __future__ import annotations

import base64
import bisect
import html
import json
import re
from typing import Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote, quote_plus

#: Forms shorter than this are not searched (they would match by chance).
MIN_FORM_LENGTH = 8
PREFIX_LABEL = 'first len-2 characters'
MANGLED_LABEL = 'whitespace-mangled'
_WHITESPACE = re.compile(r'(?:\s|\\[nrt])+')


def _json_inner(text: str, ensure_ascii: bool = True) -> str:
    return json.dumps(text, ensure_ascii=ensure_ascii)[1:-1]


def encoded_forms(secret: str) -> Iterator[Tuple[str, str]]:
    """Every distinct encoded form of ``secret`` (at least MIN_FORM_LENGTH long), as (label, form)."""
    raw = secret.encode('utf-8')
    json_text = _json_inner(secret)
    amp = json_text
    for char, escape in (('&', '\\u0026'), ('<', '\\u003c'), ('>', '\\u003e'), ("'", '\\u0027')):
        amp = amp.replace(char, escape)
    candidates = [
        ('raw', secret),
        ('JSON-escaped', json_text),
        ('JSON-escaped (UTF-8)', _json_inner(secret, ensure_ascii=False)),
        ('every char \\u-escaped', ''.join('\\u%04x' % ord(char) for char in secret)),
        ('every char \\u-escaped (upper case)', ''.join('\\u%04X' % ord(char) for char in secret)),
        ('URL-encoded', quote(secret, safe='')),
        ('URL-encoded (plus)', quote_plus(secret)),
        ('URL-encoded (path)', quote(secret)),
        ('HTML-escaped', html.escape(secret, quote=True)),
        ('HTML-escaped (no quotes)', html.escape(secret, quote=False)),
        ('HTML numeric entities', ''.join('&#%d;' % ord(char) for char in secret)),
        ('base64', base64.b64encode(raw).decode('ascii')),
        ('base64 unpadded', base64.b64encode(raw).decode('ascii').rstrip('=')),
        ('base64 URL-safe', base64.urlsafe_b64encode(raw).decode('ascii')),
        ('base64 URL-safe unpadded', base64.urlsafe_b64encode(raw).decode('ascii').rstrip('=')),
        ('hex', raw.hex()),
        ('hex (upper case)', raw.hex().upper()),
        ('JSON with \\/', json_text.replace('/', '\\/')),
        ('JSON with \\u0026-style escapes', amp),
        ('Python repr', repr(secret)[1:-1]),
        ('whitespace collapsed', re.sub(r'\s+', ' ', secret)),
        ('whitespace collapsed, JSON-escaped', _json_inner(re.sub(r'\s+', ' ', secret))),
        (PREFIX_LABEL, secret[:max(0, len(secret) - 2)]),
    ]
    seen = set()
    for label, form in candidates:
        if len(form) >= MIN_FORM_LENGTH and form not in seen:
            seen.add(form)
            yield label, form


class _Lines:
    """Offset -> line number (1-based), built on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = None

    def number(self, offset: int) -> int:
        if self._starts is None:
            self._starts = [match.end() for match in re.finditer('\n', self.text)]
        return bisect.bisect_right(self._starts, offset) + 1


#: ``tolerate(line, previous_line) -> reason`` ('' when the line is not tolerated).
Tolerate = Callable[[str, str], str]


def blank_tolerated(text: str, tolerate: Optional[Tolerate]) -> Tuple[str, Dict[str, int]]:
    """``text`` with the tolerated lines emptied (line numbers kept), and how many lines each reason covered."""
    if tolerate is None:
        return text, {}
    counts: Dict[str, int] = {}
    out, previous = [], ''
    for line in text.split('\n'):
        reason = tolerate(line, previous)
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
            out.append('')
        else:
            out.append(line)
        previous = line
    return '\n'.join(out), counts


def _hits(text: str, needles: List[Tuple[str, object]], cap: int = 200000) -> List[Tuple[int, object]]:
    """(offset, tag) of every occurrence of every needle; needles are grouped by their first MIN_FORM_LENGTH
    characters so that one pass of ``str.find`` serves every needle that starts alike."""
    groups: Dict[str, List[Tuple[str, object]]] = {}
    for needle, tag in needles:
        groups.setdefault(needle[:MIN_FORM_LENGTH], []).append((needle, tag))
    hits = []
    for key, members in groups.items():
        start, seen = text.find(key), 0
        while start >= 0 and seen < cap:
            seen += 1
            for needle, tag in members:
                if text.startswith(needle, start):
                    hits.append((start, tag))
            start = text.find(key, start + 1)
    return hits


def find_leaks(texts: Dict[str, str], secrets: Dict[str, str],
               tolerate: Optional[Tolerate] = None) -> Tuple[Dict[str, Dict[str, Dict[str, List[int]]]], Dict[str, Dict[str, int]]]:
    """Search every text for every form of every secret.

    Returns ({place: {secret label: {form label: [line numbers]}}} of what was found, and
    {place: {reason: lines}} of the tolerated lines). A line found by a specific form is not reported again
    under the first-len-2 or whitespace-mangled labels. Never returns a secret.
    """
    found: Dict[str, Dict[str, Dict[str, List[int]]]] = {}
    tolerated: Dict[str, Dict[str, int]] = {}
    needles = [(form, (secret_label, form_label)) for secret_label, secret in secrets.items() if secret
               for form_label, form in encoded_forms(secret)]
    compacts = [(re.sub(r'\s+', '', secret), secret_label) for secret_label, secret in secrets.items() if secret]
    compacts = [(compact, label) for compact, label in compacts if len(compact) >= MIN_FORM_LENGTH]
    for place, original in texts.items():
        text, tolerated[place] = blank_tolerated(original or '', tolerate)
        lines = _Lines(text)
        by_secret: Dict[str, Dict[int, set]] = {}
        for offset, (secret_label, form_label) in _hits(text, needles):
            by_secret.setdefault(secret_label, {}).setdefault(lines.number(offset), set()).add(form_label)
        squeezed = _WHITESPACE.sub('', text)
        for compact, secret_label in sorted(set(tag for _offset, tag in _hits(squeezed, [(c, (c, l)) for c, l in compacts]))):
            pattern = re.compile(r'(?:\s|\\[nrt])*'.join(re.escape(char) for char in compact))
            for number, match in enumerate(pattern.finditer(text)):
                if number >= 50:
                    break
                by_secret.setdefault(secret_label, {}).setdefault(lines.number(match.start()), set()).add(MANGLED_LABEL)
        for secret_label, by_line in by_secret.items():
            report: Dict[str, List[int]] = {}
            for line, labels in sorted(by_line.items()):
                specific = labels - {PREFIX_LABEL, MANGLED_LABEL}
                for label in (specific or labels - {MANGLED_LABEL} or labels):
                    report.setdefault(label, []).append(line)
            found.setdefault(place, {})[secret_label] = dict((label, numbers[:20]) for label, numbers in report.items())
    return found, tolerated
