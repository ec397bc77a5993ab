"""Cluster export and import over HTTP: the round trip at 1,000 nodes, validation, atomicity."""

import pytest

from conftest import (Server, assert_bad, assert_error, cluster_network, make_admin, make_group,
                      other_database)
from test_packing import make_image, make_tree, pack

NODES = 1000


@pytest.fixture
def empty_server(server, tmp_path):
    """A second server, on an empty database of the same engine as ``server``."""
    pg_url = other_database("import") if server.backend == "postgresql" else None
    target = Server(server.backend, str(tmp_path), pg_url=pg_url)
    yield target
    target.stop()


def export(server):
    answer = server.get("/config/cluster/export")
    assert answer.status_code == 200, answer.text
    return answer.json()


def import_(server, document):
    return server.post("/config/cluster/import", document)


def saved(answer):
    assert answer.status_code in (201, 204), answer.text


@pytest.fixture(scope="module")
def populated(server, tmp_path_factory):
    """The module's server, holding something of every kind the export carries."""
    assert server.post("/config/cluster", {"config": {"cluster": {
        "ntp_server": "10.141.255.254", "technical_contacts": "root@localhost",
        "provision_method": "http"}}}).status_code == 204
    cluster_network(server, "tcluster", "10.141.0.0/16", comment="boot network")
    cluster_network(server, "tipmi", "10.148.0.0/16", dhcp=False)
    cluster_network(server, "tv6", "fd00:141::/64")
    make_image(server, "timage", make_tree(tmp_path_factory.mktemp("images") / "timage"),
               kerneloptions="quiet", grab_exclude=["/proc", "/sys"])
    pack(server, "timage")
    saved(server.save("osimage", "timage", {"tag": "v1"}, "/tag"))
    saved(server.save("osimage", "tbare", {"path": "/images/bare", "comment": "never packed"}))
    saved(server.save("bmcsetup", "tdell", {"userid": 2, "username": "root", "password": "calvin",
                                            "unmanaged_bmc_users": "skip"}))
    saved(server.save("switch", "tsw01", {"network": "tcluster", "ipaddress": "10.141.253.1",
                                          "oid": ".1.3.6.1.2.1.17.7.1.2.2.1.2", "read": "public",
                                          "rw": "private"}))
    saved(server.save("otherdev", "tapc01", {"network": "tipmi", "comment": "APC"}))
    make_group(server, "tcompute", [("BOOTIF", "tcluster"), ("BMC", "tipmi")],
               prescript="#!/bin/sh\necho pre", netboot=True, comment="compute nodes",
               osimage="timage", osimagetag="v1", bmcsetupname="tdell")
    make_group(server, "tgpu", [("BOOTIF", "tcluster"), ("ib0", "tv6")], provision_method="torrent")
    session = server.http
    for i in range(1, NODES + 1):
        fields = {"group": "tcompute" if i % 3 else "tgpu", "macaddr": f"02:00:00:00:{i >> 8:02x}:{i & 255:02x}"}
        if i % 10 == 0:
            fields.update(netboot=False, comment=f"node {i}", status="installer.ok")
        if i % 100 == 0:
            fields.update(switch="tsw01", switchport=i // 100)
        if i % 50 == 0:
            fields["interfaces"] = [{"interface": "BOOTIF", "network": "tcluster",
                                     "ipaddress": f"10.141.200.{i // 50}"}]
        answer = session.post(f"{server.url}/config/node/tn{i:04d}",
                              json={"config": {"node": {f"tn{i:04d}": fields}}})
        assert answer.status_code == 201, answer.text
    # A node without one of its group's interfaces.
    assert server.get("/config/node/tn0002/interfaces/BMC/_delete").status_code == 204
    saved(server.post("/config/secrets/node/tn0001", {"config": {"secrets": {"node": {"tn0001": [
        {"secretname": "license", "content": "node secret", "path": "/etc/license"}]}}}}))
    saved(server.post("/config/secrets/group/tgpu", {"config": {"secrets": {"group": {"tgpu": [
        {"secretname": "ib key", "content": "group secret", "path": "/etc/ib.key"}]}}}}))
    saved(server.save("rack", "track01", {"size": 42, "room": "Basement", "devices": [
        {"name": "tn0001", "type": "node", "vendor": "Dell", "orientation": "front", "height": 2,
         "position": 1},
        {"name": "tsw01", "type": "switch", "orientation": "back", "height": 1, "position": 42}]}))
    saved(server.post("/config/rack/inventory", {"config": {"rack": {"inventory": [
        {"name": "tpdu01", "type": "pdu", "vendor": "APC", "orientation": "back", "height": 1}]}}}))
    return server


def test_export_is_the_full_spec_document(populated):
    document = export(populated)
    config = document["config"]
    assert {"cluster", "network", "group", "node"} <= set(config)
    assert config["cluster"]["ntp_server"] == "10.141.255.254"
    assert not any(isinstance(value, dict) for value in config["cluster"].values())  # no controllers
    assert len(config["node"]) == NODES
    node = config["node"]["tn0050"]
    assert node["group"] == "tcompute"
    assert {"interface": "BOOTIF", "network": "tcluster", "ipaddress": "10.141.200.1"} in node["interfaces"]
    assert config["group"]["tgpu"]["provision_method"] == "torrent"
    assert config["bmcsetup"]["tdell"]["password"] == "calvin"
    assert config["switch"]["tsw01"]["rw"] == "private"
    assert config["osimage"]["timage"]["checksum"]
    assert config["osimagetag"]["timage/v1"]["imagefile"] == config["osimage"]["timage"]["imagefile"]
    assert config["secrets"]["group"]["tgpu"][0]["content"] == "group secret"
    assert [d["name"] for d in config["rack"]["track01"]["devices"]] == ["tn0001", "tsw01"]
    assert {e["name"] for e in config["inventory"]} == {"tn0001", "tsw01", "tpdu01"}


def test_an_export_imported_into_an_empty_server_exports_identically(populated, empty_server):
    document = export(populated)
    answer = import_(empty_server, document)
    assert answer.status_code == 201, answer.text
    assert answer.json()["imported"]["node"] == NODES
    assert export(empty_server) == document
    assert "BMC" not in {i["interface"] for i in document["config"]["node"]["tn0002"]["interfaces"]}
    # The import is a real database: the addresses it holds are taken.
    assert empty_server.get("/config/network/tcluster/10.141.200.1").json()[
        "config"]["network"]["10.141.200.1"]["status"] == "taken"


def test_import_into_a_server_that_holds_objects_is_409_and_changes_nothing(populated, empty_server):
    cluster_network(empty_server, "existing", "10.9.0.0/24")
    before = export(empty_server)
    assert_error(import_(empty_server, export(populated)), 409)
    assert export(empty_server) == before


def test_an_invalid_record_is_400_naming_it_and_nothing_is_imported(populated, empty_server):
    document = export(populated)
    empty = export(empty_server)
    document["config"]["node"]["tn0999"]["macaddr"] = "not-a-mac"
    assert_bad(import_(empty_server, document), "config.node.tn0999.macaddr")
    assert export(empty_server) == empty


def test_a_document_at_odds_with_itself_is_400(populated, empty_server):
    document = export(populated)
    # Two nodes given one address: the second cannot have it.
    document["config"]["node"]["tn0100"]["interfaces"] = [
        {"interface": "BOOTIF", "network": "tcluster", "ipaddress": "10.141.200.1"}]
    answer = import_(empty_server, document)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"].startswith("config.node.tn0100.interfaces")
    assert export(empty_server)["config"]["node"] == {}


@pytest.mark.parametrize("body, field", [
    ({"nodes": {}}, "config"),
    ({"config": []}, "config"),
    ({"config": {"gadget": {}}}, "config.gadget"),
    ({"config": {"node": []}}, "config.node"),
    ({"config": {"node": {"n1": "x"}}}, "config.node.n1"),
    ({"config": {"cluster": {"debug": "yes"}}}, "config.cluster.debug"),
])
def test_malformed_documents_are_400(empty_server, body, field):
    assert_bad(import_(empty_server, body), field)


def test_controllers_in_a_document_are_skipped(empty_server):
    """A luna2 document lists its controllers in the cluster section: they describe the
    servers that ran then, so the import leaves them out and keeps its own."""
    before = empty_server.get("/config/cluster").json()["config"]["cluster"]
    document = {"config": {"cluster": {"controller1": {"status": "primary", "ipaddr": "10.141.255.254"},
                                       "ntp_server": "10.141.255.252"}}}
    assert import_(empty_server, document).status_code == 201
    after = empty_server.get("/config/cluster").json()["config"]["cluster"]
    assert "controller1" not in after
    assert after == {**before, "ntp_server": "10.141.255.252"}


def test_export_needs_secrets_and_import_needs_write(empty_server):
    reader = {"x-access-tokens": make_admin(empty_server, "treader", ["role.readonly"])}
    answer = empty_server.http.get(f"{empty_server.url}/config/cluster/export", headers=reader)
    assert_error(answer, 403)
    answer = empty_server.http.post(f"{empty_server.url}/config/cluster/import",
                                    json={"config": {}}, headers=reader)
    assert_error(answer, 403)
