# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A BMC's NTP over Redfish (DMTF DSP0266): the ``NTP`` of each manager's
ManagerNetworkProtocol resource, read first and patched only where it differs.

HTTPS with Ansible's open_url, HTTP basic authentication with the BMC setup's user (no
Redfish session, so none is left behind). Nothing comes from the environment: no proxy
and no .netrc (BMC networks are private, and a proxy must not see BMC passwords). BMCs
mostly carry self-signed certificates: they are not verified unless a CA file is given,
as the server's engine does (its setting bmc_redfish_ca).

The settings, as read and as they become (the module's diff, under ``ntp``)::

    {"<manager Id>": {"ProtocolEnabled": true, "NTPServers": ["10.141.255.254"]}}

Empty entries of NTPServers (the unused slots of BMCs with a fixed number) are left out.
"""

from __future__ import annotations

import json
import socket
import ssl
from urllib.error import HTTPError, URLError

from ansible.module_utils.urls import open_url

from ansible_collections.cairn.cluster.plugins.module_utils.bmc_ipmi import BmcError

PORT = 443
MANAGERS = "/redfish/v1/Managers"
#: Seconds to connect and to read an answer; a BMC's web server can be slow.
TIMEOUT = 10
#: Bound on the pages of the managers' collection (a BMC whose nextLink goes round).
_PAGES = 20
#: What the module's result ``ntp`` says.
NTP_SET, NTP_NOT_OFFERED = "set", "not offered"


class Redfish:
    """The Redfish service of one BMC."""

    def __init__(self, address, username, password, ca_path=None):
        self.address = address
        self.base = f"https://[{address}]:{PORT}" if ":" in address else f"https://{address}:{PORT}"
        self.username = username
        self._password = password
        self._ca_path = ca_path

    def get(self, path):
        """(the resource, its ETag or None); None for a resource the BMC does not have (404)."""
        return self._request("GET", path)

    def patch(self, path, document, etag):
        self._request("PATCH", path, document, etag)

    def _request(self, method, path, document=None, etag=None):
        headers = {"Accept": "application/json", "OData-Version": "4.0"}
        if document is not None:
            headers["Content-Type"] = "application/json"
        if etag:
            headers["If-Match"] = etag
        try:
            answer = open_url(self.base + path, method=method, headers=headers,
                              data=None if document is None else json.dumps(document),
                              url_username=self.username, url_password=self._password, force_basic_auth=True,
                              validate_certs=bool(self._ca_path), ca_path=self._ca_path, use_proxy=False,
                              use_netrc=False, timeout=TIMEOUT, follow_redirects="safe")
            body = answer.read()
        except HTTPError as error:
            if method == "GET" and error.code == 404:
                return None, None
            raise BmcError(self._refusal(method, path, error)) from None
        except (URLError, socket.timeout, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, socket.timeout):
                raise BmcError(f"no answer from the Redfish service at {self.address} after {TIMEOUT} s") from None
            if isinstance(reason, ssl.SSLError):
                raise BmcError(f"TLS error with the Redfish service at {self.address}: {reason}") from None
            raise BmcError(f"cannot reach the Redfish service at {self.address}: {reason}") from None
        if method != "GET":
            return None, None
        try:
            resource = json.loads(body)
        except ValueError:
            resource = None
        if not isinstance(resource, dict):
            raise BmcError(f"the Redfish service at {self.address} answered GET {path} with no JSON object")
        return resource, answer.headers.get("ETag") or resource.get("@odata.etag")

    def _refusal(self, method, path, error):
        if error.code == 401:
            return f"the Redfish service at {self.address} refused user {self.username} (HTTP 401)"
        return f"{method} {path} at {self.address}: HTTP {error.code} {_message(error)}"


def _message(error):
    """The Redfish error's first extended message, else its message, else the reason."""
    try:
        detail = json.loads(error.read())["error"]
        extended = detail.get("@Message.ExtendedInfo") or [{}]
        return extended[0].get("Message") or detail["message"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return error.reason


def ntp_of(ntp):
    """The NTP settings that matter, from a ManagerNetworkProtocol's ``NTP``."""
    return {"ProtocolEnabled": ntp.get("ProtocolEnabled") is True,
            "NTPServers": [server for server in ntp.get("NTPServers") or [] if server]}


class NtpSetup:
    """Sets every manager of the BMC to use ``server`` (enabled, the only server)."""

    def __init__(self, redfish, server):
        self.redfish = redfish
        self.wanted = {"ProtocolEnabled": True, "NTPServers": [server]}
        #: {manager Id: NTP settings} of the managers that offer NTP, before and after.
        self.before, self.after = {}, {}
        #: What differs (and is changed, out of check mode), one line per manager.
        self.changes = []
        #: What was changed so far (when a PATCH fails, what came before it).
        self.done = []
        #: Per manager Id: (the NetworkProtocol's path, its ETag, the length of its NTPServers).
        self._found = {}

    @property
    def state(self):
        """NTP_SET, or NTP_NOT_OFFERED when no manager of the BMC has NTP."""
        return NTP_SET if self.before else NTP_NOT_OFFERED

    def run(self, check_mode):
        self._read()
        pending = [manager for manager, current in self.before.items() if current != self.wanted]
        self.after = {manager: dict(self.wanted) for manager in self.before}
        self.changes = [f"manager {manager}: NTP server {self.wanted['NTPServers'][0]}" for manager in pending]
        if check_mode:
            return
        for manager, what in zip(pending, self.changes):
            path, etag, slots = self._found[manager]
            # A shorter array leaves a BMC's further slots as they were (DSP0266): null clears them.
            servers = self.wanted["NTPServers"] + [None] * (slots - 1)
            self.redfish.patch(path, {"NTP": {"ProtocolEnabled": True, "NTPServers": servers}}, etag)
            self.done.append(what)

    def _read(self):
        for path in self._manager_paths():
            manager, _etag = self.redfish.get(path)
            link = ((manager or {}).get("NetworkProtocol") or {}).get("@odata.id")
            if not link:
                continue
            protocol, etag = self.redfish.get(link)
            ntp = (protocol or {}).get("NTP")
            if not isinstance(ntp, dict):
                continue
            name = manager.get("Id") or path.rsplit("/", 1)[-1]
            self.before[name] = ntp_of(ntp)
            self._found[name] = (link, etag, len(ntp.get("NTPServers") or []))

    def _manager_paths(self):
        paths, page = [], MANAGERS
        for _page in range(_PAGES):
            collection, _etag = self.redfish.get(page)
            if collection is None:
                break
            paths += [member["@odata.id"] for member in collection.get("Members") or [] if "@odata.id" in member]
            page = collection.get("Members@odata.nextLink")
            if not page:
                break
        return paths
