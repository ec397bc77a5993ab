"""The modules bmcsetup, switch, otherdev, secret, rack, admin, tenant, tenancy, boot and
their _info modules, run by ansible-playbook against a real server (SQLite and PostgreSQL).

Each backend runs two playbooks. The first creates every object in check mode, and the
server must then hold none of them. The second, for every module: creates (changed), runs
again (unchanged), changes in check mode, changes, changes again (unchanged), renames, sends a
bad value (the server's 400 with the field it named), reads with the _info module, deletes in
check mode, deletes, deletes again (unchanged). Every task runs with diff and -v, so what
Ansible prints would show any secret that leaked; the registered results are dumped as JSON for
the assertions here. The hostlist expander is checked against python-hostlist, which the server
uses.
"""

import base64
import json
import os
from types import SimpleNamespace

import hostlist
import pytest

from ansible_run import ROOT, ansible_env, run
from conftest import cluster_network, make_group, make_node

SECRET_VALUES = {"bmc": "calvin-Secret7", "rw": "rw-Community7", "content": "TElDRU5TRS1zZWNyZXQ=",
                 "admin": "admin-Passw0rd7", "tenant_user": "tenant-Passw0rd7"}
MASK = "********"
NODES = [f"node{i:03d}" for i in range(1, 13)]
SSH_KEY = "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(32)).decode()


def creations():
    """(label, module, args) of the first run of every module."""
    return [
        ("bmcsetup", "bmcsetup", dict(name="dell", userid=2, bmc_username="root",
                                      bmc_password=SECRET_VALUES["bmc"], mgmtchannel=1, comment="Default DELL")),
        ("switch", "switch", dict(name="switch01", network="cluster", oid=".1.3.6.1.2.1.17.7.1.2.2.1.2",
                                  read="public", rw=SECRET_VALUES["rw"])),
        ("otherdev", "otherdev", dict(name="pdu01", network="cluster", ipaddress="10.141.250.10")),
        ("secret", "secret", dict(node="node001", name="software license", content=SECRET_VALUES["content"],
                                  path="/etc/app/license.lic")),
        ("group_secret", "secret", dict(group="compute", secretname="ib", content=SECRET_VALUES["content"])),
        ("rack", "rack", dict(name="rack01", size=42, room="Basement", devices=[
            dict(name="node001", type="node", height=2, position=1),
            dict(name="pdu-a", type="pdu", vendor="APC", orientation="back", position=42)])),
        ("admin", "admin", dict(name="alice", roles=["role.readonly"], description="Alice",
                                keys=[SSH_KEY], admin_password=SECRET_VALUES["admin"])),
        ("tenant", "tenant", dict(name="acme", description="ACME research", users=[
            dict(name="acme-boss", password=SECRET_VALUES["tenant_user"]),
            dict(name="acme-user", roles=["role.tenantuser"])])),
        ("tenancy", "tenancy", dict(name="acme-batch", tenant="acme", hostlist="node[011-012]")),
        ("boot", "boot", dict(hostlist="node[001-008]", netboot=False, localinstall=True)),
    ]


