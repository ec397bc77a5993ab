"""BIND zones and the named.conf include, rendered from a database built in-process
and checked with the real named-checkzone and named-checkconf, on SQLite and
PostgreSQL. named-checkzone -D prints each zone's records fully qualified: the
tests read names and addresses from that, not from the template's text.
"""

import ipaddress
import os
import subprocess

import pytest
from sqlalchemy import update

from cairn.db import cluster as db_cluster
from cairn.db.engine import transaction
from cairn.db.schema import node
from cairn.render import dns
from cairn.render.files import InvalidConfig
from cairn.service import devices, groups, networks, nodes
from conftest import require_tool
from test_query_count import counting, ctx as migrated_database

ctx = migrated_database  # the fixture, on SQLite and PostgreSQL, with a superadmin's Context
HOSTILE = 'evil"; } zone "x" {\n$INCLUDE /etc/passwd\n\u00e9'
NETWORKS = {
    "cluster": {"network": "10.141.0.0/16", "ns_hostname": "controller.cluster", "ns_ip": "10.141.255.254"},
    "wide": {"network": "10.20.0.0/20"},  # sixteen /24 zones, name server localhost.
    "ipmi": {"network": "10.148.0.0/24", "ns_hostname": "ns1.site.example"},  # out of zone
    "small": {"network": "192.168.5.64/26", "ns_ip": "192.168.5.126"},
    "small2": {"network": "192.168.5.0/26"},  # shares 5.168.192.in-addr.arpa with small
    "lab": {"network": "172.16.0.0/12", "ns_hostname": "lab"},  # sixteen /16 zones; NS at the apex
    "v6": {"network": "fd00:1:2:3::/64", "ns_ip": "fd00:1:2:3::fe"},
}


def populate(ctx, first, last):
    for i in range(first, last):
        nodes.save(ctx, f"node{i:03d}", {"group": "compute", "comment": HOSTILE, "interfaces": [
            {"interface": "eth1", "network": "wide", "ipaddress": f"10.20.{i % 16}.{i // 16 + 1}"}]})


def build(ctx, count):
    with transaction(ctx.engine, write=True) as conn:
        db_cluster.register_controller(conn, "ctl1.example.org", "10.141.255.253", 7050)
        db_cluster.register_controller(conn, HOSTILE, "10.141.255.252", 7050)  # no label: left out
        db_cluster.register_controller(conn, "ctl2", "localhost", 7050)  # no address: left out
    for name, values in NETWORKS.items():
        networks.save(ctx, name, {**values, "comment": HOSTILE})
    groups.save(ctx, "compute", {"comment": HOSTILE, "interfaces": [
        {"interface": "BOOTIF", "network": "cluster"}, {"interface": "BMC", "network": "ipmi"},
        {"interface": "ib0", "network": "small"}, {"interface": "eth2", "network": "v6"}]})
    devices.switches.save(ctx, "sw1", {"network": "cluster", "comment": HOSTILE})
    devices.otherdevs.save(ctx, "pdu1", {"network": "small2", "comment": HOSTILE})
    populate(ctx, 0, count)


def render(ctx, out_dir):
    with ctx.engine.connect() as conn:
        return dns.render_dns(conn, str(out_dir))


