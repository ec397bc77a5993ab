"""The BMC engine (cairn.bmc) against fake BMCs that speak real IPMI (tests/fakebmc.py).

Every action is checked on the BMC's own state, not only on the engine's answer.
"""

import logging
import threading
import time

import pytest

from cairn import bmc, config
from fakebmc import FakeBmcs

USER = "admin"
PASSWORD = "Pw-that-must-never-show-7f3a"
FAST = bmc.Policy(timeout=1.0, retries=0)      # for BMCs that do not answer


@pytest.fixture(scope="module")
def bmcs():
    with FakeBmcs(12, username=USER, password=PASSWORD) as fakes:
        yield fakes


@pytest.fixture(scope="module")
def unused(bmcs):
    return iter(bmcs.addresses[:9])     # the others are shared by the tests below


@pytest.fixture
def fresh(unused):
    """A BMC of the test's own, powered off, nothing set."""
    return next(unused)


def target(address, host="node001", password=PASSWORD, username=USER, **fields):
    return bmc.Target(host, address, username, password, **fields)


def run_one(address, subsystem, action, policy=bmc.Policy()):
    [outcome] = bmc.run([target(address)], subsystem, action, policy)
    return outcome.result, outcome.detail


def test_actions_are_the_agreed_ones():
    assert bmc.ACTIONS == {"power": ("on", "off", "reset", "cycle", "status"),
                           "chassis": ("identify", "noidentify"),
                           "sel": ("list", "clear"),
                           "boot": ("pxe", "disk", "pxe_persistent", "disk_persistent", "status"),
                           "redfish": ("upload", "setting")}
    with pytest.raises(ValueError):
        bmc.run([], "power", "explode")


def test_power(bmcs, fresh):
    assert run_one(fresh, "power", "status") == ("off", None)
    assert run_one(fresh, "power", "on") == ("ok", None)
    assert bmcs.state(fresh)["power"] == "on"
    assert run_one(fresh, "power", "status") == ("on", None)
    assert run_one(fresh, "power", "reset") == ("ok", None)
    assert run_one(fresh, "power", "cycle") == ("ok", None)
    assert bmcs.state(fresh)["boots"] == 3          # on, reset, cycle
    assert run_one(fresh, "power", "off") == ("ok", None)
    assert bmcs.state(fresh)["power"] == "off"
    assert run_one(fresh, "power", "status") == ("off", None)
    # A BMC refuses to cycle a node that is off (IPMI 2.0, 28.3): an error, not a retry.
    result, detail = run_one(fresh, "power", "cycle", bmc.Policy(retries=3))
    assert (result, bmcs.state(fresh)["boots"]) == ("failed", 3)
    assert detail.startswith("BMC error: ")
    assert bmcs.state(fresh)["logins"] == 8        # one session per action


def test_identify(bmcs, fresh):
    assert run_one(fresh, "chassis", "identify") == ("ok", None)
    assert bmcs.state(fresh)["identify"] is True
    assert run_one(fresh, "chassis", "noidentify") == ("ok", None)
    assert bmcs.state(fresh)["identify"] is False


def test_boot_device_once_and_persistent(bmcs, fresh):
    assert run_one(fresh, "boot", "status") == ("none", None)
    assert run_one(fresh, "boot", "pxe") == ("ok", None)
    assert (bmcs.state(fresh)["bootdev"], bmcs.state(fresh)["persistent"]) == ("pxe", False)
    assert run_one(fresh, "boot", "status") == ("pxe", {"persistent": False})
    run_one(fresh, "power", "on")                   # the boot uses up a one-time device
    assert run_one(fresh, "boot", "status") == ("none", None)
    assert run_one(fresh, "boot", "disk_persistent") == ("ok", None)
    run_one(fresh, "power", "cycle")
    assert run_one(fresh, "boot", "status") == ("disk", {"persistent": True})
    assert run_one(fresh, "boot", "pxe_persistent") == ("ok", None)
    assert run_one(fresh, "boot", "status") == ("pxe", {"persistent": True})
    assert run_one(fresh, "boot", "disk") == ("ok", None)
    assert (bmcs.state(fresh)["bootdev"], bmcs.state(fresh)["persistent"]) == ("disk", False)


