"""The inventory plugin cairn.cluster.nodes and the lookup cairn.cluster.object, run by
ansible-inventory and ansible-playbook against a real server (SQLite and PostgreSQL).

The cluster: two groups (compute with a BOOTIF and a BMC interface, an OS image and a BMC
setup with a password; gpu with a BOOTIF and an ib0 interface), eight nodes, two of them in a
rack, two in a tenant's tenancy, and a node secret. Every test reads it through the plugin
and compares with what the server's own records say.
"""

import json
import os
import textwrap

import pytest

from ansible_run import ansible_env, run
from conftest import ADMIN_PASSWORD, cluster_network, make_group, make_node

BMC_PASSWORD = "bmc-Pa55-never-shown"
SECRET_CONTENT = "node-secret-content-never-shown"
COMPUTE = [f"node{i:03d}" for i in range(1, 7)]
GPU = ["gpu01", "gpu02"]
UNSAFE = "__ansible_unsafe"


@pytest.fixture(scope="module")
def cluster(server):
    cluster_network(server, "cluster", "10.141.0.0/16")
    cluster_network(server, "ipmi", "10.148.0.0/16")
    cluster_network(server, "ib", "10.149.0.0/16")
    assert server.save("osimage", "rocky-9", {"comment": "Rocky 9"}).status_code == 201
    assert server.save("bmcsetup", "dell", {"username": "root", "password": BMC_PASSWORD}).status_code == 201
    make_group(server, "compute", [("BOOTIF", "cluster"), ("BMC", "ipmi")], osimage="rocky-9",
               bmcsetupname="dell", bmcsetup=True)
    make_group(server, "gpu", [("BOOTIF", "cluster"), ("ib0", "ib")], provision_interface="ib0")
    for i, name in enumerate(COMPUTE + GPU, start=1):
        make_node(server, name, "gpu" if name in GPU else "compute", macaddr=f"52:54:00:00:00:{i:02x}",
                  status="installed" if i % 2 else "in progress")
    assert server.save("rack", "rack001", {"size": 42, "devices": [
        {"name": "node001", "type": "node", "position": 1},
        {"name": "node002", "type": "node", "position": 3}]}).status_code == 201
    secret = {"config": {"secrets": {"node": {"node005": [{"secretname": "licence", "content": SECRET_CONTENT}]}}}}
    assert server.post("/config/secrets/node/node005", secret).status_code == 201
    assert server.post("/tenants", {"name": "Acme"}).status_code == 201
    answer = server.post("/tenant/Acme/tenancies", {"name": "acme-lab", "hostlist": "node[003-004]"})
    assert answer.status_code == 201, answer.text
    return server


def tenant_token(server, tenant):
    answer = server.post(f"/tenant/{tenant}/newtoken")
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["token"]


def inventory(server, tmp_path, config="", args=(), **env):
    """The JSON of ``ansible-inventory --list`` on a cluster.cairn.yml holding ``config``."""
    path = tmp_path / "cluster.cairn.yml"
    path.write_text("plugin: cairn.cluster.nodes\n" + textwrap.dedent(config))
    environment = ansible_env(str(tmp_path), server, ANSIBLE_INVENTORY_UNPARSED_FAILED="1", **env)
    output = run(["ansible-inventory", "-i", str(path), "--list", *args], environment)
    return json.loads(output, object_hook=trusted), output


def trusted(value):
    """A JSON object, with strings Ansible marks as untrusted ({"__ansible_unsafe": str}:
    the server's values, never templated) as plain strings."""
    return value.get(UNSAFE, value) if len(value) == 1 else value


def hosts_of(listing, group):
    return set(listing.get(group, {}).get("hosts", []))


def all_hosts(listing):
    return set(listing["_meta"]["hostvars"])


