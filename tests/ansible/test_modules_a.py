"""The cluster, network, group, node, osimage and osimage_tag modules and their _info
modules, run by ansible-playbook against a real server (SQLite and PostgreSQL).

Each playbook registers every task's result and writes them all to one JSON file, so a
test runs many tasks in one ansible-playbook and then asserts on each: check mode predicts
the change and writes nothing (an _info task after it still sees the old record), the
first run changes, the second changes nothing, diffs hold before and after, renames and
deletions happen, and a refusal shows the server's message and the field it named.
"""

import json
import os
import subprocess
import time

import yaml

from ansible_run import BIN, ansible_env, run

MODULES = ["cluster", "network", "group", "node", "osimage", "osimage_tag"]


def play(server, tmp_path, tasks, env=None, module_defaults=None):
    """Run ``tasks`` (each with a ``register`` key) in one play on localhost; the registered
    results by name."""
    results = tmp_path / "results.json"
    names = [task["register"] for task in tasks]
    collect = "{{ {" + ", ".join(f"'{name}': {name}" for name in names) + "} | to_json }}"
    playbook = [{"name": "Cairn modules", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "module_defaults": module_defaults or {},
                 "tasks": [*tasks, {"name": "Results", "ansible.builtin.copy": {"content": collect,
                                                                                "dest": str(results)}}]}]
    path = tmp_path / "playbook.yml"
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(path)],
        env or ansible_env(str(tmp_path), server))
    return json.loads(results.read_text())


def task(register, module, args, check=False, diff=True, fails=False):
    """A task of cairn.cluster.<module>; ``fails``: the task is expected to fail."""
    entry = {"name": register, f"cairn.cluster.{module}": args, "register": register, "diff": diff}
    if check:
        entry["check_mode"] = True
    if fails:
        entry["ignore_errors"] = True
    return entry


def test_every_module_documents_itself(server, tmp_path):
    env = ansible_env(str(tmp_path), server)
    names = [f"cairn.cluster.{m}" for module in MODULES for m in (module, f"{module}_info")]
    docs = json.loads(run([os.path.join(BIN, "ansible-doc"), "--json", *names], env))
    assert sorted(docs) == sorted(names)
    for name, doc in docs.items():
        assert doc["doc"]["short_description"] and doc["examples"] and doc["return"], name
        assert {"url", "token"} <= set(doc["doc"]["options"]), name
        assert doc["doc"]["attributes"]["action_group"]["membership"] == ["cairn.cluster.cairn"], name
    assert docs["cairn.cluster.node"]["doc"]["options"]["interfaces"]["suboptions"].keys() == {
        "interface", "network", "ipaddress"}
    assert docs["cairn.cluster.node"]["doc"]["options"]["state"]["choices"] == ["present", "absent"]


