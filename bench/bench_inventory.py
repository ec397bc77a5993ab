"""Benchmark of the inventory plugin cairn.cluster.nodes against a static YAML inventory.

Starts ``cairn-server serve`` (bench_nodes.Server), loads --nodes nodes in one
``POST /config/cluster/import`` (networks cluster, ipmi and ib, group compute with an
OS image, every node with a MAC address, three addresses and a status, placed in racks of
40), gives two tenants a tenancy of 500 nodes each, then times ``ansible-inventory --list``:

  - through the plugin (a cluster.cairn.yml with url and token: every rack, tenancy, group,
    OS image and status group and every host variable);
  - on a static YAML inventory of the same hosts, groups and variables, written from the
    plugin's own --list output.

It prints the median of --runs runs of each (after one warm-up run of each) and their
ratio against the target of 1.5. It never asserts a time: a missed target is printed as
MISSED and the exit code stays 0; 2 means it could not run. Run it from the repository
root with the virtualenv's interpreter (ansible-core is taken from the same bin directory):

    .venv/bin/python bench/bench_inventory.py
    .venv/bin/python bench/bench_inventory.py --db postgresql+psycopg://u@127.0.0.1:5432/bench --pg-reset
    .venv/bin/python bench/bench_inventory.py --profile    # where the plugin's time goes
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from bench_nodes import GROUP, GROUP_INTERFACES, NETWORKS, Failure, Server, mac, redact, reset_database

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
TARGET_RATIO = 1.5
RACK_SIZE = 40
TENANTS = {"acme": "node[00001-00500]", "globex": "node[00501-01000]"}
UNSAFE = "__ansible_unsafe"


def document(nodes):
    """An import document: the networks, an OS image, the group and ``nodes`` nodes with
    their addresses, placed RACK_SIZE to a rack."""
    interfaces = [(i["interface"], i["network"], NETWORKS[i["network"]]["network"].split(".")[:2])
                  for i in GROUP_INTERFACES]
    node_records, racks = {}, {}
    for i in range(1, nodes + 1):
        name = f"node{i:05d}"
        node_records[name] = {
            "group": GROUP, "macaddr": mac(i), "status": "installed" if i % 10 else "maintenance",
            "interfaces": [{"interface": interface, "network": network,
                            "ipaddress": ".".join(prefix + [str(i // 250), str(i % 250 + 1)])}
                           for interface, network, prefix in interfaces]}
        rack = f"rack{(i - 1) // RACK_SIZE + 1:03d}"
        racks.setdefault(rack, {"size": RACK_SIZE, "devices": []})["devices"].append(
            {"name": name, "type": "node", "position": (i - 1) % RACK_SIZE + 1})
    return {"config": {
        "network": NETWORKS, "osimage": {"rocky-9": {"comment": "Rocky Linux 9"}},
        "group": {GROUP: {"interfaces": GROUP_INTERFACES, "osimage": "rocky-9"}},
        "node": node_records, "rack": racks}}


def load(server, nodes):
    session = server.session()
    started = time.monotonic()
    answer = session.post(f"{server.url}/config/cluster/import", json=document(nodes))
    if answer.status_code != 201:
        raise Failure(f"POST /config/cluster/import: {answer.status_code} {answer.text[:2000]}")
    for tenant, hosts in TENANTS.items():
        answer = session.post(f"{server.url}/tenants", json={"name": tenant})
        if answer.status_code != 201:
            raise Failure(f"POST /tenants: {answer.status_code} {answer.text}")
        answer = session.post(f"{server.url}/tenant/{tenant}/tenancies", json={"name": f"{tenant}-lab", "hostlist": hosts})
        if answer.status_code != 201:
            raise Failure(f"POST /tenant/{tenant}/tenancies: {answer.status_code} {answer.text}")
    return time.monotonic() - started


def inventory_command(path):
    return [os.path.join(BIN, "ansible-inventory"), "-i", path, "--list"]


def environment(scratch, server):
    """ansible-inventory with this checkout as cairn.cluster (tests/ansible/ansible_run.py)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "ansible"))
    from ansible_run import ansible_env
    return ansible_env(scratch, server)


