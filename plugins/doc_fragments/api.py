# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options of every Cairn module and plugin; kept in step with
module_utils/api.py's API_ARGUMENT_SPEC.

``cairn.cluster.api.plugins`` is the form for lookup and inventory plugins: the same options
with their ``env`` entries, which is how those plugins read CAIRN_URL and the rest.
Modules take the environment through the argument spec's fallbacks, and
``ansible-test sanity`` refuses ``env`` in a module's documentation. Both are plain
string literals, as ansible-test's yamllint reads them. Every module is in the action
group ``cairn`` (meta/runtime.yml): the modules' form says so once for all.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/cairn.cluster.cairn) in C(module_defaults) to set O(url) and O(token) once.
    support: full
    membership:
      - cairn.cluster.cairn
options:
  url:
    description:
    - The base URL of the Cairn server, for example C(http://controller:7050).
    - Taken from the environment variable E(CAIRN_URL) when not set.
    type: str
    required: true
  token:
    description:
    - A token of the Cairn server (from C(POST /token) or C(cairn-server)'s accounts).
    - Taken from E(CAIRN_TOKEN) when not set. Either O(token) or O(username) and O(password) are required.
    type: str
  username:
    description:
    - The account name to log in with (C(POST /token)) when no O(token) is given.
    - Taken from E(CAIRN_USERNAME) when not set.
    type: str
  password:
    description:
    - The password of O(username). Taken from E(CAIRN_PASSWORD) when not set.
    type: str
  validate_certs:
    description:
    - Whether to check the server's TLS certificate. Turn off only for a self-signed test server.
    type: bool
    default: true
  timeout:
    description:
    - Seconds to wait for each answer of the server.
    type: int
    default: 30
"""

    PLUGINS = r"""
options:
  url:
    description:
    - The base URL of the Cairn server, for example C(http://controller:7050).
    - Taken from the environment variable E(CAIRN_URL) when not set.
    type: str
    required: true
    env:
    - name: CAIRN_URL
  token:
    description:
    - A token of the Cairn server (from C(POST /token) or C(cairn-server)'s accounts).
    - Taken from E(CAIRN_TOKEN) when not set. Either O(token) or O(username) and O(password) are required.
    type: str
    env:
    - name: CAIRN_TOKEN
  username:
    description:
    - The account name to log in with (C(POST /token)) when no O(token) is given.
    - Taken from E(CAIRN_USERNAME) when not set.
    type: str
    env:
    - name: CAIRN_USERNAME
  password:
    description:
    - The password of O(username). Taken from E(CAIRN_PASSWORD) when not set.
    type: str
    env:
    - name: CAIRN_PASSWORD
  validate_certs:
    description:
    - Whether to check the server's TLS certificate. Turn off only for a self-signed test server.
    type: bool
    default: true
  timeout:
    description:
    - Seconds to wait for each answer of the server.
    type: int
    default: 30
"""
