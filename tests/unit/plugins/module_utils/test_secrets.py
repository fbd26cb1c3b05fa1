# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret redaction: every form a hostile server may echo a secret in, and the helpers around it.

The forms are made here with the standard library's own encoders (json, urllib.parse,
html, base64), not with the module's, so that the two are checked against each other.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import random
import re
import string
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils import _secrets as secrets
from ansible_collections.vpnaas.cloud.plugins.module_utils._secrets import MASK

_RANDOM = random.Random(20260101)
PSK = 'echoed?Psk-7e0c55'
PASSWORD = 'p@ss w/rd&<x>"q\\'
TOKEN = 'gAAAAAB' + ''.join(_RANDOM.choice(string.ascii_letters + string.digits + '-_') for _count in range(176))
SECRET_KEY = 'QhU2wB7xZ9mK4pR8tY1vC6nJ3sD5fG0hL2kE7aB9'
WITH_CR = 'tok-3f9a1c2b77e41d\r'
UNICODE = 'clé-секрет-42'
BELL = 'bell\x07-secret-9'
# Non-ASCII with a tab inside; its base64 holds both '+' and '/'.
MIXED = 'Ключ?>~>ü\t9!'

SECRETS = [PSK, PASSWORD, TOKEN, SECRET_KEY, WITH_CR, UNICODE, BELL, MIXED]
SECRET_IDS = ['psk', 'password', 'token', 'secret_key', 'trailing_cr', 'unicode', 'control', 'mixed']

JSON_ERROR = ('{"error": {"message": "The PSK \\"', '\\" is invalid", "code": 400}}')
PLAIN = ('Bad request: key ', ' was rejected by the server')
URL = ('GET /v2.0/vpn/ipsec-site-connections?psk=', '&limit=10 returned 400')
PAGE = ('<html><body><p>Invalid pre-shared key: ', '</p></body></html>')
HEADER = ('X-Debug-Echo: ', ' (end)')


def _json(text: str, ensure_ascii: bool = True) -> str:
    return json.dumps(text, ensure_ascii=ensure_ascii)[1:-1]


def _upper_hex(text: str, marker: str) -> str:
    return re.sub(re.escape(marker) + '([0-9a-f]+)', lambda match: marker + match.group(1).upper(), text)


def _lower_percent(text: str) -> str:
    return re.sub('%[0-9A-F]{2}', lambda match: match.group().lower(), text)


def _wrap(text: str, every: int, indent: str = '\n        ') -> str:
    return indent.join(text[index:index + every] for index in range(0, len(text), every))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode('utf-8')).decode('ascii')