def plain(value):
    """A value of --list's JSON with Ansible's untrusted-string markers taken off."""
    return value.get(UNSAFE, value) if len(value) == 1 else value


def static_inventory(listing):
    """The YAML inventory of the same hosts, groups and host variables as a --list output."""
    hostvars = listing["_meta"]["hostvars"]
    groups = {name: {"hosts": dict.fromkeys(group["hosts"])}
              for name, group in listing.items() if name not in ("_meta", "all") and group.get("hosts")}
    return {"all": {"hosts": hostvars, "children": groups}}


def timed(command, env, runs):
    """Seconds of each of ``runs`` runs of ``command``, after a warm-up run."""
    times = []
    for dummy in range(runs + 1):
        started = time.monotonic()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.monotonic() - started)
    return times[1:]


def profile(config, env, scratch):
    """cProfile of ansible-inventory through the plugin: the top functions by own time."""
    output = os.path.join(scratch, "inventory.prof")
    subprocess.run([sys.executable, "-m", "cProfile", "-o", output, *inventory_command(config)],
                   env=env, stdout=subprocess.DEVNULL, check=True)
    import pstats
    pstats.Stats(output).sort_stats("tottime").print_stats(20)


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--nodes", type=int, default=10_000, help="nodes in the server (default: 10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each inventory (default: 3)")
    parser.add_argument("--db", metavar="URL", help="database URL of an EMPTY database (default: SQLite)")
    parser.add_argument("--pg-reset", action="store_true", help="drop every table of --db first")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the plugin's run")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    print(f"cairn inventory bench: {args.nodes} nodes, backend "
          f"{redact(args.db) if args.db else 'SQLite'}; {os.cpu_count()} CPUs", flush=True)
    if args.pg_reset and args.db:
        reset_database(args.db)
    scratch = tempfile.mkdtemp(prefix="cairn-bench-inventory-")
    try:
        with Server(args.db) as server:
            server.wait_ready()
            print(f"load (one import, two tenancies): {load(server, args.nodes):.1f} s", flush=True)
            env = environment(scratch, server)
            config = os.path.join(scratch, "cluster.cairn.yml")
            with open(config, "w") as handle:
                handle.write("plugin: cairn.cluster.nodes\n")
            listing = json.loads(subprocess.run(inventory_command(config), env=env, stdout=subprocess.PIPE,
                                                check=True).stdout, object_hook=plain)
            hosts = len(listing["_meta"]["hostvars"])
            if hosts != args.nodes:
                raise Failure(f"the plugin listed {hosts} hosts, not {args.nodes}")
            static = os.path.join(scratch, "static.yml")
            with open(static, "w") as handle:
                yaml.dump(static_inventory(listing), handle, Dumper=yaml.CSafeDumper)
            print(f"{hosts} hosts, {len(listing) - 1} groups, "
                  f"{len(listing['_meta']['hostvars']['node00001'])} variables per host; "
                  f"static inventory {os.path.getsize(static) / 1e6:.1f} MB", flush=True)
            # Each file read by its own plugin only (not first by auto, nor yaml, ini, ...).
            plugin_times = timed(inventory_command(config), dict(env, ANSIBLE_INVENTORY_ENABLED="cairn.cluster.nodes"),
                                 args.runs)
            static_times = timed(inventory_command(static), dict(env, ANSIBLE_INVENTORY_ENABLED="yaml"), args.runs)
            if args.profile:
                profile(config, env, scratch)
    except (Failure, subprocess.CalledProcessError) as error:
        print(f"bench could not run: {error}", flush=True)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    plugin, static = statistics.median(plugin_times), statistics.median(static_times)
    ratio = plugin / static
    print(f"ansible-inventory --list, median of {args.runs}: plugin {plugin:.2f} s "
          f"(min {min(plugin_times):.2f}), static YAML {static:.2f} s (min {min(static_times):.2f}); "
          f"ratio {ratio:.2f} (target <= {TARGET_RATIO}) {'ok' if ratio <= TARGET_RATIO else 'MISSED'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
