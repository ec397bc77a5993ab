"""/control over HTTP against fake BMCs (tests/fakebmc.py: pyghmi's BMC server) whose
power state, identify light, boot device and event log really change.

The world: live fake BMCs, an address where nothing answers, and nodes for every way a
node can lack a BMC target. The server runs POSTs for more than THRESHOLD nodes in the
background, so that the tests of whole hostlists go through /control/status too.
"""

import dataclasses
import json
import time
import uuid

import pytest
from sqlalchemy import event, insert

from cairn import bmc
from cairn.config import Settings
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import job
from cairn.service import control
from cairn.service.tx import Context
from conftest import (BACKENDS, Server, assert_bad, assert_error, cluster_network, make_admin,
                      make_group, make_node, require_postgresql)
from fakebmc import FakeBmcs

USER = "ipmiadmin"
PASSWORD = "fake-bmc-pw-1"
WRONG_PASSWORD = "not-the-bmc-pw-2"
THRESHOLD = 3
TENANT_PASSWORD = "tenant-password-1"
#: node -> (group, index of its live BMC, or "dead", or None for no BMC interface)
NODES = {
    "live01": ("compute", 0), "live02": ("compute", 1), "live03": ("compute", 2),
    "live04": ("compute", 3), "dead01": ("compute", "dead"), "wrongpw01": ("wrongpw", 4),
    "nobmc01": ("compute", None), "nosetup01": ("nosetup", "dead"), "nopass01": ("nopass", "dead"),
}
ALL = "dead01,live[01-04],nobmc01,nopass01,nosetup01,wrongpw01"
#: The reasons of the nodes that never reach a BMC.
UNREACHED = {"nobmc01": "no BMC interface", "nosetup01": "group 'nosetup' names no bmcsetup",
             "nopass01": "bmcsetup 'nopass' has no password"}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    """The module's server, with a small control_async_threshold."""
    if request.param == "postgresql":
        require_postgresql()
    srv = Server(request.param, str(tmp_path_factory.mktemp(request.param)),
                 extra_env={"CAIRN_CONTROL_ASYNC_THRESHOLD": str(THRESHOLD)})
    yield srv
    srv.stop()


