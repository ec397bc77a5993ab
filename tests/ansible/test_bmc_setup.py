"""The bmc_setup module and the bmc role, run by ansible-playbook against a real server
(SQLite and PostgreSQL) whose nodes' BMCs are fake BMCs (tests/fakebmc.py: pyghmi's BMC
server, whose users, channel access and LAN configuration really change), and, for NTP
over Redfish, sushy-tools' emulator at the same addresses (tests/fakeredfish.py, with
its ManagerNetworkProtocol resource), as real BMCs speak both.

Every fake starts at its factory settings: user 2 ADMIN (administrator, enabled),
channel 1 always available, its LAN address from DHCP. Each test takes BMCs of its own.
"""

import json

import pytest
import yaml

import fakeredfish
from ansible_run import BIN, ansible_env, run
from conftest import IN_CI, cluster_network, make_admin, make_group, make_node
from fakebmc import FakeBmcs
from test_modules_a import play, task

FACTORY = ("ADMIN", "Factory-pw-1")
USER = "cairn"
PASSWORD = "Bmc-setup-pw-20chars"     # 20 characters: IPMI 2.0's long form
PASSWORDS = (PASSWORD, FACTORY[1])
FACTORY_LOGIN = {"login_username": FACTORY[0], "login_password": FACTORY[1]}
MASK = "********"
ADMIN_ACCESS = {"privilege": "administrator", "ipmi_msg": True, "link_auth": True, "callback": False}
ALWAYS = {"access_mode": "always", "privilege_limit": "administrator"}


@pytest.fixture(scope="module")
def bmcs(server):
    """Fake BMCs at their factory settings, and the network ipmi (127.X.0.0/16, whose
    gateway is 127.X.255.254) for their addresses."""
    with FakeBmcs(10, *FACTORY) as fakes:
        cluster_network(server)
        cluster_network(server, "ipmi", f"127.{fakes.block}.0.0/16")
        fakes.unused = iter(fakes.addresses)
        fakes.gateway = f"127.{fakes.block}.255.254"
        yield fakes


NTP = "10.141.255.254"
EARLIER_NTP = {"ProtocolEnabled": False, "NTPServers": ["192.0.2.1", "192.0.2.2"]}


@pytest.fixture(scope="module")
def dual(server, bmcs, tmp_path_factory):
    """BMCs that speak IPMI (fake BMCs, at the setup's user already) and Redfish
    (sushy-tools' emulator) at the same addresses; the third BMC's managers have no
    NetworkProtocol. Their network ipmirf (their block's /16) has the ntp_server NTP."""
    if not fakeredfish.available():
        message = "sushy-tools is not installed (the test extra: pip install -e .[test])"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with FakeBmcs(3, USER, PASSWORD) as ipmi, \
            fakeredfish.FakeRedfish([["rf01"], ["rf02"], ["rf03"]], USER, PASSWORD,
                                    str(tmp_path_factory.mktemp("redfish")), network_protocol=[True, True, False],
                                    block=ipmi.block) as redfish:
        cluster_network(server, "ipmirf", f"127.{ipmi.block}.0.0/16", ntp_server=NTP)
        profile(server, "redfish", 2, protocol="redfish")
        for name, address in zip(("rf01", "rf02", "rf03"), redfish.addresses):
            node(server, name, "redfish", address, network="ipmirf")
        yield redfish


def profile(server, name, userid, unmanaged="skip", username=USER, password=PASSWORD, mgmtchannel=1,
            protocol="ipmi"):
    """A BMC setup ``name`` and a group of the same name that uses it."""
    answer = server.save("bmcsetup", name, {"userid": userid, "username": username, "password": password,
                                            "mgmtchannel": mgmtchannel, "netchannel": 1,
                                            "unmanaged_bmc_users": unmanaged, "protocol": protocol})
    assert answer.status_code == 201, answer.text
    make_group(server, name, [("BOOTIF", "cluster")], bmcsetupname=name)


def node(server, name, group, address, network="ipmi"):
    make_node(server, name, group, interfaces=[{"interface": "BMC", "network": network, "ipaddress": address}])


def setup(register, node_name, check=False, fails=False, **options):
    """A task of cairn.cluster.bmc_setup for ``node_name``."""
    return task(register, "bmc_setup", dict(node=node_name, **options), check=check, fails=fails)


def run_setup(server, tmp_path, tasks):
    results = play(server, tmp_path, tasks)
    shown = json.dumps(results)
    for password in PASSWORDS:
        assert password not in shown
    return results


def settings(bmcs, address):
    """The fake's settings, without its power and SEL state."""
    state = bmcs.state(address)
    return {key: state[key] for key in ("users", "channel_access", "lan")}


