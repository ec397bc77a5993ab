"""Redfish BMCs over HTTP: /control against sushy-tools' emulator (tests/fakeredfish.py),
whose systems' power, boot override and indicator LED really change, beside IPMI fake
BMCs (tests/fakebmc.py) in the same hostlists, and the bmcsetup field `protocol`.

The world: an emulated BMC for each of rf01 to rf03 (each with one system) and
rfwrong01 (a wrong password in its setup), an address that refuses connections, one
that accepts and never answers, two IPMI fake BMCs, and a BMC with two systems, which
only the engine meets (the nodes of the API each have a BMC address of their own). The emulator lands a power change 1 to 11 s after it was asked
for: the tests poll it (fakeredfish.wait_power), bounded generously, never timed.
"""

import dataclasses
import json

import pytest

from cairn import bmc
from conftest import (BACKENDS, IN_CI, Server, assert_bad, cluster_network, make_group, make_node,
                      require_postgresql)
from fakebmc import FakeBmcs
import fakeredfish

USER = "rfadmin"
PASSWORD = "fake-redfish-pw-1"
WRONG_PASSWORD = "not-the-redfish-pw-2"
TIMEOUT = 3     # the server's bmc_timeout: what the silent BMC costs, once (no retries)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    if request.param == "postgresql":
        require_postgresql()
    srv = Server(request.param, str(tmp_path_factory.mktemp(request.param)),
                 extra_env={"CAIRN_BMC_TIMEOUT": str(TIMEOUT), "CAIRN_BMC_RETRIES": "0"})
    yield srv
    srv.stop()


@dataclasses.dataclass
class World:
    server: object
    redfish: object
    ipmi: object
    bmc: dict      # node -> (its BMC's address, the name of its system) of the Redfish nodes

    def call(self, method, path, body=None):
        """A request as the superadmin; no answer may hold a BMC password."""
        answer = self.server.http.request(method, self.server.url + path, json=body)
        assert PASSWORD not in answer.text and WRONG_PASSWORD not in answer.text
        return answer

    def act(self, subsystem, action, hosts, **fields):
        answer = self.call("POST", f"/control/action/{subsystem}/_{action}",
                           {"control": {subsystem: {action: {"hostlist": hosts, **fields}}}})
        assert answer.status_code == 200, answer.text
        return answer.json()["control"][subsystem]

    def redfish_on(self, node, action, fields):
        answer = self.call("POST", f"/control/action/redfish/{node}/_{action}",
                           {"control": {"redfish": {action: fields}}})
        assert answer.status_code == 200, answer.text
        return answer.json()["control"]["redfish"]

    def power(self, node):
        return self.redfish.power(*self.bmc[node])

    def wait_power(self, node, state):
        self.redfish.wait_power(*self.bmc[node], state)

    def set_power(self, nodes, state):
        """Bring the nodes' systems to ``state`` ("On" or "Off") through the emulator itself."""
        for node in nodes:
            if self.power(node) != state:
                self.redfish.reset(*self.bmc[node], "On" if state == "On" else "ForceOff")
        for node in nodes:
            self.wait_power(node, state)

    def system(self, node):
        return self.redfish.system(*self.bmc[node])

    def policy(self, ca_file=None):
        """The policy of the tests' own engine runs: the emulators' certificate verified."""
        return bmc.Policy(timeout=TIMEOUT, retries=0, redfish_ca=ca_file or self.redfish.ca_file)


def _hosts(answer):
    return {outcome: hosts["hostlist"] for outcome, hosts in answer.items()}