def lifecycle():
    """The tasks of the second run: (label, module, args[, task keywords])."""
    tasks = []
    for label, module, args in creations():
        tasks += [(f"{label}_create", module, args), (f"{label}_again", module, args)]
    check = {"check_mode": True}
    bad = {"ignore_errors": True}
    tasks += [
        ("bmcsetup_update_check", "bmcsetup", dict(name="dell", netchannel=1, bmc_password="other-Secret8"), check),
        ("bmcsetup_update", "bmcsetup", dict(name="dell", netchannel=1, bmc_password="other-Secret8")),
        ("bmcsetup_update_again", "bmcsetup", dict(name="dell", netchannel=1, bmc_password="other-Secret8")),
        ("bmcsetup_rename", "bmcsetup", dict(name="dell", newbmcname="dell2")),
        ("bmcsetup_rename_again", "bmcsetup", dict(name="dell", newbmcname="dell2")),
        ("bmcsetup_bad", "bmcsetup", dict(name="dell2", userid=99), bad),
        ("bmcsetup_info", "bmcsetup_info", dict(name="dell2")),
        ("bmcsetup_info_all", "bmcsetup_info", {}),
        ("switch_update", "switch", dict(name="switch01", rw="rw-Other8", comment="Bootswitch")),
        ("switch_update_again", "switch", dict(name="switch01", rw="rw-Other8", comment="Bootswitch")),
        ("switch_bad", "switch", dict(name="switch01", ipaddress="10.200.0.1"), bad),
        ("switch_info", "switch_info", dict(name="switch01")),
        ("otherdev_update", "otherdev", dict(name="pdu01", ipaddress="10.141.250.11", comment="PDU")),
        ("otherdev_rename", "otherdev", dict(name="pdu01", newotherdevname="pdu02")),
        ("otherdev_bad", "otherdev", dict(name="pdu02", network="nonet"), bad),
        ("otherdev_info", "otherdev_info", dict(name="pdu02")),
        ("secret_update_check", "secret", dict(node="node001", name="software license", content="TkVX"), check),
        ("secret_update", "secret", dict(node="node001", name="software license", content="TkVX")),
        ("secret_update_again", "secret", dict(node="node001", name="software license", content="TkVX")),
        ("secret_bad", "secret", dict(node="node001", name="software license", path="relative/path"), bad),
        ("secret_info", "secret_info", dict(node="node001")),
        ("rack_update", "rack", dict(name="rack01", devices=[
            dict(name="node001", type="node", position=5), dict(name="switch01", type="switch", position=40)])),
        ("rack_update_again", "rack", dict(name="rack01", devices=[
            dict(name="switch01", type="switch", position=40), dict(name="node001", type="node", position=5)])),
        ("rack_rename", "rack", dict(name="rack01", newrackname="rack02")),
        ("rack_bad", "rack", dict(name="rack02", size=99), bad),
        ("rack_info", "rack_info", dict(name="rack02")),
        ("admin_update", "admin", dict(name="alice", roles=["role.readonly", "role.poweroperator"],
                                       admin_password="admin-Passw0rd8")),
        ("admin_update_again", "admin", dict(name="alice", roles=["role.poweroperator", "role.readonly"],
                                             admin_password="admin-Passw0rd8")),
        ("admin_generated", "admin", dict(name="bob", roles=["role.readonly"])),
        ("admin_rename", "admin", dict(name="bob", newname="robert")),
        ("admin_bad", "admin", dict(name="alice", roles=["role.bogus"]), bad),
        ("admin_info", "admin_info", dict(name="alice")),
        ("tenant_suspend_check", "tenant", dict(name="acme", status="suspended"), check),
        ("tenant_suspend", "tenant", dict(name="acme", status="suspended")),
        ("tenant_suspend_again", "tenant", dict(name="acme", status="suspended")),
        ("tenant_description", "tenant", dict(name="acme", description="another"), bad),
        ("tenant_bad", "tenant", dict(name="1acme"), bad),
        ("tenant_info", "tenant_info", dict(name="acme")),
        ("tenancy_other_nodes", "tenancy", dict(name="acme-batch", tenant="acme", nodes=["node010"]), bad),
        ("tenancy_bad", "tenancy", dict(name="acme-more", tenant="acme", nodes=["node010", "nosuch"]), bad),
        ("tenancy_info", "tenancy_info", dict(tenant="acme")),
        ("boot_menu", "boot", dict(hostlist="node[001-004],node010", bootmenu=True)),
        ("boot_unknown", "boot", dict(hostlist="node[010-020]", netboot=True), bad),
        ("boot_bad_hostlist", "boot", dict(hostlist="node[001-", netboot=True), bad),
    ]
    for label, module, args in [
            ("tenancy", "tenancy", dict(name="acme-batch", tenant="acme")),
            ("tenant", "tenant", dict(name="acme")),
            ("admin", "admin", dict(name="alice")),
            ("rack", "rack", dict(name="rack02")),
            ("group_secret", "secret", dict(group="compute", name="ib")),
            ("secret", "secret", dict(node="node001", name="software license")),
            ("otherdev", "otherdev", dict(name="pdu02")),
            ("switch", "switch", dict(name="switch01")),
            ("bmcsetup", "bmcsetup", dict(name="dell2"))]:
        args = dict(args, state="absent")
        tasks += [(f"{label}_absent_check", module, args, check), (f"{label}_absent", module, args),
                  (f"{label}_absent_again", module, args)]
    return tasks