def test_sel_list_and_clear(bmcs, fresh):
    assert run_one(fresh, "sel", "list") == ("ok", [])
    bmcs.add_sel(fresh, sensor_type=7, sensor=3, offset=0)                    # processor IERR
    bmcs.add_sel(fresh, sensor_type=5, sensor=9, offset=0, asserted=False)    # intrusion gone
    result, entries = run_one(fresh, "sel", "list")
    assert result == "ok"
    assert [(e["id"], e["sensor_type"], e["sensor"], e["event"], e["asserted"]) for e in entries] == [
        (1, "Processor", 3, "Internal error", True),
        (2, "Physical Security", 9, "Chassis intrusion deasserted", False)]
    assert all(e["timestamp"].endswith("+00:00") for e in entries)
    assert run_one(fresh, "sel", "clear") == ("ok", None)
    assert bmcs.state(fresh)["sel"] == []
    assert run_one(fresh, "sel", "list") == ("ok", [])


def test_wrong_password_or_user_fails_at_once(bmcs, fresh):
    patient = bmc.Policy(timeout=30.0, retries=3)
    started = time.monotonic()
    outcomes = bmc.run([target(fresh, "n1", password="not-the-password"),
                        target(fresh, "n2", username="nobody")], "power", "on", patient)
    assert [(o.result, o.detail) for o in outcomes] == [("failed", bmc.WRONG_CREDENTIALS)] * 2
    assert time.monotonic() - started < patient.timeout     # neither waited for a timeout
    assert bmcs.state(fresh)["power"] == "off"


def test_dead_addresses_fail_after_the_timeout(bmcs):
    dead = bmcs.dead_addresses(3)
    outcomes = bmc.run([target(a, f"n{i}") for i, a in enumerate(dead)], "power", "status", FAST)
    assert [(o.host, o.result, o.detail) for o in outcomes] == [
        (f"n{i}", "failed", "timeout after 1 s") for i in range(3)]


def test_mixed_hostlist(bmcs):
    live, other = bmcs.addresses[9:11]
    [dead] = bmcs.dead_addresses(1)
    bmcs.set_state(other, power="on")
    targets = [target(live, "a"), target(dead, "b"), target(other, "c"),
               target(live, "d", password="wrong"), target(other, "e", protocol="redfish"),
               target("", "f")]
    outcomes = bmc.run(targets, "power", "status", FAST)
    assert [(o.host, o.result, o.detail) for o in outcomes] == [
        ("a", "off", None),
        ("b", "failed", "timeout after 1 s"),
        ("c", "on", None),
        ("d", "failed", bmc.WRONG_CREDENTIALS),
        ("e", "failed", f"cannot reach {other}: Connection refused"),  # no Redfish (TCP 443) there
        ("f", "failed", "no BMC address")]


def test_hosts_sharing_a_bmc_share_one_operation(bmcs, fresh):
    outcomes = bmc.run([target(fresh, "blade1"), target(fresh, "blade2")], "power", "on")
    assert [(o.host, o.result) for o in outcomes] == [("blade1", "ok"), ("blade2", "ok")]
    assert bmcs.state(fresh)["boots"] == 1


def test_retries_after_lost_packets(bmcs, fresh):
    # An attempt of 1 s sends at most 2 packets (pyghmi waits at least 0.5 s, then at
    # least 1.5 s more, before it sends again): both lost, the only attempt fails...
    bmcs.drop(fresh, packets=2)
    assert run_one(fresh, "power", "on", FAST) == ("failed", "timeout after 1 s")
    # ... and with retries, a later attempt gets through.
    bmcs.drop(fresh, packets=2)
    assert run_one(fresh, "power", "on", bmc.Policy(timeout=1.0, retries=2)) == ("ok", None)
    assert bmcs.state(fresh)["power"] == "on"


