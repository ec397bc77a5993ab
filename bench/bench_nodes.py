"""Benchmark of cairn-server's node API against a real server process.

Starts ``cairn-server serve`` (from the same virtualenv as this interpreter)
on a free loopback port with a fresh temporary data directory, talks to it
over HTTP with keep-alive ``requests`` sessions, and prints what it measured:

  (a) bulk load: 3 networks, group "compute" with 3 interfaces, then
      --nodes nodes created by 8 client threads (load rate);
  (b) GET /config/node with --nodes nodes present: median/p95 of 10 runs;
  (c) 200 sequential node creations with --nodes nodes already there;
  (d) on a fresh server and database: --clients threads creating
      --parallel-nodes nodes, ~10% of the names raced by two threads; then
      checks for failed requests, missing nodes, duplicate addresses and
      nodes with fewer interfaces than their group.

It never asserts timings: a missed target is printed as MISSED and the exit
code stays 0. Exit code 1 means a correctness failure in (d); exit code 2
that the bench could not run (server does not start, setup answered wrongly).

Run it with the virtualenv's interpreter:

    .venv/bin/python bench/bench_nodes.py                     # SQLite
    .venv/bin/python bench/bench_nodes.py --db postgresql+psycopg://u@127.0.0.1:5432/bench --pg-reset
"""

import argparse
import collections
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

ADMIN_PASSWORD = "pw"
NETWORKS = {
    "cluster": {"network": "10.141.0.0/16", "gateway": "10.141.255.254",
                "ns_ip": "10.141.255.254", "ns_hostname": "controller.cluster", "dhcp": True,
                "dhcp_range_begin": "10.141.200.0", "dhcp_range_end": "10.141.200.255"},
    "ipmi": {"network": "10.148.0.0/16"},
    "ib": {"network": "10.149.0.0/16"},
}
GROUP = "compute"
GROUP_INTERFACES = [{"interface": "BOOTIF", "network": "cluster"},
                    {"interface": "BMC", "network": "ipmi"},
                    {"interface": "ib0", "network": "ib"}]
LOAD_THREADS = 8
EXPORT_RUNS = 3
LIST_RUNS = 10
SINGLE_CREATES = 200
RACE_EVERY = 10          # one name in RACE_EVERY is also created by another thread

TARGET_LIST_MS = 300.0
TARGET_CREATE_MS = 10.0


# ----------------------------------------------------------------- helpers

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, pct):
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def node_name(i):
    return f"node{i:05d}"