@pytest.fixture(scope="module")
def world(server, tmp_path_factory):
    if not fakeredfish.available():
        message = "sushy-tools is not installed (the test extra: pip install -e .[test])"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    directory = str(tmp_path_factory.mktemp("redfish"))
    systems = [["rf01"], ["rf02"], ["solo"], ["wrongpw"], ["blade1", "blade2"]]
    with fakeredfish.FakeRedfish(systems, USER, PASSWORD, directory) as redfish, \
            FakeBmcs(2, username=USER, password=PASSWORD) as ipmi:
        cluster_network(server)
        cluster_network(server, "ipmi", f"127.{ipmi.block}.0.0/16")
        cluster_network(server, "redfish", f"127.{redfish.block}.0.0/16")
        for name, protocol, password in (("rf", "redfish", PASSWORD), ("rfwrong", "redfish", WRONG_PASSWORD),
                                         ("ipmi", None, PASSWORD)):
            fields = {"username": USER, "password": password, **({"protocol": protocol} if protocol else {})}
            answer = server.save("bmcsetup", name, fields)
            assert answer.status_code == 201, answer.text
            make_group(server, name, [("BOOTIF", "cluster")], bmcsetupname=name)
        one, two, three, four, dummy = redfish.addresses
        nodes = {"rf01": ("rf", one, "redfish"), "rf02": ("rf", two, "redfish"),
                 "rf03": ("rf", three, "redfish"), "rfwrong01": ("rfwrong", four, "redfish"),
                 "rfdead01": ("rf", redfish.refusing_address, "redfish"),
                 "rfsilent01": ("rf", redfish.silent_address, "redfish"),
                 "ipmi01": ("ipmi", ipmi.addresses[0], "ipmi"), "ipmi02": ("ipmi", ipmi.addresses[1], "ipmi")}
        for node, (group, address, network) in nodes.items():
            make_node(server, node, group,
                      interfaces=[{"interface": "BMC", "network": network, "ipaddress": address}])
        yield World(server, redfish, ipmi,
                    {"rf01": (one, "rf01"), "rf02": (two, "rf02"), "rf03": (three, "solo")})


# -- the bmcsetup field protocol -----------------------------------------------------------

def test_a_bmcsetup_says_its_protocol_ipmi_by_default(world):
    server = world.server
    assert server.record("bmcsetup", "rf")["protocol"] == "redfish"
    assert server.record("bmcsetup", "ipmi")["protocol"] == "ipmi"
    assert server.save("bmcsetup", "plain", {"username": "x"}).status_code == 201
    assert server.record("bmcsetup", "plain")["protocol"] == "ipmi"
    for bad in ("snmp", "", None, 1):
        assert_bad(server.save("bmcsetup", "plain", {"protocol": bad}), "protocol")
    assert server.save("bmcsetup", "plain", {"protocol": "redfish"}).status_code == 204
    assert server.record("bmcsetup", "plain")["protocol"] == "redfish"
    exported = server.get("/config/cluster/export").json()["config"]["bmcsetup"]
    assert {name: record["protocol"] for name, record in exported.items()} == {
        "rf": "redfish", "rfwrong": "redfish", "ipmi": "ipmi", "plain": "redfish"}
    assert server.post("/config/bmcsetup/plain/_delete").status_code == 204


# -- power ----------------------------------------------------------------------------------

def test_power_on_off_and_status_change_and_read_the_systems(world):
    nodes = ("rf01", "rf02", "rf03")
    world.set_power(nodes, "Off")
    assert _hosts(world.act("power", "status", "rf[01-03]")) == {"off": "rf[01-03]"}
    assert _hosts(world.act("power", "on", "rf[01,03]")) == {"ok": "rf[01,03]"}
    world.wait_power("rf01", "On")
    world.wait_power("rf03", "On")
    assert world.power("rf02") == "Off"
    assert _hosts(world.act("power", "status", "rf[01-03]")) == {"on": "rf[01,03]", "off": "rf02"}
    assert _hosts(world.act("power", "on", "rf01")) == {"ok": "rf01"}  # already on: nothing to do
    assert _hosts(world.act("power", "off", "rf03")) == {"ok": "rf03"}
    world.wait_power("rf03", "Off")
    answer = world.call("GET", "/control/action/power/rf03/_status")
    assert answer.json() == {"control": {"power": {"off": {"hostlist": "rf03"}}}}


