# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m tests.hostile --port-file F --log F``: serve the hostile scenarios (see README.md)."""

from __future__ import annotations

import sys

from .server import main

if __name__ == '__main__':
    sys.exit(main())
