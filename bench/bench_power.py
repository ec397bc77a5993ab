"""Benchmark of the BMC engine (cairn.bmc) over many BMCs at once.

In-process engine, fake BMCs from tests/fakebmc.py (pyghmi's BMC server, all of them in
one child process, each on its own loopback address, UDP port 623: run as root):

  (a) power status over --bmcs live BMCs (target: under 10 s), the median of --runs;
  (b) power on over the same BMCs, then each BMC's own state read back (all on?);
  (c) power status over --bmcs addresses where nothing answers (target: under 15 s):
      every one must fail with a timeout, after policy.retries more attempts;
  (d) power status over a mixed list: half live, half dead.

It prints seconds and operations per second for each, and never asserts a time: a
missed target is printed as MISSED and the exit code stays 0. Exit code 1 means a wrong
outcome (a live BMC failed, a dead one answered, a state did not change); 2 that the
bench could not run (the fake BMCs did not start). The policy is the engine's default
(that of a server with default settings) unless --concurrency, --timeout or --retries
say otherwise.

    .venv/bin/python bench/bench_power.py
    .venv/bin/python bench/bench_power.py --bmcs 200 --runs 1      # a quick smoke run
"""

import argparse
import collections
import dataclasses
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from cairn import bmc                         # noqa: E402
from fakebmc import FakeBmcs                  # noqa: E402  # pylint: disable=wrong-import-position

USER, PASSWORD = "admin", "bench-password"
TARGET_LIVE_S = 10.0
TARGET_DEAD_S = 15.0


def timed(targets, action, policy):
    start = time.perf_counter()
    outcomes = bmc.run(targets, "power", action, policy)
    return time.perf_counter() - start, outcomes


def rate(count, seconds):
    return f"{seconds:.2f} s, {count / seconds:.0f} operations/s"


def verdict(seconds, target):
    return f"(target < {target:g} s) {'ok' if seconds < target else 'MISSED'}"


def tally(outcomes):
    return dict(collections.Counter(o.result if o.result != "failed" else f"failed: {o.detail}"
                                    for o in outcomes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    defaults = bmc.Policy()
    parser.add_argument("--bmcs", type=int, default=1000, help="live BMCs, and as many dead addresses")
    parser.add_argument("--runs", type=int, default=3, help="runs of (a), whose median counts")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--timeout", type=float, default=defaults.timeout, help="seconds per attempt")
    parser.add_argument("--retries", type=int, default=defaults.retries)
    args = parser.parse_args()
    policy = bmc.Policy(concurrency=args.concurrency, timeout=args.timeout, retries=args.retries)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"policy {dataclasses.asdict(policy)}", flush=True)
    start = time.perf_counter()
    try:
        fakes = FakeBmcs(args.bmcs, username=USER, password=PASSWORD)
    except (OSError, RuntimeError) as error:
        print(f"BENCH ERROR (could not run): fake BMCs did not start: {error}", flush=True)
        return 2
    summary, wrong = [], []
    with fakes:
        print(f"started {args.bmcs} fake BMCs in {time.perf_counter() - start:.2f} s", flush=True)
        live = [bmc.Target(f"node{i:05d}", a, USER, PASSWORD) for i, a in enumerate(fakes.addresses)]
        dead = [bmc.Target(f"dead{i:05d}", a, USER, PASSWORD)
                for i, a in enumerate(fakes.dead_addresses(args.bmcs))]

        print(f"\n(a) power status, {len(live)} live BMCs, {args.runs} runs", flush=True)
        times = []
        for dummy in range(args.runs):
            seconds, outcomes = timed(live, "status", policy)
            times.append(seconds)
            print(f"    {rate(len(live), seconds)}: {tally(outcomes)}", flush=True)
            if any(o.result != "off" for o in outcomes):
                wrong.append(f"(a) not all off: {tally(outcomes)}")
        median = statistics.median(times)
        summary.append(f"power status, {len(live)} live BMCs: median {rate(len(live), median)} "
                       f"{verdict(median, TARGET_LIVE_S)}")

        print(f"\n(b) power on, {len(live)} live BMCs, then their states", flush=True)
        seconds, outcomes = timed(live, "on", policy)
        powered = sum(fakes.state(t.address)["power"] == "on" for t in live)
        print(f"    {rate(len(live), seconds)}: {tally(outcomes)}; {powered} BMCs on", flush=True)
        if powered != len(live) or any(o.result != "ok" for o in outcomes):
            wrong.append(f"(b) {powered}/{len(live)} on: {tally(outcomes)}")
        summary.append(f"power on, {len(live)} live BMCs: {rate(len(live), seconds)}; {powered} on")

        print(f"\n(c) power status, {len(dead)} dead addresses", flush=True)
        seconds, outcomes = timed(dead, "status", policy)
        print(f"    {rate(len(dead), seconds)}: {tally(outcomes)}", flush=True)
        if any(not (o.result == "failed" and o.detail.startswith("timeout")) for o in outcomes):
            wrong.append(f"(c) not all timed out: {tally(outcomes)}")
        summary.append(f"power status, {len(dead)} dead BMCs: {rate(len(dead), seconds)} "
                       f"{verdict(seconds, TARGET_DEAD_S)}")

        half = args.bmcs // 2
        print(f"\n(d) power status, {half} live + {half} dead", flush=True)
        seconds, outcomes = timed(live[:half] + dead[:half], "status", policy)
        print(f"    {rate(2 * half, seconds)}: {tally(outcomes)}", flush=True)
        if [o.result for o in outcomes] != ["on"] * half + ["failed"] * half:
            wrong.append(f"(d) wrong outcomes: {tally(outcomes)}")
        summary.append(f"power status, {half} live + {half} dead: {rate(2 * half, seconds)}")

    print("\n==== summary " + "=" * 56)
    print(f"at the end: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for line in summary + [f"WRONG: {line}" for line in wrong]:
        print(line)
    print("=" * 70, flush=True)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
