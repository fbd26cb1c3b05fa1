#!/usr/bin/env python
"""Install ``get_pip_standin.py`` where ansible-test looks for its cached get-pip script.

ansible-test (see ``ansible_test/_util/target/setup/requirements.py``) uses
``~/.ansible/test/cache/get_pip_<pip version with underscores>.py`` when it exists and
downloads the script otherwise.  The pip version is the one ansible-test pins for new
virtual environments; it is read from the installed ansible-test so this keeps working
when ansible-core is upgraded.  Run with the python of the venv that has ansible-core.
"""

from __future__ import annotations

import os
import shutil
import sys
import types


def pinned_pip_version(python_version: str) -> str:
    """Return the pip version ansible-test installs into a new venv for ``python_version``."""
    from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel

    return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']


def main() -> int:
    """Copy the stand-in into ansible-test's cache and print where it went."""
    python_version = sys.argv[1] if len(sys.argv) > 1 else '%d.%d' % sys.version_info[:2]
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_standin.py')
    version = pinned_pip_version(python_version)
    target = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))

    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)
    print('get-pip stand-in for pip %s: %s' % (version, target))
    return 0


if __name__ == '__main__':
    sys.exit(main())