def test_nodes_become_hosts_in_groups_with_their_variables(cluster, tmp_path):
    listing, output = inventory(cluster, tmp_path)
    assert all_hosts(listing) == set(COMPUTE + GPU)
    # The server's values are data, never templates.
    assert json.loads(output)["_meta"]["hostvars"]["node001"]["cairn_group"] == {UNSAFE: "compute"}
    assert hosts_of(listing, "group_compute") == set(COMPUTE)
    assert hosts_of(listing, "group_gpu") == set(GPU)
    assert hosts_of(listing, "osimage_rocky_9") == set(COMPUTE)  # sanitised: rocky-9
    assert hosts_of(listing, "rack_rack001") == {"node001", "node002"}
    assert hosts_of(listing, "tenancy_acme_lab") == {"node003", "node004"}
    assert hosts_of(listing, "status_installed") == {"node001", "node003", "node005", "gpu01"}
    assert hosts_of(listing, "status_in_progress") == {"node002", "node004", "node006", "gpu02"}

    record = cluster.record("node", "node001")
    addresses = {i["interface"]: i["ipaddress"] for i in record["interfaces"]}
    host = listing["_meta"]["hostvars"]["node001"]
    assert host["ansible_host"] == addresses["BOOTIF"]
    assert host["cairn_bmc_address"] == addresses["BMC"]
    assert host["cairn_addresses"] == addresses
    assert host["cairn_interfaces"] == record["interfaces"]
    assert host["cairn_macaddr"] == "52:54:00:00:00:01"
    assert (host["cairn_group"], host["cairn_osimage"], host["cairn_status"]) == ("compute", "rocky-9", "installed")
    assert (host["cairn_rack"], host["cairn_rack_position"], host["cairn_tenancy"]) == ("rack001", 1, None)
    assert listing["_meta"]["hostvars"]["node003"]["cairn_tenancy"] == "acme-lab"
    # The gpu group provisions over ib0: ansible_host follows each node's provision_interface.
    gpu = listing["_meta"]["hostvars"]["gpu01"]
    assert gpu["ansible_host"] == gpu["cairn_addresses"]["ib0"]
    assert gpu["cairn_bmc_address"] is None


def test_no_password_or_secret_in_the_inventory_or_its_cache(cluster, tmp_path):
    cache = tmp_path / "cache"
    dummy, output = inventory(cluster, tmp_path, f"""\
        cache: true
        cache_plugin: ansible.builtin.jsonfile
        cache_connection: {cache}
        """, args=["--vars"])
    cached = "".join((cache / name).read_text() for name in os.listdir(cache))
    for text in (output, cached):
        assert "node001" in text
        assert BMC_PASSWORD not in text and SECRET_CONTENT not in text
        assert "password" not in text.lower()


def test_ansible_host_from_another_interface_or_none(cluster, tmp_path):
    listing, dummy = inventory(cluster, tmp_path, "ansible_host_interface: BMC\n")
    hostvars = listing["_meta"]["hostvars"]
    assert hostvars["node002"]["ansible_host"] == hostvars["node002"]["cairn_bmc_address"]
    assert "ansible_host" not in hostvars["gpu01"]  # no BMC interface
    listing, dummy = inventory(cluster, tmp_path, "ansible_host_interface: ''\n")
    assert not any("ansible_host" in host for host in listing["_meta"]["hostvars"].values())


def test_a_hostlist_chooses_the_hosts(cluster, tmp_path):
    listing, dummy = inventory(cluster, tmp_path, "hosts: node[002-003,099],gpu[02-03]\n")
    assert all_hosts(listing) == {"node002", "node003", "gpu02"}
    assert hosts_of(listing, "group_compute") == {"node002", "node003"}


