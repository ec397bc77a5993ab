"""The actions on BMCs that speak Redfish (DMTF DSP0266), over HTTPS with requests.

The hosts that share a BMC (address, port and credentials) are one piece of work: one
requests.Session (HTTP basic authentication, one kept-alive connection), handled by one
thread of a pool of at most policy.concurrency threads. Each HTTP request gets
policy.timeout seconds to connect and as many to read; a BMC that timed out gets
policy.retries more attempts (never once a reset or cycle went out). Nothing is taken
from the environment (trust_env off): no proxy, no netrc, and TLS verification only
as the setting bmc_redfish_ca says, since BMCs mostly carry self-signed certificates.

Nothing vendor-specific is assumed: the system's URI is found in /redfish/v1/Systems,
the reset types in the system's ComputerSystem.Reset action, the identify light as
LocationIndicatorActive or IndicatorLED, and the event log in the LogServices of the
system or of the managers that manage it.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import urllib3

from cairn.bmc.model import WRONG_CREDENTIALS

log = logging.getLogger("cairn.bmc")

# Verification is the admin's choice (bmc_redfish_ca); a warning on every request to a
# self-signed BMC would only flood the server's log.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

SYSTEMS = "/redfish/v1/Systems"
#: Seconds a cycle waits for the system to be off before it turns it on again, when the
#: BMC offers no PowerCycle (polling every POLL seconds).
OFF_WAIT = 30.0
POLL = 0.5
_PAGES = 100      # bound on the pages of a log's entries (a BMC whose nextLink goes round)
# PowerState -> the outcome of power status: a transition counts as where it is heading.
POWER_STATES = {"On": "on", "PoweringOn": "on", "Paused": "on", "Off": "off", "PoweringOff": "off"}
BOOT_TARGETS = {"pxe": "Pxe", "disk": "Hdd"}
BOOT_TARGET_NAMES = {"None": "none", "Pxe": "pxe", "Hdd": "disk", "Cd": "cdrom", "BiosSetup": "bios",
                     "Floppy": "floppy"}
#: The actions only Redfish has: the spec's redfish subsystem.
ACTIONS = {"redfish": ("upload", "setting")}


class Failure(Exception):
    """Why an action failed on a BMC, one line; ``retry``: an attempt that may be made again."""

    def __init__(self, reason, retry=False):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class _Bmc:
    """One BMC's session, for one run."""

    def __init__(self, target, policy):
        host = f"[{target.address}]" if ":" in target.address else target.address
        self.base = f"https://{host}:{target.port}"
        self.address = target.address
        self.timeout = policy.timeout
        self.verify = policy.redfish_ca or False
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.auth = (target.username or "", target.password or "")
        self.session.headers.update({"Accept": "application/json", "OData-Version": "4.0"})
        self.changed = False      # a request that changes the system went out

    def get(self, path):
        return self._request("GET", path)

    def post(self, path, document):
        return self._request("POST", path, document)

    def patch(self, path, document):
        return self._request("PATCH", path, document)

    def _request(self, method, path, document=None):
        if method != "GET":
            self.changed = True
        try:
            answer = self.session.request(method, self.base + path, json=document, verify=self.verify,
                                          timeout=(self.timeout, self.timeout))
        except requests.Timeout:
            raise Failure(f"timeout after {self.timeout:g} s", retry=True) from None
        except requests.exceptions.SSLError as error:
            raise Failure(f"TLS error with {self.address}: {_cause(error)}") from None
        except requests.RequestException as error:
            raise Failure(f"cannot reach {self.address}: {_cause(error)}") from None
        if answer.status_code == 401:
            raise Failure(WRONG_CREDENTIALS)
        if answer.status_code >= 400:
            raise Failure(f"BMC error: {answer.status_code} {_message(answer)}")
        if not answer.content:
            return {}
        try:
            resource = answer.json()
        except ValueError:
            resource = None
        if not isinstance(resource, dict):
            raise Failure(f"unexpected answer from the BMC to {method} {path}: no JSON object")
        return resource

    def close(self):
        self.session.close()