def playbook(tasks, dump):
    """A playbook of ``tasks`` that registers each result and writes them all to ``dump``."""
    steps = []
    for label, module, args, *keywords in tasks:
        steps.append({"name": label, f"cairn.cluster.{module}": args, "register": label,
                      **(keywords[0] if keywords else {})})
    everything = "{{ {" + ", ".join(f"'{label}': {label}" for label, *dummy in tasks) + "} | to_json }}"
    steps.append({"name": "dump", "ansible.builtin.copy": {"content": everything, "dest": str(dump)}})
    return [{"name": "modules", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "tasks": steps}]


def run_playbook(tmp_path, server, tasks, name):
    path, dump = tmp_path / f"{name}.yml", tmp_path / f"{name}.json"
    path.write_text(json.dumps(playbook(tasks, dump)))
    env = ansible_env(str(tmp_path), server, ANSIBLE_DIFF_ALWAYS="1")
    output = run(["ansible-playbook", "-v", "-i", "localhost,", str(path)], env, cwd=tmp_path)
    return json.loads(dump.read_text()), output


@pytest.fixture(scope="module")
def runs(server, tmp_path_factory):
    """The results of the check-mode run and of the lifecycle run, and what each printed."""
    tmp_path = tmp_path_factory.mktemp("modules-b")
    cluster_network(server, "cluster", "10.141.0.0/16")
    make_group(server, "compute", [("BOOTIF", "cluster")])
    for name in NODES:
        make_node(server, name, "compute")
    checked, check_output = run_playbook(tmp_path, server, [(label, module, args, {"check_mode": True})
                                                            for label, module, args in creations()], "check")
    untouched = {path: server.get(path).status_code for path in (
        "/config/bmcsetup/dell", "/config/switch/switch01", "/config/otherdev/pdu01", "/config/rack/rack01",
        "/config/secrets/node/node001/software%20license", "/config/secrets/group/compute/ib",
        "/admin/alice", "/tenant/acme", "/tenancy/acme-batch")}
    flags = {name: server.record("node", name)["_netboot_source"] for name in NODES}
    results, output = run_playbook(tmp_path, server, lifecycle(), "lifecycle")
    return dict(checked=checked, untouched=untouched, flags=flags, results=results,
                output=check_output + output)


# -- every module -------------------------------------------------------------------

LABELS = [label for label, _module, _args in creations()]


def test_check_mode_predicts_every_creation_and_writes_nothing(runs):
    assert all(runs["checked"][label]["changed"] for label in LABELS), runs["checked"]
    assert set(runs["untouched"].values()) == {404}, runs["untouched"]
    assert set(runs["flags"].values()) == {"default"}


@pytest.mark.parametrize("label", LABELS)
def test_first_run_changes_and_the_second_does_not(runs, label):
    results = runs["results"]
    assert results[f"{label}_create"]["changed"], results[f"{label}_create"]
    assert not results[f"{label}_again"]["changed"], results[f"{label}_again"]


@pytest.mark.parametrize("label", [label for label in LABELS if label != "boot"])
def test_absent_deletes_once_and_check_mode_predicts_it(runs, label):
    results = runs["results"]
    assert results[f"{label}_absent_check"]["changed"]
    assert results[f"{label}_absent"]["changed"]
    assert results[f"{label}_absent"]["record"] == {}
    assert not results[f"{label}_absent_again"]["changed"]


def test_no_module_warns(runs):
    assert "[WARNING]" not in runs["output"], [line for line in runs["output"].splitlines() if "WARN" in line]


