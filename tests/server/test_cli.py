"""cairn-server as an admin starts it: settings from file, environment and flags;
the first superadmin; the token key kept across restarts; the help text; rendering
the DHCP and DNS files."""

import os
import re
import stat
import subprocess
import sys
import time

import pytest
import requests

from cairn import config
from conftest import cluster_network, free_port, make_group, make_node, require_tool

CLI = [sys.executable, "-m", "cairn.cli"]


def _environ(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env.update(extra)
    return env


class Running:
    """``cairn-server serve`` with the given arguments, until the block ends."""

    def __init__(self, args, env, port):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(CLI + ["serve", *args], env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stdout.read()
            try:
                requests.get(self.url + "/version", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("cairn-server did not answer")

    def __exit__(self, *exc):
        self.process.terminate()
        self.output = self.process.communicate(timeout=15)[0]

    def login(self, user, password):
        return requests.post(self.url + "/token", json={"username": user, "password": password})


def test_first_start_generates_the_superadmin_password_once(tmp_path):
    port = free_port()
    args = ["--bind", f"127.0.0.1:{port}", "--data-dir", str(tmp_path)]
    with Running(args, _environ(CAIRN_ADMIN_USER="root"), port) as first:
        pass
    found = re.findall(r"Created superadmin 'root' with password: (\S+)", first.output)
    assert len(found) == 1, first.output
    password = found[0]
    key = tmp_path / "token.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    with Running(args, _environ(), port) as second:
        answer = second.login("root", password)
        assert answer.status_code == 201, answer.text
        assert second.login("root", "not-" + password).status_code == 401
        token = answer.json()["token"]
    assert "Created superadmin" not in second.output
    assert password not in second.output

    # The key survives a restart: a token from before still works.
    with Running(args, _environ(), port) as third:
        answer = requests.get(third.url + "/config/cluster", headers={"x-access-tokens": token})
        assert answer.status_code == 200, answer.text


def test_settings_come_from_file_then_environment_then_flags(tmp_path):
    file_port, env_port, flag_port = free_port(), free_port(), free_port()
    settings_file = tmp_path / "cairn.toml"
    settings_file.write_text(f'bind = "127.0.0.1:{file_port}"\n'
                             f'data_dir = "{tmp_path / "data"}"\n'
                             'controller_name = "from-file"\n'
                             'admin_password = "file-password"\n')
    env = _environ(CAIRN_CONFIG=str(settings_file))
    with Running([], env, file_port) as server:
        assert server.login("admin", "file-password").status_code == 201
        token = server.login("admin", "file-password").json()["token"]
        cluster = requests.get(server.url + "/config/cluster",
                               headers={"x-access-tokens": token}).json()["config"]["cluster"]
        assert cluster["from-file"]["serverport"] == file_port
    assert (tmp_path / "data" / "cairn.db").exists()

    env["CAIRN_BIND"] = f"127.0.0.1:{env_port}"
    with Running([], env, env_port):
        pass
    with Running(["--bind", f"127.0.0.1:{flag_port}"], env, flag_port):
        pass


def test_settings_precedence_in_process(tmp_path):
    settings_file = tmp_path / "cairn.toml"
    settings_file.write_text('threads = 4\ntoken_lifespan = 60\nbind = "127.0.0.1:1"\n')
    loaded = config.load(str(settings_file), environ={"CAIRN_THREADS": "8"},
                         overrides={"bind": "127.0.0.1:2", "data_dir": str(tmp_path)})
    assert (loaded.threads, loaded.token_lifespan, loaded.port) == (8, 60, 2)
    assert loaded.db == f"sqlite:///{tmp_path / 'cairn.db'}"


@pytest.mark.parametrize("content, message", [
    ('colour = "blue"\n', "unknown setting 'colour'"),
    ('threads = "many"\n', "threads must be a whole number"),
    ('bind = "localhost"\n', "bind must be HOST:PORT"),
])
def test_bad_settings_stop_the_server_with_a_message(tmp_path, content, message):
    settings_file = tmp_path / "cairn.toml"
    settings_file.write_text(content)
    done = subprocess.run(CLI + ["serve", "--config", str(settings_file), "--data-dir", str(tmp_path)],
                          env=_environ(), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert message in done.stderr


def test_help_documents_every_setting():
    done = subprocess.run(CLI + ["serve", "--help"], capture_output=True, text=True, check=True)
    top = subprocess.run(CLI + ["--help"], capture_output=True, text=True, check=True).stdout
    for flag in ("--bind", "--db", "--data-dir", "--config", "--threads", "--token-lifespan"):
        assert flag in done.stdout
    for name, _text in config.documented():
        assert f"CAIRN_{name.upper()}" in top


def test_migrate_then_serve_on_the_same_database(tmp_path):
    done = subprocess.run(CLI + ["migrate", "--data-dir", str(tmp_path)], env=_environ(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "latest schema" in done.stderr
    port = free_port()
    with Running(["--bind", f"127.0.0.1:{port}", "--data-dir", str(tmp_path)],
                 _environ(CAIRN_ADMIN_PASSWORD="pw"), port) as server:
        assert server.login("admin", "pw").status_code == 201


def test_render_writes_checked_dhcp_and_dns_files_of_the_database(server, tmp_path):
    for tool in ("kea-dhcp4", "dhcpd", "named-checkzone", "named-checkconf"):
        require_tool(tool)
    cluster_network(server, "rendered", "10.150.0.0/16", dhcp=True,
                    dhcp_range_begin="10.150.200.1", dhcp_range_end="10.150.200.250")
    make_group(server, "rendered", [("BOOTIF", "rendered")])
    make_node(server, "rendered001", "rendered", macaddr="52:54:00:96:00:01")
    out = tmp_path / "out"
    done = subprocess.run(CLI + ["render", "--out", str(out), "--db", server.db, "--server", "10.150.255.254",
                                 "--data-dir", str(tmp_path)],
                          env=_environ(CAIRN_BIND="127.0.0.1:7077"), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    written = done.stdout.split()
    dhcp = {name: (out / "dhcp" / name).read_text() for name in ("kea-dhcp4.json", "dhcpd.conf")}
    for text in dhcp.values():
        assert "rendered001" in text and "52:54:00:96:00:01" in text
        assert "http://10.150.255.254:7077/boot/search/mac/" in text  # --server, bind's port
    zone = (out / "dns" / "rendered.zone").read_text()
    assert "rendered001" in zone
    assert {str(out / "dhcp" / "dhcpd.conf"), str(out / "dns" / "rendered.zone"),
            str(out / "dns" / "named.conf.cairn")} <= set(written)


def test_render_refuses_a_boot_server_that_is_no_ipv4_address(tmp_path):
    done = subprocess.run(CLI + ["render", "--out", str(tmp_path), "--data-dir", str(tmp_path),
                                 "--server", "0.0.0.0"],
                          env=_environ(), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "--server" in done.stderr and not (tmp_path / "dhcp").exists()