def _cause(error):
    """The innermost reason of a requests error (e.g. "Connection refused"), one line."""
    reason = error
    for _depth in range(10):      # urllib3 and requests wrap it a few times
        inner = getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return text.splitlines()[0]


def _message(answer):
    """The message of a Redfish error answer: error.message, or its first extended info."""
    try:
        error = answer.json()["error"]
        info = error.get("@Message.ExtendedInfo") or [{}]
        text = info[0].get("Message") or error.get("message")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        text = None
    text = text or answer.reason or ""
    return text.splitlines()[0] if text else ""


def _link(resource, key):
    """The @odata.id of ``resource[key]``; a Failure when it has none."""
    link = resource.get(key)
    if not isinstance(link, dict) or not isinstance(link.get("@odata.id"), str):
        raise Failure(f"the BMC offers no {key}")
    return link["@odata.id"]


def _members(bmc, path):
    """The @odata.id of each member of the collection at ``path``, following nextLink."""
    members = []
    for _page in range(_PAGES):
        collection = bmc.get(path)
        members += [m["@odata.id"] for m in collection.get("Members", ())
                    if isinstance(m, dict) and isinstance(m.get("@odata.id"), str)]
        path = collection.get("Members@odata.nextLink")
        if not path:
            break
    return members


def systems_of(bmc, hosts):
    """{host: its system's URI, or the Failure of a host without one}: the BMC's only
    system, or (a BMC with several) the one whose Id or Name is the host's name."""
    members = _members(bmc, SYSTEMS)
    if not members:
        raise Failure("the BMC lists no system")
    if len(members) == 1:
        return dict.fromkeys(hosts, members[0])
    names = {}
    for uri in members:
        system = bmc.get(uri)
        for name in (system.get("Id"), system.get("Name")):
            if isinstance(name, str):
                names.setdefault(name.lower(), uri)
    return {host: names.get(host.lower()) or Failure(
        f"the BMC has {len(members)} systems, none with the Id or Name '{host}'") for host in hosts}


# --------------------------------------------------------------------------- the actions
# Each takes (bmc, the system's URI, the request's argument) and returns (result, detail).

def _allowed_resets(system):
    action = system.get("Actions", {}).get("#ComputerSystem.Reset")
    if not isinstance(action, dict) or not isinstance(action.get("target"), str):
        raise Failure("the BMC offers no ComputerSystem.Reset")
    # Without the annotation a service may accept any ResetType (DSP0266): try the first choice.
    return action["target"], action.get("ResetType@Redfish.AllowableValues")


def _reset(bmc, system, *choices):
    """POST the first of ``choices`` that the system offers."""
    target, allowed = _allowed_resets(system)
    offered = [choice for choice in choices if allowed is None or choice in allowed]
    if not offered:
        raise Failure(f"the BMC offers none of the reset types {', '.join(choices)}")
    bmc.post(target, {"ResetType": offered[0]})
    return offered[0]


def power_status(bmc, uri, _argument=None):
    state = bmc.get(uri).get("PowerState")
    if state not in POWER_STATES:
        raise Failure(f"unexpected PowerState {state!r}")
    return POWER_STATES[state], None


def _power_to(state, *choices):
    """Power on or off: nothing to send when the system already is (some BMCs answer an
    error to On when it is on)."""
    def act(bmc, uri, _argument=None):
        system = bmc.get(uri)
        if POWER_STATES.get(system.get("PowerState")) != state:
            _reset(bmc, system, *choices)
        return "ok", None
    return act


def power_reset(bmc, uri, _argument=None):
    _reset(bmc, bmc.get(uri), "ForceRestart", "PowerCycle")
    return "ok", None


