# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error-body parsing and endpoint handling of the HTTP client."""

from __future__ import annotations

import pytest

from ansible_collections.vpnaas.cloud.plugins.module_utils import _client as client


@pytest.mark.parametrize('body, message', [
    ('{"NeutronError": {"type": "IPsecSiteConnectionMtuError", "message": "MTU 10 too small", "detail": ""}}',
     'IPsecSiteConnectionMtuError: MTU 10 too small'),
    ('{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}',
     'The request you have made requires authentication.'),
    ('{"error_code": "VPC.1001", "error_msg": "Invalid peer address"}', 'VPC.1001: Invalid peer address'),
    ('{"code": "VPN.0001", "message": "Invalid request"}', 'VPN.0001: Invalid request'),
    ('{"code": "VPC.0501", "message": "{\\"NeutronError\\": {\\"type\\": \\"BadRequest\\", \\"message\\": \\"Bad mtu\\"}}"}',
     'VPC.0501: BadRequest: Bad mtu'),
    ('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'HTML page: 502 Bad Gateway'),
    ('<html><body><h1>Service\n Unavailable</h1></body></html>', 'HTML page: Service Unavailable'),
    ('', 'empty response body'),
    ('   ', 'empty response body'),
    ('{"NeutronError": {"type": "Bad', '{"NeutronError": {"type": "Bad'),
    ('upstream connect error', 'upstream connect error'),
    ('{"unexpected": "shape"}', '{"unexpected": "shape"}'),
])
def test_parse_error_body(body, message):
    assert client.parse_error_body(body) == message


def test_long_bodies_are_redacted_then_shortened_to_the_documented_length():
    quoting = client.Client(dict(endpoint='https://vpn.test', auth_token='t0ken-abcdefgh'))
    words = quoting.api_words('x' * 5000 + ' t0ken-abcdefgh')
    assert words.endswith('...') and len(words) <= client.MAX_MESSAGE
    # The secret sits past the cut: redaction came first, so no part of it survives the shortening.
    cut = quoting.api_words('y' * (client.MAX_MESSAGE - 8) + 't0ken-abcdefgh')
    assert 't0ken' not in cut and 'abcdefgh' not in cut


@pytest.mark.parametrize('url, base', [
    ('https://vpc.test', 'https://vpc.test'),
    ('https://vpc.test/', 'https://vpc.test'),
    ('https://neutron.test:9696/v2.0/', 'https://neutron.test:9696'),
    ('https://neutron.test:9696/v2.0', 'https://neutron.test:9696'),
])
def test_base_endpoint(url, base):
    assert client.base_endpoint(url) == base
