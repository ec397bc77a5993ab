"""Boot storm: many nodes booting at once against a real ``cairn-server serve``.

Every simulated node does what a booting node does over HTTP: iPXE asks
``/boot/search/<mac>`` for its script (from the node's own provisioning address,
so the script carries the node's provisioning token), and the installer then asks
``/boot/install/<node>`` with that token. Each request opens its own connection from
the node's address, as iPXE and the installer's curl do (two programs, two
connections).

The nodes' provisioning network is a loopback one (127.77.0.0/16 by default): on
Linux every 127/8 address is the machine's own, so each simulated node binds its
connections to its own address without root, and the server sees it as REMOTE_ADDR.

The client is one asyncio process (this one) with raw HTTP/1.1 on sockets, on uvloop's
event loop (the project's bench extra) when it is installed, so that the load
generator takes as little of the machine's CPU as it can: it shares the cores with
the server. The CPU time of both is reported.

Prints requests per second, p50 and p99 latency and the error count of the storm
(target: at least 2,000 requests per second, 0 errors); never asserts a time. Exit
code 1 means errors of ``cairn-server serve`` (a wrong status, a script without the
node's kernel or token, an installer without the node's name); 2 that it could not
run. The errors of the servers of ``--compare`` are printed, as findings.

``cairn-server serve`` runs with ``--workers`` processes (default: one more than the
CPUs) of ``--threads`` threads (default: 2), as the README advises for a controller
that boots many nodes. With ``--compare``, the same storms then run against the same data
served by other layouts of ``cairn-server serve`` (KIND ``serve``) and by other WSGI
servers (bench/wsgi_servers.py), side by side; gunicorn, waitress and granian come
with the project's ``bench`` extra.

    .venv/bin/python bench/bench_boot.py
    .venv/bin/python bench/bench_boot.py --nodes 2000 --rounds 3
    .venv/bin/python bench/bench_boot.py --compare serve:1:32 serve:2:32 cheroot:2:4 granian:2:4
"""

import argparse
import asyncio
import ipaddress
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_nodes import Failure, Server, mac, percentile  # noqa: E402  # pylint: disable=wrong-import-position

try:
    # Measured (2 cores, /version): the client's CPU per request falls from 0.17 to 0.10 ms.
    from uvloop import run as run_loop
except ImportError:
    run_loop = asyncio.run

TARGET_RPS = 2000.0
GROUP = "storm"
IMAGE = "storm-image"
TOKEN = re.compile(rb" luna\.token=(\S+)")


# ------------------------------------------------------------------ setup

def image_tree(root):
    """The smallest tree packing takes: a kernel and an initrd in boot/."""
    os.makedirs(os.path.join(root, "boot"))
    os.makedirs(os.path.join(root, "etc"))
    for name, size in (("boot/vmlinuz", 4096), ("boot/initramfs", 8192), ("etc/hostname", 6)):
        with open(os.path.join(root, name), "wb") as handle:
            handle.write(os.urandom(size))
    return root


def check(answer, *expected):
    if answer.status_code not in expected:
        raise Failure(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text}")
    return answer


