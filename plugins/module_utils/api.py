# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client of the Cairn REST API that every plugin of the collection uses.

Built on ansible.module_utils.urls.open_url, so a managed host needs nothing
beyond Ansible itself. It authenticates with a token, or trades a username
and password for one (POST /token) on first use. Errors carry the server's
status, message and the field it named.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url

#: The connection options every module takes; doc_fragments/api.py documents them
#: (and, for lookup and inventory plugins, their environment variables).
API_ARGUMENT_SPEC = dict(
    url=dict(type="str", required=True, fallback=(env_fallback, ["CAIRN_URL"])),
    token=dict(type="str", no_log=True, fallback=(env_fallback, ["CAIRN_TOKEN"])),
    username=dict(type="str", fallback=(env_fallback, ["CAIRN_USERNAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["CAIRN_PASSWORD"])),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="int", default=30),
)


class CairnError(Exception):
    """The server refused a request (``status`` set) or could not be reached (``status`` None)."""

    def __init__(self, message, status=None, field=None):
        super().__init__(message)
        self.status = status
        self.field = field


class CairnClient:
    """Requests to one Cairn server; ``token`` or ``username`` and ``password``."""

    def __init__(self, url, token=None, username=None, password=None, validate_certs=True, timeout=30):
        if not url:
            raise CairnError("the Cairn server's url is required (option url or CAIRN_URL)")
        if not token and not (username and password):
            raise CairnError("a token (CAIRN_TOKEN) or a username and password "
                             "(CAIRN_USERNAME, CAIRN_PASSWORD) are required")
        self.url = url.rstrip("/")
        self._token = token
        self._login = (username, password)
        self.validate_certs = validate_certs
        self.timeout = timeout

    @classmethod
    def from_params(cls, params):
        """A client from a module's params or a plugin's options (the API_ARGUMENT_SPEC keys)."""
        return cls(**{key: params.get(key) for key in API_ARGUMENT_SPEC})

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def request(self, method, path, body=None):
        """The decoded JSON answer (None for an empty one) of ``method path``."""
        headers = {"x-access-tokens": self.token()}
        return self._send(method, path, body, headers)

    def token(self):
        if not self._token:
            username, password = self._login
            self._token = self._send("POST", "/token", {"username": username, "password": password}, {})["token"]
        return self._token

    def _send(self, method, path, body, headers):
        data = None
        if body is not None:
            data = json.dumps(body)
            headers = dict(headers, **{"Content-Type": "application/json"})
        try:
            answer = open_url(self.url + path, method=method, data=data, headers=headers,
                              validate_certs=self.validate_certs, timeout=self.timeout)
            text = answer.read()
        except HTTPError as refused:
            raise _refusal(method, path, refused) from None
        except (URLError, OSError) as unreachable:
            raise CairnError(f"{method} {self.url}{path}: {unreachable}") from None
        return json.loads(text) if text else None


def _refusal(method, path, refused):
    """A CairnError from the JSON error body of an HTTP error ({"message", "field"})."""
    try:
        body = json.loads(refused.read())
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message") or refused.reason
    return CairnError(f"{method} {path}: {refused.code} {message}", status=refused.code, field=body.get("field"))
