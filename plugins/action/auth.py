# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vpnaas.cloud.auth: runs the module, and never lets its result be displayed.

The module returns a token, which is a secret but not one of the task's own
``no_log`` options, so Ansible would print it.  Marking the result ``no_log`` here
censors it in every callback at every verbosity, while ``register`` still keeps it.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Run vpnaas.cloud.auth with its result censored."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name='vpnaas.cloud.auth', module_args=self._task.args,
                                           task_vars=task_vars))
        result['_ansible_no_log'] = True
        return result