# name -> (template, form of the secret); the text is template[0] + form + template[1].
FORMS = {
    'raw': (PLAIN, lambda s: s),
    'json': (JSON_ERROR, _json),
    'json_unicode': (JSON_ERROR, lambda s: _json(s, False)),
    'json_slash': (JSON_ERROR, lambda s: _json(s).replace('/', '\\/')),
    'json_go_html': (JSON_ERROR, lambda s: _json(s, False).replace('<', '\\u003c').replace('>', '\\u003e')
                     .replace('&', '\\u0026').replace("'", '\\u0027')),
    'json_go_html_upper': (JSON_ERROR, lambda s: _upper_hex(_json(s).replace('<', '\\u003c').replace('>', '\\u003e')
                                                            .replace('&', '\\u0026'), '\\u')),
    'json_upper_hex': (JSON_ERROR, lambda s: _upper_hex(_json(s), '\\u')),
    'json_twice': (JSON_ERROR, lambda s: _json(_json(s))),
    'every_char_u_lower': (JSON_ERROR, lambda s: ''.join('\\u%04x' % ord(c) for c in s)),
    'every_char_u_upper': (JSON_ERROR, lambda s: ''.join('\\u%04X' % ord(c) for c in s)),
    'repr': (PLAIN, lambda s: repr(s)[1:-1]),
    'ascii': (PLAIN, lambda s: ascii(s)[1:-1]),
    'unicode_escape': (PLAIN, lambda s: s.encode('unicode_escape').decode('ascii')),
    'bytes_repr': (PLAIN, lambda s: repr(s.encode('utf-8'))[2:-1]),
    'quote_safe_empty': (URL, lambda s: quote(s, safe='')),
    'quote': (URL, quote),
    'quote_plus': (URL, quote_plus),
    'quote_lower': (URL, lambda s: _lower_percent(quote(s, safe=''))),
    'quote_plus_lower': (URL, lambda s: _lower_percent(quote_plus(s))),
    'quote_double': (URL, lambda s: quote(quote(s, safe=''), safe='')),
    'quote_double_lower': (URL, lambda s: _lower_percent(quote(quote(s, safe=''), safe=''))),
    'percent_every_byte': (URL, lambda s: ''.join('%%%02X' % b for b in s.encode('utf-8'))),
    'percent_every_byte_lower': (URL, lambda s: ''.join('%%%02x' % b for b in s.encode('utf-8'))),
    'html_escape': (PAGE, html.escape),
    'html_escape_no_quote': (PAGE, lambda s: html.escape(s, quote=False)),
    'html_escape_39': (PAGE, lambda s: html.escape(s).replace('&#x27;', '&#39;')),
    'html_escaped_json': (PAGE, lambda s: html.escape(_json(s))),
    'html_decimal_entities': (PAGE, lambda s: ''.join('&#%d;' % ord(c) for c in s)),
    'html_hex_entities': (PAGE, lambda s: ''.join('&#x%x;' % ord(c) for c in s)),
    'html_hex_entities_upper': (PAGE, lambda s: ''.join('&#X%X;' % ord(c) for c in s)),
    'base64': (HEADER, _b64),
    'base64_unpadded': (HEADER, lambda s: _b64(s).rstrip('=')),
    'base64_urlsafe': (HEADER, _b64url),
    'base64_urlsafe_unpadded': (HEADER, lambda s: _b64url(s).rstrip('=')),
    'base64_wrapped': (HEADER, lambda s: _wrap(_b64(s), 16, '\n')),
    'hex': (HEADER, lambda s: s.encode('utf-8').hex()),
    'hex_upper': (HEADER, lambda s: s.encode('utf-8').hex().upper()),
    'hex_dump_spaced': (HEADER, lambda s: ' '.join('%02x' % b for b in s.encode('utf-8'))),
    'wrapped': (PLAIN, lambda s: s[:len(s) // 2] + '\n        ' + s[len(s) // 2:]),
    'wrapped_often': (PLAIN, lambda s: _wrap(s, 5)),
    'wrapped_json': (JSON_ERROR, lambda s: _wrap(_json(s), 7, '\n   ')),
    'whitespace_removed': (PLAIN, lambda s: ''.join(s.split())),
}


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
@pytest.mark.parametrize('form', sorted(FORMS))
def test_every_form_is_masked(secret, form):
    (before, after), encode = FORMS[form]
    encoded = encode(secret)
    text = before + encoded + after
    redacted = secrets.Secrets([secret]).redact(text)
    assert encoded not in redacted
    # A wrapped secret is found in the whitespace-free copy of the text, which does not reach
    # the whitespace it ends with (WITH_CR's carriage return): that much is left.
    kept = encoded[len(encoded.rstrip()):] if form.startswith('wrapped') else ''
    assert redacted == before + MASK + kept + after


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
@pytest.mark.parametrize('user', ['ab', 'abc', 'abcd'])
def test_base64_of_basic_auth_credentials_is_masked(secret, user):
    """The secret at each byte offset (len(user + ':') % 3 = 0, 1, 2) inside a longer base64 text."""
    credentials = _b64(user + ':' + secret)
    before, after = 'Authorization: Basic ', ' was refused'
    redacted = secrets.Secrets([secret]).redact(before + credentials + after)
    assert credentials not in redacted
    assert redacted.startswith(before) and redacted.endswith(after)
    # What is left of the encoding is what the user name alone decides (and at most one mixed character).
    lead = len(user) + 1
    kept = 4 * (lead // 3) + (0, 2, 3)[lead % 3]
    assert redacted == before + credentials[:kept] + MASK + after


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
@pytest.mark.parametrize('name', ['a', 'ab', 'abc'])
def test_base64_of_json_document_holding_the_secret_is_masked(secret, name):
    document = _b64(json.dumps({name: secret, 'region': 'eu-de-01', 'verify': True}))
    redacted = secrets.Secrets([secret]).redact('body=' + document + '; end')
    assert document not in redacted
    assert MASK in redacted
    assert redacted.startswith('body=') and redacted.endswith('; end')
    # Only the few characters that mix the secret's first and last bytes with their neighbours survive.
    survivors = redacted[len('body='):-len('; end')].split(MASK)
    assert len(survivors) == 2
    assert len(document) - sum(map(len, survivors)) >= len(secret.encode('utf-8')) * 4 // 3 - 2


def _fragment_length(secret: str) -> int:
    """The shortest fragment the rule masks (counted without whitespace)."""
    length = len(''.join(secret.split()))
    return min(length, max(10, -(-3 * length // 4)))


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
def test_fragment_cut_at_the_end_of_a_message_is_masked(secret):
    whole = secret.rstrip('\r')
    cut = 2 if len(''.join(whole[:-2].split())) >= _fragment_length(secret) else 1  # MIXED is short
    fragment = whole[:-cut].rstrip()  # white space at the cut is not part of what is masked
    text = 'error: the key "' + fragment
    assert secrets.Secrets([secret]).redact(text) == 'error: the key "' + MASK


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
def test_fragment_at_the_start_of_a_message_is_masked(secret):
    fragment = secret.rstrip('\r')[-(_fragment_length(secret) + 1):]
    text = fragment + '" is not a valid key'
    assert secrets.Secrets([secret]).redact(text) == MASK + '" is not a valid key'


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
def test_head_and_tail_fragments_are_masked_with_their_extension(secret):
    """Every head and tail at least as long as the rule: masked whole, not just the needle's part."""
    length = _fragment_length(secret)
    squeezed = ''.join(secret.split())
    for size in range(length, len(squeezed) + 1):
        for fragment in (squeezed[:size], squeezed[len(squeezed) - size:]):
            text = 'found [' + fragment + '] in the log'
            assert secrets.Secrets([secret]).redact(text) == 'found [' + MASK + '] in the log', size


def test_an_interior_fragment_is_kept_so_ordinary_words_survive():
    """``password`` inside ``demo-password`` is neither its head nor a long enough tail."""
    masker = secrets.Secrets(['demo-password'])
    assert masker.redact('Keystone password authentication') == 'Keystone password authentication'
    assert masker.redact('user demo-passw') == 'user ' + MASK


@pytest.mark.parametrize('secret', SECRETS, ids=SECRET_IDS)
def test_json_fragment_is_masked(secret):
    fragment = _json(secret)[:-3]
    text = '{"message": "bad key: ' + fragment
    assert secrets.Secrets([secret]).redact(text) == '{"message": "bad key: ' + MASK


def test_psk_cut_as_in_the_field():
    """The first 15 characters of a 17-character psk, and its last 13."""
    masker = secrets.Secrets([PSK])
    assert masker.redact('Invalid PSK: echoed?Psk-7e0') == 'Invalid PSK: ' + MASK
    assert masker.redact('ed?Psk-7e0c55 is not accepted') == MASK + ' is not accepted'


@pytest.mark.parametrize('secret, fragment', [
    (PSK, PSK[:7]),
    (PSK, PSK[-7:]),
    (TOKEN, TOKEN[40:120]),
    (SECRET_KEY, SECRET_KEY[:18]),
])
def test_fragment_shorter_than_the_rule_is_kept(secret, fragment):
    text = 'the value ' + fragment + ' is fine'
    assert secrets.Secrets([secret]).redact(text) is text


def test_long_secret_fragments_are_masked_whole():
    """A secret with many fragment starting points: fragments at any offset are masked to their ends."""
    secret = ''.join(_RANDOM.choice(string.ascii_letters + string.digits) for _count in range(1000))
    masker = secrets.Secrets([secret])
    for fragment in (secret[:750], secret[:900], secret[250:], secret[100:]):
        assert masker.redact('<' + fragment + '>') == '<' + MASK + '>'
    assert masker.redact('<' + secret[3:480] + '>') == '<' + secret[3:480] + '>'


def test_collapsed_whitespace_run_is_masked():
    secret = 'correct  horse\tbattery   staple'
    masker = secrets.Secrets([secret])
    assert masker.redact('passphrase "correct horse battery staple" rejected') == 'passphrase "' + MASK + '" rejected'
    assert masker.redact('passphrase "correcthorsebatterystaple" rejected') == 'passphrase "' + MASK + '" rejected'


@pytest.mark.parametrize('space', [' ', '\t', '\xa0', '\u2028', '\u3000', '\x1c', '\r\n'])
def test_any_unicode_whitespace_inserted_is_masked(space):
    text = 'x' + space + 'a b' + space + TOKEN[:90] + space + space + TOKEN[90:] + space + 'end' + space
    assert secrets.Secrets([TOKEN]).redact(text) == 'x' + space + 'a b' + space + MASK + space + 'end' + space


def test_trailing_carriage_return_is_masked_with_the_secret():
    text = 'token: ' + WITH_CR + '\nnext line'
    assert secrets.Secrets([WITH_CR]).redact(text) == 'token: ' + MASK + '\nnext line'


def test_text_without_the_secrets_is_returned_unchanged():
    text = (
        '{"error": {"message": "The PSK \\"another-psk-1234\\" is invalid", "code": 400}}\n'
        'Authorization: Basic ' + _b64('admin:hunter2') + '\n'
        'echoed Psk 7e0c clé секрет gAAAAAB ' + TOKEN[::-1][:60] + ' ' + bytes(range(40)).hex() + '\n'
        + _b64(''.join(SECRETS)[::-1]) + ' p@ss w/r ' + MASK + '\n'
    ) * 50
    masker = secrets.Secrets(SECRETS)
    assert masker.redact(text) is text
    assert secrets.redact_text(text, SECRETS) is text


def test_all_secrets_at_once_in_one_text():
    parts = ['{"a": "%s"}' % _json(secret) for secret in SECRETS]
    text = ' | '.join(parts)
    redacted = secrets.Secrets(SECRETS).redact(text)
    assert redacted == ' | '.join('{"a": "%s"}' % MASK for _secret in SECRETS)


def test_overlapping_and_adjacent_secrets_become_one_mask():
    masker = secrets.Secrets(['abcdef123', '123ghijk', 'ZZZZyyyy'])
    assert masker.redact('<abcdef123ghijk>') == '<' + MASK + '>'
    assert masker.redact('<abcdef123ZZZZyyyy>') == '<' + MASK + '>'
    assert masker.redact('<abcdef123 ZZZZyyyy>') == '<' + MASK + ' ' + MASK + '>'


def test_repeated_and_periodic_secrets():
    assert secrets.redact_text('xx' + 'ab' * 50 + 'yy', ['ab' * 10]) == 'xx' + MASK + 'yy'
    assert secrets.redact_text('x hunter2hunter2hunter y', ['hunter2hunter']) == 'x ' + MASK + ' y'
    assert secrets.redact_text('[abcabcab][abcab]', ['abcabcab']) == '[' + MASK + '][abcab]'
    # 'aabaa' (period 3) at 0 and at 4: the second overlaps the end of the first's periodic run.
    assert secrets.redact_text('<aabaaabaa>', ['aabaa']) == '<' + MASK + '>'
    assert secrets.redact_text('a' * 2 ** 20, ['a' * 127 + 'b']) == MASK
    assert secrets.redact_text('b' + 'a' * 2 ** 16 + 'b', ['a' * 127 + 'b']) == 'b' + MASK


def test_short_secret_is_masked_raw_and_json_only():
    masker = secrets.Secrets(['k"9'])
    assert masker.redact('key k"9 here') == 'key ' + MASK + ' here'
    assert masker.redact('{"key": "k\\"9"}') == '{"key": "' + MASK + '"}'
    for text in ('key k " 9 here', 'key ' + _b64('k"9') + ' here', 'key k%229 here', 'key 6b2239 here'):
        assert masker.redact(text) is text


def test_secrets_collects_distinct_values():
    masker = secrets.Secrets([PSK, None, '', PSK, True, ['nested'], {'a': 1}, 424242, b'bytes-secret', b'\xff\xfe'])
    assert len(masker) == 3
    assert masker
    assert not secrets.Secrets()
    assert not secrets.Secrets(None)
    assert masker.redact('code 424242 for bytes-secret and echoed?Psk-7e0c55') == 'code %s for %s and %s' % (MASK, MASK, MASK)
    assert masker.redact('True') == 'True'
    masker.add(PSK)
    masker.add(SECRET_KEY)
    assert len(masker) == 4


def test_a_single_string_is_one_secret_not_its_characters():
    masker = secrets.Secrets('s3cr3t-value')
    assert len(masker) == 1
    assert masker.redact('s and 3 stay; s3cr3t-value goes') == 's and 3 stay; %s goes' % MASK


def test_repr_does_not_show_the_secrets():
    masker = secrets.Secrets(SECRETS)
    assert not any(secret in repr(masker) or secret in str(masker) for secret in SECRETS)


def test_redact_text_takes_a_list_or_secrets():
    assert secrets.redact_text('psk=' + PSK, [PSK]) == 'psk=' + MASK
    assert secrets.redact_text('psk=' + PSK, secrets.Secrets([PSK])) == 'psk=' + MASK
    assert secrets.redact_text('psk=' + PSK, []) == 'psk=' + PSK


def test_redact_data_copies_and_masks_keys_and_values():
    data = {
        'psk': PSK,
        PSK: [1, 2.5, None, True, ('x', 'The PSK "%s"' % PSK), {'nested': [_json(PASSWORD)]}],
        'ok': 'fine',
        7: {'set': {PSK, 'a'}, 'frozen': frozenset([PSK])},
    }
    original = copy.deepcopy(data)
    redacted = secrets.Secrets([PSK, PASSWORD]).redact_data(data)
    assert redacted == {
        'psk': MASK,
        MASK: [1, 2.5, None, True, ('x', 'The PSK "%s"' % MASK), {'nested': [MASK]}],
        'ok': 'fine',
        7: {'set': {MASK, 'a'}, 'frozen': frozenset([MASK])},
    }
    assert isinstance(redacted[MASK][4], tuple)
    assert isinstance(redacted[7]['frozen'], frozenset)
    assert data == original


def test_redact_data_of_scalars():
    masker = secrets.Secrets([PSK])
    assert masker.redact_data(PSK) == MASK
    assert masker.redact_data(42) == 42
    assert masker.redact_data(None) is None


@pytest.mark.parametrize('kind', ['list', 'dict', 'tuple', 'mixed'])
def test_redact_data_of_deep_nesting(kind):
    depth = 10000
    data = 'innermost ' + PSK
    for level in range(depth):
        shape = kind if kind != 'mixed' else ('list', 'dict', 'tuple')[level % 3]
        data = [data] if shape == 'list' else {PSK + str(level % 2): data} if shape == 'dict' else (data,)
    redacted = secrets.Secrets([PSK]).redact_data(data)
    node = redacted
    for _level in range(depth):
        if isinstance(node, dict):
            (key, node), = node.items()
            assert PSK not in key and key.startswith(MASK)
        else:
            assert isinstance(node, (list, tuple))
            (node,) = node
    assert node == 'innermost ' + MASK


def test_redact_data_keeps_a_cycle():
    data = [PSK]
    data.append(data)
    redacted = secrets.Secrets([PSK]).redact_data(data)
    assert redacted[0] == MASK
    assert redacted[1] is redacted


@pytest.mark.parametrize('text, limit, expected', [
    ('  one\n\ttwo   three \r\n', 100, 'one two three'),
    ('x' * 50, 50, 'x' * 50),
    ('x' * 50, 20, 'x' * 17 + '...'),
    ('abc ' + MASK + ' def', 10, 'abc...'),
    ('abc ' + MASK + ' def', 15, 'abc ' + MASK + '...'),
    ('word ' * 10, 12, 'word word...'),
    ('abcdef', 3, '...'),
    ('abcdef', 2, '..'),
    ('abcdef', 0, ''),
])
def test_shorten(text, limit, expected):
    assert secrets.shorten(text, limit) == expected


def test_shorten_never_cuts_inside_the_mask():
    text = 'error ' + MASK + ' and ' + MASK + MASK + ' then\n' + MASK + '. end'
    line = ' '.join(text.split())
    for limit in range(0, len(line) + 3):
        short = secrets.shorten(text, limit)
        assert len(short) <= limit
        if len(line) > limit:
            assert short == '.' * limit if limit < 3 else short.endswith('...')
            body = short[:-3]
        else:
            body = short
        assert line.startswith(body)
        assert '*' not in body.replace(MASK, ''), limit


@pytest.mark.parametrize('value', [TOKEN, SECRET_KEY, 'MIIBIjANBgkq+/=', '!~'])
def test_header_safe_values(value):
    assert secrets.header_safe_problem(value) is None


@pytest.mark.parametrize('value, message', [
    ('a' * 33 + '\r', 'contains a carriage return (\\r) at position 34 of 34; was it read from a file with Windows line endings?'),
    ('a' * 32 + '\r\n', 'contains a carriage return (\\r) at position 33 of 34; was it read from a file with Windows line endings?'),
    ('tok-abc\n', 'contains a line feed (\\n) at position 8 of 8; was it read from a file with its trailing newline?'),
    ('abc def', 'contains whitespace (a space) at position 4 of 7'),
    (' abcdef', 'contains whitespace (a space) at position 1 of 7; was it copied with leading whitespace?'),
    ('abcdef\t', 'contains whitespace (a tab, \\t) at position 7 of 7; was it copied with trailing whitespace?'),
    ('abc\xa0def', 'contains whitespace (U+00A0) at position 4 of 7'),
    ('tok\x07en', 'contains a control character (U+0007) at position 4 of 6'),
    ('toke\x7f', 'contains a control character (U+007F) at position 5 of 5'),
    ('\ufefftoken', 'contains a byte order mark (U+FEFF) at position 1 of 6; was it read from a file saved as UTF-8 with BOM?'),
    ('tokén', 'contains a non-ASCII character at position 4 of 5'),
    ('', 'is empty'),
    (None, 'is not a text but NoneType'),
])
def test_header_safe_problem_names_the_position_and_not_the_value(value, message):
    problem = secrets.header_safe_problem(value)
    assert problem == message
    if value:
        for index in range(len(value) - 2):
            assert value[index:index + 3] not in problem


def test_header_safe_problem_never_quotes_a_secret():
    for secret in SECRETS + [TOKEN + ' ', 'x' + UNICODE]:
        problem = secrets.header_safe_problem(secret)
        if problem is not None:
            assert secret.strip() not in problem
            assert secrets.Secrets([secret]).redact(problem) is problem


@pytest.mark.parametrize('text', [
    'no whitespace at all',
    '  lead and trail  ',
    'a\tb\n\nc\r\nd\xa0e\u2028f\u3000g\x1ch',
    ' '.join(''.join(_RANDOM.choice('ab \t\n') for _char in range(_RANDOM.randint(0, 9))) for _word in range(300)),
])
def test_both_ways_back_from_the_whitespace_free_copy_agree(text):
    """The fast mapping (whitespace runs) and the word-by-word fallback give the same, right spans."""
    squeezed = ''.join(text.split())
    spans = [(start, min(len(squeezed), start + size)) for start in range(0, len(squeezed), 7) for size in (1, 3, 11)]
    spans = [span for span in spans if span[0] < span[1]]
    if not spans:
        return
    slow = secrets._unsqueeze_slowly(text, sorted(spans))
    for (start, end), (first, last) in zip(sorted(spans), slow):
        assert ''.join(text[first:last].split()) == squeezed[start:end]
        assert not text[first].isspace() and not text[last - 1].isspace()
    fast = secrets._unsqueeze(text, squeezed, list(spans))
    assert [tuple(span) for span in fast] == _merged(slow)


def _merged(spans: list) -> list:
    merged = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