def setup(server, nodes, network, tree):
    """The provisioning network, a packed image, a group and ``nodes`` nodes; their
    (name, mac, address)."""
    session = server.session()
    base = server.url + "/config"
    check(session.post(f"{base}/network/boot", json={"config": {"network": {"boot": {
        "network": str(network)}}}}), 201)
    check(session.post(f"{base}/osimage/{IMAGE}", json={"config": {"osimage": {IMAGE: {
        "path": tree, "kernelfile": "vmlinuz", "initrdfile": "initramfs"}}}}), 201)
    job = check(session.get(f"{base}/osimage/{IMAGE}/_pack"), 202).json()["request_id"]
    deadline = time.monotonic() + 120
    while True:
        status = check(session.get(f"{base}/status/{job}"), 200).json()["config"]["status"][job]
        if status["status"] == "done":
            break
        if status["status"] == "failed" or time.monotonic() > deadline:
            raise Failure(f"packing {IMAGE}: {status}")
        time.sleep(0.1)
    check(session.post(f"{base}/group/{GROUP}", json={"config": {"group": {GROUP: {
        "osimage": IMAGE, "interfaces": [{"interface": "BOOTIF", "network": "boot"}]}}}}), 201)
    created = []
    for i in range(nodes):
        name = f"storm{i:05d}"
        check(session.post(f"{base}/node/{name}", json={"config": {"node": {name: {
            "group": GROUP, "macaddr": mac(i)}}}}), 201)
        created.append(name)
    listing = check(session.get(f"{base}/node"), 200).json()["config"]["node"]
    booting = []
    for name in created:
        record = listing[name]
        address = next(i["ipaddress"] for i in record["interfaces"] if i["interface"] == "BOOTIF")
        booting.append((name, record["macaddr"], address))
    return booting


# ------------------------------------------------------------------ the storm

async def get(host, port, source, path, token=None):
    """One GET on a connection of its own from ``source``: (status, body, seconds)."""
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        if token is not None:
            head += f"x-access-tokens: {token}\r\n"
        writer.write(head.encode() + b"\r\n")
        response = await reader.read()
    finally:
        writer.close()
    seconds = time.perf_counter() - start
    header, separator, body = response.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1]) if separator and header.startswith(b"HTTP/1.") else 0
    return status, body, seconds


async def boot(host, port, name, mac_address, source, latencies, errors):
    """One node's boot: its script, then its installer with the script's token."""
    try:
        status, body, seconds = await get(host, port, source, f"/boot/search/{mac_address}")
        latencies.append(seconds)
        token = TOKEN.search(body)
        if status != 200 or token is None or f"luna.node={name} ".encode() not in body:
            errors.append(f"{name} /boot/search: {status} {body[:200]!r}")
            return
        status, body, seconds = await get(host, port, source, f"/boot/install/{name}",
                                          token.group(1).decode())
        latencies.append(seconds)
        if status != 200 or not body.startswith(b"#!") or name.encode() not in body:
            errors.append(f"{name} /boot/install: {status} {body[:200]!r}")
    except OSError as error:
        errors.append(f"{name}: {error!r}")


async def storm(host, port, booting):
    latencies, errors = [], []
    start = time.perf_counter()
    await asyncio.gather(*(boot(host, port, name, mac_address, address, latencies, errors)
                           for name, mac_address, address in booting))
    return time.perf_counter() - start, latencies, errors


def cpu_seconds():
    times = os.times()
    return times.user + times.system


def settle(server, period=0.5, busy=0.02, limit=120):
    """Wait until the server is idle: its processes used less than ``busy`` CPU seconds in
    the last ``period``. After the setup, worker 0 renders the DHCP and DNS files of
    2,000 new nodes and has Kea and BIND check them; a storm of nodes that were
    created long before does not share the cores with that. Returns the seconds waited."""
    start = time.monotonic()
    before = server.cpu_seconds()
    while time.monotonic() - start < limit:
        time.sleep(period)
        now = server.cpu_seconds()
        if now is None or now - before < busy:
            break
        before = now
    return time.monotonic() - start


def storms(server, booting, rounds):
    """``rounds`` storms against the running server: (median req/s, p50, p99, errors)."""
    rates, latencies, errors = [], [], []
    print(f"  the server settled in {settle(server):.1f} s", flush=True)
    for round_number in range(1, rounds + 1):
        server_before, client_before = server.cpu_seconds(), cpu_seconds()
        seconds, times, failed = run_loop(storm("127.0.0.1", server.port, booting))
        server_cpu = server.cpu_seconds() - server_before
        client_cpu = cpu_seconds() - client_before
        rates.append(len(times) / seconds)
        latencies += times
        errors += failed
        print(f"  round {round_number}: {len(times)} requests in {seconds:.2f} s: "
              f"{rates[-1]:.0f} req/s, p50 {milliseconds(times, 50):.0f} ms, "
              f"p99 {milliseconds(times, 99):.0f} ms, {len(failed)} errors; CPU seconds: "
              f"server {server_cpu:.2f}, client {client_cpu:.2f}", flush=True)
        for error in failed[:5]:
            print(f"    {error}")
        if server.proc.poll() is not None:
            print(f"  the server exited ({server.proc.returncode}); its log ends:\n{server.log_tail(10)}",
                  flush=True)
            break
    return (statistics.median(rates), milliseconds(latencies, 50), milliseconds(latencies, 99),
            len(errors))