def test_reset_restarts_and_cycle_goes_off_then_on(world):
    world.set_power(("rf01", "rf03"), "On")
    assert _hosts(world.act("power", "reset", "rf01")) == {"ok": "rf01"}
    # The emulator's ForceRestart turns the system off at once and on 1 to 11 s later.
    assert world.power("rf01") == "Off"
    world.wait_power("rf01", "On")
    # The emulator offers no PowerCycle: ForceOff, then On once the system is off.
    assert _hosts(world.act("power", "cycle", "rf03")) == {"ok": "rf03"}
    world.wait_power("rf03", "On")


def test_a_cycle_of_a_system_that_is_off_fails(world):
    world.set_power(("rf02",), "Off")
    assert world.act("power", "cycle", "rf02") == {"failed": {
        "hostlist": "rf02", "reasons": {"rf02": "the system is off: nothing to cycle"}}}
    assert world.power("rf02") == "Off"


# -- boot device, identify, SEL ------------------------------------------------------------

def test_boot_device_is_set_and_read(world):
    assert _hosts(world.act("boot", "pxe", "rf[01-02]")) == {"ok": "rf[01-02]"}
    assert [world.system(node)["Boot"]["BootSourceOverrideTarget"] for node in ("rf01", "rf02")] == \
        ["Pxe", "Pxe"]
    # The emulator keeps BootSourceOverrideEnabled Continuous, whatever it is told.
    assert world.act("boot", "status", "rf01") == {
        "pxe": {"hostlist": "rf01", "details": {"rf01": {"persistent": True}}}}
    assert _hosts(world.act("boot", "disk_persistent", "rf01")) == {"ok": "rf01"}
    assert world.system("rf01")["Boot"]["BootSourceOverrideTarget"] == "Hdd"
    assert _hosts(world.act("boot", "status", "rf[01-02]")) == {"disk": "rf01", "pxe": "rf02"}


def test_identify_lights_the_indicator_led(world):
    assert _hosts(world.act("chassis", "noidentify", "rf01")) == {"ok": "rf01"}
    assert world.system("rf01")["IndicatorLED"] == "Off"
    assert _hosts(world.act("chassis", "identify", "rf01")) == {"ok": "rf01"}
    assert world.system("rf01")["IndicatorLED"] == "Lit"


def test_sel_list_of_a_bmc_without_log_services_fails_with_the_reason(world):
    assert world.act("sel", "list", "rf01") == {"failed": {
        "hostlist": "rf01", "reasons": {"rf01": "the BMC offers no log service"}}}


# -- a mixed hostlist ------------------------------------------------------------------------

def test_a_mixed_hostlist_of_ipmi_and_redfish_bmcs(world):
    world.ipmi.set_state(world.ipmi.addresses[0], power="on")
    world.ipmi.set_state(world.ipmi.addresses[1], power="off")
    world.set_power(("rf01",), "On")
    world.set_power(("rf02",), "Off")
    answer = world.act("power", "status", "ipmi[01-02],rf[01-02],rfdead01,rfsilent01,rfwrong01")
    assert _hosts(answer) == {"on": "ipmi01,rf01", "off": "ipmi02,rf02",
                              "failed": "rfdead01,rfsilent01,rfwrong01"}
    assert answer["failed"]["reasons"] == {
        "rfdead01": f"cannot reach {world.redfish.refusing_address}: Connection refused",
        "rfsilent01": f"timeout after {TIMEOUT} s",
        "rfwrong01": bmc.WRONG_CREDENTIALS}