def test_a_malformed_hostlist_fails_with_its_reason(cluster, tmp_path):
    (tmp_path / "cluster.cairn.yml").write_text("plugin: cairn.cluster.nodes\nhosts: node[001-\n")
    environment = ansible_env(str(tmp_path), cluster, ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    with pytest.raises(AssertionError, match="is not a hostlist"):
        run(["ansible-inventory", "-i", str(tmp_path / "cluster.cairn.yml"), "--list"], environment)


def test_group_by_makes_only_the_groups_named(cluster, tmp_path):
    listing, dummy = inventory(cluster, tmp_path, "group_by: [group, status]\nvars_prefix: node_\n")
    assert {name for name in listing if name.startswith(("rack_", "tenancy_", "osimage_"))} == set()
    host = listing["_meta"]["hostvars"]["node001"]
    assert host["node_group"] == "compute"
    assert "node_rack" not in host  # a request saved
    assert listing["_meta"]["hostvars"]["node003"]["node_tenancy"] == "acme-lab"  # from the node's record


def test_compose_groups_and_keyed_groups(cluster, tmp_path):
    listing, dummy = inventory(cluster, tmp_path, """\
        strict: true
        compose:
          ipmi_address: cairn_bmc_address
          short_mac: cairn_macaddr[-5:]
        groups:
          with_bmc: cairn_bmc_address is not none
        keyed_groups:
          - key: cairn_group
            prefix: role
          - key: cairn_addresses.keys() | list
            prefix: has
        """)
    hostvars = listing["_meta"]["hostvars"]
    assert hostvars["node004"]["ipmi_address"] == hostvars["node004"]["cairn_bmc_address"]
    assert hostvars["gpu02"]["short_mac"] == "00:08"
    assert hosts_of(listing, "with_bmc") == set(COMPUTE)
    assert hosts_of(listing, "role_gpu") == set(GPU)
    assert hosts_of(listing, "has_ib0") == set(GPU)
    assert hosts_of(listing, "has_BMC") == set(COMPUTE)


def test_a_tenants_token_shows_its_own_nodes_only(cluster, tmp_path):
    token = tenant_token(cluster, "Acme")
    listing, output = inventory(cluster, tmp_path, CAIRN_TOKEN=token)
    assert all_hosts(listing) == {"node003", "node004"}
    assert hosts_of(listing, "group_compute") == {"node003", "node004"}
    # Racks are the cluster's: the tenant sees none. Its own tenancy it sees.
    assert not [name for name in listing if name.startswith("rack_")]
    assert [name for name in listing if name.startswith("tenancy_")] == ["tenancy_acme_lab"]
    assert hosts_of(listing, "tenancy_acme_lab") == {"node003", "node004"}
    assert listing["_meta"]["hostvars"]["node003"]["cairn_tenancy"] == "acme-lab"
    assert BMC_PASSWORD not in output


def test_username_and_password_instead_of_a_token(cluster, tmp_path):
    listing, dummy = inventory(cluster, tmp_path, f"username: admin\npassword: {ADMIN_PASSWORD}\n", CAIRN_TOKEN="")
    assert all_hosts(listing) == set(COMPUTE + GPU)


def test_the_cache_answers_until_it_is_flushed(cluster, tmp_path):
    config = f"""\
        cache: true
        cache_plugin: ansible.builtin.jsonfile
        cache_connection: {tmp_path / 'cache'}
        cache_timeout: 3600
        """
    listing, dummy = inventory(cluster, tmp_path, config)
    assert "node007" not in all_hosts(listing)
    make_node(cluster, "node007", "compute")
    try:
        cached, dummy = inventory(cluster, tmp_path, config)
        assert cached == listing
        flushed, dummy = inventory(cluster, tmp_path, config, args=["--flush-cache"])
        assert "node007" in hosts_of(flushed, "group_compute")
        # group_by asks for more than the cache holds: the server is read again.
        listing, dummy = inventory(cluster, tmp_path, config + "group_by: [group]\n")
        assert "node007" in all_hosts(listing)
    finally:
        assert cluster.get("/config/node/node007/_delete").status_code == 204


def test_only_files_named_cairn_yml_are_read(cluster, tmp_path):
    path = tmp_path / "cluster.yml"
    path.write_text("plugin: cairn.cluster.nodes\n")
    environment = ansible_env(str(tmp_path), cluster, ANSIBLE_INVENTORY_ENABLED="cairn.cluster.nodes",
                              ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    with pytest.raises(AssertionError, match="cluster.yml"):
        run(["ansible-inventory", "-i", str(path), "--list"], environment)


def test_an_unreachable_server_fails_with_its_address(cluster, tmp_path):
    with pytest.raises(AssertionError, match="http://127.0.0.1:9/config/node"):
        inventory(cluster, tmp_path, CAIRN_URL="http://127.0.0.1:9")


PLAYBOOK = """\
- name: Objects through the lookup
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write what the lookups answer
      ansible.builtin.copy:
        dest: "{{ out }}"
        mode: "0600"
        content: "{{ {'one': lookup('cairn.cluster.object', 'node001', kind='node'),
                      'two': query('cairn.cluster.object', 'ipmi', 'cluster', kind='network'),
                      'groups': query('cairn.cluster.object', kind='group'),
                      'bmc': lookup('cairn.cluster.object', 'dell', kind='bmcsetup')} | to_json }}"
"""


def playbook(server, tmp_path, text, **env):
    (tmp_path / "play.yml").write_text(text)
    out = tmp_path / "out.json"
    run(["ansible-playbook", "-i", "localhost,", str(tmp_path / "play.yml"), "-e", f"out={out}"],
        ansible_env(str(tmp_path), server, **env))
    return json.loads(out.read_text())


def test_the_object_lookup_reads_one_or_every_object_of_a_kind(cluster, tmp_path):
    found = playbook(cluster, tmp_path, PLAYBOOK)
    assert found["one"] == {**cluster.record("node", "node001"), "name": "node001"}
    assert [net["name"] for net in found["two"]] == ["ipmi", "cluster"]
    assert found["two"][0]["network"] == "10.148.0.0/16"
    assert [group["name"] for group in found["groups"]] == ["compute", "gpu"]
    assert found["groups"][1]["provision_interface"] == "ib0"
    assert found["bmc"]["username"] == "root"


def test_the_object_lookup_as_a_tenant_and_for_a_missing_object(cluster, tmp_path):
    token = tenant_token(cluster, "Acme")
    play = PLAYBOOK.replace("'node001'", "'node003'").replace("'ipmi', 'cluster'", "'cluster'")
    found = playbook(cluster, tmp_path, play, CAIRN_TOKEN=token)
    assert found["one"]["name"] == "node003"
    assert [group["name"] for group in found["groups"]] == ["compute"]
    assert "password" not in found["bmc"]
    with pytest.raises(AssertionError, match="GET /config/node/node001: 404"):
        playbook(cluster, tmp_path, PLAYBOOK, CAIRN_TOKEN=token)