def milliseconds(seconds, pct):
    """The percentile of the latencies in ms (NaN when no request was answered)."""
    return percentile(seconds, pct) * 1000 if seconds else float("nan")


def alternative(spec, server):
    """The command serving ``server``'s data dir with the WSGI server KIND:WORKERS:THREADS
    (KIND "serve": cairn-server serve itself, with these settings)."""
    kind, workers, threads = spec.split(":")
    if kind == "serve":
        return [sys.executable, "-m", "cairn.cli", "serve", "--bind", f"127.0.0.1:{server.port}",
                "--data-dir", server.data_dir, "--workers", workers, "--threads", threads,
                *(["--db", server.db_url] if server.db_url else [])]
    return [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "wsgi_servers.py"),
            kind, workers, threads, f"127.0.0.1:{server.port}", server.data_dir]


def line(label, figures, target=True):
    rps, p50, p99, errors = figures
    verdict = f" (target >= {TARGET_RPS:.0f}) {'ok' if rps >= TARGET_RPS else 'MISSED'}" if target else ""
    return f"{label:<34} {rps:6.0f} req/s{verdict}, p50 {p50:.0f} ms, p99 {p99:.0f} ms, {errors} errors"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=2000, help="nodes booting at once")
    parser.add_argument("--rounds", type=int, default=3, help="storms, whose median counts")
    parser.add_argument("--network", default="127.77.0.0/16", type=ipaddress.ip_network,
                        help="the provisioning network: a loopback one")
    parser.add_argument("--db", help="database URL of the server (default: SQLite)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads of each cairn-server serve process (default: 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() + 1,
                        help="processes of cairn-server serve (default: one more than the CPUs)")
    parser.add_argument("--compare", nargs="*", default=[], metavar="KIND:WORKERS:THREADS",
                        help="WSGI servers to measure side by side (see bench/wsgi_servers.py)")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{args.nodes} nodes, {args.rounds} rounds; client event loop: {run_loop.__module__}",
          flush=True)
    summary = []
    with tempfile.TemporaryDirectory(prefix="cairn-bench-boot-") as scratch, \
            Server(args.db, args.threads, args.workers) as server:
        try:
            server.wait_ready()
            booting = setup(server, args.nodes, args.network, image_tree(os.path.join(scratch, "img")))
        except Failure as error:
            print(f"BENCH ERROR (could not run): {error}", flush=True)
            return 2
        label = f"cairn-server serve ({args.workers} × {args.threads} threads)"
        print(label, flush=True)
        summary.append(line(label, storms(server, booting, args.rounds)))
        for spec in args.compare:
            server.launch(alternative(spec, server))
            try:
                server.wait_ready()
            except Failure as error:
                print(f"BENCH ERROR (could not run {spec}): {error}", flush=True)
                return 2
            print(spec, flush=True)
            summary.append(line(spec, storms(server, booting, args.rounds), target=False))
    print("\n==== summary " + "=" * 56)
    print(f"at the end: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"boot storm: {args.nodes} nodes, each /boot/search then /boot/install, median of "
          f"{args.rounds} rounds")
    for text in summary:
        print(text)
    print("=" * 70, flush=True)
    return 0 if summary[0].endswith(" 0 errors") else 1  # the alternatives' errors are findings


if __name__ == "__main__":
    sys.exit(main())