def records(path, zone):
    """{(owner, type): {rdata}} of a zone file, as named-checkzone loads it."""
    out = subprocess.run([require_tool("named-checkzone"), "-D", "-o", "-", zone, str(path)],
                         capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        owner, _ttl, _class, rtype, rdata = line.split(None, 4)
        found.setdefault((owner.lower(), rtype), set()).add(rdata)
    return found


def zones(out_dir):
    """{zone: path} of every zone statement in the include."""
    text = open(os.path.join(out_dir, "named.conf.cairn"), encoding="utf-8").read()
    return dict((line.split('"')[1], line.split('"')[3]) for line in text.splitlines()
                if line.startswith("zone "))


def all_records(out_dir):
    merged = {}
    for zone, path in zones(out_dir).items():
        for key, values in records(path, zone).items():
            merged.setdefault(key, set()).update(values)
    return merged


def test_zones_validate_and_every_name_resolves_both_ways(ctx, tmp_path):
    require_tool("named-checkzone")
    build(ctx, 5)
    paths = render(ctx, tmp_path)
    assert paths[-1] == str(tmp_path / "named.conf.cairn")

    wrapper = tmp_path / "named.conf"
    wrapper.write_text(f'options {{ directory "{tmp_path}"; }};\ninclude "{paths[-1]}";\n')
    subprocess.run([require_tool("named-checkconf"), "-z", str(wrapper)], check=True, capture_output=True)
    assert set(zones(tmp_path)) == {f"{n}.20.10.in-addr.arpa" for n in range(16)} | {
        f"{n}.172.in-addr.arpa" for n in range(16, 32)} | {"lab",
                                                           "cluster", "wide", "ipmi", "small", "small2", "v6", "141.10.in-addr.arpa",
                                                           "0.148.10.in-addr.arpa", "5.168.192.in-addr.arpa", "3.0.0.0.2.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa"}
    for path in paths:
        text = open(path, encoding="utf-8").read()
        assert "evil" not in text and "passwd" not in text

    found = all_records(tmp_path)
    forward = {(owner, value) for (owner, rtype), values in found.items()
               if rtype in ("A", "AAAA") for value in values}
    expected = {f"node{i:03d}.{zone}." for i in range(5) for zone in ("cluster", "wide", "ipmi", "small", "v6")}
    expected |= {"sw1.cluster.", "pdu1.small2.", "ctl1.cluster.", "controller.cluster.",
                 "controller.small.", "controller.v6."}
    assert {owner for owner, dummy in forward} == expected
    for owner, address in forward:
        assert found[(ipaddress.ip_address(address).reverse_pointer + ".", "PTR")] >= {owner}
    ptrs = {(owner, target) for (owner, rtype), targets in found.items() if rtype == "PTR" for target in targets}
    assert {ipaddress.ip_address(address).reverse_pointer + "." for dummy, address in forward} == \
        {owner for owner, dummy in ptrs}
    assert found[("cluster.", "NS")] == {"controller.cluster."}
    assert found[("wide.", "NS")] == {"localhost."}
    assert found[("lab.", "NS")] == found[("31.172.in-addr.arpa.", "NS")] == {"localhost."}
    assert found[("ipmi.", "NS")] == {"ns1.site.example."}
    assert found[("5.168.192.in-addr.arpa.", "NS")] == {"controller.small.", "localhost."}


def soa_serial(path, zone):
    (soa,) = records(path, zone)[(f"{zone}.", "SOA")]
    return int(soa.split()[2])


def test_serial_grows_with_every_change_and_only_then(ctx, tmp_path):
    require_tool("named-checkzone")
    build(ctx, 2)
    render(ctx, tmp_path)
    first = soa_serial(tmp_path / "cluster.zone", "cluster")
    render(ctx, tmp_path)
    assert soa_serial(tmp_path / "cluster.zone", "cluster") == first
    nodes.save(ctx, "node100", {"group": "compute"})
    render(ctx, tmp_path)
    second = soa_serial(tmp_path / "cluster.zone", "cluster")
    assert second > first
    assert soa_serial(tmp_path / "141.10.in-addr.arpa.zone", "141.10.in-addr.arpa") == second
    assert ("node100.cluster.", "A") in records(tmp_path / "cluster.zone", "cluster")
    # node100 has no address in "wide": its zone keeps its file and its serial.
    assert soa_serial(tmp_path / "wide.zone", "wide") == first


def test_a_zone_whose_records_did_not_change_keeps_its_file(ctx, tmp_path):
    """Most writes touch no zone: a zone is rewritten (checked, reloaded) only when its
    records change, though the serial it would get grows with every write."""
    require_tool("named-checkzone")
    build(ctx, 2)
    render(ctx, tmp_path)
    zones = sorted(tmp_path.glob("*.zone"))
    before = {path: (path.read_text(), path.stat().st_mtime_ns) for path in zones}
    nodes.save(ctx, "node000", {"comment": "journaled, in no zone"})
    render(ctx, tmp_path)
    assert {path: (path.read_text(), path.stat().st_mtime_ns) for path in zones} == before


def test_a_refused_zone_keeps_the_old_file(ctx, tmp_path):
    """A name the API would refuse, written past it into the database: named-checkzone
    refuses the zone, and the old zone and include stay as they were."""
    require_tool("named-checkzone")
    build(ctx, 1)
    render(ctx, tmp_path)
    kept = ["cluster.zone", "141.10.in-addr.arpa.zone", "named.conf.cairn"]
    before = [(tmp_path / name).read_text() for name in kept]
    with transaction(ctx.engine, write=True) as conn:
        conn.execute(update(node).where(node.c.name == "node000").values(name="bad name"))
    with pytest.raises(InvalidConfig, match="named-checkzone"):
        render(ctx, tmp_path)
    assert [(tmp_path / name).read_text() for name in kept] == before
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


def test_the_context_takes_a_constant_number_of_statements(ctx):
    build(ctx, 5)
    with ctx.engine.connect() as conn, counting(ctx.engine) as small:
        small_zones = dns.context(conn)["zones"]
    populate(ctx, 5, 50)
    with ctx.engine.connect() as conn, counting(ctx.engine) as large:
        large_zones = dns.context(conn)["zones"]
    selects = [[s for s in statements if s.startswith("SELECT")] for statements in (small, large)]
    assert len(selects[0]) == len(selects[1]) == 4, large  # networks, addresses, controllers, serial
    cluster = {zone["name"]: zone for zone in large_zones}["cluster"]
    assert len([r for r in cluster["records"] if r[0].startswith("node")]) == 50
    assert len(small_zones) == len(large_zones)
