"""GET /render/context: the contexts the server renders its DHCP and DNS files from,
as JSON, for the collection's roles (tenants are refused: test_isolation.py)."""

import json

import pytest

from cairn.config import Settings
from cairn.db.engine import make_engine, transaction
from cairn.render.all import contexts
from cairn.service import render as render_svc
from cairn.service.errors import Unavailable
from cairn.service.tx import Context
from conftest import assert_error, cluster_network, make_admin, make_group, make_node


def test_the_route_serves_the_contexts_the_server_renders_from(server):
    cluster_network(server, "rcluster", "10.77.0.0/16", dhcp=True,
                    dhcp_range_begin="10.77.200.1", dhcp_range_end="10.77.200.9")
    make_group(server, "rgroup", [("BOOTIF", "rcluster")])
    make_node(server, "rnode001", "rgroup", macaddr="52:54:00:77:00:01")
    assert server.save("switch", "rswitch", {"network": "rcluster"}).status_code == 201
    answer = server.get("/render/context")
    assert answer.status_code == 200, answer.text
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            expected = contexts(conn, "127.0.0.1", server.port)
    finally:
        engine.dispose()
    assert answer.json() == {"context": json.loads(json.dumps(expected))}
    dhcp = answer.json()["context"]["dhcp"]
    (subnet,) = [s for s in dhcp["subnets"] if s["name"] == "rcluster"]
    assert subnet["reservations"][0]["mac"] == "52:54:00:77:00:01"
    zones = {zone["name"]: zone for zone in answer.json()["context"]["dns"]["zones"]}
    assert [owner for owner, kind, dummy in zones["rcluster"]["records"] if kind == "A"] \
        == sorted(["controller", "rnode001", "rswitch"])


def test_a_read_only_account_reads_them_and_no_token_does_not(server):
    assert_error(server.http.get(server.url + "/render/context", headers={"x-access-tokens": ""}), 401)
    reader = make_admin(server, "render-reader", ["role.readonly"])
    answer = server.http.get(server.url + "/render/context", headers={"x-access-tokens": reader})
    assert answer.status_code == 200, answer.text


def test_without_a_boot_address_the_contexts_are_unavailable(tmp_path):
    """Bound to 0.0.0.0 with no boot_server, no boot URL can be written: 503 naming the setting."""
    engine = make_engine(f"sqlite:///{tmp_path}/unused.db", pool_size=1)
    ctx = Context(engine, None, Settings(bind="0.0.0.0:7050", secret_key="x"))
    with pytest.raises(Unavailable, match="boot_server"):
        render_svc.contexts(ctx)
    engine.dispose()
