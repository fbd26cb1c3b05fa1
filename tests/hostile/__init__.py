# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile HTTP server on 127.0.0.1, written apart from the collection (see README.md).

``python -m tests.hostile --port-file F --log F`` serves it; ``tests.hostile.client.HostileServer``
starts it from pytest. Standard library only; nothing here imports ``plugins/`` or ``tests/emulator``.
"""
