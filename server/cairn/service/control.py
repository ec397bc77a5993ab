"""Control: the power, identify light, event log (SEL) and boot device of nodes, through
their BMCs (cairn.bmc does the talking, IPMI or Redfish as the node's BMC setup says),
and the spec's redfish subsystem: a document PATCHed to the node's Redfish system
(upload), its boot override (setting).

A request names one action of one subsystem and its nodes: one, or a hostlist. Every
node must be one the principal sees; any other answers 404 as a missing node does, so
a tenant never learns that another tenant's node exists. Each node's BMC target is
resolved here with one query per kind of object, whatever the number of nodes: the
address of the node's BMC interface, and the username and password of its group's BMC
setup. A node without either lands in ``failed`` with the reason; the others go to the
engine, which answers one outcome per node and never raises for a BMC's failure.

Requests for more nodes than the setting ``control_async_threshold`` run as a
background job (service.jobs), which ``status`` follows. Actions that change a node's
state are journaled (who, what, which nodes) before they run; the reads are not.
"""

import dataclasses
import json
import re
import uuid

import hostlist

from .. import bmc, crypto
from ..db import groups as db_groups, jobs as db_jobs, networks as db_networks, nodes as db_nodes, objects
from ..db.schema import bmcsetup, node
from . import audit, fields as F, jobs, scope, tenancies
from .errors import NotFound, invalid, not_found
from .install import BMC_INTERFACE
from .subnet import Subnet, from_key
from .tx import reads, writes

#: subsystem -> its actions, as the engine carries them out.
ACTIONS = bmc.ACTIONS
#: The actions that only read a BMC: not journaled.
READS = frozenset({("power", "status"), ("sel", "list"), ("boot", "status")})
FAILED = "failed"
#: The body of a request for many nodes: {"hostlist": "node[001-004]"}.
FIELDS = {"hostlist": tenancies.FIELDS["hostlist"].not_null()}
# A path below a Redfish system's resource: names, no "." or ".." segment.
_BELOW = re.compile(r"^(?!\.\.?(/|$))[A-Za-z0-9_.-]+(/(?!\.\.?(/|$))[A-Za-z0-9_.-]+)*$")


def _document(field, value):
    if not isinstance(value, dict) or not value:
        raise invalid(field, "must be a JSON object with at least one property")
    return value


def _below(field, value):
    if not isinstance(value, str) or len(value) > 255 or not _BELOW.match(value):
        raise invalid(field, "must be a path below the system's resource, such as 'Bios/Settings' "
                             "(names of letters, digits, '_', '.' and '-', separated by '/')")
    return value


def _strings(field, value):
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise invalid(field, "must be a JSON array of strings")
    return value


#: (subsystem, action) -> (its fields, the required ones): what the actions of the redfish
#: subsystem are given, beside the hostlist. The setting's fields are the properties of
#: Redfish's ComputerSystem.Boot, with the values Redfish allows.
ARGUMENTS = {
    ("redfish", "upload"): ({
        "document": F.Field(_document, {"type": "object", "description": "PATCHed to the resource"}),
        "target": F.Field(_below, {"type": "string", "example": "Bios/Settings",
                                   "description": "a path below the system's resource; "
                                                  "default: the system's resource itself"}),
    }, ("document",)),
    ("redfish", "setting"): ({
        "BootSourceOverrideTarget": F.choice(
            "None", "Pxe", "Floppy", "Cd", "Usb", "Hdd", "BiosSetup", "Utilities", "Diags", "UefiShell",
            "UefiTarget", "SDCard", "UefiHttp", "RemoteDrive", "UefiBootNext", "Recovery"),
        "BootSourceOverrideEnabled": F.choice("Disabled", "Once", "Continuous"),
        "BootSourceOverrideMode": F.choice("Legacy", "UEFI"),
        "BootNext": F.SHORT,
        "BootOrder": F.Field(_strings, {"type": "array", "items": {"type": "string"}}),
    }, ()),
}
JOB_KIND = "control"
# Up to this many nodes, their BMC interfaces are read by node id; more, and reading
# every BMC interface is cheaper than a longer IN list (which SQLite also caps).
_BY_ID = 500
# The journal's object column holds this many characters; the payload has the rest.
_OBJECT_MAX = 255


