"""The power module, run by ansible-playbook against a real server (SQLite and PostgreSQL)
whose nodes' BMCs are fake BMCs on pyghmi's BMC server (tests/fakebmc.py): their power
state and identify light really change.

The server runs every request for more than one node in the background, so that the
module's waiting on /control/status is exercised along with the direct answers.
"""

import json

import pytest

from conftest import BACKENDS, Server, cluster_network, make_group, make_node, require_postgresql
from fakebmc import FakeBmcs
from test_modules_a import play, task

USER = "ipmiadmin"
PASSWORD = "power-module-pw-1"
LIVE = ["pw01", "pw02", "pw03"]
DEAD = "pwdead01"


@pytest.fixture(scope="module", params=BACKENDS)
def bmc_server(request, tmp_path_factory):
    if request.param == "postgresql":
        require_postgresql()
    srv = Server(request.param, str(tmp_path_factory.mktemp(request.param)),
                 extra_env={"CAIRN_CONTROL_ASYNC_THRESHOLD": "1", "CAIRN_BMC_TIMEOUT": "1"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def bmcs(bmc_server):
    """Nodes pw01-pw03 with live fake BMCs, pwdead01 whose BMC address answers nothing."""
    with FakeBmcs(len(LIVE), username=USER, password=PASSWORD) as fakes:
        cluster_network(bmc_server)
        cluster_network(bmc_server, "ipmi", f"127.{fakes.block}.0.0/16")
        answer = bmc_server.save("bmcsetup", "fake", {"username": USER, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        make_group(bmc_server, "powered", [("BOOTIF", "cluster")], bmcsetupname="fake")
        addresses = dict(zip(LIVE, fakes.addresses))
        addresses[DEAD], = fakes.dead_addresses(1)
        for name, address in addresses.items():
            make_node(bmc_server, name, "powered",
                      interfaces=[{"interface": "BMC", "network": "ipmi", "ipaddress": address}])
        fakes.node = addresses
        yield fakes


def power(register, hostlist, action, **options):
    return task(register, "power", dict(hostlist=hostlist, action=action), **options)


def power_state(bmcs, node):
    return bmcs.state(bmcs.node[node])["power"]


def run_power(bmc_server, tmp_path, tasks, **options):
    results = play(bmc_server, tmp_path, tasks)
    assert PASSWORD not in json.dumps(results)
    return results


def test_on_and_off_change_only_what_differs_and_check_mode_predicts(bmc_server, bmcs, tmp_path):
    for node in LIVE:
        bmcs.set_state(bmcs.node[node], power="off")
    results = run_power(bmc_server, tmp_path, [
        power("on_check", "pw[01-02]", "on", check=True),
        power("status_after_check", "pw[01-02]", "status"),
        power("on", "pw[01-02]", "on"),
        power("on_again", "pw[01-02]", "on"),
        power("off_one", "pw02", "off"),
        power("status", "pw[01-03]", "status"),
    ])
    predicted = results["on_check"]
    assert predicted["changed"] is True and predicted["changed_hosts"] == ["pw01", "pw02"]
    assert predicted["diff"] == {"before": {"pw01": "off", "pw02": "off"}, "after": {"pw01": "on", "pw02": "on"}}
    assert results["status_after_check"]["hosts"] == {"off": ["pw01", "pw02"]}  # check mode changed nothing
    assert results["status_after_check"]["changed"] is False
    assert results["on"]["changed"] is True and results["on"]["hosts"] == {"ok": ["pw01", "pw02"]}
    assert results["on_again"]["changed"] is False
    assert results["on_again"]["hosts"] == {"on": ["pw01", "pw02"]} and results["on_again"]["changed_hosts"] == []
    assert results["off_one"]["changed_hosts"] == ["pw02"]
    assert results["status"]["hosts"] == {"on": ["pw01"], "off": ["pw02", "pw03"]}
    assert results["status"]["failed_hosts"] == {}
    assert [power_state(bmcs, node) for node in LIVE] == ["on", "off", "off"]


def test_a_cycle_over_live_and_dead_bmcs_fails_naming_the_dead_unless_allowed(bmc_server, bmcs, tmp_path):
    for node in LIVE:
        bmcs.set_state(bmcs.node[node], power="on")
    boots = [bmcs.state(bmcs.node[node])["boots"] for node in LIVE]
    results = run_power(bmc_server, tmp_path, [
        power("cycle", "pw[01-03],pwdead01", "cycle", fails=True),
        task("cycle_allowed", "power", dict(hostlist="pw01,pwdead01", action="cycle", allow_failures=True)),
    ])
    failed = results["cycle"]
    assert failed["failed"] is True and failed["changed"] is True
    assert failed["hosts"] == {"ok": LIVE, "failed": [DEAD]}
    assert list(failed["failed_hosts"]) == [DEAD] and failed["failed_hosts"][DEAD]
    assert failed["msg"].startswith(f"1 of 4 nodes failed: {DEAD} (")
    allowed = results["cycle_allowed"]
    assert allowed.get("failed") is not True and allowed["changed_hosts"] == ["pw01"]
    assert [bmcs.state(bmcs.node[node])["boots"] for node in LIVE] == [boots[0] + 2, boots[1] + 1, boots[2] + 1]


def test_identify_lights_the_led_and_noidentify_puts_it_out(bmc_server, bmcs, tmp_path):
    results = run_power(bmc_server, tmp_path, [power("identify", "pw03", "identify")])
    assert results["identify"]["changed_hosts"] == ["pw03"]
    assert bmcs.state(bmcs.node["pw03"])["identify"] is True
    run_power(bmc_server, tmp_path, [power("noidentify", "pw[02-03]", "noidentify")])
    assert bmcs.state(bmcs.node["pw03"])["identify"] is False


def test_unknown_nodes_and_bad_hostlists_fail_before_any_bmc_is_asked(bmc_server, bmcs, tmp_path):
    bmcs.set_state(bmcs.node["pw01"], power="off")
    results = run_power(bmc_server, tmp_path, [
        power("unknown", "pw01,nosuch[1-2]", "on", fails=True),
        power("bad", "pw[01-", "on", fails=True),
    ])
    assert results["unknown"]["failed"] is True and results["unknown"]["status"] == 404
    assert "nosuch[1-2]" in results["unknown"]["msg"]
    assert results["bad"]["failed"] is True and results["bad"]["field"] == "hostlist"
    assert power_state(bmcs, "pw01") == "off"
