# Build and test tooling for the vpnaas.cloud collection (GNU make).
#
# Everything runs from a virtual environment in .venv that `make venv` creates from
# requirements-dev.txt (every package pinned). Build output and test scratch space go
# to .build/. Playbooks, integration tests, the demo and ansible-doc use the collection
# as built and installed by `make collection`, never the working tree directly.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

NAMESPACE := vpnaas
COLLECTION := cloud
FQCN := $(NAMESPACE).$(COLLECTION)
VERSION := $(shell sed -n 's/^version:[[:space:]]*//p' galaxy.yml)

# The interpreter that creates .venv: one that the controller of the pinned ansible-core
# (requirements-dev.txt: 2.21) supports, found on PATH or in pyenv's versions, the first of
# CONTROLLER_PYTHONS that works; override with `make PYTHON=/path/to/python3.13 ...`.
CONTROLLER_PYTHONS := 3.12 3.13 3.14
PYTHON ?= $(shell tests/tools/find_python.sh $(CONTROLLER_PYTHONS))
# The Python version ansible-test sanity runs under: the venv's own.
SANITY_PYTHON_VERSION ?= $(shell [ -x "$(CURDIR)/.venv/bin/python" ] && "$(CURDIR)/.venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
NO_PYTHON_MESSAGE := No Python $(CONTROLLER_PYTHONS) was found on PATH or in pyenv's versions, and \
	ansible-core 2.21's controller needs one. Install one (for example `pyenv install 3.12`, or \
	Debian/Ubuntu's python3.12 with python3.12-venv), or name it: make PYTHON=/path/to/python3.12 $(MAKECMDGOALS). \
	`make demo` works without it, on the default python3 (3.10 to 3.13) and an older ansible-core (2.19 for 3.11).

VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.requirements-dev.stamp
ANSIBLE_PLAYBOOK := $(VENV)/bin/ansible-playbook
ANSIBLE_GALAXY := $(VENV)/bin/ansible-galaxy
ANSIBLE_DOC := $(VENV)/bin/ansible-doc
ANSIBLE_TEST := $(VENV)/bin/ansible-test
ANSIBLE_LINT := $(VENV)/bin/ansible-lint
ANTSIBULL_CHANGELOG := $(VENV)/bin/antsibull-changelog
ANTSIBULL_DOCS := $(VENV)/bin/antsibull-docs
PYTEST := $(PY) -m pytest

BUILD := $(CURDIR)/.build
DIST := $(BUILD)/dist
TARBALL := $(DIST)/$(NAMESPACE)-$(COLLECTION)-$(VERSION).tar.gz
# The built tarball installed as .build/collections/ansible_collections/vpnaas/cloud.
INSTALLED_PATH := $(BUILD)/collections
# The working tree seen as ansible_collections/vpnaas/cloud (a symlink), for unit tests.
SRC_PATH := $(BUILD)/src
SRC_LINK := $(SRC_PATH)/ansible_collections/$(NAMESPACE)/$(COLLECTION)
# The tarball's content, extracted for ansible-test sanity.
SANITY_ROOT := $(BUILD)/sanity/ansible_collections/$(NAMESPACE)/$(COLLECTION)

# The environment every Ansible command runs in: the venv's python as the module
# interpreter (interpreter discovery can pick a broken pyenv shim), the venv's tools
# first on PATH, and only the installed build as a collection source.
LINT_ENV := \
	PATH="$(VENV)/bin:$$PATH" \
	ANSIBLE_PYTHON_INTERPRETER="$(PY)" \
	ANSIBLE_COLLECTIONS_PATH="$(INSTALLED_PATH)" \
	ANSIBLE_NOCOLOR=1 \
	ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_LOCAL_TEMP="$(BUILD)/ansible-tmp"
# ansible-lint warns when collections on sys.path are not scanned, so only the others
# turn that off (nothing in .venv ships collections anyway).
ANSIBLE_ENV := $(LINT_ENV) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

# Unit tests import the working tree (through the symlink) so edits are seen at once.
UNIT_ENV := \
	PATH="$(VENV)/bin:$$PATH" \
	PYTHONPATH="$(SRC_PATH)" \
	ANSIBLE_PYTHON_INTERPRETER="$(PY)" \
	ANSIBLE_COLLECTIONS_PATH="$(SRC_PATH)" \
	ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
	ANSIBLE_LOCAL_TEMP="$(BUILD)/ansible-tmp"

# Run pytest on a directory; a directory with no test files yet is reported and skipped.
# $(1): the directory, $(2): environment assignments.
define run_pytest
	@if [ -z "$$(find $(1) -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | head -n1)" ]; then \
		echo "No tests in $(1) yet: skipped."; \
	else \
		echo "== pytest $(1)"; \
		env $(2) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(1); \
	fi
endef

.PHONY: help venv collection demo demo-venv demo-fallback unit integration matrix openstack sanity lint docs test clean

help: ## Show this help
	@echo "Targets for $(FQCN) $(VERSION):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14 | sed 's/^/  /'

venv: $(VENV_STAMP) ## Create .venv with the pinned tools of requirements-dev.txt

$(VENV_STAMP): requirements-dev.txt requirements.txt
	$(if $(strip $(PYTHON)),,$(error $(NO_PYTHON_MESSAGE)))
	@echo "== creating $(VENV) with $(PYTHON)"
	rm -rf "$(VENV)"
	$(PYTHON) -m venv "$(VENV)"
	$(PY) -m pip install --disable-pip-version-check --no-input --quiet -r requirements-dev.txt -r requirements.txt
	$(PY) -m pip check
	touch "$@"

collection: venv ## Build the collection tarball and install it into .build/collections
	@echo "== building $(FQCN) $(VERSION)"
	rm -rf "$(DIST)" "$(INSTALLED_PATH)"
	mkdir -p "$(DIST)" "$(INSTALLED_PATH)"
	$(ANSIBLE_GALAXY) collection build --force --output-path "$(DIST)" .
	env $(ANSIBLE_ENV) $(ANSIBLE_GALAXY) collection install --offline --force --no-deps -p "$(INSTALLED_PATH)" "$(TARBALL)"

# `make demo` runs in .venv; with no Python for it (PYTHON empty: none found, or `make demo PYTHON=`), in
# demo-fallback: the default python3 and the newest ansible-core of tests/matrix that `make matrix` runs on
# that Python (2.19 for 3.11, 2.16 for 3.10; tests/matrix/matrix.py demo_core), in a venv cached under
# ~/.cache/vpnaas-cloud/matrix, with the collection built and installed by that core into .build/demo.
demo: ## Run tests/demo/demo.yml against the emulator (Neutron flavour)
	@$(MAKE) --no-print-directory $(if $(strip $(PYTHON)),demo-venv PYTHON="$(PYTHON)",demo-fallback)

demo-venv: venv collection
	env $(ANSIBLE_ENV) $(PY) tests/emulator/run_with.py --flavour neutron -- \
		$(ANSIBLE_PLAYBOOK) -i localhost, tests/demo/demo.yml

DEMO_PYTHON ?= python3
DEMO_BUILD := $(BUILD)/demo
# The environment of the fallback's Ansible commands, as ANSIBLE_ENV for .venv; $(1): the venv.
demo_env = PATH="$(1)/bin:$$PATH" ANSIBLE_PYTHON_INTERPRETER="$(1)/bin/python" \
	ANSIBLE_COLLECTIONS_PATH="$(DEMO_BUILD)/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
	ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_LOCAL_TEMP="$(DEMO_BUILD)/ansible-tmp"

demo-fallback:
	$(if $(shell command -v "$(DEMO_PYTHON)"),,$(error No Python $(CONTROLLER_PYTHONS) for .venv, and no $(DEMO_PYTHON) \
		for the demo: install one, or name it: make demo DEMO_PYTHON=/path/to/python3.11))
	@echo "== no Python $(CONTROLLER_PYTHONS) for .venv: the demo runs on $(DEMO_PYTHON) ($$("$(DEMO_PYTHON)" -V 2>&1))"
	rm -rf "$(DEMO_BUILD)"
	mkdir -p "$(DEMO_BUILD)/dist" "$(DEMO_BUILD)/collections"
	venv=$$("$(DEMO_PYTHON)" tests/matrix/matrix.py venv); \
	"$$venv/bin/ansible-galaxy" collection build --force --output-path "$(DEMO_BUILD)/dist" . ; \
	env $(call demo_env,$$venv) "$$venv/bin/ansible-galaxy" collection install --offline --force --no-deps \
		-p "$(DEMO_BUILD)/collections" "$(DEMO_BUILD)/dist/$(notdir $(TARBALL))"; \
	env $(call demo_env,$$venv) "$$venv/bin/python" tests/emulator/run_with.py --flavour neutron -- \
		"$$venv/bin/ansible-playbook" -i localhost, tests/demo/demo.yml

$(SRC_LINK):
	mkdir -p "$(dir $@)"
	ln -sfn "$(CURDIR)" "$@"

unit: venv $(SRC_LINK) ## Unit tests (tests/unit) and the emulator's own tests (tests/emulator)
	$(call run_pytest,tests/unit,$(UNIT_ENV))
	$(call run_pytest,tests/emulator,$(UNIT_ENV))

# The integration tests that do not time their own requests run on both cores (pytest-xdist);
# the fault, concurrency, load and secrets tests run one at a time afterwards.
PARALLEL_INTEGRATION := tests/integration/test_targets.py tests/integration/test_site_to_site.py \
	tests/integration/test_hub_and_spoke.py tests/integration/test_readme.py tests/integration/test_environment_auth.py
INTEGRATION_WORKERS ?= 2

integration: venv collection ## Integration tests: ansible-playbook and ansible-runner (as AWX) against the emulator
	@echo "== pytest on $(INTEGRATION_WORKERS) workers: $(notdir $(PARALLEL_INTEGRATION))"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" -n $(INTEGRATION_WORKERS) $(PARALLEL_INTEGRATION)
	@echo "== pytest tests/integration: the rest, one at a time"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(addprefix --ignore=,$(PARALLEL_INTEGRATION)) \
		tests/integration
	$(call run_pytest,tests/awx,$(ANSIBLE_ENV))

# `make matrix` (tests/matrix/matrix.py): MATRIX_CORES=2.16 2.21 runs only those; MATRIX_JOBS cores run at a time.
MATRIX_CORES ?=
MATRIX_JOBS ?= 2
matrix: venv collection ## The built collection on ansible-core 2.16 to 2.21 and target Pythons 3.8 to 3.13
	@echo "== pytest tests/matrix (the matrix's own logic, and that the README and meta/runtime.yml claim what it runs)"
	env PYTHONPATH="$(CURDIR)" $(PYTEST) -q -p no:cacheprovider --rootdir="$(CURDIR)" tests/matrix
	$(PY) tests/matrix/matrix.py run --tarball "$(TARBALL)" --jobs $(MATRIX_JOBS) $(MATRIX_CORES)

# Loop size and interleaved rounds of `make bench` (tests/bench/bench.py): the defaults fit in 10 minutes on a
# quiet 2-core machine; `make bench BENCH_ITEMS=200 BENCH_ROUNDS=3` is the full-size run (about 35 minutes).
BENCH_ITEMS ?= 20
BENCH_ROUNDS ?= 4
.PHONY: bench
bench: venv collection ## Benchmark against the emulator: requests per task, loop time vs ansible.builtin.uri, memory
	env $(ANSIBLE_ENV) $(PY) tests/bench/bench.py --items $(BENCH_ITEMS) --rounds $(BENCH_ROUNDS) \
		--output "$(CURDIR)/tests/output/bench"

openstack: venv collection ## The vpnaas/openstack targets and Keystone logins against real Neutron 29 + Keystone 30 on loopback
	@echo "== venvs of the real servers (cached in ~/.cache/vpnaas-cloud, rebuilt when tests/openstack/requirements-*.txt change)"
	$(PY) tests/openstack/venvs.py neutron keystone
	$(call run_pytest,tests/openstack,$(ANSIBLE_ENV))

sanity: venv collection ## ansible-test sanity (no ignore files) on the collection as shipped
	@echo "== ansible-test sanity on the content of $(notdir $(TARBALL))"
	rm -rf "$(BUILD)/sanity"
	mkdir -p "$(SANITY_ROOT)"
	tar -xzf "$(TARBALL)" -C "$(SANITY_ROOT)"
	@# A git work tree of its own, so that ansible-test does not take /work's .git (where
	@# .build is ignored) as the source of the file list; tests/output is its scratch space.
	git -C "$(SANITY_ROOT)" init --quiet
	echo "tests/output/" >> "$(SANITY_ROOT)/.git/info/exclude"
	@# ansible-test downloads a get-pip script for each venv it creates, from a host that
	@# is not reachable here; it uses a cached copy if present, so put our stand-in there.
	$(PY) tests/tools/install_get_pip_standin.py $(SANITY_PYTHON_VERSION)
	cd "$(SANITY_ROOT)" && env -u ANSIBLE_COLLECTIONS_PATH PATH="$(VENV)/bin:$$PATH" \
		$(ANSIBLE_TEST) sanity --venv --python $(SANITY_PYTHON_VERSION) --color no

lint: venv collection ## ansible-lint (production profile): the tree, then each module's EXAMPLES
	env $(LINT_ENV) $(ANSIBLE_LINT) --offline
	@# ansible-lint does not read EXAMPLES: write each module's as a playbook and lint those.
	rm -rf "$(BUILD)/examples"
	@examples=$$($(PY) tests/tools/extract_examples.py "$(BUILD)/examples" $$(find plugins/modules -maxdepth 1 -name '*.py' ! -name '__init__.py' | sort)); \
	if [ -z "$$examples" ]; then echo "No module EXAMPLES to lint."; \
	else echo "== ansible-lint of module EXAMPLES"; env $(LINT_ENV) $(ANSIBLE_LINT) --offline $$examples; fi

docs: venv collection ## ansible-doc renders each module and role without warnings; docs and changelog lint
	@modules=$$(find plugins/modules -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' 2>/dev/null | sed 's/\.py$$//' | sort); \
	if [ -z "$$modules" ]; then echo "No modules in plugins/modules yet."; fi; \
	for module in $$modules; do \
		if ! messages=$$(env $(ANSIBLE_ENV) $(ANSIBLE_DOC) -t module "$(FQCN).$$module" 2>&1 >/dev/null); then \
			echo "FAILED: ansible-doc $(FQCN).$$module"; echo "$$messages"; exit 1; \
		fi; \
		if [ -n "$$messages" ]; then \
			echo "FAILED: ansible-doc $(FQCN).$$module printed warnings:"; echo "$$messages"; exit 1; \
		fi; \
		echo "ok: ansible-doc -t module $(FQCN).$$module"; \
	done
	@for role in $$(find roles -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort); do \
		if ! messages=$$(env $(ANSIBLE_ENV) $(ANSIBLE_DOC) -t role "$(FQCN).$$role" 2>&1 >/dev/null) || [ -n "$$messages" ]; then \
			echo "FAILED: ansible-doc -t role $(FQCN).$$role"; echo "$$messages"; exit 1; \
		fi; \
		echo "ok: ansible-doc -t role $(FQCN).$$role"; \
	done
	@# The plugin docs (markup, links, semantic references) and docs/docsite (rstcheck), as installed.
	cd "$(INSTALLED_PATH)/ansible_collections/$(NAMESPACE)/$(COLLECTION)" && env $(ANSIBLE_ENV) \
		$(ANTSIBULL_DOCS) lint-collection-docs --plugin-docs .
	$(ANTSIBULL_CHANGELOG) lint

test: ## unit, integration, openstack, sanity, lint and docs, stopping at the first failure
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory integration
	$(MAKE) --no-print-directory matrix
	$(MAKE) --no-print-directory openstack
	$(MAKE) --no-print-directory sanity
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory docs

clean: ## Remove .venv, .build and test output
	rm -rf "$(VENV)" "$(BUILD)" tests/output .pytest_cache
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