@dataclasses.dataclass(frozen=True)
class Answer:
    """What a request gets: ``{subsystem: hosts by outcome}`` when it was carried out
    at once, or the id of the background job carrying it out."""
    result: dict = None
    request_id: str = None


def check_action(subsystem, action):
    """A 400 naming ``subsystem`` or ``action`` unless the engine knows them."""
    if subsystem not in ACTIONS:
        raise invalid("subsystem", f"'{subsystem}' is none of {', '.join(ACTIONS)}")
    if action not in ACTIONS[subsystem]:
        raise invalid("action", f"'{action}' is no action of {subsystem}: "
                                f"{', '.join(ACTIONS[subsystem])}")


def requested(subsystem, action, field, data, hostlist=True):
    """(the node names, the action's argument) of ``data``, a request's object at
    ``field``: ``{"hostlist": ...}`` (unless not ``hostlist``: a request for one node)
    and the action's ARGUMENTS; names None without ``hostlist``, argument None for an
    action that takes none."""
    own, required = ARGUMENTS.get((subsystem, action), ({}, ()))
    if hostlist:
        values = F.parse_object(field, data, {**FIELDS, **own}, required=("hostlist", *required))
    else:
        values = F.parse_object(field, data, own, required=required)
    names = values.pop("hostlist", None)
    if hostlist and not names:
        raise invalid(f"{field}.hostlist", "names no node")
    argument = {name: value for name, value in values.items() if value is not None}
    if (subsystem, action) in ARGUMENTS and not argument:
        raise invalid(field, f"names none of {', '.join(own)}")
    return names, argument if (subsystem, action) in ARGUMENTS else None


def control(ctx, subsystem, action, names, background=True, argument=None):
    """Carry out ``action`` of ``subsystem`` on the nodes ``names``, with ``argument``
    for an action of ARGUMENTS (see requested): at once, or (with ``background``, for
    more nodes than control_async_threshold) as a job."""
    check_action(subsystem, action)
    if (subsystem, action) in ARGUMENTS and argument is None:
        raise invalid("body", f"{subsystem} {action} is a POST whose body says what to do")
    targets, failures = resolve(ctx, names)
    if (subsystem, action) not in READS:
        _journal(ctx, subsystem, action, names)
    settings = ctx.settings

    def outcomes():
        done = bmc.run(targets, subsystem, action, bmc.policy(settings), argument) if targets else []
        return {subsystem: grouped(failures + done)}

    if background and len(names) > settings.control_async_threshold:
        job_object = f"{_owner(ctx.principal)} {subsystem}.{action} {uuid.uuid4().hex}"
        return Answer(request_id=jobs.submit(ctx, JOB_KIND, job_object,
                                             lambda job: json.dumps(outcomes())))
    return Answer(result=outcomes())


def grouped(outcomes):
    """``{result: {"hostlist": ...}}``: the hosts of each result collected into one
    hostlist, with what the engine said of each host where it said anything, under
    ``reasons`` (why it failed) or ``details`` (a SEL's entries, a boot device's
    persistence)."""
    by_result = {}
    for outcome in outcomes:
        by_result.setdefault(outcome.result, []).append(outcome)
    answer = {}
    for result, members in by_result.items():
        group = {"hostlist": hostlist.collect_hostlist([outcome.host for outcome in members])}
        details = {outcome.host: outcome.detail for outcome in members if outcome.detail is not None}
        if details:
            group["reasons" if result == FAILED else "details"] = details
        answer[result] = group
    return answer


@reads
def status(tx, request_id):
    """A background request's state, and once done its hosts by outcome. A tenant
    follows its own tenant's requests only; any other answers as a missing one."""
    row = db_jobs.get(tx.conn, request_id)
    if row is None or row.kind != JOB_KIND or not _follows(tx.principal, row.object):
        raise not_found("request", request_id)
    answer = {"request_id": request_id, "status": row.status, "progress": row.progress}
    if row.status == "done":
        answer.update(json.loads(row.message))
    elif row.status == "failed":
        answer["message"] = row.message
    return answer