def test_networks_groups_and_nodes(server, tmp_path):
    net = {"name": "net-a", "network": "10.151.0.0/16", "gateway": "10.151.255.254"}
    group = {"name": "grp-a", "interfaces": [{"interface": "BOOTIF", "network": "net-a"}], "netboot": True}
    node = {"name": "na001", "group": "grp-a", "macaddr": "52-54-00-AA-0A-01",
            "interfaces": [{"interface": "BOOTIF", "ipaddress": "10.151.0.50"}]}
    results = play(server, tmp_path, [
        task("net_check", "network", net, check=True),
        task("net_after_check", "network_info", {"name": "net-a"}),
        task("net_create", "network", net),
        task("net_again", "network", net),
        task("ipmi", "network", {"name": "ipmi-a", "network": "10.152.0.0/16"}),
        task("net_gateway_check", "network", {"name": "net-a", "gateway": "10.151.255.253"}, check=True),
        task("net_bad", "network", {"name": "net-a", "gateway": "10.99.0.1"}, fails=True),
        task("group_create", "group", group),
        task("group_again", "group", group),
        task("group_bmc", "group", {"name": "grp-a", "interfaces": [{"interface": "BMC", "network": "ipmi-a"}]}),
        task("node_create", "node", node),
        task("node_again", "node", node),
        task("node_netboot_check", "node", {"name": "na001", "netboot": True}, check=True),
        task("node_netboot", "node", {"name": "na001", "netboot": True}),
        task("node_netboot_again", "node", {"name": "na001", "netboot": True}),
        task("node_bad_mac", "node", {"name": "na001", "macaddr": "zz"}, fails=True),
        task("node_purge_check", "node", {"name": "na001", "interfaces": [{"interface": "BOOTIF"}],
                                          "purge_interfaces": True}, check=True),
        task("node_purge", "node", {"name": "na001", "interfaces": [{"interface": "BOOTIF"}],
                                    "purge_interfaces": True}),
        task("node_purge_again", "node", {"name": "na001", "interfaces": [{"interface": "BOOTIF"}],
                                          "purge_interfaces": True}),
        task("node_rename_check", "node", {"name": "na001", "newhostname": "nb001"}, check=True),
        task("node_rename", "node", {"name": "na001", "newhostname": "nb001"}),
        task("node_rename_again", "node", {"name": "na001", "newhostname": "nb001"}),
        task("nodes", "node_info", {}),
        task("node_absent_check", "node", {"name": "nb001", "state": "absent"}, check=True),
        task("node_absent", "node", {"name": "nb001", "state": "absent"}),
        task("node_absent_again", "node", {"name": "nb001", "state": "absent"}),
        task("group_rename", "group", {"name": "grp-a", "newgroupname": "grp-b"}),
        task("group_absent", "group", {"name": "grp-b", "state": "absent"}),
        task("net_rename", "network", {"name": "net-a", "newnetname": "net-b"}),
        task("networks", "network_info", {}),
    ])
    check = results["net_check"]
    assert check["changed"] and check["diff"]["before"] == {}
    assert check["diff"]["after"]["gateway"] == "10.151.255.254"
    assert results["net_after_check"]["records"] == []
    created = results["net_create"]
    assert created["changed"] and created["record"]["network"] == "10.151.0.0/16"
    assert created["diff"]["after"]["name"] == "net-a"
    assert not results["net_again"]["changed"]
    assert results["net_gateway_check"]["changed"]
    assert results["net_gateway_check"]["diff"]["before"]["gateway"] == "10.151.255.254"
    assert results["net_gateway_check"]["diff"]["after"]["gateway"] == "10.151.255.253"
    assert results["net_bad"]["failed"] and results["net_bad"]["status"] == 400
    assert results["net_bad"]["field"] == "gateway" and "10.99.0.1" in results["net_bad"]["msg"]

    assert results["group_create"]["changed"] and not results["group_again"]["changed"]
    assert results["group_create"]["record"]["_netboot_source"] == "group"
    assert [i["interface"] for i in results["group_bmc"]["record"]["interfaces"]] == ["BOOTIF", "BMC"]

    assert results["node_create"]["changed"] and not results["node_again"]["changed"]
    record = results["node_create"]["record"]
    assert record["macaddr"] == "52:54:00:aa:0a:01" and record["name"] == "na001"
    assert {i["interface"]: i["ipaddress"] for i in record["interfaces"]}["BOOTIF"] == "10.151.0.50"
    # netboot is true by inheritance: setting it makes the node set it itself, once.
    assert results["node_netboot_check"]["changed"]
    assert results["node_netboot"]["changed"] and results["node_netboot"]["record"]["_netboot_source"] == "node"
    assert not results["node_netboot_again"]["changed"]
    bad = results["node_bad_mac"]
    assert bad["failed"] and bad["field"] == "macaddr" and "not a MAC address" in bad["msg"]

    assert results["node_purge_check"]["changed"]
    assert [i["interface"] for i in results["node_purge_check"]["diff"]["before"]["interfaces"]] == ["BOOTIF", "BMC"]
    assert [i["interface"] for i in results["node_purge_check"]["record"]["interfaces"]] == ["BOOTIF"]
    assert [i["interface"] for i in results["node_purge"]["record"]["interfaces"]] == ["BOOTIF"]
    assert not results["node_purge_again"]["changed"]

    assert results["node_rename_check"]["changed"]
    assert results["node_rename_check"]["diff"]["after"]["name"] == "nb001"
    assert results["node_rename"]["changed"] and results["node_rename"]["record"]["name"] == "nb001"
    assert not results["node_rename_again"]["changed"]
    assert [r["name"] for r in results["nodes"]["records"]] == ["nb001"]

    assert results["node_absent_check"]["changed"] and results["node_absent_check"]["diff"]["after"] == {}
    assert results["node_absent"]["changed"] and not results["node_absent_again"]["changed"]
    assert server.get("/config/node/nb001").status_code == 404
    assert results["group_rename"]["record"]["name"] == "grp-b" and results["group_absent"]["changed"]
    assert results["net_rename"]["changed"]
    assert sorted(r["name"] for r in results["networks"]["records"]) == ["ipmi-a", "net-b"]