def test_no_secret_is_ever_printed_and_diffs_mask_them(runs):
    for secret in (*SECRET_VALUES.values(), "other-Secret8", "rw-Other8", "admin-Passw0rd8", "TkVX"):
        assert secret not in runs["output"], secret
    results = runs["results"]
    assert results["bmcsetup_create"]["diff"]["after"]["password"] == MASK
    assert results["bmcsetup_update"]["diff"] == {
        "before": {**results["bmcsetup_update"]["diff"]["before"], "password": MASK, "netchannel": None},
        "after": {**results["bmcsetup_update"]["diff"]["before"], "password": MASK, "netchannel": 1}}
    assert results["switch_create"]["record"]["rw"] == MASK
    assert results["secret_update"]["diff"]["after"]["content"] == MASK
    assert results["tenant_create"]["diff"]["after"]["users"] == ["acme-boss", "acme-user"]
    assert runs["checked"]["tenant"]["diff"]["after"]["users"][0]["password"] == MASK


@pytest.mark.parametrize("label, field", [
    ("bmcsetup_bad", "userid"), ("switch_bad", "ipaddress"), ("otherdev_bad", "network"),
    ("secret_bad", "secrets.0.path"), ("rack_bad", "size"), ("admin_bad", "roles"), ("tenant_bad", "name"),
    ("tenancy_bad", "nodes.1"), ("tenant_description", "description"), ("tenancy_other_nodes", "nodes"),
    ("boot_unknown", "hostlist"), ("boot_bad_hostlist", "hostlist")])
def test_a_bad_value_fails_with_the_field_named(runs, label, field):
    result = runs["results"][label]
    assert result["failed"] and result["field"] == field, result


# -- what each module did -----------------------------------------------------------

def test_bmcsetup_compares_the_password_and_renames(runs, server):
    results = runs["results"]
    assert results["bmcsetup_update_check"]["changed"] and results["bmcsetup_update"]["changed"]
    assert not results["bmcsetup_update_again"]["changed"]
    assert results["bmcsetup_rename"]["changed"] and not results["bmcsetup_rename_again"]["changed"]
    assert results["bmcsetup_rename"]["record"]["name"] == "dell2"
    [record] = results["bmcsetup_info"]["records"]
    assert record["password"] == MASK and record["username"] == "root" and record["netchannel"] == 1
    assert [r["name"] for r in results["bmcsetup_info_all"]["records"]] == ["dell2"]


def test_switch_and_otherdev_addresses(runs):
    results = runs["results"]
    assert results["switch_create"]["record"]["ipaddress"].startswith("10.141.")
    assert results["switch_update"]["changed"] and not results["switch_update_again"]["changed"]
    [switch] = results["switch_info"]["records"]
    assert switch["comment"] == "Bootswitch" and switch["rw"] == MASK
    assert results["otherdev_update"]["record"]["ipaddress"] == "10.141.250.11"
    [device] = results["otherdev_info"]["records"]
    assert device["name"] == "pdu02" and device["ipaddress"] == "10.141.250.11"


def test_secret_content_changes_once_and_info_masks_it(runs):
    results = runs["results"]
    assert results["secret_update_check"]["changed"] and results["secret_update"]["changed"]
    assert not results["secret_update_again"]["changed"]
    [secret] = results["secret_info"]["records"]
    assert secret == {"name": "software license", "secretname": "software license", "content": MASK,
                      "path": "/etc/app/license.lic"}


def test_rack_devices_are_compared_as_a_set(runs):
    results = runs["results"]
    assert results["rack_update"]["changed"] and not results["rack_update_again"]["changed"]
    [rack] = results["rack_info"]["records"]
    assert rack["name"] == "rack02"
    assert {(d["type"], d["name"], d["position"]) for d in rack["devices"]} == {
        ("node", "node001", 5), ("switch", "switch01", 40)}
    node = next(d for d in rack["devices"] if d["name"] == "node001")
    assert node["height"] == 2  # kept: the update did not give it


