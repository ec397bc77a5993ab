"""Benchmark of rendering the DHCP (Kea, ISC dhcpd) and DNS (BIND) files.

In-process, on a SQLite database in a temporary directory: networks and the
group are created through the service layer, then the nodes are bulk-inserted
with SQLAlchemy Core (creating 100,000 nodes through the service would take
many minutes and is what bench_nodes.py measures). Every node has a MAC, a
BOOTIF address in the DHCP network "cluster" and a BMC address in "ipmi".

  (a) 10,000 nodes: render_dhcp + render_dns with validation by the real
      tools (kea-dhcp4 -t, dhcpd -t, named-checkzone per zone,
      named-checkconf -z), total against the 2 s target, and the split into
      building the contexts, rendering + writing, and validating;
  (b) 10,000 .. --nodes-max nodes: the same without validation (contexts,
      templates, file writes), with the time per 1,000 nodes, so that linear
      growth shows as a flat per-1,000 figure.

The split comes from the public functions alone: the contexts are timed on
their own, rendering + writing is render_*(validate=False) minus the
contexts, validating is render_*(validate=True) minus render_*(validate=False).
Each figure is the median of RUNS runs.

It never asserts timings: a missed target is printed as MISSED and the exit
code stays 0; 2 means the bench could not run (a tool missing or refusing a
file). Run it with the virtualenv's interpreter:

    .venv/bin/python bench/bench_render.py
    .venv/bin/python bench/bench_render.py --nodes-max 25000 --profile
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time

from sqlalchemy import func, insert, select

from cairn.auth import Principal
from cairn.config import Settings
from cairn.db import cluster as db_cluster
from cairn.db.engine import make_engine, transaction
from cairn.db.migrate import upgrade
from cairn.db.schema import group, network, node, node_interface
from cairn.render import dhcp, dns
from cairn.render.files import InvalidConfig
from cairn.service import groups, networks
from cairn.service.subnet import to_key
from cairn.service.tx import Context

CONTROLLER = "10.3.255.254"   # gateway and name server of "cluster", next-server
PORT = 7050
NETWORKS = {   # /14: room for 262,142 addresses each
    "cluster": {"network": "10.0.0.0/14", "gateway": CONTROLLER, "ns_ip": CONTROLLER,
                "ns_hostname": "controller", "dhcp": True,
                "dhcp_range_begin": "10.3.200.0", "dhcp_range_end": "10.3.200.255"},
    "ipmi": {"network": "10.4.0.0/14"},
}
GROUP = "compute"
INTERFACES = (("BOOTIF", "cluster"), ("BMC", "ipmi"))
BATCH = 5000
RUNS = 3
SIZES = (10_000, 25_000, 50_000, 100_000)
TARGET_S = 2.0


def mac(i):
    return "52:54:{:02x}:{:02x}:{:02x}:{:02x}".format(*i.to_bytes(4, "big"))


def setup(engine):
    """Cluster row, the networks and the group, through the service layer."""
    with transaction(engine, write=True) as conn:
        db_cluster.ensure(conn, "cluster")
    ctx = Context(engine, Principal(kind="superadmin", uid="x", name="admin"), Settings(secret_key="x"))
    for name, fields in NETWORKS.items():
        networks.save(ctx, name, fields)
    groups.save(ctx, GROUP, {"interfaces": [{"interface": i, "network": n} for i, n in INTERFACES]})


def grow(engine, total):
    """Insert nodes until there are ``total``; node i has offset i in every network
    (1..100,000 lies below the DHCP range, gateway and name server of the /14s)."""
    with transaction(engine, write=True) as conn:
        present = conn.execute(select(func.count()).select_from(node)).scalar_one()
        group_id = conn.execute(select(group.c.id).where(group.c.name == GROUP)).scalar_one()
        network_ids = dict(conn.execute(select(network.c.name, network.c.id)).tuples().all())
        for first in range(present + 1, total + 1, BATCH):
            numbers = range(first, min(first + BATCH, total + 1))
            conn.execute(insert(node), [{"name": f"node{i:06d}", "nodegroup_id": group_id,
                                         "macaddr": mac(i), "service": False} for i in numbers])
            ids = dict(conn.execute(select(node.c.name, node.c.id)
                                    .where(node.c.name >= f"node{first:06d}")).tuples().all())
            conn.execute(insert(node_interface), [
                {"node_id": ids[f"node{i:06d}"], "interface": interface,
                 "network_id": network_ids[net], "ip_key": to_key(i)}
                for i in numbers for interface, net in INTERFACES])


def contexts(conn):
    dhcp.context(conn, CONTROLLER, PORT)
    dns.context(conn)


def render_all(conn, out_dir, validate):
    """Every file, written (and checked) in full: into a new empty directory under
    ``out_dir`` each time, since a render leaves alone the files that hold their
    text already (and zones that differ in their serial alone). The previous run's
    directory is removed first, inside the timing: the figures err on the slow side."""
    for previous in os.listdir(out_dir):
        shutil.rmtree(os.path.join(out_dir, previous))
    fresh = tempfile.mkdtemp(dir=out_dir)
    paths = dhcp.render_dhcp(conn, fresh, CONTROLLER, PORT, validate=validate)
    return paths + dns.render_dns(conn, fresh, validate=validate)


def timed(engine, action, *args):
    """Median wall time in s of RUNS runs of ``action(conn, *args)`` in a read transaction."""
    times = []
    for dummy in range(RUNS):
        with transaction(engine, write=False) as conn:
            start = time.perf_counter()
            action(conn, *args)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def profile(engine, out_dir, validate, lines=15):
    """The top of a cProfile of one render_all, by cumulative time."""
    profiler = cProfile.Profile()
    with transaction(engine, write=False) as conn:
        profiler.runcall(render_all, conn, out_dir, validate)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(lines)
    return text.getvalue()


def _mark(ok):
    return "ok" if ok else "MISSED"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--nodes-max", type=int, default=SIZES[-1],
                        help="largest node count of (b) (default 100000)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (database and rendered files)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of (a), with and without validation")
    args = parser.parse_args()
    sizes = [n for n in SIZES if n < args.nodes_max] + [args.nodes_max]
    first = min(SIZES[0], args.nodes_max)

    work = tempfile.mkdtemp(prefix="cairn-bench-render-")
    out_dir = os.path.join(work, "out")
    os.makedirs(out_dir)
    engine = make_engine(f"sqlite:///{os.path.join(work, 'cairn.db')}", pool_size=2)
    summary = []
    print(f"SQLite in {work}; {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()), flush=True)
    try:
        upgrade(engine)
        setup(engine)
        start = time.perf_counter()
        grow(engine, first)
        print(f"inserted {first} nodes in {time.perf_counter() - start:.1f} s", flush=True)

        print(f"\n(a) {first} nodes: render and validate DHCP (Kea, dhcpd) and DNS (BIND)", flush=True)
        with transaction(engine, write=False) as conn:
            paths = render_all(conn, out_dir, True)   # warm-up: templates compiled, tools cached
        size = sum(os.path.getsize(p) for p in paths)
        total = timed(engine, render_all, out_dir, True)
        unchecked = timed(engine, render_all, out_dir, False)
        context_s = timed(engine, contexts)
        print(f"    {len(paths)} files, {size / 1e6:.2f} MB", flush=True)
        print(f"    total {total:.2f} s: contexts {context_s:.2f} s, rendering + writing "
              f"{unchecked - context_s:.2f} s, validating {total - unchecked:.2f} s "
              f"(target < {TARGET_S:.0f} s) {_mark(total < TARGET_S)}", flush=True)
        summary.append(f"render + validate {first} nodes: {total:.2f} s (contexts {context_s:.2f}, "
                       f"rendering {unchecked - context_s:.2f}, validating {total - unchecked:.2f}) "
                       f"(target < {TARGET_S:.0f} s) {_mark(total < TARGET_S)}")
        if args.profile:
            print(profile(engine, out_dir, True), flush=True)
            print(profile(engine, out_dir, False), flush=True)

        print("\n(b) rendering alone (contexts, templates, file writes; no validation)", flush=True)
        per_thousand = []
        for count in sizes:
            grow(engine, count)
            wall = timed(engine, render_all, out_dir, False)
            context_s = timed(engine, contexts)
            per_thousand.append(wall * 1000 / count)
            line = (f"{count:>7} nodes: {wall:.2f} s ({context_s:.2f} s contexts), "
                    f"{per_thousand[-1] * 1000:.1f} ms per 1,000 nodes")
            print("    " + line, flush=True)
            summary.append("render " + line.lstrip())
        growth = per_thousand[-1] / per_thousand[0]
        summary.append(f"per-1,000 time at {sizes[-1]} / at {sizes[0]}: {growth:.2f} "
                       f"(1.00 = linear) {_mark(growth < 1.25)}")
    except InvalidConfig as refused:
        print(f"\nBENCH ERROR (could not run): {refused}", flush=True)
        return 2
    finally:
        engine.dispose()
        if args.keep:
            print(f"\nkept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\n==== summary " + "=" * 56)
    print(f"at the end: {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    for line in summary:
        print(line)
    print("=" * 70, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
