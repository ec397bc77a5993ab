"""The server keeps a real Kea and a real BIND current: debounced re-render and reload,
/service/<name>/reload and /monitor/service/<name>.

Each backend's server renders into a scratch directory; the test runs kea-dhcp4
(on a free port, its control socket, lease and pid files in the scratch directory)
on the server's kea-dhcp4.json, and named (on a free port, rndc on another, with a
key from rndc-confgen) on a named.conf that includes the server's include. The
server finds kea-dhcp4 through a PATH whose first directory holds a wrapper: it runs
the real tool, or refuses every file while the test has put a flag beside it.
Daemons are stopped by PID at the end.
"""

import json
import os
import socket
import subprocess

import pytest

from conftest import (BACKENDS, Server, assert_error, await_state, free_port, make_admin, make_group,
                      require_postgresql, require_tool, stop_process)

DELAY = 1  # render_delay of the test servers, seconds


def _kea(path, command):
    """Kea's answer to ``command`` on its control socket (the test's own client)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(path)
        sock.sendall(json.dumps({"command": command}).encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return json.loads(received)


class Controller:
    """The server with its Kea and BIND, all in ``scratch``."""

    def __init__(self, backend, scratch):
        self.scratch = scratch
        self.render_dir = os.path.join(scratch, "render")
        self.kea_socket = os.path.join(scratch, "kea.sock")
        self.dns_port, rndc_port = free_port(), free_port()
        key = os.path.join(scratch, "rndc.key")
        subprocess.run([require_tool("rndc-confgen"), "-a", "-c", key, "-k", "cairn-test"], check=True,
                       capture_output=True)
        self.wrappers = os.path.join(scratch, "bin")
        os.makedirs(self.wrappers)
        self.refusal = os.path.join(self.wrappers, "refuse")
        _write(os.path.join(self.wrappers, "kea-dhcp4"), 0o755,
               f'#!/bin/sh\nif [ -e "{self.refusal}" ]; then echo "refused by the test"; exit 1; fi\n'
               f'exec "{require_tool("kea-dhcp4")}" "$@"\n')
        self.processes = {}
        self.server = Server(backend, scratch, extra_env={
            "PATH": f"{self.wrappers}:{os.environ['PATH']}",
            "CAIRN_RENDER_DIR": self.render_dir,
            "CAIRN_RENDER_DELAY": str(DELAY),
            # 2 processes: worker 0 renders, either answers /monitor/service and reloads
            "CAIRN_WORKERS": "2",
            "CAIRN_RELOAD_COOLDOWN": "600",
            "CAIRN_KEA_CONTROL_SOCKET": self.kea_socket,
            "CAIRN_KEA_LEASE_FILE": os.path.join(scratch, "kea-leases4.csv"),
            "CAIRN_RNDC_COMMAND": f"{require_tool('rndc')} -k {key} -s 127.0.0.1 -p {rndc_port}"})
        self.kea_file = os.path.join(self.render_dir, "dhcp", "kea-dhcp4.json")
        self.include = os.path.join(self.render_dir, "dns", "named.conf.cairn")
        await_state("the first render", lambda: os.path.exists(self.kea_file) and os.path.exists(self.include))
        self._start_kea()
        self._start_named(key, rndc_port)

    def _start_kea(self):
        env = dict(os.environ, KEA_PIDFILE_DIR=self.scratch, KEA_LOCKFILE_DIR=self.scratch)
        self._start("kea", [require_tool("kea-dhcp4"), "-c", self.kea_file, "-p", str(free_port())], env)
        await_state("Kea's control socket", lambda: self._answers(lambda: self.kea("status-get")))

    def _start_named(self, key, rndc_port):
        work = os.path.join(self.scratch, "named")
        os.makedirs(work)
        conf = os.path.join(self.scratch, "named.conf")
        _write(conf, 0o644, f"""options {{
    directory "{work}"; pid-file "{work}/named.pid"; session-keyfile "{work}/session.key";
    listen-on port {self.dns_port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; recursion no;
}};
include "{key}";
controls {{ inet 127.0.0.1 port {rndc_port} allow {{ 127.0.0.1; }} keys {{ "cairn-test"; }}; }};
include "{self.include}";
""")
        self._start("named", [require_tool("named"), "-g", "-4", "-c", conf], dict(os.environ))
        await_state("named", lambda: self.dig("localhost.") is not None)

    def _start(self, name, argv, env):
        log = open(os.path.join(self.scratch, f"{name}.log"), "w")
        self.processes[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def stop_daemon(self, name):
        stop_process(self.processes.pop(name), timeout=15)

    def close(self):
        for name in list(self.processes):
            self.stop_daemon(name)
        self.server.stop()

    @staticmethod
    def _answers(probe):
        try:
            return probe()
        except OSError:
            return None

    def kea(self, command):
        answer = _kea(self.kea_socket, command)
        assert answer["result"] == 0, answer
        return answer

    def reservations(self):
        """{mac: ip} of the configuration Kea runs with."""
        subnets = self.kea("config-get")["arguments"]["Dhcp4"]["subnet4"]
        return {host["hw-address"]: host["ip-address"] for subnet in subnets
                for host in subnet["reservations"]}

    def dig(self, name):
        """The A records named answers for ``name``; None when it does not answer."""
        done = subprocess.run([require_tool("dig"), "@127.0.0.1", "-p", str(self.dns_port), name, "A",
                               "+short", "+time=2", "+tries=1"], capture_output=True, text=True, check=False)
        return done.stdout.split() if done.returncode == 0 else None

    def monitor(self, name):
        answer = self.server.get(f"/monitor/service/{name}")
        return answer.status_code, answer.json()


def _write(path, mode, text):
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


@pytest.fixture(scope="module", params=BACKENDS)
def ctl(request, tmp_path_factory):
    if request.param == "postgresql":
        require_postgresql()
    for tool in ("kea-dhcp4", "named", "rndc", "rndc-confgen", "dig", "named-checkzone", "named-checkconf"):
        require_tool(tool)
    controller = None
    try:
        controller = Controller(request.param, str(tmp_path_factory.mktemp(f"services-{request.param}")))
        answer = controller.server.save("network", "cluster", {
            "network": "10.141.0.0/24", "dhcp": True,
            "dhcp_range_begin": "10.141.0.200", "dhcp_range_end": "10.141.0.250"})
        assert answer.status_code == 201, answer.text
        make_group(controller.server, "compute", [("BOOTIF", "cluster")])
        # The first render came before the daemons: its reloads failed. This change
        # renders and reloads again, now that they answer.
        for name in ("dhcp", "dns"):
            await_state(f"{name} fine", lambda: controller.monitor(name)[0] == 200)
        yield controller
    finally:
        if controller is not None:
            controller.close()


def _node(ctl, name, mac):
    answer = ctl.server.save("node", name, {"group": "compute", "macaddr": mac})
    assert answer.status_code == 201, answer.text
    return {i["interface"]: i["ipaddress"] for i in ctl.server.record("node", name)["interfaces"]}["BOOTIF"]


def test_new_nodes_reach_kea_and_bind_after_the_debounce(ctl):
    wanted = {f"52:54:00:00:01:0{i}": _node(ctl, f"node00{i}", f"52:54:00:00:01:0{i}") for i in (1, 2, 3)}
    await_state("Kea's reservations", lambda: wanted.items() <= ctl.reservations().items())
    for i, address in enumerate(wanted.values(), start=1):
        await_state(f"node00{i} in DNS", lambda: ctl.dig(f"node00{i}.cluster") == [address])
    with open(ctl.kea_file) as handle:
        assert "52:54:00:00:01:01" in handle.read()
    for name in ("dhcp", "dns"):
        assert ctl.monitor(name) == (200, {"monitor": {"service": {name: "OK, running"}},
                                           **_counters(ctl, name)})


def _counters(ctl, name):
    _status, body = ctl.monitor(name)
    return {key: body[key] for key in ("renders", "reloads", "rendered")}


def test_a_burst_of_changes_gives_few_renders(ctl):
    count = 20
    before = _counters(ctl, "dhcp")["renders"]
    wanted = {f"52:54:00:00:02:{i:02x}": _node(ctl, f"burst{i:02d}", f"52:54:00:00:02:{i:02x}")
              for i in range(count)}
    await_state("the burst in Kea", lambda: wanted.items() <= ctl.reservations().items())
    renders = _counters(ctl, "dhcp")["renders"] - before
    assert 1 <= renders <= count // 4, renders


def _when_refused(answer):
    """A monitor answer (status, body) once the status is 500, else None (wait on)."""
    status, _body = answer
    return answer if status == 500 else None


def test_a_refused_file_stays_out_and_the_error_shows(ctl):
    with open(ctl.kea_file) as handle:
        old = handle.read()
    open(ctl.refusal, "w").close()
    try:
        _node(ctl, "refused01", "52:54:00:00:03:01")
        status, body = await_state("the refusal", lambda: _when_refused(ctl.monitor("dhcp")))
        assert "refused by the test" in body["monitor"]["service"]["dhcp"]
        with open(ctl.kea_file) as handle:
            assert handle.read() == old
        assert "52:54:00:00:03:01" not in ctl.reservations()
        # DNS renders regardless: its tools accept its files.
        await_state("refused01 in DNS", lambda: ctl.dig("refused01.cluster"))
        assert ctl.monitor("dns")[0] == 200
        reload = ctl.server.get("/service/dhcp/reload")
        assert_error(reload, 500)
        assert "refused by the test" in reload.json()["message"]
    finally:
        os.unlink(ctl.refusal)
    # The next change renders again, and all is well.
    _node(ctl, "refused02", "52:54:00:00:03:02")
    await_state("both in Kea", lambda: {"52:54:00:00:03:01", "52:54:00:00:03:02"} <= set(ctl.reservations()))
    await_state("dhcp fine", lambda: ctl.monitor("dhcp")[0] == 200)


def test_a_file_changed_on_disk_shows(ctl):
    with open(ctl.kea_file) as handle:
        rendered = handle.read()
    _write(ctl.kea_file, 0o644, rendered + "\n")
    try:
        status, body = ctl.monitor("dhcp")
        assert status == 500
        assert body["monitor"]["service"]["dhcp"] == \
            "not the files last rendered: kea-dhcp4.json changed on disk"
    finally:
        _write(ctl.kea_file, 0o644, rendered)
    assert ctl.monitor("dhcp")[0] == 200


def test_reload_renders_now_and_then_cools_down(ctl):
    first = ctl.server.get("/service/dns/reload")
    assert first.status_code == 200, first.text
    assert first.json() == {"message": "dns reloaded"}
    second = ctl.server.get("/service/dns/reload")
    assert second.status_code == 204 and second.text == ""
    for name in ("luna2", "cairn"):
        assert ctl.server.get(f"/service/{name}/reload").status_code == 200
        assert ctl.server.get(f"/service/{name}/reload").status_code == 204


def test_the_server_itself_and_unknown_names(ctl):
    for name in ("cairn", "luna2"):
        assert ctl.monitor(name) == (200, {"monitor": {"service": {name: "OK"}}})
    assert_error(ctl.server.get("/monitor/service/ghost"), 404)
    assert_error(ctl.server.get("/service/ghost/reload"), 404)


def test_reading_needs_config_read_and_reloading_config_write(ctl):
    token = make_admin(ctl.server, "watcher", ["role.readonly"])
    headers = {"x-access-tokens": token}
    assert ctl.server.http.get(ctl.server.url + "/monitor/service/dns", headers=headers).status_code == 200
    assert_error(ctl.server.http.get(ctl.server.url + "/service/dhcp/reload", headers=headers), 403)
    assert_error(ctl.server.http.get(ctl.server.url + "/monitor/service/dns",
                                     headers={"x-access-tokens": ""}), 401)


def test_a_stopped_daemon_fails_its_monitor(ctl):  # last: it stops the daemons
    ctl.stop_daemon("named")
    status, body = ctl.monitor("dns")
    assert status == 500 and "rndc" in body["monitor"]["service"]["dns"]
    ctl.stop_daemon("kea")
    status, body = ctl.monitor("dhcp")
    assert status == 500 and "control socket" in body["monitor"]["service"]["dhcp"]