def power_cycle(bmc, uri, _argument=None):
    """PowerCycle where offered; else ForceOff, wait until the system is off, On. As
    with IPMI, a system that is off is not cycled."""
    system = bmc.get(uri)
    if POWER_STATES.get(system.get("PowerState")) != "on":
        raise Failure("the system is off: nothing to cycle")
    dummy, allowed = _allowed_resets(system)
    if allowed is None or "PowerCycle" in allowed:
        _reset(bmc, system, "PowerCycle")
        return "ok", None
    _reset(bmc, system, "ForceOff")
    deadline = time.monotonic() + OFF_WAIT
    while POWER_STATES.get(bmc.get(uri).get("PowerState")) != "off":
        if time.monotonic() > deadline:
            raise Failure(f"still on {OFF_WAIT:g} s after ForceOff: not turned on again")
        time.sleep(POLL)
    _reset(bmc, system, "On", "ForceOn")
    return "ok", None


def _identify(lit):
    def act(bmc, uri, _argument=None):
        system = bmc.get(uri)
        if "LocationIndicatorActive" in system:
            bmc.patch(uri, {"LocationIndicatorActive": lit})
        elif "IndicatorLED" in system:
            bmc.patch(uri, {"IndicatorLED": "Lit" if lit else "Off"})
        else:
            raise Failure("the BMC offers no indicator LED")
        return "ok", None
    return act


def _event_log(bmc, uri):
    """(its URI, the resource) of the system's event log: a log service of the system,
    else of a manager that manages it, of type SEL or with Id SEL or Log, else the only one."""
    system = bmc.get(uri)
    places = [system] + [bmc.get(m["@odata.id"]) for m in system.get("Links", {}).get("ManagedBy", ())
                         if isinstance(m, dict) and isinstance(m.get("@odata.id"), str)]
    for place in places:
        if not isinstance(place.get("LogServices"), dict):
            continue
        services = [(member, bmc.get(member)) for member in _members(bmc, _link(place, "LogServices"))]
        chosen = [s for s in services if s[1].get("LogEntryType") == "SEL"
                  or str(s[1].get("Id")).lower() in ("sel", "log")] or (services if len(services) == 1 else [])
        if chosen:
            return chosen[0]
    raise Failure("the BMC offers no log service")


def sel_list(bmc, uri, _argument=None):
    dummy, service = _event_log(bmc, uri)
    entries = []
    path = _link(service, "Entries")
    for _page in range(_PAGES):
        page = bmc.get(path)
        entries += [_entry(entry) for entry in page.get("Members", ()) if isinstance(entry, dict)]
        path = page.get("Members@odata.nextLink")
        if not path:
            break
    return "ok", entries


def _entry(entry):
    """A log entry with the keys of an IPMI SEL entry (cairn.bmc.ipmi.sel_entry)."""
    return {"id": entry.get("Id"), "timestamp": entry.get("Created"),
            "sensor_type": entry.get("SensorType"), "sensor": entry.get("SensorNumber"),
            "event": entry.get("Message"), "asserted": entry.get("EntryCode") != "Deassert",
            "data": entry.get("MessageArgs")}


def sel_clear(bmc, uri, _argument=None):
    dummy, service = _event_log(bmc, uri)
    action = service.get("Actions", {}).get("#LogService.ClearLog")
    if not isinstance(action, dict) or not isinstance(action.get("target"), str):
        raise Failure("the BMC's log service offers no ClearLog")
    bmc.post(action["target"], {})
    return "ok", None


def _boot_device(device, persistent):
    def act(bmc, uri, _argument=None):
        bmc.patch(uri, {"Boot": {"BootSourceOverrideTarget": BOOT_TARGETS[device],
                                 "BootSourceOverrideEnabled": "Continuous" if persistent else "Once"}})
        return "ok", None
    return act


def boot_status(bmc, uri, _argument=None):
    boot = bmc.get(uri).get("Boot") or {}
    target = boot.get("BootSourceOverrideTarget")
    if boot.get("BootSourceOverrideEnabled") == "Disabled" or target in (None, "None"):
        return "none", None
    return BOOT_TARGET_NAMES.get(target, target.lower()), \
        {"persistent": boot.get("BootSourceOverrideEnabled") == "Continuous"}