def mac(i):
    """A distinct MAC address per node number (up to 2**24 nodes)."""
    return "52:54:00:{:02x}:{:02x}:{:02x}".format((i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF)


def node_body(name, i):
    return {"config": {"node": {name: {"group": GROUP, "macaddr": mac(i)}}}}


def redact(url):
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for printing
        return url


def reset_database(url):
    """Drop every table of the database at ``url`` (and alembic_version)."""
    from sqlalchemy import MetaData, create_engine, text
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        metadata.drop_all(bind=engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


class Failure(Exception):
    """The server does not start, or answers the setup wrongly."""


# ------------------------------------------------------------------ server

class Server:
    """``cairn-server serve`` as a subprocess on a free loopback port."""

    def __init__(self, db_url=None, threads=None, workers=None):
        self.data_dir = tempfile.mkdtemp(prefix="cairn-bench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = db_url
        self.log_path = os.path.join(self.data_dir, "server.log")
        command = [sys.executable, "-m", "cairn.cli", "serve",
                   "--bind", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir]
        if db_url:
            command += ["--db", db_url]
        if threads:
            command += ["--threads", str(threads)]
        if workers:
            command += ["--workers", str(workers)]
        self._log = open(self.log_path, "wb")
        self.proc = None
        self.token = None
        self.launch(command)

    def launch(self, command):
        """Run ``command`` as the server: on this data dir and port, in the place of the
        process running now, if any (bench_boot.py serves it with other WSGI servers)."""
        self.halt()
        env = dict(os.environ, CAIRN_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.proc = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/version", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            raise Failure(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")
        answer = requests.post(f"{self.url}/token",
                               json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=30)
        if answer.status_code != 201:
            raise Failure(f"POST /token: {answer.status_code} {answer.text}")
        self.token = answer.json()["token"]
        return self

    def session(self):
        session = requests.Session()
        session.headers["x-access-tokens"] = self.token
        return session

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as handle:
                return b"".join(handle.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def cpu_seconds(self):
        """User + system CPU time the server's processes (its process group: a server of
        several processes too) used so far, from /proc (Linux); None without /proc."""
        ticks, found = 0, False
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == self.proc.pid:
                ticks, found = ticks + int(fields[11]) + int(fields[12]), True
        return ticks / os.sysconf("SC_CLK_TCK") if found else None

    def halt(self):
        """Stop the server's process group (a server of several processes too)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers the server left behind
        except ProcessLookupError:
            pass

    def stop(self):
        self.halt()
        self._log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def setup(server):
    """Networks cluster, ipmi, ib and group compute with their 3 interfaces."""
    session = server.session()
    for name, fields in NETWORKS.items():
        answer = session.post(f"{server.url}/config/network/{name}",
                              json={"config": {"network": {name: fields}}})
        if answer.status_code not in (201, 204):
            raise Failure(f"POST /config/network/{name}: {answer.status_code} {answer.text}")
    answer = session.post(f"{server.url}/config/group/{GROUP}",
                          json={"config": {"group": {GROUP: {"interfaces": GROUP_INTERFACES}}}})
    if answer.status_code not in (201, 204):
        raise Failure(f"POST /config/group/{GROUP}: {answer.status_code} {answer.text}")


def run_threads(count, target):
    """Run ``target(index)`` in ``count`` threads started together; wall time in s."""
    barrier = threading.Barrier(count + 1)
    errors = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, errors


# ------------------------------------------------------------------ phases

def bulk_load(server, nodes):
    """(a) ``nodes`` nodes by LOAD_THREADS threads, each its own interleaved share."""
    failures = []

    def load(index):
        session = server.session()
        for i in range(1 + index, nodes + 1, LOAD_THREADS):
            name = node_name(i)
            answer = session.post(f"{server.url}/config/node/{name}", json=node_body(name, i))
            if answer.status_code != 201:
                failures.append(f"{name}: {answer.status_code} {answer.text[:200]}")

    wall, errors = run_threads(LOAD_THREADS, load)
    if errors or failures:
        raise Failure(f"bulk load: {len(failures)} failed requests, {len(errors)} exceptions; "
                      f"first: {(failures + [repr(e) for e in errors])[0]}")
    return wall


def list_nodes(server, expected):
    """(b) GET /config/node LIST_RUNS times."""
    session = server.session()
    times, size, count = [], 0, 0
    cpu_before = server.cpu_seconds()
    for dummy in range(LIST_RUNS):
        start = time.perf_counter()
        answer = session.get(f"{server.url}/config/node")   # reads the whole body
        times.append((time.perf_counter() - start) * 1000)   # client JSON parsing not counted
        if answer.status_code != 200:
            raise Failure(f"GET /config/node: {answer.status_code} {answer.text[:200]}")
        size = len(answer.content)
        count = len(answer.json()["config"]["node"])
    return times, size, count, count == expected, _cpu_per_request(server, cpu_before, LIST_RUNS)


def export_all(server):
    """(b') GET /config/cluster/export EXPORT_RUNS times: the whole database as one document."""
    session = server.session()
    times = []
    for dummy in range(EXPORT_RUNS):
        start = time.perf_counter()
        answer = session.get(f"{server.url}/config/cluster/export")
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise Failure(f"GET /config/cluster/export: {answer.status_code} {answer.text[:200]}")
    return times, len(answer.content)


def _cpu_per_request(server, before, requests_made):
    """Server CPU ms per request since ``before`` (None where /proc is missing)."""
    after = server.cpu_seconds()
    if before is None or after is None:
        return None
    return (after - before) * 1000 / requests_made


def create_one(server, first):
    """(c) SINGLE_CREATES sequential creations, node numbers from ``first``."""
    session = server.session()
    times = []
    cpu_before = server.cpu_seconds()
    for i in range(first, first + SINGLE_CREATES):
        name = node_name(i)
        body = node_body(name, i)
        start = time.perf_counter()
        answer = session.post(f"{server.url}/config/node/{name}", json=body)
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 201:
            raise Failure(f"POST /config/node/{name}: {answer.status_code} {answer.text[:200]}")
    return times, _cpu_per_request(server, cpu_before, SINGLE_CREATES)


def concurrency(server, total, clients):
    """(d) ``clients`` threads creating ``total`` nodes, some names raced by two threads."""
    # Thread t owns names [t*per, (t+1)*per); the first ``total % clients`` threads one more.
    slices, start = [], 1
    for t in range(clients):
        size = total // clients + (1 if t < total % clients else 0)
        slices.append(list(range(start, start + size)))
        start += size
    # After its own k-th name, thread t also creates the k-th name of thread t+1 for
    # every RACE_EVERY-th k: both threads reach that name at about the same moment.
    plans, raced = [], set()
    for t in range(clients):
        other = slices[(t + 1) % clients] if clients > 1 else []
        plan = []
        for k, i in enumerate(slices[t]):
            plan.append(i)
            if k % RACE_EVERY == 0 and k < len(other):
                plan.append(other[k])
                raced.add(other[k])
        plans.append(plan)

    results = collections.defaultdict(list)   # node number -> [status or exception text]
    lock = threading.Lock()
    times = []

    def create(index):
        session = server.session()
        for i in plans[index]:
            name = node_name(i)
            started = time.perf_counter()
            try:
                status = session.post(f"{server.url}/config/node/{name}",
                                      json=node_body(name, i)).status_code
            except requests.RequestException as exc:
                status = f"exception {type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results[i].append(status)
                times.append(elapsed)

    wall, errors = run_threads(clients, create)
    requests_made = sum(len(p) for p in plans)

    failed = [(node_name(i), s) for i, statuses in results.items() for s in statuses
              if not (isinstance(s, int) and 200 <= s < 300)]
    race_bad = []
    for i in raced:
        statuses = sorted(s for s in results[i] if isinstance(s, int))
        if statuses != [201, 204]:
            race_bad.append((node_name(i), results[i]))
    single_bad = [(node_name(i), s) for i, s in results.items()
                  if i not in raced and s != [201]]

    # What the server holds now.
    session = server.session()
    listing = session.get(f"{server.url}/config/node").json()["config"]["node"]
    expected_names = {node_name(i) for s in slices for i in s}
    missing = expected_names - set(listing)
    extra = set(listing) - expected_names
    by_network = collections.defaultdict(collections.Counter)
    short = []
    for name, record in listing.items():
        interfaces = record.get("interfaces") or []
        with_address = [x for x in interfaces if x.get("ipaddress")]
        if len(with_address) < len(GROUP_INTERFACES):
            short.append(name)
        for item in with_address:
            by_network[item["network"]][item["ipaddress"]] += 1
    duplicates = {net: {ip: n for ip, n in counts.items() if n > 1}
                  for net, counts in by_network.items()}
    duplicate_count = sum(len(d) for d in duplicates.values())
    # And the networks' own view of their taken addresses.
    taken_bad = {}
    for net in NETWORKS:
        taken = session.get(f"{server.url}/config/network/{net}/_list").json()
        rows = taken["config"]["network"][net]["taken"]
        ips = collections.Counter(row["ipaddress"] for row in rows)
        dups = sum(1 for n in ips.values() if n > 1)
        # Besides the nodes, the gateway and name server are listed as taken.
        node_rows = sum(1 for row in rows if row.get("device") in expected_names)
        if node_rows != len(expected_names) or dups:
            taken_bad[net] = (node_rows, dups)

    return {
        "wall": wall, "requests": requests_made, "times": times, "raced": len(raced),
        "exceptions_in_threads": errors, "failed": failed, "race_bad": race_bad,
        "single_bad": single_bad, "expected": len(expected_names), "present": len(listing),
        "missing": sorted(missing), "extra": sorted(extra), "duplicates": duplicates,
        "duplicate_count": duplicate_count, "short": sorted(short), "taken_bad": taken_bad,
    }


# -------------------------------------------------------------------- main

def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--nodes", type=int, default=10_000,
                        help="nodes for bulk load, listing and single creation (default: 10000)")
    parser.add_argument("--parallel-nodes", type=int, default=2_000,
                        help="distinct nodes created concurrently in (d) (default: 2000)")
    parser.add_argument("--clients", type=int, default=16,
                        help="client threads in (d) (default: 16)")
    parser.add_argument("--db", metavar="URL",
                        help="database URL of an EMPTY database (default: SQLite in a fresh temporary "
                             "data dir). The bench drops the tables it created before (d) and at the end.")
    parser.add_argument("--pg-reset", action="store_true",
                        help="drop every table of --db (and alembic_version) before starting")
    parser.add_argument("--keep", action="store_true",
                        help="with --db: leave the tables of (d) in the database at the end")
    parser.add_argument("--threads", type=int, help="server worker threads (default: the server's)")
    parser.add_argument("--workers", type=int, help="server processes (default: the server's)")
    parser.add_argument("--skip-load", action="store_true", help="run (d) only")
    parser.add_argument("--skip-concurrency", action="store_true", help="run (a)-(c) only")
    return parser


def _cpu(ms, digits):
    return "" if ms is None else f"; server CPU {ms:.{digits}f} ms/request"


def _host():
    try:
        load = "load average %.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        load = "load average unknown"
    return f"{os.cpu_count()} CPUs, {load}"


def _mark(ok):
    return "ok" if ok else "MISSED"


def main(argv=None):
    args = _parser().parse_args(argv)
    backend = redact(args.db) if args.db else "SQLite (temporary data dir)"
    print(f"cairn bench: backend {backend}; python {sys.version.split()[0]}; {_host()}", flush=True)
    if args.pg_reset:
        if not args.db:
            print("--pg-reset needs --db; ignored", flush=True)
        else:
            reset_database(args.db)
            print("database reset (all tables dropped)", flush=True)

    summary, correctness_ok = [], True
    try:
        if not args.skip_load:
            with Server(args.db, args.threads, args.workers) as server:
                server.wait_ready()
                setup(server)
                print(f"\n(a) bulk load: {args.nodes} nodes, {LOAD_THREADS} client threads", flush=True)
                wall = bulk_load(server, args.nodes)
                rate = args.nodes / wall
                print(f"    {wall:.1f} s, {rate:.0f} nodes/s", flush=True)
                summary.append(f"bulk load {args.nodes} nodes ({LOAD_THREADS} clients): "
                               f"{wall:.1f} s, {rate:.0f} nodes/s")

                print(f"\n(b) GET /config/node with {args.nodes} nodes, {LIST_RUNS} runs", flush=True)
                times, size, count, complete, cpu = list_nodes(server, args.nodes)
                med, p95 = statistics.median(times), percentile(times, 95)
                print(f"    median {med:.0f} ms, p95 {p95:.0f} ms, min {min(times):.0f} ms, "
                      f"max {max(times):.0f} ms; {size / 1e6:.2f} MB; {count} nodes"
                      f"{'' if complete else f' (EXPECTED {args.nodes})'}{_cpu(cpu, 0)}", flush=True)
                summary.append(f"list {args.nodes} nodes: median {med:.0f} ms, p95 {p95:.0f} ms "
                               f"(target < {TARGET_LIST_MS:.0f} ms) {_mark(med < TARGET_LIST_MS)}; "
                               f"{size / 1e6:.2f} MB, {count} nodes"
                               f"{'' if complete else ' WRONG COUNT'}{_cpu(cpu, 0)}")

                print(f"\n(b') GET /config/cluster/export with {args.nodes} nodes, {EXPORT_RUNS} runs",
                      flush=True)
                times, size = export_all(server)
                med = statistics.median(times)
                print(f"    median {med:.0f} ms, max {max(times):.0f} ms; {size / 1e6:.2f} MB", flush=True)
                summary.append(f"export {args.nodes} nodes: median {med:.0f} ms; {size / 1e6:.2f} MB")

                print(f"\n(c) {SINGLE_CREATES} sequential creations with {args.nodes} nodes there",
                      flush=True)
                times, cpu = create_one(server, args.nodes + 1)
                med, p95 = statistics.median(times), percentile(times, 95)
                print(f"    median {med:.1f} ms, p95 {p95:.1f} ms, min {min(times):.1f} ms, "
                      f"max {max(times):.1f} ms{_cpu(cpu, 1)}", flush=True)
                summary.append(f"create one node at {args.nodes}: median {med:.1f} ms, p95 {p95:.1f} ms "
                               f"(target < {TARGET_CREATE_MS:.0f} ms) {_mark(med < TARGET_CREATE_MS)}"
                               f"{_cpu(cpu, 1)}")
            if args.db and not args.skip_concurrency:
                reset_database(args.db)

        if not args.skip_concurrency:
            with Server(args.db, args.threads, args.workers) as server:
                server.wait_ready()
                setup(server)
                print(f"\n(d) fresh database: {args.clients} clients creating {args.parallel_nodes} "
                      f"nodes, 1 in {RACE_EVERY} names raced by two threads", flush=True)
                r = concurrency(server, args.parallel_nodes, args.clients)
                rate = r["requests"] / r["wall"]
                med, p95 = statistics.median(r["times"]), percentile(r["times"], 95)
                problems = {
                    "failed requests (non-2xx or exception)": len(r["failed"]),
                    "raced names not ending 201 + 204": len(r["race_bad"]),
                    "unraced names not answered 201": len(r["single_bad"]),
                    "nodes missing": len(r["missing"]),
                    "unexpected nodes": len(r["extra"]),
                    "duplicate addresses": r["duplicate_count"],
                    "nodes with < 3 addressed interfaces": len(r["short"]),
                    "networks whose _list disagrees": len(r["taken_bad"]),
                    "client thread crashes": len(r["exceptions_in_threads"]),
                }
                print(f"    {r['requests']} requests ({r['raced']} raced names) in {r['wall']:.1f} s: "
                      f"{rate:.0f} requests/s; latency median {med:.1f} ms, p95 {p95:.1f} ms", flush=True)
                print(f"    nodes present {r['present']} (expected {r['expected']})", flush=True)
                for what, n in problems.items():
                    print(f"    {what}: {n}{'' if n == 0 else '  <-- FAILURE'}", flush=True)
                for label, items in (("failed", r["failed"]), ("race", r["race_bad"]),
                                     ("unraced", r["single_bad"]), ("missing", r["missing"]),
                                     ("short", r["short"]),
                                     ("thread", r["exceptions_in_threads"])):
                    for item in items[:5]:
                        print(f"      {label}: {item}", flush=True)
                for net, dups in r["duplicates"].items():
                    for ip, n in list(dups.items())[:5]:
                        print(f"      duplicate in {net}: {ip} x{n}", flush=True)
                for net, (rows, dups) in r["taken_bad"].items():
                    print(f"      {net}/_list: {rows} node addresses (expected {r['expected']}), "
                          f"{dups} duplicated", flush=True)
                if r["failed"] or r["race_bad"]:
                    print("    server log tail:\n" + server.log_tail(), flush=True)
                correctness_ok = not any(problems.values())
                summary.append(
                    f"{args.clients} clients x {args.parallel_nodes} nodes: {len(r['failed'])} failed, "
                    f"{r['duplicate_count']} duplicate addresses, {len(r['short'])} half-made nodes, "
                    f"{r['present']}/{r['expected']} present, {len(r['race_bad'])} bad races; "
                    f"{r['wall']:.1f} s, {rate:.0f} req/s "
                    f"{'ok' if correctness_ok else 'FAILED'}")
            if args.db and not args.keep:
                reset_database(args.db)
    except Failure as exc:
        print(f"\nBENCH ERROR (could not run): {exc}", flush=True)
        return 2

    print("\n==== summary " + "=" * 56)
    print(f"backend: {backend}; at the end: {_host()}")
    for line in summary:
        print(line)
    print("=" * 70, flush=True)
    return 0 if correctness_ok else 1


if __name__ == "__main__":
    sys.exit(main())
