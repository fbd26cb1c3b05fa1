#!/usr/bin/env bash
# Print the real path of the first working Python among the versions given (e.g. 3.12 3.13),
# looking on PATH (python3.12, ...) and then in pyenv's versions; print nothing if none works.
#
# A pyenv shim on PATH can exist for a version that is not the active one and then fails
# when run, so every candidate is run, and what is printed is its own sys.executable
# (never a shim). A candidate must also have venv and ensurepip, which `make venv` needs.
set -uo pipefail

probe='import sys, venv, ensurepip; print(sys.executable, "%d.%d" % sys.version_info[:2])'

candidates() {
	local version
	for version in "$@"; do
		command -v "python$version" 2>/dev/null || true
		local root
		root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
		local dir
		for dir in "$root"/versions/"$version" "$root"/versions/"$version".*; do
			[ -x "$dir/bin/python$version" ] && echo "$dir/bin/python$version"
		done
		for dir in /usr/local/bin /usr/bin; do
			[ -x "$dir/python$version" ] && echo "$dir/python$version"
		done
	done
}

for version in "$@"; do
	while read -r candidate; do
		[ -n "$candidate" ] || continue
		if out=$(env -u PYTHONPATH -u PYTHONHOME PYENV_VERSION="$version" "$candidate" -c "$probe" 2>/dev/null); then
			read -r executable got <<<"$out"
			if [ "$got" = "$version" ]; then
				echo "$executable"
				exit 0
			fi
		fi
	done < <(candidates "$version")
done
exit 0
