"""Tenant isolation over HTTP: two tenants, every route of the router, each tenant's
principal against its own objects, the other tenant's, and missing ones.

The world: tenants ta and tb, each with a tenancy of two nodes, a group, OS
images (with a pack and a tag), a network and a BMC setup of its own; a group,
an image, a BMC setup and a network both use; and the cluster's own node,
group, image, network, BMC setup, switches, other device, rack and jobs. Every
name says whose it is: "ta-...", "tb-...", "shared-...", "cl-..." (the
cluster's), "ghost-..." (missing). BMC passwords and SNMP communities start
with "pw-": no tenant may ever see one.

MATRIX says, for every route, what fills its path and what a tenant gets for
its own object. For each route and each tenant the test calls the route for
the tenant's own object, the other tenant's and a missing one, and fails when

- the other tenant's object answers otherwise than the missing one: status
  and body, once the names in the path are replaced by placeholders;
- any answer holds a name, a secret, an address or a MAC address of the other
  tenant or of the cluster's own objects, or a credential;
- the tenant's own object answers otherwise than MATRIX says.

A route of the router without a MATRIX entry fails the test, so the matrix
stays complete as routes are added.
"""

import dataclasses
import os
import re
import uuid

import pytest
from sqlalchemy import event, insert, update

from cairn import auth
from cairn.config import Settings
from cairn.db import tenants as db_tenants
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import job, osimage, osimagetag
from cairn.service import accounts, groups, networks, nodes, packing, secrets
from cairn.service.tx import Context
from conftest import assert_error, cluster_network, make_admin, make_group, make_node

SIDES = ("ta", "tb")
OTHER = {"ta": "tb", "tb": "ta"}
SIDE_BYTE = {"ta": "0a", "tb": "0b", "cl": "0c"}  # in MAC addresses: 52:54:00:0a:00:01
PASSWORD = "tenant-password-1"


# -- the world -------------------------------------------------------------------

@dataclasses.dataclass
class World:
    server: object
    controller: str
    tokens: dict  # side -> the tenant's own token
    users: dict  # side -> {"uid", "token"}: its tenant admin account
    tenant_uids: dict  # side -> the tenant's uid
    jobs: dict  # side -> the id of a job about the side's image
    addresses: dict  # side -> the addresses of its nodes

    def call(self, side, method, path, body=None):
        return self.server.http.request(method, self.server.url + path, json=body,
                                        headers={"x-access-tokens": self.tokens[side]})

    def forbidden(self, side):
        """Patterns no answer to ``side`` may match: whatever is the other tenant's or the
        cluster's own, and every credential."""
        other = OTHER[side]
        patterns = [rf"(?<![\w-])({other}|cl|tc|pw)-", rf"52:54:00:({SIDE_BYTE[other]}|0c):",
                    self.tenant_uids[other], self.users[other]["uid"],
                    *(rf"(?<![\d.]){re.escape(ip)}(?![\d])" for ip in self.addresses[other])]
        return [re.compile(pattern) for pattern in patterns]


def _admin(server, method, path, body=None, status=None):
    answer = server.http.request(method, server.url + path, json=body)
    assert answer.status_code in (status or (200, 201, 204)), f"{method} {path}: {answer.text}"
    return answer


def _build_cluster(server):
    """Everything but the tenants, created by the superadmin."""
    cluster_network(server, "shared-net", "10.141.0.0/16")
    for side, cidr in (("ta", "10.151.0.0/24"), ("tb", "10.152.0.0/24"), ("cl", "10.153.0.0/24")):
        cluster_network(server, f"{side}-net", cidr)
    for owner in ("ta", "tb", "shared", "cl"):
        _admin(server, "POST", f"/config/osimage/{owner}-img",
               {"config": {"osimage": {f"{owner}-img": {"comment": f"{owner}-image"}}}})
        server.save("bmcsetup", f"{owner}-bmc", {"username": "root", "password": f"pw-{owner}-bmc"})
        network = "cl-net" if owner == "cl" else "shared-net"
        make_group(server, f"{owner}-grp", [("BOOTIF", network)], osimage=f"{owner}-img",
                   bmcsetupname=f"{owner}-bmc")
        _admin(server, "POST", f"/config/secrets/group/{owner}-grp", {"config": {"secrets": {
            "group": {f"{owner}-grp": [{"secretname": f"{owner}-gsec",
                                        "content": f"{owner}-group-content"}]}}}})
    for side in ("ta", "tb", "cl"):
        _admin(server, "POST", f"/config/osimage/{side}-img2",
               {"config": {"osimage": {f"{side}-img2": {}}}})
        server.save("switch", f"{side}-sw", {"network": "cl-net", "read": "pw-read", "rw": "pw-rw"})
    server.save("otherdev", "cl-pdu", {"network": "cl-net"})
    for side in SIDES:
        mac = f"52:54:00:{SIDE_BYTE[side]}:00"
        make_node(server, f"{side}-node1", f"{side}-grp", macaddr=f"{mac}:01", switch=f"{side}-sw",
                  interfaces=[{"interface": "ib0", "network": f"{side}-net"}])
        make_node(server, f"{side}-node2", "shared-grp", macaddr=f"{mac}:02", osimage=f"{side}-img2")
        make_node(server, f"{side}-node3", "shared-grp", macaddr=f"{mac}:03")
        _admin(server, "POST", f"/config/secrets/node/{side}-node1", {"config": {"secrets": {"node": {
            f"{side}-node1": [{"secretname": f"{side}-nsec", "content": f"{side}-node-content"},
                              {"secretname": f"{side}-doomed", "content": f"{side}-doomed"}]}}}})
    make_node(server, "cl-node1", "cl-grp", macaddr="52:54:00:0c:00:01")
    server.save("rack", "cl-rack", {"size": 42, "devices": [
        {"name": "ta-node1", "type": "node", "position": 1},
        {"name": "tb-node1", "type": "node", "position": 2},
        {"name": "cl-sw", "type": "switch", "position": 3}]})
    _admin(server, "POST", "/config/rack/inventory",
           {"config": {"rack": {"inventory": [{"name": "cl-ctrl", "type": "controller"}]}}})


