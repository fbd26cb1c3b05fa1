# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two exceptions the engine turns into ``fail_json`` messages.

Private to the collection: the names and signatures here may change at any time.
"""

from __future__ import annotations


class ConfigError(Exception):
    """The connection options are incomplete or contradictory; raised before any request."""


class ApiError(Exception):
    """A request failed: on the wire, or with an HTTP error status.

    ``str(error)`` is the complete, secret-free explanation, e.g.
    ``HTTP 400 Bad Request: Invalid input for mtu (request id req-1)``.
    """

    def __init__(self, detail: str, method: str = '', url: str = '', status: int = 0,
                 api_message: str = '', request_id: str = '') -> None:
        super().__init__(detail)
        self.method = method
        self.url = url
        self.status = status
        self.api_message = api_message
        self.request_id = request_id
        #: '' for an HTTP answer; 'connect' when no connection was made (the request was not sent),
        #: 'read' when the outcome is unknown (timeout or connection lost after sending).
        self.transport = ''
        #: A 401 to a POST, after which the client logged in again without re-sending (the create may have
        #: been carried out: the engine looks the resource up first).
        self.renewed = False
        #: A short form for the ``retried`` notes of a transport failure (``GET https://h:1/v2.0/...: connection refused``).
        self.note = ''

    def add_words(self, text: str) -> None:
        """Append ``text`` (a hint, the count of attempts) to the message; it must hold no secret."""
        self.args = (str(self) + text,) + tuple(self.args[1:])

    def add_hint(self, hint: str) -> None:
        """Append advice after the API's own words, as a sentence of its own: ``... Hint: <hint>``."""
        self.add_words(('' if str(self).endswith('.') else '.') + ' Hint: ' + hint)
