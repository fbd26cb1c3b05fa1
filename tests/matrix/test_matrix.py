# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of tests/matrix/matrix.py, and that what the collection claims is what the matrix proves.

Pure Python, no venv built and nothing run: ``make matrix`` runs these first
(``env PYTHONPATH=. .venv/bin/python -m pytest -q -p no:cacheprovider tests/matrix``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.matrix import matrix

REPO = Path(__file__).resolve().parents[2]


def test_every_pin_file_has_its_support_and_controller() -> None:
    """Each requirements-<core>.txt pins that core, and the tables know it; the controller chosen is supported."""
    cores = matrix.cores_available()
    assert cores[:6] == ['2.16', '2.17', '2.18', '2.19', '2.20', '2.21']
    for core in cores:
        assert matrix.pinned_core(core).startswith(core + '.'), core
        controllers, targets = matrix.SUPPORT[core]
        assert matrix.CONTROLLER[core] in controllers
        assert set(controllers) <= set(targets), 'a controller Python is also a target Python'
        assert matrix.controller_candidates(core)[0] == matrix.CONTROLLER[core]
        assert sorted(matrix.controller_candidates(core)) == sorted(controllers)


def test_pin_files_are_complete_freezes() -> None:
    """Every line of a pin file is an exact pin (the matrix installs them with --no-deps)."""
    for path in sorted(matrix.HERE.glob('*requirements*.txt')):
        lines = [line for line in path.read_text(encoding='utf-8').splitlines() if line and not line.startswith('#')]
        assert lines, path
        for line in lines:
            assert re.match(r'^[A-Za-z0-9_.-]+==[A-Za-z0-9.+]+( *; *python_version *[<>=!]=? *"3\.\d+")?$', line), (path, line)
    targets = (matrix.TARGET_PINS).read_text(encoding='utf-8')
    assert re.search(r'^requests==', targets, re.MULTILINE)


@pytest.mark.parametrize('core, found, expected', [
    ('2.16', matrix.MODULE_PYTHONS, ['3.8', '3.9', '3.10', '3.11', '3.12']),
    ('2.17', matrix.MODULE_PYTHONS, ['3.8', '3.9', '3.10', '3.11', '3.12']),
    ('2.18', matrix.MODULE_PYTHONS, ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']),
    ('2.19', matrix.MODULE_PYTHONS, ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']),
    ('2.20', matrix.MODULE_PYTHONS, ['3.9', '3.10', '3.11', '3.12', '3.13']),
    ('2.21', matrix.MODULE_PYTHONS, ['3.9', '3.10', '3.11', '3.12', '3.13']),
    ('2.21', ('3.8', '3.11', '3.13', '3.14'), ['3.11', '3.13']),
])
def test_target_pythons(core, found, expected) -> None:
    """Ours (3.8+) and the core's, from its oldest to 3.13, among the Pythons found."""
    assert matrix.target_pythons(core, found) == expected


def test_venv_key_follows_the_pins_and_the_python(tmp_path: Path) -> None:
    """A change of a pin file, of the interpreter or of its version gives another venv."""
    pins = tmp_path / 'pins.txt'
    pins.write_text('ansible-core==2.16.19\n')
    first = matrix.venv_key('/usr/bin/python3.10', '3.10.13', [pins])
    assert first == matrix.venv_key('/usr/bin/python3.10', '3.10.13', [pins])
    assert first != matrix.venv_key('/usr/bin/python3.10', '3.10.14', [pins])
    assert first != matrix.venv_key('/opt/python3.10', '3.10.13', [pins])
    pins.write_text('ansible-core==2.16.20\n')
    assert first != matrix.venv_key('/usr/bin/python3.10', '3.10.13', [pins])


def test_recap_and_warnings() -> None:
    """The PLAY RECAP of each host, and the distinct warning lines."""
    output = ('[WARNING]: one\nPLAY RECAP ****\n'
              'python3.8                  : ok=7    changed=3    unreachable=0    failed=0    skipped=0\n'
              'python3.13                 : ok=2    changed=0    unreachable=0    failed=1    skipped=0\n'
              '[WARNING]: one\n[DEPRECATION WARNING]: two\n')
    assert matrix.recap(output) == {'python3.8': (7, 0, 0), 'python3.13': (2, 0, 1)}
    assert matrix.warnings_of(output) == ['[WARNING]: one', '[DEPRECATION WARNING]: two']


def test_junit_outcomes(tmp_path: Path) -> None:
    """pytest's JUnit XML gives each smoke target's outcome and time."""
    junit = tmp_path / 'smoke.xml'
    junit.write_text('<testsuites><testsuite>'
                     '<testcase classname="t" name="test_target[neutron-bad_input]" time="96.5"/>'
                     '<testcase classname="t" name="test_target[neutron-ipsec_connection_lifecycle]" time="23.1">'
                     '<failure message="boom"/></testcase>'
                     '</testsuite></testsuites>')
    assert matrix.junit_outcomes(junit) == {'bad_input': ('passed', 96.5), 'ipsec_connection_lifecycle': ('failed', 23.1)}
    assert matrix.junit_outcomes(tmp_path / 'none.xml') == {}


def test_smoke_targets_exist() -> None:
    """The smoke set: bad_input and a create/update/delete target, both run by test_targets.py."""
    targets = REPO / 'tests' / 'integration' / 'targets'
    assert 'bad_input' in matrix.SMOKE_TARGETS
    for target in matrix.SMOKE_TARGETS:
        assert (targets / target / 'tasks' / 'main.yml').is_file(), target


def test_the_play_uses_the_seeded_objects() -> None:
    """Every id the play refers to is one matrix.py seeds."""
    play = yaml.safe_load(matrix.PLAY.read_text(encoding='utf-8'))
    seeded = {obj['id'] for objects in matrix.PYTHONS_SEED.values() for obj in objects}
    used = set(play[0]['vars']['matrix_tunnel'].values())
    assert used and used <= seeded


def test_requires_ansible_is_the_oldest_core_of_the_matrix() -> None:
    """meta/runtime.yml claims exactly the oldest core the matrix runs."""
    runtime = yaml.safe_load((REPO / 'meta' / 'runtime.yml').read_text(encoding='utf-8'))
    assert runtime['requires_ansible'] == '>=%s.0' % matrix.cores_available()[0]


def test_modules_python_requires_is_the_oldest_target() -> None:
    """tests/config.yml's python_requires is the oldest Python the matrix runs the modules on."""
    config = yaml.safe_load((REPO / 'tests' / 'config.yml').read_text(encoding='utf-8'))
    assert config['modules']['python_requires'] == '>=%s' % matrix.MODULE_PYTHONS[0]


def test_readme_support_table_is_what_the_matrix_runs() -> None:
    """The README's support table is the one matrix.py prints (`matrix.py support`)."""
    readme = (REPO / 'README.md').read_text(encoding='utf-8')
    assert matrix.support_table() in readme


def test_execution_environment_pin_is_proven() -> None:
    """The ansible-core the AWX execution environment pins is one the matrix runs."""
    ee = yaml.safe_load((REPO / 'docs' / 'awx' / 'execution-environment.yml').read_text(encoding='utf-8'))
    pin = ee['dependencies']['ansible_core']['package_pip']
    assert pin in ['ansible-core==%s' % matrix.pinned_core(core) for core in matrix.cores_available()]


@pytest.mark.parametrize('version, core', [('3.9', None), ('3.10', '2.16'), ('3.11', '2.19'), ('3.12', '2.20'),
                                           ('3.13', '2.21'), ('3.14', '2.21')])
def test_demo_core(version, core) -> None:
    """`make demo` without the dev venv: the newest core the matrix runs on that Python, else the newest supporting it."""
    assert matrix.demo_core(version) == core


def test_span() -> None:
    """Runs of consecutive versions, written as ranges."""
    assert matrix.span(('3.8', '3.9', '3.10')) == '3.8 to 3.10'
    assert matrix.span(('2.7', '3.6', '3.7', '3.8')) == '2.7, 3.6 to 3.8'
    assert matrix.span(('3.13',)) == '3.13'