@dataclasses.dataclass
class World:
    server: object
    bmcs: object
    address: dict  # node -> the address of its BMC interface (a live fake or a dead one)
    tenants: dict  # "ta"/"tb" -> the headers of the tenant's own token

    def state(self, node):
        return self.bmcs.state(self.address[node])

    def call(self, method, path, body=None, headers=None):
        """A request (as the superadmin unless ``headers`` say otherwise); no answer may
        hold a BMC password."""
        answer = self.server.http.request(method, self.server.url + path, json=body, headers=headers)
        assert PASSWORD not in answer.text and WRONG_PASSWORD not in answer.text
        return answer

    def act(self, subsystem, action, hosts, headers=None):
        """POST the action for a hostlist; the answer's control object, after following it
        at /control/status when it ran in the background."""
        answer = self.call("POST", f"/control/action/{subsystem}/_{action}",
                           {"control": {subsystem: {action: {"hostlist": hosts}}}}, headers)
        if answer.status_code == 202:
            return self.finished(answer.json()["control"]["request_id"], headers)
        assert answer.status_code == 200, answer.text
        return answer.json()["control"]

    def act_on(self, subsystem, node, action, headers=None):
        answer = self.call("GET", f"/control/action/{subsystem}/{node}/_{action}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()["control"]

    def finished(self, request_id, headers=None):
        """The status of a background request once it is no longer queued or running."""
        deadline = time.monotonic() + 120  # a bound for a hung job, not a timing assertion
        while True:
            answer = self.call("GET", f"/control/status/{request_id}", headers=headers)
            assert answer.status_code == 200, answer.text
            status = answer.json()["control"]
            assert status["request_id"] == request_id
            if status["status"] not in ("queued", "running"):
                assert status["status"] == "done", status
                return status
            assert time.monotonic() < deadline, status
            time.sleep(0.1)


def _tenant(server, side, hosts):
    """A tenant owning the nodes ``hosts``: the headers of its own token."""
    def post(path, body):
        answer = server.post(path, body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json().get("data")

    uid = post("/tenants", {"name": f"{side}-tenant", "users": [
        {"name": f"{side}-user", "password": TENANT_PASSWORD, "roles": ["role.tenantuser"]}]})["uid"]
    post(f"/tenant/{uid}/tenancies", {"name": f"{side}-tenancy", "hostlist": hosts})
    return {"x-access-tokens": post(f"/tenant/{uid}/newtoken", {})["token"]}


@pytest.fixture(scope="module")
def world(server):
    with FakeBmcs(5, username=USER, password=PASSWORD) as bmcs:
        cluster_network(server)
        cluster_network(server, "ipmi", f"127.{bmcs.block}.0.0/16")
        for name, password in (("good", PASSWORD), ("wrong", WRONG_PASSWORD), ("nopass", None)):
            answer = server.save("bmcsetup", name, {"username": USER, "password": password})
            assert answer.status_code == 201, answer.text
        for group, setup in (("compute", "good"), ("wrongpw", "wrong"), ("nosetup", None),
                             ("nopass", "nopass")):
            make_group(server, group, [("BOOTIF", "cluster")], bmcsetupname=setup)
        dead = bmcs.dead_addresses(len(NODES))
        address = {}
        for node, (group, where) in NODES.items():
            interfaces = []
            if where is not None:
                ip = dead.pop() if where == "dead" else bmcs.addresses[where]
                interfaces = [{"interface": "BMC", "network": "ipmi", "ipaddress": ip}]
                address[node] = ip
            make_node(server, node, group, interfaces=interfaces)
        tenants = {"ta": _tenant(server, "ta", "live[03-04],nobmc01,nopass01"),
                   "tb": _tenant(server, "tb", "dead01")}
        yield World(server, bmcs, address, tenants)


def _hosts(control, subsystem):
    """{outcome: hostlist} of a control answer."""
    return {outcome: hosts["hostlist"] for outcome, hosts in control[subsystem].items()}


# -- power --------------------------------------------------------------------------------

def test_power_on_off_and_status_change_and_read_the_bmcs(world):
    for node in ("live01", "live02"):
        world.bmcs.set_state(world.address[node], power="off")
    assert world.act("power", "on", "live[01-02]") == {"power": {"ok": {"hostlist": "live[01-02]"}}}
    assert [world.state(node)["power"] for node in ("live01", "live02")] == ["on", "on"]
    assert world.act_on("power", "live02", "off") == {"power": {"ok": {"hostlist": "live02"}}}
    assert world.state("live02")["power"] == "off"
    assert _hosts(world.act("power", "status", "live[01-02]"), "power") == {"on": "live01", "off": "live02"}
    assert world.act_on("power", "live01", "status") == {"power": {"on": {"hostlist": "live01"}}}


def test_reset_and_cycle_boot_the_node(world):
    world.bmcs.set_state(world.address["live03"], power="on")
    boots = world.state("live03")["boots"]
    assert world.act_on("power", "live03", "reset") == {"power": {"ok": {"hostlist": "live03"}}}
    assert world.act_on("power", "live03", "cycle") == {"power": {"ok": {"hostlist": "live03"}}}
    assert world.state("live03")["boots"] == boots + 2


def test_a_mixed_hostlist_is_grouped_by_outcome_with_a_reason_per_failed_host(world):
    world.bmcs.set_state(world.address["live01"], power="on")
    for node in ("live02", "live03", "live04"):
        world.bmcs.set_state(world.address[node], power="off")
    answer = world.call("POST", "/control/action/power/_status",
                        {"control": {"power": {"status": {"hostlist": ALL}}}})
    assert answer.status_code == 202, answer.text  # more nodes than the threshold
    assert answer.headers["Location"] == f"/control/status/{answer.json()['control']['request_id']}"
    status = world.finished(answer.json()["control"]["request_id"])
    assert status["progress"] == 100
    assert _hosts(status, "power") == {
        "on": "live01", "off": "live[02-04]",
        "failed": "dead01,nobmc01,nopass01,nosetup01,wrongpw01"}
    reasons = status["power"]["failed"]["reasons"]
    assert {node: reasons[node] for node in UNREACHED} == UNREACHED
    assert set(reasons) == {"dead01", "wrongpw01", *UNREACHED}
    assert reasons["wrongpw01"] == bmc.WRONG_CREDENTIALS and reasons["dead01"]
    assert PASSWORD not in str(reasons) and WRONG_PASSWORD not in str(reasons)


def test_a_node_without_a_bmc_target_fails_alone_at_once(world):
    for node, reason in UNREACHED.items():
        assert world.act_on("power", node, "on") == {
            "power": {"failed": {"hostlist": node, "reasons": {node: reason}}}}


def test_a_bmcsetup_password_the_keys_cannot_decrypt_fails_its_nodes(world):
    engine = make_engine(world.server.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE bmcsetup SET password = 'gAAAAAnot-a-token' WHERE name = 'wrong'")
    finally:
        engine.dispose()
    assert world.act_on("power", "wrongpw01", "status") == {"power": {"failed": {
        "hostlist": "wrongpw01", "reasons": {"wrongpw01": "the password of bmcsetup 'wrong' cannot "
                                                          "be decrypted with this controller's keys"}}}}
    assert world.server.save("bmcsetup", "wrong", {"password": WRONG_PASSWORD}).status_code == 204


def test_targets_are_resolved_with_as_many_statements_for_one_node_as_for_all(world):
    engine = make_engine(world.server.db, pool_size=1)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    ctx = Context(engine, None, Settings(data_dir=world.server.data_dir, secret_key="x"))
    try:
        counts = []
        for names in (["live01"], list(NODES)):
            statements.clear()
            targets, failures = control.resolve(ctx, names)
            assert len(targets) + len(failures) == len(names)
            counts.append(len(statements))
    finally:
        engine.dispose()
    # (BEGIN on SQLite,) nodes, BMC interfaces, networks, groups, BMC setups
    assert counts[0] == counts[1] <= 6, statements


# -- chassis, boot device, event log ------------------------------------------------------

def test_identify_and_noidentify(world):
    assert world.act("chassis", "identify", "live[01-02]") == {"chassis": {"ok": {"hostlist": "live[01-02]"}}}
    assert [world.state(node)["identify"] for node in ("live01", "live02")] == [True, True]
    world.act_on("chassis", "live01", "noidentify")
    assert [world.state(node)["identify"] for node in ("live01", "live02")] == [False, True]


def test_boot_device_once_and_persistent(world):
    assert world.act_on("boot", "live01", "pxe") == {"boot": {"ok": {"hostlist": "live01"}}}
    assert (world.state("live01")["bootdev"], world.state("live01")["persistent"]) == ("pxe", False)
    world.act("boot", "disk_persistent", "live02")
    assert (world.state("live02")["bootdev"], world.state("live02")["persistent"]) == ("disk", True)
    assert world.act("boot", "status", "live[01-02]") == {"boot": {
        "pxe": {"hostlist": "live01", "details": {"live01": {"persistent": False}}},
        "disk": {"hostlist": "live02", "details": {"live02": {"persistent": True}}}}}


def test_sel_list_gives_each_hosts_entries_and_clear_empties_it(world):
    world.bmcs.add_sel(world.address["live01"])
    answer = world.act_on("sel", "live01", "list")
    assert answer["sel"]["ok"]["hostlist"] == "live01"
    assert len(answer["sel"]["ok"]["details"]["live01"]) == len(world.state("live01")["sel"]) >= 1
    assert world.act_on("sel", "live01", "clear") == {"sel": {"ok": {"hostlist": "live01"}}}
    assert world.state("live01")["sel"] == []


# -- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("path, field", [
    ("/control/action/power/live01/_identify", "action"),
    ("/control/action/bogus/live01/_on", "subsystem"),
])
def test_unknown_subsystems_and_actions_are_400(world, path, field):
    assert_bad(world.call("GET", path), field)
    subsystem, dummy, action = path.split("/")[3:]
    assert_bad(world.call("POST", f"/control/action/{subsystem}/{action}", {"control": {
        subsystem: {action[1:]: {"hostlist": "live01"}}}}), field)


@pytest.mark.parametrize("body, field", [
    ([], "body"),
    ({"config": {}}, "body"),
    ({"control": {"power": {"on": {"hostlist": "live01"}}}, "extra": 1}, "body"),
    ({"control": {"chassis": {"on": {"hostlist": "live01"}}}}, "control"),
    ({"control": {"power": {"on": {"hostlist": "live01"}}, "chassis": {}}}, "control"),
    ({"control": {"power": {"off": {"hostlist": "live01"}}}}, "control.power"),
    ({"control": {"power": {"on": "live01"}}}, "control.power.on"),
    ({"control": {"power": {"on": {}}}}, "control.power.on.hostlist"),
    ({"control": {"power": {"on": {"hostlist": None}}}}, "control.power.on.hostlist"),
    ({"control": {"power": {"on": {"hostlist": 7}}}}, "control.power.on.hostlist"),
    ({"control": {"power": {"on": {"hostlist": "live[01-"}}}}, "control.power.on.hostlist"),
    ({"control": {"power": {"on": {"hostlist": ""}}}}, "control.power.on.hostlist"),
    ({"control": {"power": {"on": {"hostlist": "live01", "nodes": []}}}}, "control.power.on.nodes"),
])
def test_malformed_bodies_are_400_naming_the_field(world, body, field):
    assert_bad(world.call("POST", "/control/action/power/_on", body), field)


def test_a_body_that_is_no_json_is_400(world):
    answer = world.server.http.post(world.server.url + "/control/action/power/_on", data="{nope")
    assert_bad(answer, "body")


# -- nodes that do not exist ----------------------------------------------------------------

def test_unknown_nodes_are_404_and_nothing_runs(world):
    world.bmcs.set_state(world.address["live01"], power="off")
    body = assert_error(world.call("GET", "/control/action/power/ghost01/_on"), 404)
    assert body["message"] == "node 'ghost01' does not exist"
    answer = world.call("POST", "/control/action/power/_on",
                        {"control": {"power": {"on": {"hostlist": "live01,ghost[01-02]"}}}})
    assert assert_error(answer, 404)["message"] == "nodes 'ghost[01-02]' do not exist"
    answer = world.call("POST", "/control/action/power/_on",
                        {"control": {"power": {"on": {"hostlist": "live01,ghost01"}}}})
    assert assert_error(answer, 404)["message"] == "node 'ghost01' does not exist"
    assert world.state("live01")["power"] == "off"


def test_an_unknown_request_id_is_404(world):
    assert_error(world.call("GET", f"/control/status/{uuid.uuid4().hex}"), 404)


def test_another_kind_of_job_is_no_control_request(world):
    job_id = uuid.uuid4().hex
    engine = make_engine(world.server.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            conn.execute(insert(job).values(id=job_id, kind="pack", object="img", controller="c",
                                            status="done", progress=100, created=1, updated=1))
    finally:
        engine.dispose()
    body = assert_error(world.call("GET", f"/control/status/{job_id}"), 404)
    assert body["message"] == f"request '{job_id}' does not exist"


# -- tenants and roles ------------------------------------------------------------------------

def test_a_tenant_acts_on_its_own_nodes(world):
    ta = world.tenants["ta"]
    world.bmcs.set_state(world.address["live03"], power="off")
    assert world.act_on("power", "live03", "on", ta) == {"power": {"ok": {"hostlist": "live03"}}}
    assert world.state("live03")["power"] == "on"
    user = {"x-access-tokens": world.server.login("ta-user", TENANT_PASSWORD)}
    assert _hosts(world.act("power", "status", "live[03-04]", user), "power")["on"] == "live03"


def test_another_tenants_node_answers_as_a_missing_one(world):
    ta = world.tenants["ta"]
    world.bmcs.set_state(world.address["live03"], power="on")
    for other, missing in (("dead01", "ghost01"), ("live01", "ghost02")):  # tb's, the cluster's
        answers = [world.call("GET", f"/control/action/power/{name}/_status", headers=ta)
                   for name in (other, missing)]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json()["message"].replace(other, "X") == \
            answers[1].json()["message"].replace(missing, "X")
        answers = [world.call("POST", "/control/action/power/_off", {"control": {"power": {
            "off": {"hostlist": f"live03,{name}"}}}}, ta) for name in (other, missing)]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json()["message"].replace(other, "X") == \
            answers[1].json()["message"].replace(missing, "X")
    assert world.state("live03")["power"] == "on"


def test_a_tenant_follows_its_own_background_requests_only(world):
    ta, tb = world.tenants["ta"], world.tenants["tb"]
    answer = world.call("POST", "/control/action/power/_status", {"control": {"power": {
        "status": {"hostlist": "live[03-04],nobmc01,nopass01"}}}}, ta)
    assert answer.status_code == 202, answer.text
    own = answer.json()["control"]["request_id"]
    assert set(world.finished(own, ta)["power"]) <= {"on", "off", "failed"}
    assert world.finished(own)["request_id"] == own  # the cluster's admins follow every request
    admins = world.call("POST", "/control/action/power/_status",
                        {"control": {"power": {"status": {"hostlist": ALL}}}}).json()["control"]["request_id"]
    missing = uuid.uuid4().hex
    for request_id, headers in ((own, tb), (admins, ta)):
        answers = [world.call("GET", f"/control/status/{rid}", headers=headers)
                   for rid in (request_id, missing)]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json()["message"].replace(request_id, "X") == \
            answers[1].json()["message"].replace(missing, "X")
    world.finished(admins)


def test_control_needs_the_control_permission(world):
    reader = {"x-access-tokens": make_admin(world.server, "ctl-reader", ["role.readonly"])}
    operator = {"x-access-tokens": make_admin(world.server, "ctl-operator", ["role.poweroperator"])}
    assert_error(world.call("GET", "/control/action/power/live01/_status", headers=reader), 403)
    assert_error(world.call("POST", "/control/action/power/_status", {"control": {"power": {
        "status": {"hostlist": "live01"}}}}, reader), 403)
    assert_error(world.call("GET", f"/control/status/{uuid.uuid4().hex}", headers=reader), 403)
    assert world.act_on("power", "live01", "status", operator)["power"].keys() <= {"on", "off"}
    assert world.server.http.get(world.server.url + "/control/action/power/live01/_status",
                                 headers={"x-access-tokens": ""}).status_code == 401


# -- the journal and the log -------------------------------------------------------------------

def _journal(world):
    cluster = world.call("GET", "/config/cluster").json()["config"]["cluster"]
    [controller] = [name for name, value in cluster.items() if isinstance(value, dict)]
    answer = world.call("GET", f"/journal/{controller}")
    assert answer.status_code == 200, answer.text
    return [entry for entry in answer.json()["journal"] if entry["function"].startswith("control.")]


def test_changes_are_journaled_and_reads_are_not(world):
    before = len(_journal(world))
    world.act("power", "status", "live[01-02]")
    world.act("sel", "list", "live01")
    world.act("boot", "status", "live01")
    assert len(_journal(world)) == before
    world.act("chassis", "noidentify", "live[01-02]")
    world.act_on("power", "live04", "on", world.tenants["ta"])
    entries = _journal(world)[before:]
    assert [(e["function"], e["object"], e["principal"]) for e in entries] == [
        ("control.chassis.noidentify", "live[01-02]", "admin"),
        ("control.power.on", "live04", "ta-tenant")]
    assert all(PASSWORD not in e["payload"] for e in entries)


def test_a_long_hostlist_is_journaled_whole_in_the_payload(world):
    names = [f"{letter * 40}-long" for letter in "abcdefg"]  # no hostlist shortens these
    for name in names:
        make_node(world.server, name, "compute")
    world.act("power", "on", ",".join(names))
    [entry] = [e for e in _journal(world) if e["function"] == "control.power.on"
               and e["object"].startswith("a" * 40)]
    assert len(entry["object"]) == 255 and entry["object"].endswith("...")
    assert json.loads(entry["payload"]) == {"hostlist": ",".join(names)}


def test_no_password_reaches_the_log(world):
    world.act("power", "status", ALL)
    output = world.server.output()
    assert PASSWORD not in output and WRONG_PASSWORD not in output
