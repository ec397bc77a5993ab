"""Load the demo cluster into a running cairn-server over its REST API (used by ``make demo``).

Three networks (cluster, ipmi, ib), two groups (compute, gpu) and 64 nodes:
node001-node048 in compute, node049-node064 in gpu, with MACs
52:54:00:00:00:01 onwards. Every object is POSTed to /config/<kind>/<name>,
which creates it (201) or updates it (204), so loading twice is harmless.

Standard library only: it runs with any python3, venv or not.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

NETWORKS = {
    "cluster": {"network": "10.141.0.0/16", "gateway": "10.141.255.254",
                "ns_ip": "10.141.255.254", "ns_hostname": "controller.cluster",
                "ntp_server": "10.141.255.254", "dhcp": True,
                "dhcp_range_begin": "10.141.200.0", "dhcp_range_end": "10.141.200.255",
                "comment": "Provisioning network: DHCP, PXE, DNS"},
    "ipmi": {"network": "10.148.0.0/16", "gateway": "10.148.255.254",
             "ns_ip": "10.148.255.254", "ns_hostname": "controller.ipmi", "dhcp": False,
             "comment": "Out-of-band network of the BMCs"},
    "ib": {"network": "10.149.0.0/16", "ns_ip": "10.149.255.254",
           "ns_hostname": "controller.ib", "dhcp": False,
           "comment": "High-speed interconnect (InfiniBand)"},
}
GROUPS = {
    "compute": {"interfaces": [{"interface": "BOOTIF", "network": "cluster"},
                               {"interface": "BMC", "network": "ipmi"},
                               {"interface": "ib0", "network": "ib"}],
                "comment": "CPU nodes"},
    "gpu": {"interfaces": [{"interface": "BOOTIF", "network": "cluster"},
                           {"interface": "BMC", "network": "ipmi"}],
            "comment": "GPU nodes"},
}
COMPUTE_NODES, GPU_NODES = 48, 16


def nodes():
    for number in range(1, COMPUTE_NODES + GPU_NODES + 1):
        mac = f"52:54:00:00:{number >> 8:02x}:{number & 0xff:02x}"
        group = "compute" if number <= COMPUTE_NODES else "gpu"
        yield f"node{number:03d}", {"group": group, "macaddr": mac}


class Client:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.token = None

    def request(self, method, path, body=None):
        """(status, decoded JSON or None); HTTP errors are answers too."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("x-access-tokens", self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        return status, json.loads(raw) if raw.strip() else None

    def save(self, kind, name, fields):
        status, answer = self.request("POST", f"/config/{kind}/{name}",
                                      {"config": {kind: {name: fields}}})
        if status not in (201, 204):
            sys.exit(f"demo: POST /config/{kind}/{name} answered {status}: {answer}")
        return status


def wait_for_server(client, pid_file, log, timeout=60):
    """Wait until /version answers; fail early, with the log, if the server died."""
    pid = int(open(pid_file).read()) if pid_file else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not os.path.exists(f"/proc/{pid}"):
            break
        try:
            status, answer = client.request("GET", "/version")
            if status == 200:
                return answer["version"]
        except OSError:
            pass
        time.sleep(0.2)
    tail = open(log).read()[-3000:] if log and os.path.exists(log) else ""
    sys.exit(f"demo: the server at {client.url} did not come up. Its log ({log}):\n{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7050")
    parser.add_argument("--pid-file", help="the server's pid file: stop waiting if it dies")
    parser.add_argument("--log", help="the server's log, shown if it does not come up")
    args = parser.parse_args()
    user = os.environ.get("CAIRN_ADMIN_USER", "admin")
    password = os.environ.get("CAIRN_ADMIN_PASSWORD") or "demo"

    client = Client(args.url)
    version = wait_for_server(client, args.pid_file, args.log)
    status, answer = client.request("POST", "/token", {"username": user, "password": password})
    if status != 201:
        sys.exit(f"demo: login as '{user}' failed ({status}: {answer}). The admin password is set "
                 f"when the database is created: if var/demo was made with another "
                 f"CAIRN_ADMIN_PASSWORD, use that one, or start afresh with "
                 f"'make demo-stop; rm -rf var/demo; make demo'.")
    client.token = answer["token"]

    started = time.monotonic()
    counts = {201: 0, 204: 0}
    for kind, objects in (("network", NETWORKS.items()), ("group", GROUPS.items()), ("node", nodes())):
        for name, fields in objects:
            counts[client.save(kind, name, fields)] += 1
    dummy, listed = client.request("GET", "/config/node")
    total = len(listed["config"]["node"])
    print(f"Loaded the demo cluster into cairn-server {version['luna']} at {args.url} in "
          f"{time.monotonic() - started:.1f} s: {counts[201]} objects created, {counts[204]} "
          f"updated; the server now holds {total} nodes.")
    print(usage(args.url, user, password))


def usage(url, user, password):
    shown = "demo" if password == "demo" else "$CAIRN_ADMIN_PASSWORD"
    return f"""
The demo server runs in the background on {url} (SQLite in var/demo, log in var/demo/server.log).
Its admin is '{user}' with the password '{shown}' -- a demo password, for this loopback demo only.

Get a token (valid for an hour) and query the API:

  TOKEN=$(curl -s -X POST {url}/token -d "{{\\"username\\": \\"{user}\\", \\"password\\": \\"{shown}\\"}}" \\
          | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  curl -s -H "x-access-tokens: $TOKEN" {url}/config/node/node001 | python3 -m json.tool
  curl -s -H "x-access-tokens: $TOKEN" {url}/config/network/cluster/_list | python3 -m json.tool
  curl -s -H "x-access-tokens: $TOKEN" {url}/config/network/cluster/_nextfreeip
  curl -s {url}/openapi.json | python3 -m json.tool | less

Stop it with: make demo-stop   (make demo again starts it afresh on the same data)
"""


if __name__ == "__main__":
    main()