def _packs_and_jobs(server, controller):
    """Packs (with their files) and tags of the sides' and the cluster's images, and a job
    about each side's image: written into the database and files_dir, as packing would."""
    files_dir = os.path.join(server.data_dir, "files")
    os.makedirs(files_dir, exist_ok=True)
    engine = make_engine(server.db, pool_size=1)
    jobs = {}
    try:
        with transaction(engine, write=True) as conn:
            for owner in ("ta", "tb", "cl"):
                imagefile = f"{owner}-img-job1{packing.TARBALL}"
                image_id = conn.execute(update(osimage).where(osimage.c.name == f"{owner}-img")
                                        .values(imagefile=imagefile, checksum="0" * 64)
                                        .returning(osimage.c.id)).scalar_one()
                conn.execute(insert(osimagetag).values(osimage_id=image_id, name=f"{owner}-tag",
                                                       imagefile=imagefile))
                for name in packing.pack_files(imagefile):
                    with open(os.path.join(files_dir, name), "w") as handle:
                        handle.write(f"{owner} file")
            for side in SIDES:
                jobs[side] = uuid.uuid4().hex
                conn.execute(insert(job).values(id=jobs[side], kind="pack", object=f"{side}-img",
                                                controller=controller, status="done", progress=100,
                                                created=1, updated=1))
    finally:
        engine.dispose()
    for side in ("ta", "tb"):
        server.save("node", f"{side}-node1", {"osimagetag": f"{side}-tag"})
    return jobs


def _tenant(server, side):
    """The tenant of ``side`` with its tenancy, through the tenants API: its uid, its own
    token, and its tenant admin account."""
    created = _admin(server, "POST", "/tenants", {"name": f"{side}-tenant", "users": [
        {"name": f"{side}-user", "password": PASSWORD, "roles": ["role.tenantadmin"]},
        {"name": f"{side}-reader", "password": PASSWORD, "roles": ["role.tenantuser"]}]}).json()["data"]
    _admin(server, "POST", f"/tenant/{created['uid']}/tenancies",
           {"name": f"{side}-tenancy", "hostlist": f"{side}-node[1-3]"})
    token = _admin(server, "POST", f"/tenant/{created['uid']}/newtoken").json()["data"]["token"]
    user_token = server.login(f"{side}-user", PASSWORD)
    user_uid = auth.decode_token(user_token, _token_key(server))["sub"]
    return created["uid"], token, {"uid": user_uid, "token": user_token}


def _token_key(server):
    with open(os.path.join(server.data_dir, "token.key")) as handle:
        return handle.read().strip()


@pytest.fixture(scope="module")
def world(server):
    cluster = server.get("/config/cluster").json()["config"]["cluster"]
    [controller] = [name for name, value in cluster.items() if isinstance(value, dict)]
    _build_cluster(server)
    jobs = _packs_and_jobs(server, controller)
    addresses = {side: [i["ipaddress"] for n in (1, 2, 3)
                        for i in server.record("node", f"{side}-node{n}")["interfaces"]]
                 for side in SIDES}
    tenant_uids, tokens, users = {}, {}, {}
    for side in SIDES:
        tenant_uids[side], tokens[side], users[side] = _tenant(server, side)
    world = World(server, controller, tokens, users, tenant_uids, jobs, addresses)
    for side in SIDES:  # a write of each tenant's, for the journal
        answer = world.call(side, "POST", f"/config/node/{side}-node1",
                            {"config": {"node": {f"{side}-node1": {"comment": f"{side}-journaled"}}}})
        assert answer.status_code == 204, answer.text
    return world


# -- the matrix ------------------------------------------------------------------

