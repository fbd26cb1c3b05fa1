#!/usr/bin/env python
"""Offline stand-in for the ``get-pip.py`` bootstrap script that ansible-test downloads.

ansible-test bootstraps pip into each virtual environment it creates by running a
``get-pip.py`` script that it normally downloads, unless
``~/.ansible/test/cache/get_pip_<version>.py`` already exists.  The host it downloads
from is not reachable here, so ``tests/tools/install_get_pip_standin.py`` puts this
file at that path instead.

Like the real script, it takes ``pip install`` arguments (for example
``pip==24.2 --no-setuptools --no-wheel``).  It first seeds pip from the standard
library's bundled wheel (``ensurepip``), then lets that pip install the requested
packages from the package index.  ``--no-setuptools`` and ``--no-wheel`` are options
of get-pip.py only, not of ``pip install``, so they are dropped.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def main() -> int:
    """Seed pip with ensurepip, then install what the caller asked for."""
    subprocess.run([sys.executable, '-m', 'ensurepip', '--upgrade'], check=True, stdout=subprocess.DEVNULL)

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    if not args:
        return 0

    return subprocess.run([sys.executable, '-m', 'pip', 'install', *args], check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
