"""End to end: BIND serves the zones Cairn renders, and dig finds node and device
names forward (A) and their addresses in reverse (PTR).

The cluster is built through the HTTP API of a real server; ``cairn-server
render`` writes the zones and the named.conf include from its database, and
named runs in the foreground in a network namespace of its own, from a
top-level named.conf that includes the rendered one. SQLite is enough here:
rendering reads both engines alike, and the tests on both backends cover it.
Run alone: ``.venv/bin/python -m pytest tests/e2e -q`` (as root).
"""

import ipaddress
import os
import re
import sys

import pytest

import netlab
from conftest import Server, free_port
from e2e_cluster import build


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(addresses by name, controller, dig in named's namespace) while named serves the zones."""
    named, dig = netlab.require_lab("named", "dig")
    tmp = tmp_path_factory.mktemp("dns")
    (tmp / "server").mkdir()
    server = Server("sqlite", str(tmp / "server"))
    with netlab.Lab() as lab:
        lab.callback(server.stop)
        devices, controller = build(server, "10.142.0.0/20")
        include = render(server, controller, tmp / "rendered")
        netns, port = lab.netns("dns"), free_port()
        conf = tmp / "named.conf"
        conf.write_text(f"""options {{
    directory "{tmp}";
    pid-file "{tmp}/named.pid";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
}};
controls {{ }};
include "{include}";
""")
        daemon = lab.daemon([named, "-g", "-4", "-c", str(conf)], str(tmp / "named.log"), netns)

        def ask(*query):
            # A UDP query or its answer may be lost on a busy machine: dig asks again. A
            # wrong answer (NXDOMAIN, another address) comes at once and is never retried.
            result = netlab.run(dig, "@127.0.0.1", "-p", str(port), "+short", "+time=1", "+tries=3",
                                *query, netns=netns, check=False)
            return result.stdout.split()

        # The right answer, not any output: before named listens, dig's own error lines
        # are output too, and until its zones are loaded it answers without them.
        netlab.wait_for(lambda: f"named does not answer:\n{daemon.output()}",
                        lambda: ask("controller.cluster", "A") == [controller], timeout=20)
        yield devices, controller, ask


def render(server, controller, out_dir):
    """``cairn-server render`` into ``out_dir``; the include's path, after checking that
    every zone it names is an absolute path to a rendered file."""
    result = netlab.run(sys.executable, "-m", "cairn.cli", "render", "--out", str(out_dir),
                        "--db", server.db, "--data-dir", server.data_dir, "--server", controller)
    include = str(out_dir / "dns" / "named.conf.cairn")
    assert include in result.stdout.split()
    files = re.findall(r'file "([^"]+)"', open(include).read())
    assert files and all(os.path.isabs(f) and os.path.dirname(f) == str(out_dir / "dns") and
                         os.path.isfile(f) for f in files), files
    return include


@pytest.mark.parametrize("name", ["node001", "node002", "switch01", "pdu01", "controller"])
def test_names_resolve_forward_and_back(served, name):
    devices, controller, ask = served
    address = devices.get(name, controller)
    assert ask(f"{name}.cluster", "A") == [address]
    assert ask("-x", address) == [f"{name}.cluster."]


def test_the_reverse_zones_of_a_20_answer_across_its_24s(served):
    """10.142.0.0/20 is sixteen /24 zones: the controller in the last, nodes in the first."""
    devices, controller, ask = served
    assert ipaddress.ip_address(controller).packed[2] == 15
    assert ipaddress.ip_address(devices["node001"]).packed[2] == 0
    assert ask("SOA", "1.142.10.in-addr.arpa")  # an empty /24 of the network is served too


def test_an_unknown_name_is_nxdomain(served):
    _devices, _controller, ask = served
    assert ask("node999.cluster", "A") == []