def _params(world, kind, variant, side):
    """The path parameters of ``kind`` for ``side``'s own object ("own"), the other
    tenant's ("other") or a missing one ("missing"); None when there is none such."""
    owner = side if variant == "own" else OTHER[side]
    if variant == "missing":
        owner = "ghost"
    by_kind = {
        "node": {"name": f"{owner}-node1", "interface": "BOOTIF", "secret": f"{owner}-nsec"},
        "doomed": {"name": f"{owner}-node1", "secret": f"{owner}-doomed"},
        "group": {"name": f"{owner}-grp", "interface": "BOOTIF", "secret": f"{owner}-gsec"},
        "network": {"name": f"{owner}-net",
                    "ipaddress": {"ta": "10.151.0.1", "tb": "10.152.0.1"}.get(owner, "10.154.0.1")},
        "osimage": {"name": f"{owner}-img", "tag": f"{owner}-tag"},
        "bmcsetup": {"name": f"{owner}-bmc"},
        "switch": {"name": f"{owner}-sw"},
        "file": {"name": f"{owner}-img-job1{packing.TARBALL}"},
        "inventory": {"device": f"{owner}-node1", "device_type": "node"},
        "tenant": {"ident": world.tenant_uids.get(owner, uuid.uuid4().hex), "tenancy": f"{owner}-tenancy"},
        "tenancy": {"name": f"{owner}-tenancy"},
        "account": {"ident": world.users[owner]["uid"] if owner in SIDES else uuid.uuid4().hex},
        "job": {"request_id": world.jobs.get(owner, uuid.uuid4().hex)},
        "control": {"name": f"{owner}-node1", "subsystem": "power", "action": "status"},
        "redfish": {"name": f"{owner}-node1", "action": "setting"},
    }
    # The cluster's own objects, of kinds of which tenants own none: only the other's.
    cluster = {"otherdev": {"name": "cl-pdu"}, "rack": {"name": "cl-rack"}}
    if kind in cluster:
        return None if variant == "own" else \
            {"name": "ghost-obj"} if variant == "missing" else cluster[kind]
    # Parameters that name no tenant's object: the tenant's call only.
    fixed = {"controller": {"controller": world.controller}, "subset": {"subset": "configured"},
             "boot": {"mac": "52:54:00:ee:00:01", "name": "ghost-node1", "group": "ghost-grp"},
             "service": {"name": "dns"},
             None: {}}
    if kind in fixed:
        return fixed[kind] if variant == "own" else None
    return by_kind[kind]


def _config(kind, fields):
    return lambda p: {"config": {kind: {p["name"]: fields(p) if callable(fields) else fields}}}


def _secrets(kind, item):
    return lambda p: {"config": {"secrets": {kind: {p["name"]: [item(p)]}}}}


@dataclasses.dataclass(frozen=True)
class Case:
    """What a tenant gets on one route."""
    kind: str = None  # what fills the path (see _params); None: a path without parameters
    own: int = None  # the status for its own object (or on the route without parameters)
    body: object = None  # parameters -> the JSON body
    refused: bool = False  # 403 for every object alike, its own too


def read(kind=None, own=200):
    return Case(kind, own)


def write(kind, own, body=None):
    return Case(kind, own, body)


def refused(kind=None, body=None):
    return Case(kind, 403, body, refused=True)


