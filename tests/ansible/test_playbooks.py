"""The collection's playbooks (playbooks/*.yml), run as an admin runs them.

``ansible-playbook cairn.cluster.<name> -e ...`` against a real server (SQLite and
PostgreSQL), with CAIRN_URL and CAIRN_TOKEN in the environment: the server's state
afterwards, a second run that changes nothing where the work is idempotent, and a
missing variable that fails with the playbook's message. Each test has nodes and
racks of its own names, so none depends on another's.
"""

import json
import os
import re
import stat
import subprocess

import pytest

from ansible_run import ansible_env, run
from conftest import ADMIN_PASSWORD, Server, cluster_network, make_group, make_node, other_database
from fakebmc import FakeBmcs

BMC_PASSWORD = "fake-bmc-pw-pb1"


@pytest.fixture(scope="module", autouse=True)
def groups(server):
    """Two groups on a provisioning and a BMC network."""
    cluster_network(server, "cluster", "10.141.0.0/16")
    cluster_network(server, "ipmi", "10.148.0.0/16")
    make_group(server, "compute", [("BOOTIF", "cluster"), ("BMC", "ipmi")])
    make_group(server, "gpu", [("BOOTIF", "cluster")])


def argv(name, variables):
    return ["ansible-playbook", f"cairn.cluster.{name}", "-e", json.dumps(variables)]


def shell_env(server, tmp_path, **extra):
    """The environment of ansible-playbook run from a shell in ``tmp_path`` (which sets PWD)."""
    return ansible_env(str(tmp_path), server, PWD=str(tmp_path), **extra)


def playbook(server, tmp_path, name, env=None, **variables):
    """Run playbook ``name`` with extra vars ``variables``; its output, which must succeed."""
    return run(argv(name, variables), env or shell_env(server, tmp_path), cwd=tmp_path)