def upload(bmc, uri, argument):
    """PATCH ``argument["document"]`` to the system's resource, or to the resource at
    ``argument["target"]`` below it."""
    target = argument.get("target")
    bmc.patch(f"{uri.rstrip('/')}/{target}" if target else uri, argument["document"])
    return "ok", None


def setting(bmc, uri, argument):
    """PATCH the system's Boot object with ``argument`` (its properties)."""
    bmc.patch(uri, {"Boot": argument})
    return "ok", None


OPERATIONS = {
    ("power", "on"): _power_to("on", "On", "ForceOn"),
    ("power", "off"): _power_to("off", "ForceOff", "GracefulShutdown"),
    ("power", "reset"): power_reset,
    ("power", "cycle"): power_cycle,
    ("power", "status"): power_status,
    ("chassis", "identify"): _identify(True),
    ("chassis", "noidentify"): _identify(False),
    ("sel", "list"): sel_list,
    ("sel", "clear"): sel_clear,
    ("boot", "pxe"): _boot_device("pxe", False),
    ("boot", "disk"): _boot_device("disk", False),
    ("boot", "pxe_persistent"): _boot_device("pxe", True),
    ("boot", "disk_persistent"): _boot_device("disk", True),
    ("boot", "status"): boot_status,
    ("redfish", "upload"): upload,
    ("redfish", "setting"): setting,
}
# Sent twice, these would act twice: not retried once sent.
UNREPEATABLE = {("power", "reset"), ("power", "cycle")}


# --------------------------------------------------------------------------- running them

def _checked(step, *args):
    """``step(*args)``; a resource of an unexpected shape (a list where Redfish has an
    object, a number where it has a string) is the BMC's Failure, not the server's error."""
    try:
        return step(*args)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise Failure(f"unexpected answer from the BMC ({type(error).__name__}: {error})") from None


def _on_bmc(targets, subsystem, action, argument, policy):
    """{host: (result, detail)} of the action on the hosts ``targets`` of one BMC."""
    operation = OPERATIONS[(subsystem, action)]
    repeatable = (subsystem, action) not in UNREPEATABLE
    hosts = [target.host for target in targets]
    bmc = _Bmc(targets[0], policy)
    done = {}
    attempts = policy.retries + 1
    try:
        while True:
            try:
                systems = _checked(systems_of, bmc, [host for host in hosts if host not in done])
                done.update({host: ("failed", s.reason) for host, s in systems.items()
                             if isinstance(s, Failure)})
                for uri in dict.fromkeys(s for s in systems.values() if isinstance(s, str)):
                    bmc.changed = False
                    try:
                        result = _checked(operation, bmc, uri, argument)
                    except Failure as failure:
                        if failure.retry and attempts > 1 and (repeatable or not bmc.changed):
                            raise
                        result = ("failed", failure.reason)
                    done.update({host: result for host, s in systems.items() if s == uri})
                return done
            except Failure as failure:      # finding the systems failed, or one more attempt
                attempts -= 1
                if not failure.retry or not attempts:
                    return {**{host: ("failed", failure.reason) for host in hosts}, **done}
    finally:
        bmc.close()


def run(targets, subsystem, action, policy, argument=None):
    """{host: (result, detail)} of the action on every target (each with an address):
    the hosts of one BMC together, at most policy.concurrency BMCs at a time."""
    by_bmc = {}
    for target in targets:
        by_bmc.setdefault((target.address, target.port, target.username, target.password), []).append(target)
    if not by_bmc:
        return {}
    outcomes = {}
    with ThreadPoolExecutor(max_workers=min(policy.concurrency, len(by_bmc)),
                            thread_name_prefix="cairn-redfish") as pool:
        for found in pool.map(lambda group: _on_bmc(group, subsystem, action, argument, policy),
                              by_bmc.values()):
            outcomes.update(found)
    for target in targets:
        result, detail = outcomes[target.host]
        if result == "failed":
            log.debug("%s %s on %s (%s): %s", subsystem, action, target.host, target.address, detail)
    return outcomes