MATRIX = {
    # Public, or refused whatever the object (the spec's always-400 POSTs).
    ("GET", "/version"): read(),
    ("POST", "/token"): write(None, 401, lambda p: {"username": "ghost-user", "password": "x"}),
    ("GET", "/openapi.json"): read(),
    ("POST", "/config/osimage"): write(None, 400, lambda p: {}),
    ("POST", "/config/secrets"): write(None, 400, lambda p: {"config": {"secrets": {}}}),
    ("POST", "/config/secrets/node/{name}/{secret}/_delete"): write("node", 400),
    ("POST", "/config/secrets/group/{name}/{secret}/_delete"): write("group", 400),
    # The cluster: its settings read, never written.
    ("GET", "/config/cluster"): read(),
    ("POST", "/config/cluster"): refused(body=lambda p: {"config": {"cluster": {"debug": True}}}),
    ("GET", "/config/cluster/export"): refused(),
    ("POST", "/config/cluster/import"): refused(body=lambda p: {"config": {}}),
    # Networks: those its nodes use, read-only; no addresses.
    ("GET", "/config/network"): read(),
    ("GET", "/config/network/{name}"): read("network"),
    ("GET", "/config/network/{name}/_list"): refused("network"),
    ("GET", "/config/network/{name}/_nextfreeip"): refused("network"),
    ("GET", "/config/network/{name}/{ipaddress}"): refused("network"),
    ("POST", "/config/network/{name}"): refused("network", _config("network", {"comment": "x"})),
    ("POST", "/config/network/{name}/_clone"):
        refused("network", _config("network", {"newnetname": "ghost-net2"})),
    ("GET", "/config/network/{name}/_delete"): refused("network"),
    ("POST", "/config/network/{name}/_delete"): refused("network"),
    # Groups: those its nodes use, read-only; members: its own nodes.
    ("GET", "/config/group"): read(),
    ("GET", "/config/group/{name}"): read("group"),
    ("GET", "/config/group/{name}/_list"): read("group"),
    ("GET", "/config/group/{name}/interfaces"): read("group"),
    ("GET", "/config/group/{name}/interfaces/{interface}"): read("group"),
    ("POST", "/config/group/{name}"): refused("group", _config("group", {"comment": "x"})),
    ("POST", "/config/group/{name}/_clone"):
        refused("group", _config("group", {"newgroupname": "ghost-grp2"})),
    ("GET", "/config/group/{name}/_delete"): refused("group"),
    ("POST", "/config/group/{name}/_delete"): refused("group"),
    ("POST", "/config/group/{name}/interfaces"): refused("group", _config("group", {
        "interfaces": [{"interface": "eth9", "network": "shared-net"}]})),
    ("GET", "/config/group/{name}/interfaces/{interface}/_delete"): refused("group"),
    ("POST", "/config/group/{name}/interfaces/{interface}/_delete"): refused("group"),
    # Nodes: its own, read and changed; none created, cloned or deleted; interfaces read.
    ("GET", "/config/node"): read(),
    ("GET", "/config/node/{name}"): read("node"),
    ("POST", "/config/node/{name}"): write("node", 204, _config("node", {"comment": "by a tenant"})),
    ("POST", "/config/node/{name}/_clone"):
        refused("node", _config("node", {"newhostname": "ghost-clone"})),
    ("GET", "/config/node/{name}/_delete"): refused("node"),
    ("POST", "/config/node/{name}/_delete"): refused("node"),
    ("GET", "/config/node/{name}/interfaces"): read("node"),
    ("GET", "/config/node/{name}/interfaces/{interface}"): read("node"),
    ("POST", "/config/node/{name}/interfaces"): refused("node", _config("node", {
        "interfaces": [{"interface": "eth9", "network": "shared-net"}]})),
    ("GET", "/config/node/{name}/interfaces/{interface}/_delete"): refused("node"),
    ("POST", "/config/node/{name}/interfaces/{interface}/_delete"): refused("node"),
    # Secrets: its nodes' (read and written) and their groups' (read only).
    ("GET", "/config/secrets"): read(),
    ("GET", "/config/secrets/node/{name}"): read("node"),
    ("GET", "/config/secrets/node/{name}/{secret}"): read("node"),
    ("POST", "/config/secrets/node/{name}"): write("node", 204, _secrets(
        "node", lambda p: {"secretname": p["secret"], "content": p["secret"] + "-posted"})),
    ("POST", "/config/secrets/node/{name}/{secret}"): write("node", 204, _secrets(
        "node", lambda p: {"content": p["secret"] + "-posted-again"})),
    ("POST", "/config/secrets/node/{name}/{secret}/_clone"): write("node", 201, _secrets(
        "node", lambda p: {"newsecretname": p["secret"] + "-copy"})),
    ("GET", "/config/secrets/node/{name}/{secret}/_delete"): write("doomed", 204),
    ("GET", "/config/secrets/group/{name}"): read("group"),
    ("GET", "/config/secrets/group/{name}/{secret}"): read("group"),
    ("POST", "/config/secrets/group/{name}"): refused("group", _secrets(
        "group", lambda p: {"secretname": p["secret"], "content": "x"})),
    ("POST", "/config/secrets/group/{name}/{secret}"):
        refused("group", _secrets("group", lambda p: {"content": "x"})),
    ("POST", "/config/secrets/group/{name}/{secret}/_clone"):
        refused("group", _secrets("group", lambda p: {"newsecretname": "ghost-copy"})),
    ("GET", "/config/secrets/group/{name}/{secret}/_delete"): refused("group"),
    # BMC setups: those of its nodes' groups, read-only, never their passwords.
    ("GET", "/config/bmcsetup"): read(),
    ("GET", "/config/bmcsetup/{name}"): read("bmcsetup"),
    ("GET", "/config/bmcsetup/{name}/_list"): read("bmcsetup"),
    ("POST", "/config/bmcsetup/{name}"): refused("bmcsetup", _config("bmcsetup", {"comment": "x"})),
    ("POST", "/config/bmcsetup/{name}/_clone"):
        refused("bmcsetup", _config("bmcsetup", {"newbmcname": "ghost-bmc2"})),
    ("GET", "/config/bmcsetup/{name}/_delete"): refused("bmcsetup"),
    ("POST", "/config/bmcsetup/{name}/_delete"): refused("bmcsetup"),
    # Switches, other devices, racks and the inventory: the cluster's, none seen, even
    # the switch its own node is cabled to.
    ("GET", "/config/switch"): read(),
    ("GET", "/config/switch/{name}"): read("switch", 404),
    ("POST", "/config/switch/{name}"): refused("switch", _config("switch", {"comment": "x"})),
    ("POST", "/config/switch/{name}/_clone"):
        refused("switch", _config("switch", {"newswitchname": "ghost-sw2"})),
    ("GET", "/config/switch/{name}/_delete"): refused("switch"),
    ("POST", "/config/switch/{name}/_delete"): refused("switch"),
    ("GET", "/config/otherdev"): read(),
    ("GET", "/config/otherdev/{name}"): read("otherdev"),
    ("POST", "/config/otherdev/{name}"): refused("otherdev", _config("otherdev", {"comment": "x"})),
    ("POST", "/config/otherdev/{name}/_clone"):
        refused("otherdev", _config("otherdev", {"newotherdevname": "ghost-pdu2"})),
    ("GET", "/config/otherdev/{name}/_delete"): refused("otherdev"),
    ("POST", "/config/otherdev/{name}/_delete"): refused("otherdev"),
    ("GET", "/config/rack"): read(),
    ("GET", "/config/rack/{name}"): read("rack"),
    ("POST", "/config/rack/{name}"): refused("rack", _config("rack", {"comment": "x"})),
    ("POST", "/config/rack/{name}/_clone"):
        refused("rack", _config("rack", {"newrackname": "ghost-rack2"})),
    ("GET", "/config/rack/{name}/_delete"): refused("rack"),
    ("POST", "/config/rack/{name}/_delete"): refused("rack"),
    ("GET", "/config/rack/inventory"): read(),
    ("GET", "/config/rack/inventory/{subset}"): read("subset"),
    ("POST", "/config/rack/inventory"): refused(body=lambda p: {"config": {"rack": {
        "inventory": [{"name": "ghost-ctrl", "type": "controller"}]}}}),
    ("GET", "/config/rack/inventory/{device}/type/{device_type}/_delete"): refused("inventory"),
    ("POST", "/config/rack/inventory/{device}/type/{device_type}/_delete"): refused("inventory"),
    # OS images and tags: those its nodes use, read-only; their packs downloaded; no packing.
    ("GET", "/config/osimage"): read(),
    ("GET", "/config/osimage/{name}"): read("osimage"),
    ("GET", "/config/osimage/{name}/_list"): read("osimage"),
    ("POST", "/config/osimage/{name}"): refused("osimage", _config("osimage", {"comment": "x"})),
    ("POST", "/config/osimage/{name}/_clone"):
        refused("osimage", _config("osimage", {"newosimage": "ghost-img2"})),
    ("GET", "/config/osimage/{name}/_delete"): refused("osimage"),
    ("POST", "/config/osimage/{name}/_delete"): refused("osimage"),
    ("GET", "/config/osimage/{name}/_pack"): refused("osimage"),
    ("POST", "/config/osimage/{name}/_pack"): refused("osimage", lambda p: {}),
    ("POST", "/config/osimage/{name}/kernel"):
        refused("osimage", _config("osimage", {"kernelversion": "6.1"})),
    ("POST", "/config/osimage/{name}/tag"): refused("osimage", _config("osimage", {"tag": "t2"})),
    ("GET", "/config/osimage/{name}/osimagetag/{tag}/_delete"): refused("osimage"),
    ("POST", "/config/osimage/{name}/osimagetag/{tag}/_delete"): refused("osimage"),
    ("GET", "/config/osimagetag"): read(),
    ("GET", "/config/osimagetag/{name}"): read("osimage"),
    ("GET", "/config/osimagetag/{name}/_member"): read("osimage"),
    ("GET", "/files/{name}"): read("file"),
    ("GET", "/config/status/{request_id}"): read("job", 404),
    # The journal: the entries of its own principals' writes.
    ("GET", "/journal/{controller}"): read("controller"),
    ("POST", "/journal"): refused(body=lambda p: {"journal": [{"function": "ghost"}]}),
    # Accounts: its own only (the tenant's token is none: 404), never another's.
    ("POST", "/admins"): refused(body=lambda p: {"name": "ghost-admin", "password": PASSWORD}),
    ("GET", "/admins"): refused(),
    ("GET", "/admin/{ident}"): read("account", 404),
    ("PATCH", "/admin/{ident}"): write("account", 404, lambda p: {"description": "x"}),
    ("DELETE", "/admin/{ident}"): refused("account"),
    ("GET", "/admin/{ident}/gui_settings"): read("account", 404),
    ("PATCH", "/admin/{ident}/gui_settings"): write("account", 404, lambda p: {"theme": "dark"}),
    ("DELETE", "/admin/{ident}/gui_settings"): write("account", 404),
    ("POST", "/admin/{ident}/keys"): write("account", 404, lambda p: {"keys": []}),
    ("PUT", "/admin/{ident}/keys"): write("account", 404, lambda p: {"keys": []}),
    ("DELETE", "/admin/{ident}/keys"): write("account", 404),
    ("POST", "/admin/{ident}/newtoken"): write("account", 404, lambda p: {}),
    # Tenants and tenancies: the superadmin's alone.
    ("POST", "/tenants"): refused(body=lambda p: {"name": "ghost-tenant"}),
    ("GET", "/tenants"): refused(),
    ("GET", "/tenant/{ident}"): refused("tenant"),
    ("DELETE", "/tenant/{ident}"): refused("tenant"),
    ("POST", "/tenant/{ident}/newtoken"): refused("tenant", lambda p: {}),
    ("POST", "/tenant/{ident}/suspend"): refused("tenant"),
    ("POST", "/tenant/{ident}/resume"): refused("tenant"),
    ("POST", "/tenant/{ident}/tenancies"): refused("tenant", lambda p: {"nodes": ["ghost-node1"]}),
    ("GET", "/tenant/{ident}/tenancies"): refused("tenant"),
    ("DELETE", "/tenant/{ident}/tenancy/{tenancy}"): refused("tenant"),
    ("GET", "/tenancy/{name}"): refused("tenancy"),
    # Boot: public. A booting machine has no token, so a MAC address or a name is all
    # it takes, and credentials change nothing (test_boot.py); the tenant's calls here
    # name nobody's objects.
    ("GET", "/boot"): read(),
    ("GET", "/boot/short"): read(),
    ("GET", "/boot/disk"): read(),
    ("GET", "/boot/search/{mac}"): read("boot"),
    ("GET", "/boot/search/mac/{mac}"): read("boot"),
    ("GET", "/boot/manual/hostname/{name}"): read("boot", 404),
    ("GET", "/boot/manual/hostname/{name}/{mac}"): read("boot", 404),
    ("GET", "/boot/manual/group/{group}/{mac}"): read("boot", 404),
    ("GET", "/boot/{name}"): read("boot", 404),
    # The installer: a node's provisioning token's, never a tenant's (test_install.py).
    ("GET", "/boot/install/{name}"): refused("node"),
    # Monitoring: its own nodes' states read; reports are the installer's.
    ("GET", "/monitor/status/{name}"): read("node"),
    ("POST", "/monitor/status/{name}"): refused("node", lambda p: {
        "monitor": {"status": {p["name"]: {"state": "installer.ok"}}}}),
    # Render contexts: every node's address and MAC, the cluster's alone.
    ("GET", "/render/context"): refused(),
    # The controller's services: the cluster's alone, whatever the name.
    ("GET", "/service/{name}/reload"): refused("service"),
    ("GET", "/monitor/service/{name}"): refused("service"),
    # Control: its own nodes (no BMC interface here: each lands in failed, 200), and
    # no request but its own (the pack jobs are none: 404).
    ("GET", "/control/action/{subsystem}/{name}/_{action}"): read("control"),
    ("POST", "/control/action/{subsystem}/_{action}"): write("control", 200, lambda p: {
        "control": {p["subsystem"]: {p["action"]: {"hostlist": p["name"]}}}}),
    ("GET", "/control/status/{request_id}"): read("job", 404),
    # The node's BMC setup says ipmi: the node fails with the reason, answered 200.
    ("POST", "/control/action/redfish/{name}/_{action}"): write("redfish", 200, lambda p: {
        "control": {"redfish": {p["action"]: {"BootSourceOverrideTarget": "Pxe"}}}}),
}


