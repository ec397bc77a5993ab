"""/boot/install and the node's provisioning token, over HTTP from the nodes' own addresses.

The nodes live in 127.77.0.0/16: the whole of 127/8 is local, so a request bound
to a node's address reaches the server (on 127.0.0.1) with that peer address.
The installer really runs: bash, curl, sha256sum and tar against the live
server, into a temporary root.
"""

import base64
import os
import shlex
import subprocess

import jwt
import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import assert_error, cluster_network, make_group, make_node
from test_journal import controller
from test_packing import make_image, make_tree, pack

NODE_IP = {"in01": "127.77.0.11", "in02": "127.77.0.12", "inbmc": "127.77.0.13",
           "inbare": "127.77.0.14"}
MAC = {"in01": "52:54:00:c1:00:01", "in02": "52:54:00:c1:00:02", "inbmc": "52:54:00:c1:00:03",
       "inbare": "52:54:00:c1:00:04"}
#: Values a shell would run if they were written into a script unquoted.
HOSTILE = "it's \"$(touch PWNED1)\" `touch PWNED2`\n$(touch PWNED3); touch PWNED4 \\"
HOSTILE_PATH = "/etc/it's $(touch PWNED5)/`touch PWNED6`;x"
BMC_PASSWORD = "pw'$(touch PWN)\"`x`"  # 20 printable ASCII characters at most
PRESCRIPT = 'echo "it\'s pre" > "$CAIRN_ROOT/pre-ran"'
PARTSCRIPT = 'mkdir -p "$CAIRN_ROOT/data" && echo parted > "$CAIRN_ROOT/data/marker"'
POSTSCRIPT = 'echo "post $(cat "$CAIRN_ROOT/etc/hostname")" > "$CAIRN_ROOT/post-ran"\n'