def test_retries_only_what_is_safe_to_repeat(bmcs, fresh):
    bmcs.set_state(fresh, power="on")
    bmcs.drop(fresh, commands=[(0x00, 0x01), (0x00, 0x02)])  # chassis status and control
    policy = bmc.Policy(timeout=1.0, retries=2)
    assert run_one(fresh, "power", "status", policy) == ("failed", "timeout after 1 s")
    assert bmcs.state(fresh)["logins"] == 3                   # tried 1 + 2 times
    # a cycle that may have been done is not done again
    assert run_one(fresh, "power", "cycle", policy) == ("failed", "timeout after 1 s")
    assert bmcs.state(fresh)["logins"] == 4
    bmcs.drop(fresh)
    assert run_one(fresh, "power", "status", policy) == ("on", None)


def test_concurrency_bound_still_reaches_every_bmc(bmcs):
    addresses = bmcs.addresses[9:12]
    outcomes = bmc.run([target(a, f"n{i}") for i, a in enumerate(addresses)], "chassis", "identify",
                       bmc.Policy(concurrency=2))
    assert [o.result for o in outcomes] == ["ok"] * 3
    assert all(bmcs.state(a)["identify"] for a in addresses)
    bmc.run([target(a, f"n{i}") for i, a in enumerate(addresses)], "chassis", "noidentify")


def test_runs_from_several_threads_at_once(bmcs):
    # as API requests do: both runs reach the same BMCs, one session at a time per BMC
    addresses = bmcs.addresses[9:12]
    answers = {}

    def act(action):
        answers[action] = bmc.run([target(a, f"n{i}") for i, a in enumerate(addresses)], "chassis", action)

    threads = [threading.Thread(target=act, args=(action,)) for action in ("identify", "noidentify")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {action: [o.result for o in outcomes] for action, outcomes in answers.items()} == {
        "identify": ["ok"] * 3, "noidentify": ["ok"] * 3}


def test_password_never_logged_nor_in_an_outcome(bmcs, caplog):
    caplog.set_level(logging.DEBUG)
    live = bmcs.addresses[11]
    [dead] = bmcs.dead_addresses(1)
    targets = [target(live, "a"), target(dead, "b"), target(live, "c", password=PASSWORD + "x")]
    outcomes = []
    for subsystem, action in [("power", "status"), ("power", "cycle"), ("sel", "list"), ("boot", "status")]:
        outcomes += bmc.run(targets, subsystem, action, bmc.Policy(timeout=0.5, retries=0))
    assert any(o.result == "failed" for o in outcomes) and any(o.result != "failed" for o in outcomes)
    assert caplog.records
    for text in [record.getMessage() for record in caplog.records] + [repr(outcomes), repr(targets)]:
        assert PASSWORD not in text


def test_policy_from_the_settings(tmp_path):
    settings = config.load(environ={"CAIRN_BMC_CONCURRENCY": "64", "CAIRN_BMC_TIMEOUT": "0.5",
                                    "CAIRN_BMC_RETRIES": "0", "CAIRN_DATA_DIR": str(tmp_path)})
    assert bmc.policy(settings) == bmc.Policy(concurrency=64, timeout=0.5, retries=0)
    assert bmc.policy(config.load(environ={"CAIRN_DATA_DIR": str(tmp_path)})) == bmc.Policy()
    for name, value in [("CAIRN_BMC_TIMEOUT", "soon"), ("CAIRN_BMC_TIMEOUT", "0"),
                        ("CAIRN_BMC_CONCURRENCY", "0"), ("CAIRN_BMC_RETRIES", "-1")]:
        with pytest.raises(SystemExit):
            config.load(environ={name: value, "CAIRN_DATA_DIR": str(tmp_path)})