def _normalised(world, answer, params):
    """The answer's text with the values of the path's parameters, and the controller's
    name, replaced by placeholders: what a missing object's answer must equal."""
    text = answer.content.decode("utf-8", "replace")
    for key, value in sorted(params.items(), key=lambda item: -len(item[1])):
        text = text.replace(value, "{" + key + "}")
    return re.sub(rf"(?<![\w-]){re.escape(world.controller)}(?![\w-])", "{controller}", text)


def _leaks(world, side, text):
    return [pattern.pattern for pattern in world.forbidden(side) if pattern.search(text)]


def test_the_matrix_covers_every_route(server):
    """A route without a MATRIX entry fails here: say what a tenant gets there first."""
    document = server.get("/openapi.json").json()
    routed = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert routed - set(MATRIX) == set(), "routes without an isolation MATRIX entry"
    assert set(MATRIX) - routed == set(), "MATRIX entries for routes that do not exist"


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("route", list(MATRIX), ids=" ".join)
def test_route_isolates_tenants(world, route, side):
    method, path = route
    case = MATRIX[route]
    answers = {}
    for variant in ("own", "other", "missing"):
        params = _params(world, case.kind, variant, side)
        if params is None:
            continue
        url = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], path)
        answer = world.call(side, method, url, case.body(params) if case.body else None)
        text = _normalised(world, answer, params)
        assert _leaks(world, side, text) == [], f"{variant}: {method} {url} -> {answer.text}"
        answers[variant] = (answer.status_code, text)
    if "other" in answers:
        assert answers["other"] == answers["missing"], \
            "the other tenant's object answers otherwise than a missing one"
    if case.refused:
        assert {status for status, dummy in answers.values()} == {403}, answers
        assert len({text for dummy, text in answers.values()}) == 1, answers
    if "own" in answers:
        assert answers["own"][0] == case.own, answers["own"]