def failing_playbook(server, tmp_path, name, env=None, **variables):
    """Run playbook ``name``, which must fail; its output."""
    done = subprocess.run(argv(name, variables), env=env or shell_env(server, tmp_path), cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    assert done.returncode != 0, done.stdout
    return done.stdout


def changed(output):
    """The recap's changed= count."""
    return int(re.search(r"changed=(\d+)", output).group(1))


def nodes(server):
    answer = server.get("/config/node")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["node"]


def interface(node, name):
    found, = (item for item in node["interfaces"] if item["interface"] == name)
    return found


def devices(server, rack):
    """{(type, name): (position, height)} of a rack's devices."""
    return {(device["type"], device["name"]): (device["position"], device["height"])
            for device in server.record("rack", rack)["devices"]}


def export(server):
    answer = server.get("/config/cluster/export")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_add_nodes_creates_a_rack_of_nodes_from_a_hostlist(server, tmp_path):
    assert server.save("switch", "addsw01", {"network": "ipmi"}).status_code == 201
    assert server.save("rack", "addrack", {"size": 48, "devices": [
        {"name": "addsw01", "type": "switch", "position": 48},
        {"name": "addpdu", "type": "pdu", "position": 1}]}).status_code == 201
    variables = dict(hostlist="add[01-04]", group="compute", rack="addrack", first_mac="52-54-00-0A-00-FE",
                     rack_position=2, node_height=2)
    first = playbook(server, tmp_path, "add_nodes", **variables)
    assert changed(first) == 2, first  # the nodes, the rack

    made = nodes(server)
    assert {name: (made[name]["group"], made[name]["macaddr"]) for name in ("add01", "add02", "add03", "add04")} == {
        "add01": ("compute", "52:54:00:0a:00:fe"), "add02": ("compute", "52:54:00:0a:00:ff"),
        "add03": ("compute", "52:54:00:0a:01:00"), "add04": ("compute", "52:54:00:0a:01:01")}
    assert {i["interface"] for i in made["add01"]["interfaces"]} == {"BOOTIF", "BMC"}
    assert devices(server, "addrack") == {
        ("switch", "addsw01"): (48, 1), ("pdu", "addpdu"): (1, 1),
        ("node", "add01"): (2, 2), ("node", "add02"): (4, 2), ("node", "add03"): (6, 2), ("node", "add04"): (8, 2)}

    again = playbook(server, tmp_path, "add_nodes", **variables)
    assert changed(again) == 0, again


def test_add_nodes_takes_a_list_of_macs_and_makes_the_rack(server, tmp_path):
    variables = dict(hostlist="addm1,addm2", group="gpu", macs="52:54:00:0b:00:01, 52:54:00:0b:00:02",
                     rack="addnew", rack_size=10)
    playbook(server, tmp_path, "add_nodes", **variables)
    made = nodes(server)
    assert (made["addm1"]["macaddr"], made["addm2"]["macaddr"]) == ("52:54:00:0b:00:01", "52:54:00:0b:00:02")
    assert server.record("rack", "addnew")["size"] == 10
    assert devices(server, "addnew") == {("node", "addm1"): (1, 1), ("node", "addm2"): (2, 1)}
    assert changed(playbook(server, tmp_path, "add_nodes", **variables)) == 0

    output = failing_playbook(server, tmp_path, "add_nodes", hostlist="addm[1-3]", group="gpu",
                              macs=["52:54:00:0b:00:01"])
    assert "macs has 1 addresses for 3 nodes" in output, output
    assert "addm3" not in nodes(server)


def test_move_nodes_to_another_group_and_rack(server, tmp_path):
    for name in ("mv01", "mv02", "mv03"):
        make_node(server, name, "compute")
    bootif = {name: interface(nodes(server)[name], "BOOTIF") for name in ("mv01", "mv02")}
    first = playbook(server, tmp_path, "move_nodes", hostlist="mv[01-02]", group="gpu", rack="mvrack",
                     rack_position=5)
    assert changed(first) == 2, first

    moved = nodes(server)
    for name in ("mv01", "mv02"):
        assert moved[name]["group"] == "gpu"
        # Both groups put BOOTIF on the same network: it keeps its address.
        assert interface(moved[name], "BOOTIF") == bootif[name]
    assert moved["mv03"]["group"] == "compute"
    assert devices(server, "mvrack") == {("node", "mv01"): (5, 1), ("node", "mv02"): (6, 1)}

    assert changed(playbook(server, tmp_path, "move_nodes", hostlist="mv[01-02]", group="gpu",
                            rack="mvrack", rack_position=5)) == 0

    # Into another rack only: out of this one; a node that does not exist fails before any write.
    playbook(server, tmp_path, "move_nodes", hostlist="mv01", rack="mvrack2")
    assert devices(server, "mvrack") == {("node", "mv02"): (6, 1)}
    assert devices(server, "mvrack2") == {("node", "mv01"): (1, 1)}
    output = failing_playbook(server, tmp_path, "move_nodes", hostlist="mv[03-05]", group="gpu")
    assert "These nodes of the hostlist do not exist: mv04, mv05" in output, output
    assert nodes(server)["mv03"]["group"] == "compute"


def test_rename_nodes_by_hostlists_and_by_mapping(server, tmp_path):
    for name in ("rn01", "rn02", "rn03"):
        make_node(server, name, "compute")
    assert server.save("rack", "rnrack", {"size": 42, "devices": [
        {"name": "rn01", "type": "node", "position": 1}]}).status_code == 201
    addresses = nodes(server)["rn01"]["interfaces"]

    first = playbook(server, tmp_path, "rename_nodes", hostlist="rn[01-02]", new_hostlist="cn[1-2]")
    assert changed(first) == 1, first
    renamed = nodes(server)
    assert {"cn1", "cn2", "rn03"} <= set(renamed) and not {"rn01", "rn02"} & set(renamed)
    assert renamed["cn1"]["interfaces"] == addresses
    assert devices(server, "rnrack") == {("node", "cn1"): (1, 1)}
    assert changed(playbook(server, tmp_path, "rename_nodes", hostlist="rn[01-02]", new_hostlist="cn[1-2]")) == 0

    playbook(server, tmp_path, "rename_nodes", renames={"rn03": "login1"})
    assert "login1" in nodes(server) and "rn03" not in nodes(server)

    output = failing_playbook(server, tmp_path, "rename_nodes", hostlist="rn[01-03]", new_hostlist="cn[1-2]")
    assert "hostlist has 3 names and new_hostlist 2: they must have as many" in output, output
    output = failing_playbook(server, tmp_path, "rename_nodes", renames={"cn1": "cx1", "rn99": "cx99"})
    assert "These nodes exist under neither their old nor their new name: rn99" in output, output
    assert "cn1" in nodes(server)


def test_boot_sets_the_flags_of_a_hostlist(server, tmp_path):
    for name in ("bt01", "bt02", "bt03"):
        make_node(server, name, "compute")
    first = playbook(server, tmp_path, "boot", hostlist="bt[01-02]", netboot="false", localinstall="yes")
    assert "2 nodes changed: bt01, bt02" in first, first
    flags = nodes(server)
    for name in ("bt01", "bt02"):
        assert (flags[name]["netboot"], flags[name]["_netboot_source"]) == (False, "node")
        assert (flags[name]["localinstall"], flags[name]["_localinstall_source"]) == (True, "node")
    assert (flags["bt03"]["netboot"], flags["bt03"]["_netboot_source"]) == (True, "default")
    assert changed(playbook(server, tmp_path, "boot", hostlist="bt[01-02]", netboot="false",
                            localinstall="yes")) == 0

    output = failing_playbook(server, tmp_path, "boot", hostlist="bt[03-04]", netboot=False)
    assert "1 nodes of the hostlist do not exist: bt04" in output, output
    assert nodes(server)["bt03"]["_netboot_source"] == "default"


@pytest.fixture
def empty_server(server, tmp_path_factory):
    """A second server, on an empty database of the same engine as ``server``."""
    pg_url = other_database("playbooks") if server.backend == "postgresql" else None
    target = Server(server.backend, str(tmp_path_factory.mktemp("empty")), pg_url=pg_url)
    yield target
    target.stop()


def test_backup_and_restore(server, empty_server, tmp_path):
    make_node(server, "bk01", "compute", macaddr="52:54:00:0c:00:01")
    assert server.save("bmcsetup", "bkbmc", {"userid": 2, "username": "root", "password": "bmc-secret"}).status_code == 201
    playbook(server, tmp_path, "backup")
    backup, = tmp_path.glob("cairn-backup-*.json")
    assert re.fullmatch(r"cairn-backup-\d{8}T\d{6}Z\.json", backup.name)
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    document = json.loads(backup.read_text())
    assert document == export(server)
    assert document["config"]["bmcsetup"]["bkbmc"]["password"] == "bmc-secret"

    # With a username and password instead of a token, to a file named on the command line.
    named = tmp_path / "named.json"
    playbook(server, tmp_path, "backup", dest=str(named),
             env=shell_env(server, tmp_path, CAIRN_TOKEN="", CAIRN_USERNAME="admin", CAIRN_PASSWORD=ADMIN_PASSWORD))
    assert json.loads(named.read_text()) == document and stat.S_IMODE(os.stat(named).st_mode) == 0o600

    # A refused export leaves no file behind, and says why.
    refused = tmp_path / "refused.json"
    output = failing_playbook(server, tmp_path, "backup", env=shell_env(server, tmp_path, CAIRN_TOKEN="bad"),
                              dest=str(refused))
    assert "GET /config/cluster/export: 401" in output, output
    assert not refused.exists()

    restored = playbook(empty_server, tmp_path, "restore", src=backup.name)  # relative to the current directory
    assert changed(restored) == 1, restored
    assert export(empty_server) == document

    output = failing_playbook(empty_server, tmp_path, "restore", src=str(backup))
    assert "POST /config/cluster/import: 409" in output, output
    assert "bmc-secret" not in output and "bmc-secret" not in restored


@pytest.fixture(scope="module")
def bmcs(server):
    """Two nodes with live fake BMCs (pyghmi's BMC server) and one whose BMC does not answer."""
    with FakeBmcs(2, username="pwadmin", password=BMC_PASSWORD) as fake:
        cluster_network(server, "pwipmi", f"127.{fake.block}.0.0/16")
        assert server.save("bmcsetup", "pwsetup", {"username": "pwadmin", "password": BMC_PASSWORD}).status_code == 201
        make_group(server, "pwgroup", [("BOOTIF", "cluster")], bmcsetupname="pwsetup")
        for name, address in zip(("pw01", "pw02", "pw03"), [*fake.addresses, *fake.dead_addresses(1)]):
            bmc_interface = {"interface": "BMC", "network": "pwipmi", "ipaddress": address}
            make_node(server, name, "pwgroup", interfaces=[bmc_interface])
        yield fake


def test_power_acts_on_the_bmcs_of_a_hostlist(server, bmcs, tmp_path):
    live = dict(zip(("pw01", "pw02"), bmcs.addresses))
    bmcs.set_state(live["pw01"], power="on")
    bmcs.set_state(live["pw02"], power="on")
    output = playbook(server, tmp_path, "power", hostlist="pw[01-02]", power_action="off")
    assert changed(output) == 1, output
    assert [bmcs.state(address)["power"] for address in live.values()] == ["off", "off"]
    again = playbook(server, tmp_path, "power", hostlist="pw[01-02]", power_action="off")
    assert changed(again) == 0, again
    assert BMC_PASSWORD not in output + again

    bmcs.set_state(live["pw02"], power="on")
    output = playbook(server, tmp_path, "power", hostlist="pw[01-02]", power_action="status")
    assert re.search(r'"off": \[\s*"pw01"\s*\]', output) and re.search(r'"on": \[\s*"pw02"\s*\]', output), output

    bmcs.set_state(live["pw01"], power="on")  # a BMC cycles only a node that is on
    boots = bmcs.state(live["pw01"])["boots"]
    playbook(server, tmp_path, "power", hostlist="pw01", power_action="cycle")
    assert bmcs.state(live["pw01"])["boots"] == boots + 1

    # A BMC that does not answer fails the play, unless failures are allowed; both name it.
    output = failing_playbook(server, tmp_path, "power", hostlist="pw[01-03]", power_action="on")
    assert "pw03" in output, output
    output = playbook(server, tmp_path, "power", hostlist="pw[01-03]", power_action="on", allow_failures="true")
    assert re.search(r'"failed_hosts": \{\s*"pw03": ', output), output
    assert [bmcs.state(address)["power"] for address in live.values()] == ["on", "on"]


@pytest.mark.parametrize("name, variables, message", [
    ("add_nodes", {"hostlist": "x[1-2]"}, "Give the nodes and their group: -e hostlist='node[001-040]' -e group=compute"),
    ("add_nodes", {"hostlist": "x[1-2]", "group": "gpu", "first_mac": "52:54:00"},
     "first_mac is a MAC address such as 52:54:00:00:01:01"),
    ("add_nodes", {"hostlist": "x[2-1]", "group": "gpu"}, "expand_hostlist: hostlist part 'x[2-1]': range '2-1' runs backwards"),
    ("move_nodes", {"hostlist": "x[1-2]"}, "Give the nodes and where they go"),
    ("rename_nodes", {"hostlist": "x[1-2]"}, "Give either renames"),
    ("boot", {"hostlist": "x[1-2]"}, "Give the nodes and how they boot"),
    ("restore", {}, "Give the backup file, the server and a token"),
    ("power", {"hostlist": "x[1-2]", "power_action": "restart"}, "Give the nodes and the action"),
])
def test_a_missing_variable_fails_with_the_playbooks_message(server, tmp_path, name, variables, message):
    output = failing_playbook(server, tmp_path, name, **variables)
    assert message in output, output
    assert "changed=0" in output, output


def test_backup_without_a_server_fails_with_its_message(server, tmp_path):
    output = failing_playbook(server, tmp_path, "backup", env=shell_env(server, tmp_path, CAIRN_URL=""))
    assert "Give the server and a token: CAIRN_URL and CAIRN_TOKEN in the environment" in output, output
    assert not list(tmp_path.glob("cairn-backup-*"))
