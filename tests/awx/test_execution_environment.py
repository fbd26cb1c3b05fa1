# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An execution environment (EE) with this collection, as AWX users build one, without a container.

AWX users do not build from the collection's ``meta/execution-environment.yml``: they write an
EE definition (ours: ``docs/awx/execution-environment.yml``) that lists vpnaas.cloud among its
galaxy dependencies. ``ansible-builder create`` turns it into a build context; during the image
build, the galaxy stage installs the collection and the builder stage runs the context's
``introspect.py``, which reads the installed collection's ``meta/execution-environment.yml`` and
writes the pip requirements the image gets.

These tests run ``ansible-builder create`` for real (no network: create only writes files), then
the two build steps that matter for the collection exactly as the Containerfile runs them, on
this machine: ``ansible-galaxy collection install -r requirements.yml`` in the context's
``_build`` directory (from the built tarball, copied in with ``additional_build_files``), and the
context's own ``introspect.py``. No container is built and nothing is downloaded.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
META_EE = REPO / 'meta' / 'execution-environment.yml'
USER_EE = REPO / 'docs' / 'awx' / 'execution-environment.yml'
BIN = Path(sys.executable).parent
COMMAND_TIMEOUT = 300  # seconds; each command takes a few seconds


def run(command: List[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a command (bounded in time), failing the test with its output if it fails.

    The environment has no collections path and a scratch ANSIBLE_HOME, as in an image build:
    ansible-galaxy would otherwise take the collection installed for the other tests as
    already there, and install nothing.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith('ANSIBLE_')}
    env.update(ANSIBLE_HOME=str(cwd / '.ansible-home'), ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(command, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    assert proc.returncode == 0, f"{' '.join(command)} failed (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def tool(name: str) -> str:
    """A command of the venv that runs the tests (ansible-builder, ansible-galaxy)."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f'{name} is not installed next to {sys.executable}: run `make venv` (requirements-dev.txt pins it)')
    return str(path)


def collection_version() -> str:
    """The version in galaxy.yml."""
    return yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))['version']


@pytest.fixture(name='tarball', scope='module')
def fixture_tarball() -> Path:
    """The collection tarball `make collection` built (what a release ships)."""
    path = REPO / '.build' / 'dist' / f'vpnaas-cloud-{collection_version()}.tar.gz'
    if not path.is_file():
        pytest.fail(f'{path} does not exist: run these tests with `make integration`, which builds the collection first')
    return path


def dev_pin(package: str) -> str:
    """The exact version requirements-dev.txt pins for ``package``."""
    text = (REPO / 'requirements-dev.txt').read_text(encoding='utf-8')
    found = re.search(rf'^{re.escape(package)}==(\S+)\s*$', text, re.MULTILINE | re.IGNORECASE)
    assert found, f'{package} is not pinned in requirements-dev.txt'
    return found.group(1)


def create(definition: Dict[str, Any], workdir: Path) -> Path:
    """Write ``definition`` as execution-environment.yml in ``workdir``, run `ansible-builder create`; return the context."""
    ee_file = workdir / 'execution-environment.yml'
    ee_file.write_text(yaml.safe_dump(definition, sort_keys=False), encoding='utf-8')
    context = workdir / 'context'
    run([tool('ansible-builder'), 'create', '-f', str(ee_file), '-c', str(context), '--output-filename', 'Containerfile', '-v', '3'],
        cwd=workdir)
    return context


def test_collection_metadata() -> None:
    """meta/execution-environment.yml is what ansible-builder reads from a collection, and valid in its schema."""
    from ansible_builder.ee_schema import validate_schema  # pylint: disable=import-outside-toplevel

    data = yaml.safe_load(META_EE.read_text(encoding='utf-8'))
    validate_schema(copy.deepcopy(data))  # it fills in the defaults of the keys left out
    assert data['version'] == 3
    # introspect.py reads only these two entries of a collection's file, as paths from the collection root.
    assert set(data) == {'version', 'dependencies'}
    assert set(data['dependencies']) <= {'python', 'system'}
    assert data['dependencies']['python'] == 'requirements.txt'
    for relative in data['dependencies'].values():
        assert not Path(relative).is_absolute() and (REPO / relative).is_file(), relative
    assert re.search(r'^requests\b', (REPO / 'requirements.txt').read_text(encoding='utf-8'), re.MULTILINE)


def test_user_definition_creates_a_context(tmp_path: Path) -> None:
    """The shipped EE definition, as users copy it: `ansible-builder create` accepts it and pins what we test with."""
    definition = yaml.safe_load(USER_EE.read_text(encoding='utf-8'))
    base_image = definition['images']['base_image']['name']
    deps = definition['dependencies']
    assert deps['ansible_core']['package_pip'] == f"ansible-core=={dev_pin('ansible-core')}"
    assert deps['ansible_runner']['package_pip'] == f"ansible-runner=={dev_pin('ansible-runner')}"
    assert [c['name'] for c in deps['galaxy']['collections']] == ['vpnaas.cloud']

    context = create(definition, tmp_path)
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert f'ARG EE_BASE_IMAGE="{base_image}"' in containerfile
    assert f"ansible-core=={dev_pin('ansible-core')} ansible-runner=={dev_pin('ansible-runner')}" in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert 'introspect.py introspect' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert galaxy['collections'][0]['name'] == 'vpnaas.cloud'


def test_ee_from_the_tarball_gets_the_collection_requirements(tmp_path: Path, tarball: Path) -> None:
    """Build context from the shipped definition with the release tarball; its galaxy and introspect steps give requests."""
    definition = yaml.safe_load(USER_EE.read_text(encoding='utf-8'))
    definition['dependencies']['galaxy'] = {'collections': [{'name': f'collections/{tarball.name}', 'type': 'file'}]}
    definition['additional_build_files'] = [{'src': str(tarball), 'dest': 'collections'}]
    base_image = definition['images']['base_image']['name']
    context = create(definition, tmp_path)
    build = context / '_build'
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert f'ARG EE_BASE_IMAGE="{base_image}"' in containerfile
    assert (build / 'collections' / tarball.name).is_file()
    # No user-level Python requirements: the collection's come from introspection of the installed collection.
    assert not (build / 'requirements.txt').exists()

    # The galaxy stage: `WORKDIR /build` (the context's _build) and `ansible-galaxy collection install -r requirements.yml`.
    assert re.search(r'^WORKDIR /build$', containerfile, re.MULTILINE)
    installed = tmp_path / 'usr-share-ansible' / 'collections'
    run([tool('ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml', '--collections-path', str(installed)],
        cwd=build)
    collection = installed / 'ansible_collections' / 'vpnaas' / 'cloud'
    assert (collection / 'meta' / 'execution-environment.yml').is_file()
    assert (collection / 'MANIFEST.json').is_file()

    # The builder stage: `$PYCMD /output/scripts/introspect.py introspect ... --write-pip=/tmp/src/requirements.txt`.
    assert 'introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt' in containerfile
    pip_file, bindep_file = tmp_path / 'requirements.txt', tmp_path / 'bindep.txt'
    proc = run([sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect', str(installed),
                f'--write-pip={pip_file}', f'--write-bindep={bindep_file}'], cwd=tmp_path)
    report = yaml.safe_load(proc.stdout.split('---', 1)[1])
    assert [line for line in report['python'] if re.match(r'requests\b.*# from collection vpnaas\.cloud$', line)], proc.stdout
    assert all(line.endswith('# from collection vpnaas.cloud') for line in report['python']), proc.stdout
    assert report['system'] == [], proc.stdout
    assert pip_file.read_text(encoding='utf-8').splitlines() == report['python']
    assert not bindep_file.exists()