# -- what a tenant sees ----------------------------------------------------------------

def _listing(world, side, path, *keys):
    answer = world.call(side, "GET", path)
    assert answer.status_code == 200, answer.text
    value = answer.json()
    for key in keys:
        value = value[key]
    return value


@pytest.mark.parametrize("side", SIDES)
def test_a_tenant_lists_its_nodes_and_what_they_use(world, side):
    def names(kind):
        return set(_listing(world, side, f"/config/{kind}", "config", kind))

    assert names("node") == {f"{side}-node1", f"{side}-node2", f"{side}-node3"}
    assert names("group") == {f"{side}-grp", "shared-grp"}
    assert names("osimage") == {f"{side}-img", f"{side}-img2", "shared-img"}
    assert names("network") == {f"{side}-net", "shared-net"}
    assert names("bmcsetup") == {f"{side}-bmc", "shared-bmc"}
    assert names("switch") == names("otherdev") == names("rack") == set()
    assert _listing(world, side, "/config/rack/inventory", "config", "rack", "inventory") == []
    assert set(_listing(world, side, "/config/osimagetag", "config", "osimagetag")) == {f"{side}-img/{side}-tag"}
    shared = [f"{side}-node2", f"{side}-node3"]
    assert _listing(world, side, "/config/group/shared-grp/_list",
                    "config", "group", "shared-grp", "members") == shared
    assert _listing(world, side, "/config/osimage/shared-img/_list",
                    "config", "osimage", "shared-img", "members") == [f"{side}-node3"]
    assert _listing(world, side, "/config/bmcsetup/shared-bmc/_list",
                    "config", "bmcsetup", "shared-bmc", "members") == shared
    listed = _listing(world, side, "/config/secrets", "config", "secrets")
    assert set(listed["node"]) == {f"{side}-node1"}
    assert set(listed["group"]) == {f"{side}-grp", "shared-grp"}


