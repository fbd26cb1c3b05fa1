#!/usr/bin/env python
"""Write each module's EXAMPLES as a playbook, so that ansible-lint checks them too.

EXAMPLES is a YAML list whose items are tasks or whole plays.  The tasks are put,
with their text unchanged (comments and layout included), under the ``tasks:`` of one
wrapper play; the plays follow as they are.  Usage::

    extract_examples.py OUTPUT_DIR MODULE.py...

Writes OUTPUT_DIR/<module>.yml for each module that has EXAMPLES and prints the paths.
"""

from __future__ import annotations

import ast
import os
import sys

import yaml


def examples_of(path: str) -> str | None:
    """Return the EXAMPLES string assigned at the top level of a module file."""
    with open(path, encoding='utf-8') as source:
        tree = ast.parse(source.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'EXAMPLES' for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def split_items(text: str) -> list[str]:
    """Split a top-level YAML list into the text of its items (leading comments go with the next item)."""
    items: list[list[str]] = []
    pending: list[str] = []
    for line in text.strip('\n').splitlines():
        if line.startswith('- '):
            items.append(pending + [line])
            pending = []
        elif items and (line.startswith((' ', '\t')) or not line.strip()) and not pending:
            items[-1].append(line)
        else:
            pending.append(line)
    if pending and items:
        items[-1].extend(pending)
    return ['\n'.join(lines).rstrip() + '\n' for lines in items]


def is_play(item: str) -> bool:
    """True when the item is a play rather than a task."""
    data = yaml.safe_load(item)
    entry = data[0] if isinstance(data, list) and data else {}
    return isinstance(entry, dict) and ('hosts' in entry or 'import_playbook' in entry)


def playbook(module: str, text: str) -> str:
    """Return a playbook made of the examples of ``module``."""
    items = split_items(text)
    tasks = [item for item in items if not is_play(item)]
    plays = [item for item in items if is_play(item)]
    out = ['---\n']
    if tasks:
        out.append('- name: Examples of vpnaas.cloud.%s\n  hosts: localhost\n  gather_facts: false\n  tasks:\n' % module)
        for index, item in enumerate(tasks):
            out.append(('\n' if index else '') + ''.join(
                ('    ' + line if line.strip() else '') + '\n' for line in item.splitlines()))
    out.extend('\n' + item if index or tasks else item for index, item in enumerate(plays))
    return ''.join(out)


def main() -> int:
    """Write one playbook per module with examples."""
    output_dir, modules = sys.argv[1], sys.argv[2:]
    os.makedirs(output_dir, exist_ok=True)
    for path in modules:
        text = examples_of(path)
        if not text or not text.strip():
            continue
        module = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(output_dir, module + '.yml')
        with open(target, 'w', encoding='utf-8') as out:
            out.write(playbook(module, text))
        print(target)
    return 0


if __name__ == '__main__':
    sys.exit(main())
