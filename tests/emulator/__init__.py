# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local emulator of the Neutron VPNaaS / Huawei Cloud VPN v2.0 API, for tests.

Standard library only. Start it with ``python -m tests.emulator`` from the collection root,
or in-process with :func:`tests.emulator.server.start_server`.
"""