def pack(server, name):
    """Pack an image over HTTP and wait for the job (the modules do not pack)."""
    job = server.get(f"/config/osimage/{name}/_pack").json()["request_id"]
    deadline = time.monotonic() + 120
    while server.get(f"/config/status/{job}").json()["config"]["status"][job]["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"packing {name} did not finish"
        time.sleep(0.1)
    imagefile = server.record("osimage", name)["imagefile"]
    assert imagefile
    return imagefile


def test_cluster_osimages_and_tags_with_module_defaults(server, tmp_path):
    tree = tmp_path / "images" / "img-a"
    (tree / "boot").mkdir(parents=True)
    (tree / "boot" / "vmlinuz-x").write_bytes(b"kernel")
    (tree / "boot" / "initramfs-x").write_bytes(b"initrd")
    # url and token come from module_defaults of the action group, not the environment.
    env = {key: value for key, value in ansible_env(str(tmp_path), server).items()
           if key not in ("CAIRN_URL", "CAIRN_TOKEN")}
    defaults = {"group/cairn.cluster.cairn": {"url": server.url, "token": server.token}}
    image = {"name": "img-a", "path": f"{tree.parent}//img-a/", "kernelfile": "vmlinuz-x",
             "initrdfile": "initramfs-x", "grab_exclude": ["/proc", "/sys"]}
    results = play(server, tmp_path, [
        task("cluster_check", "cluster", {"ntp_server": "10.141.255.254"}, check=True),
        task("cluster_after_check", "cluster_info", {}),
        task("cluster_set", "cluster", {"ntp_server": "10.141.255.254", "provision_method": "http"}),
        task("cluster_again", "cluster", {"ntp_server": "10.141.255.254", "provision_method": "http"}),
        task("cluster_bad", "cluster", {"ntp_server": "x" * 300}, fails=True),
        task("image_check", "osimage", image, check=True),
        task("image_create", "osimage", image),
        task("image_again", "osimage", image),
        task("image_bad", "osimage", {"name": "img-a", "kernelfile": "boot/vmlinuz"}, fails=True),
    ], env=env, module_defaults=defaults)
    assert results["cluster_check"]["changed"]
    assert results["cluster_after_check"]["records"][0]["ntp_server"] is None
    assert results["cluster_set"]["changed"] and results["cluster_set"]["record"]["provision_method"] == "http"
    assert results["cluster_set"]["diff"]["before"]["provision_method"] == "torrent"
    assert not results["cluster_again"]["changed"]
    assert results["cluster_bad"]["failed"] and results["cluster_bad"]["field"] == "ntp_server"
    assert results["image_check"]["changed"] and results["image_create"]["changed"]
    assert results["image_create"]["record"]["path"] == str(tree)
    assert not results["image_again"]["changed"]  # "//" and the trailing "/" are the stored path
    assert results["image_bad"]["field"] == "kernelfile" and results["image_bad"]["status"] == 400

    imagefile = pack(server, "img-a")
    tag = {"osimage": "img-a", "name": "v1"}
    results = play(server, tmp_path, [
        task("tag_check", "osimage_tag", tag, check=True),
        task("tags_after_check", "osimage_tag_info", {"osimage": "img-a"}),
        task("tag_create", "osimage_tag", tag),
        task("tag_again", "osimage_tag", tag),
        task("tag_unknown_image", "osimage_tag", {"osimage": "nope", "name": "v1"}, fails=True),
        task("tags", "osimage_tag_info", {}),
        task("image_rename", "osimage", {"name": "img-a", "newosimage": "img-b"}),
        task("image_rename_again", "osimage", {"name": "img-a", "newosimage": "img-b"}),
        task("tag_absent", "osimage_tag", {"osimage": "img-b", "name": "v1", "state": "absent"}),
        task("tag_absent_again", "osimage_tag", {"osimage": "img-b", "name": "v1", "state": "absent"}),
        task("image_absent", "osimage", {"name": "img-b", "state": "absent"}),
        task("images", "osimage_info", {}),
    ], env=env, module_defaults=defaults)
    assert results["tag_check"]["changed"] and results["tags_after_check"]["records"] == []
    created = results["tag_create"]
    assert created["changed"] and created["record"]["imagefile"] == imagefile
    assert not results["tag_again"]["changed"]
    assert results["tag_unknown_image"]["status"] == 404 and "nope" in results["tag_unknown_image"]["msg"]
    assert [(r["osimage"], r["name"]) for r in results["tags"]["records"]] == [("img-a", "v1")]
    assert results["image_rename"]["record"]["name"] == "img-b" and not results["image_rename_again"]["changed"]
    assert results["tag_absent"]["changed"] and not results["tag_absent_again"]["changed"]
    assert results["image_absent"]["changed"] and results["images"]["records"] == []
    assert tree.is_dir()  # deleting an image never deletes its tree


def test_a_missing_token_fails_before_any_request(server, tmp_path):
    env = {key: value for key, value in ansible_env(str(tmp_path), server).items() if key != "CAIRN_TOKEN"}
    done = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-m", "cairn.cluster.network_info"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert done.returncode != 0 and "CAIRN_TOKEN" in done.stdout