def _owner(principal):
    """Whose a background request is, as its job's object starts: its tenant's, or the
    cluster's."""
    return f"tenant:{principal.tenant_uid}" if scope.is_tenant(principal) else "cluster"


def _follows(principal, job_object):
    """Whether the principal may follow the request: a tenant's principals follow their
    tenant's requests, the cluster's principals every one."""
    return not scope.is_tenant(principal) or job_object.startswith(_owner(principal) + " ")


@writes(journal=False)
def _journal(tx, subsystem, action, names):
    """Who asked for what on which nodes: ``control.power.on`` on ``node[001-004]``."""
    collected = hostlist.collect_hostlist(names)
    shown = collected if len(collected) <= _OBJECT_MAX else collected[:_OBJECT_MAX - 3] + "..."
    audit.record_write(tx, f"control.{subsystem}.{action}", (shown,), {"hostlist": collected})


@reads
def resolve(tx, names):
    """(targets, failures): the BMC target of each node of ``names`` that has one, and
    a failed Outcome with the reason for each that has none; a 404 for any name the
    principal does not see."""
    rows = db_nodes.nodes(tx.conn, names[0] if len(names) == 1 else None,
                          where=scope.visible(tx, node))
    by_name = {row["name"]: row for row in rows}
    missing = [name for name in names if name not in by_name]
    if len(missing) == 1:
        raise not_found("node", missing[0])
    if missing:
        raise NotFound(f"nodes '{hostlist.collect_hostlist(missing)}' do not exist")
    addresses = _bmc_addresses(tx.conn, [by_name[name]["id"] for name in names])
    logins = _Logins(tx)
    targets, failures = [], []
    for name in names:
        row = by_name[name]
        address = addresses.get(row["id"])
        login = logins.of_group(row["nodegroup_id"])
        problem = login.problem if address else f"no {BMC_INTERFACE} interface"
        if problem:
            failures.append(bmc.Outcome(name, FAILED, problem))
        else:
            targets.append(bmc.Target(host=name, address=address, username=login.username,
                                      password=login.password, protocol=login.protocol))
    return targets, failures


def _bmc_addresses(conn, node_ids):
    """{node id: the address of its BMC interface}, for those of ``node_ids`` that have one."""
    subnets = {network_id: Subnet(row) for network_id, row in db_networks.all_networks(conn).items()}
    rows = db_nodes.interface_addresses(conn, node_ids if len(node_ids) <= _BY_ID else None,
                                        BMC_INTERFACE)
    return {node_id: subnets[network_id].address(from_key(ip_key))
            for node_id, dummy, network_id, ip_key in rows}


@dataclasses.dataclass(frozen=True)
class _Login:
    username: str = None
    password: str = dataclasses.field(default=None, repr=False)
    protocol: str = None
    problem: str = None  # why there is none


class _Logins:
    """The BMC login of each group's nodes: their group's BMC setup's username,
    password and protocol. Read with one query per table; each password is decrypted
    once."""

    def __init__(self, tx):
        self._keyring = crypto.keyring(tx.settings)
        self._groups = {row.id: row for row in db_groups.all_groups(tx.conn)}
        self._setups = {row.id: row for row in objects.all_rows(tx.conn, bmcsetup)}
        self._by_setup = {}

    def of_group(self, group_id):
        group = self._groups[group_id]
        if group.bmcsetup_id is None:
            return _Login(problem=f"group '{group.name}' names no bmcsetup")
        if group.bmcsetup_id not in self._by_setup:
            self._by_setup[group.bmcsetup_id] = self._login(self._setups[group.bmcsetup_id])
        return self._by_setup[group.bmcsetup_id]

    def _login(self, setup):
        for field in ("username", "password"):
            if not getattr(setup, field):
                return _Login(problem=f"bmcsetup '{setup.name}' has no {field}")
        try:
            password = self._keyring.decrypt(setup.password)
        except crypto.KeyMissing:
            return _Login(problem=f"the password of bmcsetup '{setup.name}' cannot be decrypted "
                                  "with this controller's keys")
        return _Login(username=setup.username, password=password, protocol=setup.protocol)