def test_the_hosts_of_a_bmc_with_several_systems_get_the_system_named_like_them(world):
    blades = world.redfish.addresses[4]
    world.redfish.set_power(blades, "blade1", "Off")
    world.redfish.set_power(blades, "blade2", "On")
    targets = [bmc.Target(host, blades, USER, PASSWORD, protocol="redfish")
               for host in ("blade1", "BLADE2", "blade3")]
    assert [(o.host, o.result, o.detail) for o in bmc.run(targets, "power", "status", world.policy())] == [
        ("blade1", "off", None), ("BLADE2", "on", None),
        ("blade3", "failed", "the BMC has 2 systems, none with the Id or Name 'blade3'")]
    assert [o.result for o in bmc.run(targets[:2], "power", "off", world.policy())] == ["ok", "ok"]
    world.redfish.wait_power(blades, "blade2", "Off")


def test_engine_runs_ipmi_and_redfish_targets_of_one_run_side_by_side(world):
    targets = [bmc.Target("i", world.ipmi.addresses[0], USER, PASSWORD),
               bmc.Target("r", world.bmc["rf01"][0], USER, PASSWORD, protocol="redfish"),
               bmc.Target("n", "", USER, PASSWORD, protocol="redfish"),
               bmc.Target("u", world.ipmi.addresses[0], USER, PASSWORD)]
    outcomes = bmc.run(targets, "redfish", "setting", world.policy(), {"BootSourceOverrideTarget": "Pxe"})
    assert [(o.host, o.result, o.detail) for o in outcomes] == [
        ("i", "failed", "redfish setting needs a BMC setup with protocol redfish"), ("r", "ok", None),
        ("n", "failed", "no BMC address"),
        ("u", "failed", "redfish setting needs a BMC setup with protocol redfish")]
    world.ipmi.set_state(world.ipmi.addresses[0], bootdev="pxe", persistent=False)
    assert [(o.result, o.detail) for o in bmc.run(targets[:2], "boot", "status", world.policy())] == [
        ("pxe", {"persistent": False}), ("pxe", {"persistent": True})]


def test_certificates_are_verified_against_bmc_redfish_ca_when_set(world, tmp_path):
    target = [bmc.Target("r", world.bmc["rf01"][0], USER, PASSWORD, protocol="redfish")]
    assert bmc.run(target, "power", "status", world.policy())[0].result in ("on", "off")
    other_ca, dummy = fakeredfish.certificate(str(tmp_path), ["127.0.0.1"])
    [outcome] = bmc.run(target, "power", "status", world.policy(other_ca))
    assert outcome.result == "failed"
    assert outcome.detail.startswith(f"TLS error with {world.bmc['rf01'][0]}: "), outcome.detail
    assert "certificate verify failed" in outcome.detail


# -- the redfish subsystem ------------------------------------------------------------------

def test_upload_patches_the_system_with_the_document(world):
    assert world.redfish_on("rf01", "upload", {"document": {"IndicatorLED": "Off"}}) == {
        "ok": {"hostlist": "rf01"}}
    assert world.system("rf01")["IndicatorLED"] == "Off"
    assert _hosts(world.act("redfish", "upload", "rf[02-03]",
                            document={"Boot": {"BootSourceOverrideTarget": "Cd"}})) == {"ok": "rf[02-03]"}
    assert [world.system(node)["Boot"]["BootSourceOverrideTarget"] for node in ("rf02", "rf03")] == \
        ["Cd", "Cd"]


def test_upload_the_bmc_refuses_fails_with_its_message(world):
    answer = world.redfish_on("rf01", "upload", {"document": {"AssetTag": "x"}})
    assert _hosts(answer) == {"failed": "rf01"}
    assert answer["failed"]["reasons"]["rf01"].startswith("BMC error: 400")
    answer = world.redfish_on("rf01", "upload", {"document": {"x": 1}, "target": "Nowhere/Settings"})
    assert answer["failed"]["reasons"]["rf01"].startswith("BMC error: 404")


def test_setting_sets_the_boot_override(world):
    assert world.redfish_on("rf03", "setting", {"BootSourceOverrideTarget": "Pxe",
                                                "BootSourceOverrideEnabled": "Once"}) == {
        "ok": {"hostlist": "rf03"}}
    assert world.system("rf03")["Boot"]["BootSourceOverrideTarget"] == "Pxe"
    assert _hosts(world.act("redfish", "setting", "rf[01-02]", BootSourceOverrideTarget="Hdd",
                            BootSourceOverrideMode="UEFI")) == {"ok": "rf[01-02]"}
    assert [world.system(node)["Boot"]["BootSourceOverrideTarget"] for node in ("rf01", "rf02")] == \
        ["Hdd", "Hdd"]