def test_admin_password_by_login_roles_in_any_order_and_generated_password(runs, server):
    results = runs["results"]
    assert results["admin_update"]["changed"] and not results["admin_update_again"]["changed"]
    generated = results["admin_generated"]["generated_passwords"]["bob"]
    server.login("robert", generated)
    assert results["admin_rename"]["record"]["name"] == "robert"
    [alice] = results["admin_info"]["records"]
    assert sorted(alice["roles"]) == ["role.poweroperator", "role.readonly"] and alice["keys"] == [SSH_KEY]


def test_tenant_users_status_and_deletion(runs, server):
    results = runs["results"]
    created = results["tenant_create"]
    assert set(created["generated_passwords"]) == {"acme-user"}
    assert results["tenant_suspend_check"]["changed"] and results["tenant_suspend"]["changed"]
    assert not results["tenant_suspend_again"]["changed"]
    [tenant] = results["tenant_info"]["records"]
    assert tenant["status"] == "suspended" and tenant["tenancies"] == ["acme-batch"]
    assert server.get("/tenant/acme").json()["data"]["status"] == "deleting"


def test_tenancy_nodes_from_a_hostlist(runs, server):
    results = runs["results"]
    assert results["tenancy_create"]["record"]["nodes"] == ["node011", "node012"]
    [tenancy] = results["tenancy_info"]["records"]
    assert tenancy["hostlist"] == "node[011-012]"
    quarantine = server.get("/tenancy/Quarantine").json()["data"]["nodes"]
    assert quarantine == ["node011", "node012"]


def test_boot_sets_the_flags_of_the_hostlists_nodes(runs, server):
    results = runs["results"]
    assert results["boot_create"]["nodes"] == NODES[:8]
    assert results["boot_create"]["diff"]["after"]["node001"] == {"netboot": False, "localinstall": True}
    assert results["boot_menu"]["nodes"] == ["node001", "node002", "node003", "node004", "node010"]
    for name in NODES:
        record = server.record("node", name)
        assert record["netboot"] is (name not in NODES[:8]), name
        assert record["_netboot_source"] == ("node" if name in NODES[:8] else "default")
        assert record["bootmenu"] is (name in ("node001", "node002", "node003", "node004", "node010"))
    assert "node020" in results["boot_unknown"]["msg"]


def test_every_module_documents_itself(tmp_path):
    modules = sorted({f"cairn.cluster.{module}" for _label, module, *dummy in lifecycle()})
    assert len(modules) == 17
    env = ansible_env(str(tmp_path), SimpleNamespace(url="http://127.0.0.1:1", token=""))
    text = run(["ansible-doc", *modules], env)
    for module in modules:
        assert f"> MODULE {module} (" in text, module
    assert text.count("EXAMPLES:") == text.count("RETURN VALUES:") == len(modules)


# -- the hostlist expander of module_utils -------------------------------------------

def expander():
    """plugins/module_utils/hostlist.py, loaded from its file (the import name 'hostlist'
    is python-hostlist's, the reference it is checked against)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("cairn_hostlist",
                                                  os.path.join(ROOT, "plugins", "module_utils", "hostlist.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text", [
    "node[001-064]", "a[1-2]b[3-4]", "n[1-3,7],gpu01", "n[9-11]", "x", "n[1-2]-ib", "n[01-2]", "",
    "n[1-3],n2", "a,,b", "r[1-2]n[001-003],x[5]", "n[1-100000]"])
def test_the_expander_expands_as_python_hostlist(text):
    assert expander().expand_hostlist(text) == hostlist.expand_hostlist(text)


@pytest.mark.parametrize("text", ["n[]", "n[3-1]", "n[1-2", "n]", "n[[1]]", "n[a]", "n[1-2 ]",
                                  "n[1-100001]"])
def test_the_expander_refuses_what_python_hostlist_refuses(text):
    with pytest.raises(ValueError):
        expander().expand_hostlist(text)
    with pytest.raises(hostlist.BadHostlist):
        hostlist.expand_hostlist(text)