def test_check_mode_predicts_the_first_run_changes_and_the_second_changes_nothing(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    moved = f"127.{bmcs.block}.100.{address.rsplit('.', 1)[1]}"   # in the ipmi network; nothing listens there
    profile(server, "std", 3)
    node(server, "bs01", "std", moved)
    # The setup's user exists, but only as an operator; the channel and LAN are the factory's.
    bmcs.set_user(address, 3, name=USER, password=PASSWORD, enabled=True, privilege="operator")
    bmcs.set_channel_access(address, privilege_limit="operator")
    bmcs.set_lan(address, netmask="255.0.0.0")
    untouched = settings(bmcs, address)

    results = run_setup(server, tmp_path, [
        setup("check", "bs01", bmc_address=address, check=True),
        setup("first", "bs01", bmc_address=address),
        setup("second", "bs01", bmc_address=address),
    ])
    check, first, second = results["check"], results["first"], results["second"]
    expected = ["user 3: administrator on channel 1",
                "channel 1: non-volatile access always, administrator",
                "channel 1: volatile access always, administrator",
                f"channel 1: LAN ip_source static, address {moved}, netmask 255.255.0.0, gateway {bmcs.gateway}"]
    assert check["changed"] is True and check["changes"] == expected
    assert first["changed"] is True and first["changes"] == expected
    assert check["diff"] == first["diff"] and check["settings"] == first["settings"]
    assert first["login"] == "bmcsetup" and first["bmc_address"] == address
    assert second["changed"] is False and second["changes"] == []

    # The diff: the user's password shown masked, the other users skipped (not read).
    before, after = first["diff"]["before"], first["diff"]["after"]
    assert list(before["users"]) == ["3"]
    assert before["users"]["3"]["password"] == MASK and after["users"]["3"]["password"] == MASK
    assert before["users"]["3"]["access"]["1"]["privilege"] == "operator"
    assert before["lan"]["1"] == {"ip_source": "dhcp", "address": address, "netmask": "255.0.0.0",
                                  "gateway": "0.0.0.0"}
    assert after["lan"]["1"] == {"ip_source": "static", "address": moved, "netmask": "255.255.0.0",
                                 "gateway": bmcs.gateway}
    assert second["diff"]["before"] == second["diff"]["after"] == after

    # What the BMC has now: the check changed nothing (the first run did, as the diff said).
    now = settings(bmcs, address)
    assert now["users"]["3"] == {"name": USER, "password": PASSWORD, "enabled": True, "access": {"1": ADMIN_ACCESS}}
    assert now["users"]["2"] == untouched["users"]["2"]          # skipped
    assert {kind: {key: access[key] for key in ALWAYS} for kind, access in now["channel_access"]["1"].items()} \
        == {"non_volatile": ALWAYS, "volatile": ALWAYS}
    assert now["lan"]["1"] == {"ip_source": "static", "address": moved, "netmask": "255.255.0.0",
                               "gateway": bmcs.gateway, "backup_gateway": "0.0.0.0"}
    assert now != untouched


def test_factory_credentials_set_up_the_profiles_user_then_its_own_login_is_used(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    profile(server, "factory", 2)
    node(server, "bs02", "factory", address)
    results = run_setup(server, tmp_path, [
        setup("refused", "bs02", fails=True),
        setup("check", "bs02", **FACTORY_LOGIN, check=True),
        setup("first", "bs02", **FACTORY_LOGIN),
        setup("second", "bs02", **FACTORY_LOGIN),
    ])
    refused = results["refused"]
    assert refused["failed"] is True
    assert refused["msg"] == (f"BMC of node bs02: the BMC at {address} refused user {USER}: Unauthorized name in "
                              "RAKP2; for a BMC that still has other (factory) credentials, give login_username "
                              "and login_password")
    check, first, second = results["check"], results["first"], results["second"]
    assert check["login"] == first["login"] == "login_username" and second["login"] == "bmcsetup"
    assert first["changes"][:2] == [f"user 2: name {USER}", "user 2: password"]
    assert check["changes"] == first["changes"]
    assert first["diff"]["before"]["users"]["2"]["name"] == "ADMIN"
    assert first["diff"]["before"]["users"]["2"]["password"] == "(another password)"
    assert first["diff"]["after"]["users"]["2"]["password"] == MASK
    assert second["changed"] is False
    user = settings(bmcs, address)["users"]["2"]
    assert (user["name"], user["password"], user["enabled"]) == (USER, PASSWORD, True)


def test_unmanaged_users_disable(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    profile(server, "disabling", 3, unmanaged="disable")
    node(server, "bs03", "disabling", address)
    # The setup's user is there with its password, but disabled: the factory login is
    # needed, and the BMC's password test says the password is right.
    bmcs.set_user(address, 3, name=USER, password=PASSWORD, enabled=False, privilege="administrator")
    bmcs.set_user(address, 4, name="guest", password="guest", enabled=True, privilege="user")
    results = run_setup(server, tmp_path, [
        setup("first", "bs03", **FACTORY_LOGIN),
        setup("second", "bs03", **FACTORY_LOGIN),
    ])
    first = results["first"]
    assert first["changes"][:3] == ["user 3: enable", "user 2: disable", "user 4: disable"]
    assert first["diff"]["before"]["users"]["3"]["password"] == MASK
    assert sorted(first["settings"]["users"]) == ["2", "3", "4"]
    assert results["second"]["changed"] is False and results["second"]["login"] == "bmcsetup"
    users = settings(bmcs, address)["users"]
    assert [(users[uid]["name"], users[uid]["enabled"]) for uid in ("2", "3", "4")] == [
        ("ADMIN", False), (USER, True), ("guest", False)]


def test_unmanaged_users_delete(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    profile(server, "deleting", 3, unmanaged="delete")
    node(server, "bs04", "deleting", address)
    bmcs.set_user(address, 5, name="guest", password="guest", enabled=True, privilege="operator")
    results = run_setup(server, tmp_path, [
        setup("check", "bs04", **FACTORY_LOGIN, check=True),
        setup("first", "bs04", **FACTORY_LOGIN),
        setup("second", "bs04"),
    ])
    first = results["first"]
    assert first["changes"][:4] == [f"user 3: name {USER}", "user 3: password",
                                    "user 3: administrator on channel 1", "user 3: enable"]
    assert first["changes"][4:10] == ["user 2: disable", "user 2: no access to channel 1", "user 2: clear the name ADMIN",
                                      "user 5: disable", "user 5: no access to channel 1",
                                      "user 5: clear the name guest"]
    assert sorted(first["diff"]["before"]["users"]) == ["2", "3", "5"]
    assert list(first["diff"]["after"]["users"]) == ["3"]
    assert results["check"]["changes"] == first["changes"]
    assert results["second"]["changed"] is False
    users = settings(bmcs, address)["users"]
    assert users["3"] == {"name": USER, "password": PASSWORD, "enabled": True, "access": {"1": ADMIN_ACCESS}}
    for uid in ("2", "5"):
        assert (users[uid]["name"], users[uid]["enabled"], users[uid]["access"]["1"]["privilege"]) == (
            "", False, "no_access")


def test_a_dead_bmc_fails_with_the_reason(server, bmcs, tmp_path):
    dead, = bmcs.dead_addresses(1)
    profile(server, "dead", 2)
    node(server, "bs05", "dead", dead)
    results = run_setup(server, tmp_path, [
        setup("dead", "bs05", **FACTORY_LOGIN, fails=True)])
    failed = results["dead"]
    assert failed["failed"] is True
    assert failed["msg"].startswith(f"BMC of node bs05: no answer from the BMC at {dead} (UDP port 623) after ")


def test_a_channel_the_bmc_lacks_fails_saying_what_was_asked(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    profile(server, "channel5", 2, username=FACTORY[0], password=FACTORY[1], mgmtchannel=5)
    node(server, "bs08", "channel5", address)
    results = run_setup(server, tmp_path, [setup("channel5", "bs08", fails=True)])
    failed = results["channel5"]
    assert failed["msg"] == "BMC of node bs08: reading user 2: Invalid data field in request"
    assert failed["changed"] is False and failed["changes"] == []


def test_what_the_server_lacks_fails_before_any_bmc_is_asked(server, bmcs, tmp_path):
    address = next(bmcs.unused)
    profile(server, "lacking", 2)
    make_node(server, "bs06", "lacking")                   # no BMC interface
    node(server, "bs07", "lacking", address)
    reader = make_admin(server, "bmc-reader", ["role.readonly"])
    results = run_setup(server, tmp_path, [
        setup("no_interface", "bs06", fails=True),
        setup("no_node", "nosuch", fails=True),
        setup("no_secrets", "bs07", token=reader, fails=True),
    ])
    assert results["no_interface"]["field"] == "node" and "has no interface named BMC" in results["no_interface"]["msg"]
    assert results["no_node"]["status"] == 404
    assert results["no_secrets"]["field"] == "token" and "secrets.read" in results["no_secrets"]["msg"]
    assert bmcs.state(address)["logins"] == 0


def test_the_role_sets_up_several_nodes_from_a_hostlist_or_the_inventory(server, bmcs, tmp_path):
    profile(server, "rolled", 2)
    addresses = {f"br0{index}": next(bmcs.unused) for index in (1, 2, 3)}
    for name, address in addresses.items():
        node(server, name, "rolled", address)
    role = {"role": "cairn.cluster.bmc"}
    hostlist_play = [{"name": "BMCs from a hostlist", "hosts": "localhost", "connection": "local",
                      "gather_facts": False, "roles": [dict(role, vars={
                          "cairn_bmc_hostlist": "br[01-03]", "cairn_bmc_login_username": "ADMIN",
                          "cairn_bmc_login_password": FACTORY[1]})]}]
    inventory_play = [{"name": "BMCs of the inventory's nodes", "hosts": "all", "gather_facts": False,
                       "roles": [role]}]
    env = ansible_env(str(tmp_path), server)
    (tmp_path / "hostlist.yml").write_text(yaml.safe_dump(hostlist_play, sort_keys=False))
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory_play, sort_keys=False))
    first = run([f"{BIN}/ansible-playbook", "-i", "localhost,", str(tmp_path / "hostlist.yml")], env)
    assert "changed=1" in first, first
    again = run([f"{BIN}/ansible-playbook", "-i", ",".join(addresses) + ",", str(tmp_path / "inventory.yml")], env)
    for name in addresses:
        assert f"{name}" in again and "changed=0" in again, again
    for password in PASSWORDS:
        assert password not in first + again
    for address in addresses.values():
        user = settings(bmcs, address)["users"]["2"]
        assert (user["name"], user["password"], user["enabled"]) == (USER, PASSWORD, True)
        assert settings(bmcs, address)["lan"]["1"]["ip_source"] == "static"


def test_redfish_ntp_is_set_where_it_differs_with_check_mode_and_diff(server, dual, tmp_path):
    address = dual.addresses[0]
    manager, = dual.managers(address)
    dual.patch_network_protocol(address, manager, {"NTP": EARLIER_NTP})
    results = run_setup(server, tmp_path, [
        setup("check", "rf01", check=True),
        setup("first", "rf01", redfish_ca=dual.ca_file),     # verifies the BMC's certificate
        setup("second", "rf01"),
    ])
    check, first, second = results["check"], results["first"], results["second"]
    change = f"manager {manager}: NTP server {NTP}"
    assert check["changes"][-1] == change and first["changes"] == check["changes"]
    assert check["ntp"] == first["ntp"] == second["ntp"] == "set"
    assert first["diff"]["before"]["ntp"] == {manager: EARLIER_NTP}
    assert first["diff"]["after"]["ntp"] == first["settings"]["ntp"] == {
        manager: {"ProtocolEnabled": True, "NTPServers": [NTP]}}
    assert check["diff"] == first["diff"]
    assert second["changed"] is False and second["changes"] == []
    assert second["diff"]["before"]["ntp"] == second["diff"]["after"]["ntp"] == first["settings"]["ntp"]
    ntp = dual.network_protocol(address, manager)["NTP"]
    assert (ntp["ProtocolEnabled"], ntp["NTPServers"]) == (True, [NTP])


def test_a_bmc_without_ntp_is_reported_and_redfish_never_leaves_ntp_alone(server, dual, tmp_path):
    manager, = dual.managers(dual.addresses[1])
    dual.patch_network_protocol(dual.addresses[1], manager, {"NTP": EARLIER_NTP})
    results = run_setup(server, tmp_path, [
        setup("without", "rf03"),
        setup("never", "rf02", redfish="never"),
    ])
    without, never = results["without"], results["never"]
    assert without["ntp"] == "not offered" and not without.get("failed")
    assert "ntp" not in without["settings"] and not any("NTP" in change for change in without["changes"])
    assert never["ntp"] == "not redfish" and "ntp" not in never["settings"]
    ntp = dual.network_protocol(dual.addresses[1], manager)["NTP"]
    assert (ntp["ProtocolEnabled"], ntp["NTPServers"]) == (False, EARLIER_NTP["NTPServers"])


def test_ntp_from_the_cluster_and_what_fails_over_redfish(server, bmcs, dual, tmp_path):
    address = next(bmcs.unused)          # speaks IPMI only: nothing listens on TCP 443
    profile(server, "always", 2, username=FACTORY[0], password=FACTORY[1])
    node(server, "bs09", "always", address)
    other_ca, _key = fakeredfish.certificate(str(tmp_path), [dual.addresses[1]])
    first = run_setup(server, tmp_path, [setup("no_server", "bs09", redfish="always")])
    # The network ipmi has no ntp_server: the cluster's is the one.
    answer = server.post("/config/cluster", {"config": {"cluster": {"ntp_server": NTP}}})
    assert answer.status_code == 204, answer.text
    results = run_setup(server, tmp_path, [
        setup("refused", "bs09", redfish="always", fails=True),
        setup("untrusted", "rf02", redfish_ca=other_ca, fails=True),
    ])
    assert first["no_server"]["ntp"] == "no server"
    refused, untrusted = results["refused"], results["untrusted"]
    assert refused["msg"].startswith(f"BMC of node bs09: cannot reach the Redfish service at {address}: ")
    assert "refused" in refused["msg"] and refused["changes"] == []
    assert untrusted["msg"].startswith(f"BMC of node rf02: TLS error with the Redfish service at {dual.addresses[1]}: ")