@pytest.mark.parametrize("side", SIDES)
def test_a_tenant_downloads_the_packs_of_its_images_only(world, side):
    for name in packing.pack_files(f"{side}-img-job1{packing.TARBALL}"):
        answer = world.call(side, "GET", f"/files/{name}")
        assert answer.status_code == 200 and answer.text == f"{side} file"
    for owner in (OTHER[side], "cl"):
        assert_error(world.call(side, "GET", f"/files/{owner}-img-job1-vmlinuz"), 404)


def test_bmc_passwords_are_never_shown_to_a_tenant(world):
    """A tenant admin holds secrets.read, for its own secrets; BMC passwords are the cluster's."""
    for token in (world.tokens["ta"], world.users["ta"]["token"]):
        answer = world.server.http.get(world.server.url + "/config/bmcsetup/ta-bmc",
                                       headers={"x-access-tokens": token})
        assert answer.status_code == 200 and "password" not in answer.json()["config"]["bmcsetup"]["ta-bmc"]
    assert world.server.record("bmcsetup", "ta-bmc")["password"] == "pw-ta-bmc"


# -- what a tenant changes -------------------------------------------------------------

def test_a_tenant_changes_how_its_nodes_boot(world):
    changes = {"comment": "mine", "osimage": "shared-img", "osimagetag": None, "netboot": False,
               "bootmenu": True, "localinstall": True, "prescript": "echo pre",
               "provision_method": "http"}
    answer = world.call("ta", "POST", "/config/node/ta-node2", {"config": {"node": {"ta-node2": changes}}})
    assert answer.status_code == 204, answer.text
    record = world.server.record("node", "ta-node2")
    assert {key: record[key] for key in changes} == changes
    # No node of its uses ta-img2 now: the tenant sees it no more, and cannot set it back.
    answer = world.call("ta", "POST", "/config/node/ta-node2",
                        {"config": {"node": {"ta-node2": {"osimage": "ta-img2"}}}})
    assert_error(answer, 400, "osimage")
    assert world.server.save("node", "ta-node2", {"osimage": "ta-img2"}).status_code == 204


@pytest.mark.parametrize("field, value", [
    ("macaddr", "52:54:00:0a:00:99"), ("group", "shared-grp"), ("switch", None),
    ("switchport", 3), ("status", "up"), ("service", True), ("setupbmc", False),
    ("tpm_uuid", "x"), ("newhostname", "ta-node9"),
    ("interfaces", [{"interface": "BOOTIF", "ipaddress": "10.141.0.200"}]),
])
def test_a_tenant_changes_no_identity_group_interfaces_or_cabling(world, field, value):
    answer = world.call("ta", "POST", "/config/node/ta-node1",
                        {"config": {"node": {"ta-node1": {"comment": "x", field: value}}}})
    body = assert_error(answer, 403, field)
    assert body["message"] == f"tenants cannot set {field}"