def test_the_redfish_subsystem_fails_nodes_whose_bmcsetup_says_ipmi(world):
    answer = world.act("redfish", "setting", "ipmi01,rf01", BootSourceOverrideTarget="Pxe")
    assert answer == {"ok": {"hostlist": "rf01"}, "failed": {"hostlist": "ipmi01", "reasons": {
        "ipmi01": "redfish setting needs a BMC setup with protocol redfish"}}}


@pytest.mark.parametrize("action, fields, field", [
    ("upload", {}, "control.redfish.upload.document"),
    ("upload", {"document": {}}, "control.redfish.upload.document"),
    ("upload", {"document": [1]}, "control.redfish.upload.document"),
    ("upload", {"document": {"a": 1}, "target": "../Managers"}, "control.redfish.upload.target"),
    ("upload", {"document": {"a": 1}, "target": "/Bios"}, "control.redfish.upload.target"),
    ("upload", {"document": {"a": 1}, "hostlist": "rf01"}, "control.redfish.upload.hostlist"),
    ("setting", {}, "control.redfish.setting"),
    ("setting", {"BootSourceOverrideTarget": "Net"}, "control.redfish.setting.BootSourceOverrideTarget"),
    ("setting", {"BootSourceOverrideEnabled": True}, "control.redfish.setting.BootSourceOverrideEnabled"),
    ("setting", {"BootOrder": "Boot0001"}, "control.redfish.setting.BootOrder"),
    ("setting", {"Target": "Pxe"}, "control.redfish.setting.Target"),
])
def test_bad_redfish_bodies_are_400s_naming_the_field(world, action, fields, field):
    assert_bad(world.call("POST", f"/control/action/redfish/rf01/_{action}",
                          {"control": {"redfish": {action: fields}}}), field)


def test_bad_redfish_requests_are_400s(world):
    assert_bad(world.call("GET", "/control/action/redfish/rf01/_upload"), "body")
    assert_bad(world.call("POST", "/control/action/redfish/rf01/_flash",
                          {"control": {"redfish": {"flash": {}}}}), "action")
    assert_bad(world.call("POST", "/control/action/redfish/rf01/_setting",
                          {"control": {"redfish": {"upload": {}}}}), "control.redfish")
    assert_bad(world.call("POST", "/control/action/redfish/_setting",
                          {"control": {"redfish": {"setting": {"BootSourceOverrideTarget": "Pxe"}}}}),
               "control.redfish.setting.hostlist")
    assert world.call("POST", "/control/action/redfish/rf99/_setting", {"control": {"redfish": {
        "setting": {"BootSourceOverrideTarget": "Pxe"}}}}).status_code == 404


def test_a_redfish_action_is_journaled_without_its_document(world):
    secret = "bios-admin-pw-3"
    world.redfish_on("rf02", "upload", {"target": "Bios/Settings",
                                        "document": {"Attributes": {"AdminPassword": secret}}})
    cluster = world.call("GET", "/config/cluster").json()["config"]["cluster"]
    [controller] = [name for name, value in cluster.items() if isinstance(value, dict)]
    journal = world.call("GET", f"/journal/{controller}").json()["journal"]
    entry = [e for e in journal if e["function"] == "control.redfish.upload" and e["object"] == "rf02"][-1]
    assert json.loads(entry["payload"]) == {"hostlist": "rf02"}
    assert secret not in str(journal)


def test_no_password_reaches_the_log(world):
    world.act("power", "status", "rf[01-03],rfwrong01,rfdead01")
    output = world.server.output()
    assert PASSWORD not in output and WRONG_PASSWORD not in output