class _From(HTTPAdapter):
    """Connections bound to a source address."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def client(address, token=None):
    """A session whose requests come from ``address``, with ``token`` if given."""
    session = requests.Session()
    session.mount("http://", _From(address))
    if token:
        session.headers["x-access-tokens"] = token
    return session


@pytest.fixture(scope="module")
def world(server, tmp_path_factory):
    """Nodes in1, in2 (and inbmc, inbare) of a group that installs a packed image."""
    images = tmp_path_factory.mktemp("images")
    cluster_network(server, "prov", "127.77.0.0/16")
    cluster_network(server, "ipmi", "10.148.0.0/16")
    make_image(server, "inimg", make_tree(images / "inimg"))
    make_image(server, "otherimg", make_tree(images / "otherimg"))
    image, other = pack(server, "inimg"), pack(server, "otherimg")
    assert server.save("bmcsetup", "inbmcsetup", {"userid": 3, "username": "ad'min",
                                                  "password": BMC_PASSWORD, "netchannel": 1,
                                                  "mgmtchannel": 2}).status_code == 201
    make_group(server, "ingrp", [("BOOTIF", "prov")], osimage="inimg", bmcsetupname="inbmcsetup",
               prescript=PRESCRIPT, partscript=PARTSCRIPT,
               postscript=base64.b64encode(POSTSCRIPT.encode()).decode())
    for name in NODE_IP:
        interfaces = [{"interface": "BOOTIF", "network": "prov", "ipaddress": NODE_IP[name]}]
        if name == "inbmc":
            interfaces.append({"interface": "BMC", "network": "ipmi", "ipaddress": "10.148.0.13"})
        make_node(server, name, "ingrp", macaddr=MAC[name], interfaces=interfaces,
                  setupbmc=name == "inbmc")
    # A node of no image: its group's is "inimg", so take the image away from the group's view.
    assert server.save("osimage", "bareimg", {}).status_code == 201
    assert server.save("node", "inbare", {"osimage": "bareimg"}).status_code == 204
    _secret(server, "group", "ingrp", "grp-key", "group secret\n", "/etc/cairn/group.key")
    _secret(server, "node", "in01", "node-key", HOSTILE, HOSTILE_PATH)
    _secret(server, "node", "in01", "no-path", "stays on the server", None)
    return {"server": server, "image": image, "other": other}


def _secret(server, kind, owner, name, content, path):
    answer = server.post(f"/config/secrets/{kind}/{owner}", {"config": {"secrets": {kind: {owner: [
        {"secretname": name, "content": content, "path": path}]}}}})
    assert answer.status_code in (201, 204), answer.text


def token_of(world, name):
    """The token in the boot script the node gets from its own address."""
    script = client(NODE_IP[name]).get(f"{world['server'].url}/boot/search/{MAC[name]}").text
    args = [word for word in script.split() if word.startswith("luna.token=")]
    assert len(args) == 1, script
    return args[0].split("=", 1)[1]


def installer(world, name, token=None, address=None):
    return client(address or NODE_IP[name], token).get(f"{world['server'].url}/boot/install/{name}")


# -- the token ------------------------------------------------------------------

def test_the_boot_script_carries_a_token_only_for_the_nodes_own_address(world):
    server = world["server"]
    token = token_of(world, "in01")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["kind"], claims["sub"]) == ("node", "in01")
    assert 0 < claims["exp"] - claims["iat"] <= 1800
    for address in ("127.0.0.1", NODE_IP["in02"]):
        script = client(address).get(f"{server.url}/boot/search/{MAC['in01']}")
        assert script.status_code == 200 and "luna.node=in01" in script.text
        assert "luna.token" not in script.text
    forwarded = requests.get(f"{server.url}/boot/search/{MAC['in01']}",
                             headers={"X-Forwarded-For": NODE_IP["in01"]})
    assert "luna.token" not in forwarded.text


def test_the_token_reaches_its_own_node_and_its_images_files_only(world):
    server, token = world["server"], token_of(world, "in01")
    node = client("127.0.0.1", token)
    assert node.get(f"{server.url}/monitor/status/in01").status_code == 200
    assert node.post(f"{server.url}/monitor/status/in01", json={
        "monitor": {"status": {"in01": {"state": "installer.test"}}}}).status_code == 204
    assert node.get(f"{server.url}/files/{world['image']['tarball']}").status_code == 200
    assert node.get(f"{server.url}/files/{world['image']['packed_kernel']}").status_code == 200
    assert_error(node.get(f"{server.url}/files/{world['other']['tarball']}"), 404)
    for path in ("/monitor/status/in02", "/monitor/status/ghost", "/boot/install/in02"):
        assert_error(node.get(server.url + path), 403)
    assert_error(node.post(f"{server.url}/monitor/status/in02", json={
        "monitor": {"status": {"in02": {"state": "installer.test"}}}}), 403)
    for path in ("/config/node", "/config/node/in01", "/config/secrets/node/in01", "/config/cluster",
                 "/journal/x", "/config/bmcsetup/inbmcsetup"):
        assert_error(node.get(server.url + path), 403)
    assert_error(node.post(f"{server.url}/config/node/in01", json={
        "config": {"node": {"in01": {"comment": "x"}}}}), 403)


def test_a_tampered_or_foreign_token_is_refused(world):
    server, token = world["server"], token_of(world, "in01")
    forged = jwt.encode({**jwt.decode(token, options={"verify_signature": False}), "sub": "in02"},
                        "not the key of this server, but as long as one", algorithm="HS256")
    assert_error(installer(world, "in02", forged), 401)
    assert_error(client("127.0.0.1").get(f"{server.url}/boot/install/in01"), 401)


# -- /boot/install --------------------------------------------------------------

def test_the_installer_is_served_only_to_the_nodes_own_address(world):
    server, token = world["server"], token_of(world, "in01")
    assert installer(world, "in01", token).status_code == 200
    assert_error(installer(world, "in01", token, address="127.0.0.1"), 403)
    assert_error(installer(world, "in01", token, address=NODE_IP["in02"]), 403)
    assert_error(installer(world, "in01"), 401)
    # An admin who may read secrets, from the node's address too; 404 for a missing node.
    assert installer(world, "in01", server.token).status_code == 200
    assert_error(installer(world, "in01", server.token, address="127.0.0.1"), 403)
    assert_error(installer(world, "ghost", server.token, address="127.0.0.1"), 404)


def test_the_script_is_valid_bash_and_quotes_every_value(world, tmp_path):
    answer = installer(world, "in01", token_of(world, "in01"))
    assert answer.headers["Content-Type"].startswith("text/plain")
    script = answer.text
    assert subprocess.run(["bash", "-n"], input=script, text=True, check=False).returncode == 0
    assert shlex.quote(HOSTILE) in script and shlex.quote(HOSTILE_PATH) in script
    assert "stays on the server" not in script  # a secret without a path
    assert "ipmitool" not in script and BMC_PASSWORD not in script


def _run(world, name, root, cwd, token=None):
    script = installer(world, name, token or token_of(world, name)).text
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "CAIRN_ROOT": str(root)}, timeout=120, check=False)


def _state(world, name):
    answer = world["server"].get(f"/monitor/status/{name}")
    assert answer.status_code == 200, answer.text
    return answer.json()["monitor"]["status"][name]


def test_the_installer_runs_and_installs_the_node(world, tmp_path):
    root, cwd = tmp_path / "sysroot", tmp_path / "cwd"
    cwd.mkdir()
    run = _run(world, "in01", root, cwd)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (root / "usr" / "bin" / "tool").read_text() == "#!/bin/sh\necho tool\n"
    assert (root / "boot" / "vmlinuz-x").exists() and os.readlink(root / "outside") == "/etc/passwd"
    assert (root / "etc" / "hostname").read_text() == "in01.prov\n"
    assert (root / "pre-ran").read_text() == "it's pre\n"
    assert (root / "data" / "marker").read_text() == "parted\n"
    assert (root / "post-ran").read_text() == "post in01.prov\n"  # decoded from base64, after unpacking
    for path, content in (("/etc/cairn/group.key", "group secret\n"), (HOSTILE_PATH, HOSTILE)):
        target = root / path.lstrip("/")
        assert target.read_text() == content
        assert os.stat(target).st_mode & 0o777 == 0o600
    assert not list(tmp_path.rglob("PWNED*")) + list(root.rglob("PWNED*"))
    assert _state(world, "in01") == {"state": "installer.completed",
                                     "status": "Cairn installer: node installed"}


def test_a_failing_installer_reports_the_error(world, tmp_path):
    (tmp_path / "sysroot").write_text("a file where the root should be")
    run = _run(world, "in02", tmp_path / "sysroot", tmp_path)
    assert run.returncode == 1
    assert _state(world, "in02")["state"] == "installer.error"


def test_a_node_without_a_packed_image_is_told_why(world, tmp_path):
    # Its boot script cannot boot it, so it holds no token: an admin fetches the installer.
    run = _run(world, "inbare", tmp_path / "sysroot", tmp_path, world["server"].token)
    assert run.returncode == 1 and "was never packed" in run.stderr
    assert _state(world, "inbare") == {"state": "installer.error",
                                       "status": "Cairn installer: osimage bareimg was never packed"}


# -- in-band BMC setup ----------------------------------------------------------

def test_setupbmc_sets_up_the_bmc_with_quoted_values(world):
    server = world["server"]
    script = installer(world, "inbmc", token_of(world, "inbmc")).text
    assert subprocess.run(["bash", "-n"], input=script, text=True, check=False).returncode == 0
    password = shlex.quote(BMC_PASSWORD)
    for line in ("ipmitool lan set 1 ipsrc static", "ipmitool lan set 1 ipaddr 10.148.0.13",
                 "ipmitool lan set 1 netmask 255.255.0.0",
                 "ipmitool lan set 1 defgw ipaddr 10.148.255.254",
                 f"ipmitool user set name 3 {shlex.quote(chr(97) + 'd' + chr(39) + 'min')}",
                 f"ipmitool user set password 3 {password} 20",
                 "ipmitool channel setaccess 2 3 link=on ipmi=on callin=on privilege=4",
                 "ipmitool user enable 3"):
        assert line in script.splitlines(), line
    # Nothing served without the token holds the password.
    for address in (NODE_IP["inbmc"], "127.0.0.1"):
        for path in (f"/boot/search/{MAC['inbmc']}", "/boot", f"/boot/manual/hostname/inbmc/{MAC['inbmc']}"):
            assert BMC_PASSWORD not in client(address).get(server.url + path).text
    journal = server.get(f"/journal/{controller(server)}", params={"limit": 10000})
    assert journal.status_code == 200 and "inbmcsetup" in journal.text
    assert BMC_PASSWORD not in journal.text and "pw'" not in journal.text