def test_an_image_a_tenant_cannot_see_does_not_exist_for_it(world):
    def set_image(image):
        return world.call("ta", "POST", "/config/node/ta-node1",
                          {"config": {"node": {"ta-node1": {"osimage": image}}}})

    hidden, missing = set_image("tb-img"), set_image("ghost-img")
    assert_error(hidden, 400, "osimage")
    assert hidden.json()["message"].replace("tb-img", "X") == missing.json()["message"].replace("ghost-img", "X")
    assert world.server.record("node", "ta-node1")["osimage"] == "ta-img"


def test_creating_a_node_is_refused_for_every_name_alike(world):
    answers = [world.call("ta", "POST", f"/config/node/{name}",
                          {"config": {"node": {name: {"comment": "x"}}}})
               for name in ("tb-node1", "ghost-node", "cl-node1")]
    assert {(a.status_code, a.json()["message"]) for a in answers} == {(403, "tenants cannot create nodes")}


def test_a_tenant_user_without_write_role_only_reads(world, server):
    headers = {"x-access-tokens": server.login("ta-reader", PASSWORD)}
    assert server.http.get(server.url + "/config/node", headers=headers).json()["config"]["node"].keys() \
        == {"ta-node1", "ta-node2", "ta-node3"}
    answer = server.http.post(server.url + "/config/node/ta-node1", headers=headers,
                              json={"config": {"node": {"ta-node1": {"comment": "x"}}}})
    assert_error(answer, 403)


# -- the journal -----------------------------------------------------------------------

def _journal(world, token):
    answer = world.server.http.get(f"{world.server.url}/journal/{world.controller}",
                                   headers={"x-access-tokens": token})
    assert answer.status_code == 200, answer.text
    return answer.json()["journal"]


def test_a_tenant_reads_the_journal_of_its_own_principals_only(world, server):
    # An admin who shares tenant ta's name writes: the journal tells them apart by uid.
    namesake = make_admin(server, "ta-tenant", ["role.fulladmin"])
    answer = server.http.post(server.url + "/config/node/tb-node2", headers={"x-access-tokens": namesake},
                              json={"config": {"node": {"tb-node2": {"comment": "by the namesake"}}}})
    assert answer.status_code == 204, answer.text
    answer = server.http.post(server.url + "/config/node/ta-node2",
                              headers={"x-access-tokens": world.users["ta"]["token"]},
                              json={"config": {"node": {"ta-node2": {"comment": "by ta-user"}}}})
    assert answer.status_code == 204, answer.text
    for token in (world.tokens["ta"], world.users["ta"]["token"]):
        entries = _journal(world, token)
        assert {e["principal"] for e in entries} == {"ta-tenant", "ta-user"}
        assert {e["object"] for e in entries} <= {"ta-node1", "ta-node2"}
        assert ("nodes.save", "ta-node1", "ta-tenant") in {(e["function"], e["object"], e["principal"])
                                                           for e in entries}
    assert "tb-node2" in {e["object"] for e in _journal(world, server.token)}


# -- statements ------------------------------------------------------------------------

def test_a_tenants_listings_take_as_many_statements_however_many_nodes(world, server):
    """Scoping adds to a listing's statement, never a statement per node (see also
    tests/unit/test_query_count.py)."""
    created = _admin(server, "POST", "/tenants", {"name": "tc-tenant"}).json()["data"]
    make_group(server, "tc-grp", [("BOOTIF", "shared-net")])

    def add_nodes(first, last):
        names = [f"tc-node{i}" for i in range(first, last)]
        for name in names:
            make_node(server, name, "tc-grp")
        _admin(server, "POST", f"/tenant/{created['uid']}/tenancies",
               {"name": f"tc-tenancy{first}", "nodes": names})

    engine = make_engine(server.db, pool_size=1)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with transaction(engine, write=False) as conn:
            principal = accounts.tenant_principal(db_tenants.by_uid(conn, created["uid"]))
        ctx = Context(engine, principal, Settings(secret_key="x", secrets_key_file=os.path.join(
            server.data_dir, "secrets.key")))

        def count(listing):
            statements.clear()
            result = listing(ctx)
            return len(statements), result

        listings = [nodes.list_all, groups.list_all, networks.list_all, secrets.list_all]
        add_nodes(0, 2)
        few = [count(listing) for listing in listings]
        add_nodes(2, 30)
        many = [count(listing) for listing in listings]
    finally:
        engine.dispose()
    assert [n for n, dummy in few] == [n for n, dummy in many]
    assert len(many[0][1]) == 30 and set(many[1][1]) == {"tc-grp"}
