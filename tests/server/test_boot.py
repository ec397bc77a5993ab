"""/boot over HTTP: the iPXE script each booting machine gets, without a token."""

import json

import pytest
import requests
from sqlalchemy import event, insert, select, update

from cairn.config import Settings
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import osimage, osimagetag
from cairn.service import accounts, boot, install, packing
from cairn.service.tx import Context
from conftest import assert_bad, assert_error, cluster_network, make_group, make_node
from test_journal import journal
from test_packing import packed_image

MAC = "52:54:00:b0:00:{:02x}"


def _set_rows(server, table, values, name=None):
    """Write what packing and tagging would (as test_isolation does): no image trees here."""
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            if name is None:
                conn.execute(insert(table).values(**values))
            else:
                conn.execute(update(table).where(table.c.name == name).values(**values))
    finally:
        engine.dispose()


def _image(server, name, packed=True, options="quiet console=ttyS0,115200n8"):
    answer = server.save("osimage", name, {"kerneloptions": options})
    assert answer.status_code == 201, answer.text
    if packed:
        _set_rows(server, osimage, {"imagefile": f"{name}-job1{packing.TARBALL}"}, name)


@pytest.fixture(scope="module")
def cluster(server):
    """A network "cluster", an image "img" packed, and a group "grp" that boots it."""
    cluster_network(server)
    _image(server, "img")
    make_group(server, "grp", [("BOOTIF", "cluster")], osimage="img")
    return server


def _node(server, name, mac_byte, **fields):
    make_node(server, name, "grp", macaddr=MAC.format(mac_byte), **fields)
    return MAC.format(mac_byte)


def _boot(server, path, status=200, **kwargs):
    """GET ``path`` as a booting machine does: without a token."""
    answer = requests.get(server.url + path, **kwargs)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.headers["Content-Type"].startswith("text/plain")
        assert answer.text.startswith("#!ipxe\n")
    return answer


def _kernel_lines(script):
    return [line for line in script.splitlines() if line.startswith(("imgfetch", "imgargs"))]


def test_the_fixed_scripts(cluster):
    menu = _boot(cluster, "/boot").text
    assert f"set base-url {cluster.url}\n" in menu
    assert "choose --default detect --timeout 10000 target" in menu
    assert "chain --autofree ${base-url}/boot/search/mac/${netX/mac:hexhyp}" in menu
    assert "chain --autofree ${base-url}/boot/search/mac/${netX/mac:hexhyp}" in \
        _boot(cluster, "/boot/short").text
    assert "sanboot --no-describe --drive 0x80 || exit" in _boot(cluster, "/boot/disk").text


@pytest.mark.parametrize("netboot, bootmenu, expected", [
    (True, False, "node"), (True, True, "menu"), (False, True, "disk"), (False, False, "disk")])
def test_the_spec_table_picks_the_script(cluster, netboot, bootmenu, expected):
    name = f"tbl-{int(netboot)}{int(bootmenu)}"
    mac = _node(cluster, name, 0x10 + 2 * netboot + bootmenu, netboot=netboot, bootmenu=bootmenu)
    script = _boot(cluster, f"/boot/search/{mac}").text
    booted = f"luna.node={name} " in script
    assert booted == (expected != "disk")
    assert ("sanboot" in script) == (expected in ("disk", "menu"))  # the menu offers the disk
    assert ("choose --default node" in script) == (expected == "menu")


def test_an_unknown_mac_gets_the_menu_that_asks_for_a_name(cluster):
    script = _boot(cluster, "/boot/search/52:54:00:b0:ff:ff").text
    assert "choose --default hostname target" in script and "luna.node" not in script
    assert "/boot/manual/hostname/${node-name}/${netX/mac:hexhyp}" in script


def test_the_node_script_boots_the_packed_kernel_with_its_arguments(cluster):
    mac = _node(cluster, "knode", 0x20)
    ip = cluster.record("node", "knode")["interfaces"][0]["ipaddress"]
    assert _kernel_lines(_boot(cluster, f"/boot/search/mac/{mac}").text) == [
        "imgfetch --name kernel ${base-url}/boot/img-job1-vmlinuz",
        f"imgargs kernel root=luna luna.bootproto=static luna.mac={mac} luna.ip={ip}/16 "
        "luna.url=${base-url} luna.node=knode luna.hostname=knode.cluster luna.service=0 "
        "quiet console=ttyS0,115200n8 initrd=initrd.img",
        "imgfetch --name initrd.img ${base-url}/boot/img-job1-initramfs",
    ]


@pytest.fixture(scope="module")
def spelled(cluster):
    _node(cluster, "spelled", 0x21)
    return cluster


@pytest.mark.parametrize("spelling", [
    "52%3A54%3A00%3Ab0%3A00%3A21", "52-54-00-B0-00-21", "5254.00b0.0021", "525400B00021"])
def test_any_mac_spelling_finds_the_node(spelled, spelling):
    for route in ("/boot/search/", "/boot/search/mac/"):
        assert "luna.node=spelled " in _boot(spelled, route + spelling).text


def test_bad_input_is_a_json_error(cluster):
    assert_bad(_boot(cluster, "/boot/search/not-a-mac", 400), "mac")
    assert_bad(_boot(cluster, "/boot/manual/hostname/knode/52:54", 400), "mac")
    assert_error(_boot(cluster, "/boot/manual/hostname/ghost", 404), 404)
    assert_error(_boot(cluster, f"/boot/manual/hostname/ghost/{MAC.format(0x99)}", 404), 404)
    assert_error(_boot(cluster, f"/boot/manual/group/ghost/{MAC.format(0x99)}", 404), 404)
    for host in ("evil host", "x${y}", 'a"b'):
        assert_bad(_boot(cluster, "/boot", 400, headers={"Host": host}), "Host")


def test_the_base_url_is_the_host_the_node_asked(cluster):
    script = _boot(cluster, "/boot/short", headers={"Host": "10.141.255.254:7050"}).text
    assert "set base-url http://10.141.255.254:7050\n" in script
    # behind a proxy: the host and scheme the node asked the proxy for
    script = _boot(cluster, "/boot/short", headers={"X-Forwarded-Proto": "https",
                                                    "X-Forwarded-Host": "boot.example:8443"}).text
    assert "set base-url https://boot.example:8443\n" in script
    assert_bad(_boot(cluster, "/boot", 400, headers={"X-Forwarded-Proto": "gopher"}), "Host")


def test_a_pinned_tag_boots_the_tags_kernel(cluster):
    _image(cluster, "timg", options="tagged=no")
    image_id = select(osimage.c.id).where(osimage.c.name == "timg").scalar_subquery()
    _set_rows(cluster, osimagetag, {"osimage_id": image_id, "name": "v1",
                                    "imagefile": f"timg-job0{packing.TARBALL}",
                                    "kerneloptions": "tagged=yes"})
    mac = _node(cluster, "tagged", 0x30, osimage="timg", osimagetag="v1")
    lines = _kernel_lines(_boot(cluster, f"/boot/search/{mac}").text)
    assert lines[0].endswith("/boot/timg-job0-vmlinuz") and " tagged=yes " in lines[1]
    assert lines[2].endswith("/boot/timg-job0-initramfs")


def test_a_node_without_a_packed_image_is_told_why(cluster):
    _image(cluster, "raw", packed=False)
    mac = _node(cluster, "unpacked", 0x40, osimage="raw")
    script = _boot(cluster, f"/boot/search/{mac}").text
    assert "echo Cairn: cannot boot: osimage raw was never packed\n" in script
    assert script.endswith("exit\n") and "imgfetch" not in script


@pytest.mark.parametrize("options", [
    "quiet\nchain http://evil/", "x=${evil}", "a;b", 'a="b c"', "a || reboot", "a # b",
    "a\\b", "caf\u00e9", "a`b`"])
def test_hostile_kernel_options_never_reach_the_script(cluster, options):
    image = f"hostile{abs(hash(options)) % 10**6}"
    _image(cluster, image, options=options)
    make_group(cluster, f"g{image}", [("BOOTIF", "cluster")], osimage=image)
    node = f"n{image}"
    make_node(cluster, node, f"g{image}")
    script = _boot(cluster, f"/boot/manual/hostname/{node}/{MAC.format(0x50)}").text
    assert f"the kernel options of osimage {image} hold characters" in script
    assert "imgargs" not in script and options not in script


def test_manual_hostname_chains_with_the_machines_mac(cluster):
    _node(cluster, "chained", 0x60)
    assert ("chain --autofree ${base-url}/boot/manual/hostname/chained/${netX/mac:hexhyp}"
            in _boot(cluster, "/boot/manual/hostname/chained").text)


def test_manual_hostname_binds_the_mac_and_takes_it_from_its_holder(cluster):
    mac = _node(cluster, "old-holder", 0x61)
    _node(cluster, "new-holder", 0x62, bootmenu=True)
    script = _boot(cluster, f"/boot/manual/hostname/new-holder/{mac.upper()}").text
    assert f"luna.mac={mac} " in script and "luna.node=new-holder " in script
    assert "menu" not in script  # chosen by hand: straight into the kernel
    assert cluster.record("node", "new-holder")["macaddr"] == mac
    assert cluster.record("node", "old-holder")["macaddr"] is None
    assert "luna.node=new-holder " in _boot(cluster, f"/boot/search/{mac}").text
    # journaled, by no principal: every controller's (and process's) DHCP files follow the journal;
    # booting by hand again changes nothing, and journals nothing
    _boot(cluster, f"/boot/manual/hostname/new-holder/{mac}")
    [entry] = [e for e in journal(cluster) if e["function"] == "boot.bind" and e["object"] == "new-holder"]
    assert entry["principal"] is None
    assert json.loads(entry["payload"]) == {"macaddr": mac, "client": "127.0.0.1"}


def test_manual_group_boots_the_holder_or_binds_a_free_node(cluster):
    make_group(cluster, "mgrp", [("BOOTIF", "cluster")], osimage="img")
    make_node(cluster, "mg-a", "mgrp", macaddr=MAC.format(0x70))
    make_node(cluster, "mg-c", "mgrp")
    make_node(cluster, "mg-b", "mgrp")
    assert "luna.node=mg-a " in _boot(cluster, f"/boot/manual/group/mgrp/{MAC.format(0x70)}").text
    assert "luna.node=mg-b " in _boot(cluster, f"/boot/manual/group/mgrp/{MAC.format(0x71)}").text
    assert cluster.record("node", "mg-b")["macaddr"] == MAC.format(0x71)
    assert "luna.node=mg-c " in _boot(cluster, f"/boot/manual/group/mgrp/{MAC.format(0x72)}").text
    script = _boot(cluster, f"/boot/manual/group/mgrp/{MAC.format(0x73)}").text
    assert "cannot boot: group mgrp has no node without a MAC address" in script


def test_credentials_change_nothing_on_public_routes(cluster):
    """A tenant's token, another's node: the answer is the one anybody on the boot
    network gets for that MAC address; the token neither adds nor hides anything."""
    mac = _node(cluster, "tenanted", 0x80)
    uid = cluster.post("/tenants", {"name": "boot-tenant"}).json()["data"]["uid"]
    answer = cluster.post(f"/tenant/{uid}/tenancies", {"name": "boot-tenancy", "hostlist": "tenanted"})
    assert answer.status_code in (200, 201), answer.text
    token = cluster.post(f"/tenant/{uid}/newtoken").json()["data"]["token"]
    for path in (f"/boot/search/{mac}", "/boot", "/boot/manual/hostname/tenanted"):
        anonymous = _boot(cluster, path).text
        assert _boot(cluster, path, headers={"x-access-tokens": token}).text == anonymous
        assert _boot(cluster, path, headers={"x-access-tokens": "garbage"}).text == anonymous


def test_kernels_and_initrds_are_public_at_boot_but_tarballs_are_not(server, tmp_path):
    """iPXE fetches the kernel and initrd its script names with no token (the spec's
    /boot/<file>); the tarball holds the whole image and stays behind /files' token."""
    image = packed_image(server, tmp_path, "pubimg")
    for name in (image["packed_kernel"], image["packed_initrd"]):
        answer = _boot_file(server, name)
        assert answer.status_code == 200
        assert answer.content == server.get(f"/files/{name}").content
    assert _boot_file(server, image["packed_kernel"], Range="bytes=0-3").status_code == 206
    for name in (image["tarball"], "ghost-vmlinuz", ".hidden"):
        assert_error(_boot_file(server, name), 404)


def _boot_file(server, name, **headers):
    return requests.get(f"{server.url}/boot/{name}", headers=headers)


# -- what a boot reads ----------------------------------------------------------------

def test_one_nodes_record_reads_its_own_group_names_and_networks_as_the_listing_shows_them(cluster):
    """/boot and /boot/install build a node's record from its group, names and networks
    alone (service.nodes.one): it must equal the record the listing builds from all of
    them, whatever the node inherits or sets itself."""
    cluster_network(cluster, "lean-ipmi", "10.150.0.0/16")
    cluster_network(cluster, "lean-other", "10.151.0.0/16")
    assert cluster.save("bmcsetup", "lean-bmc", {"username": "admin", "password": "pw"}).status_code == 201
    assert cluster.save("switch", "lean-sw", {"network": "cluster", "ipaddress": "10.141.250.1"}).status_code == 201
    _image(cluster, "lean-img")
    make_group(cluster, "lean-grp", [("BOOTIF", "cluster"), ("BMC", "lean-ipmi")], osimage="img",
               bmcsetupname="lean-bmc", netboot=True, prescript="echo group")
    make_group(cluster, "lean-unused", [("BOOTIF", "lean-other")], osimage="lean-img")
    make_node(cluster, "lean01", "lean-grp", macaddr=MAC.format(0xe0), switch="lean-sw",
              switchport=7, osimage="lean-img", bootmenu=True)
    make_node(cluster, "lean02", "lean-grp", macaddr=MAC.format(0xe1))
    listed = cluster.get("/config/node").json()["config"]["node"]
    for name in ("lean01", "lean02"):
        assert cluster.record("node", name) == listed[name]


def _counted(cluster):
    """A service Context on an engine of its own (the caller disposes of it), and the list
    of the statements it runs, as they run."""
    engine = make_engine(cluster.db, pool_size=1)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return Context(engine, None, Settings(data_dir=cluster.data_dir, secret_key="k" * 32)), statements


def test_a_boot_script_takes_as_many_statements_among_many_groups_as_among_few(cluster):
    """Read afresh after a change (groups, networks, images: what every node's record shares,
    which each process keeps while no change is counted, see db.changes), then kept."""
    ctx, statements = _counted(cluster)
    mac = _node(cluster, "count01", 0xe2)
    afresh, kept = [], []
    try:
        for more in range(2):
            for counts in (afresh, kept):
                statements.clear()
                assert boot.by_mac(ctx, mac, "192.0.2.1")["boot"]["name"] == "count01"
                counts.append(list(statements))
            cluster_network(cluster, f"count-net{more}", f"10.{160 + more}.0.0/16")
            make_group(cluster, f"count-grp{more}", [("BOOTIF", f"count-net{more}")], osimage="img")
    finally:
        ctx.engine.dispose()
    # (SET TRANSACTION on PostgreSQL,) the node with its interfaces and the count of
    # changes; afresh, every group, group interface, network, switch, tenancy, image and
    # tag, the cluster, and the names of BMC setups too
    assert len(afresh[0]) == len(afresh[1]) <= 12, afresh[1]
    assert len(kept[0]) == len(kept[1]) <= 2, kept[1]


def test_the_installer_reads_the_node_of_the_token_once(cluster):
    """The check of a node's provisioning token reads the node's row, and the installer
    takes it from there: once what nodes share is kept, the node (with its interfaces
    and the count of changes) and the secrets are all it reads."""
    ctx, statements = _counted(cluster)
    mac = _node(cluster, "count02", 0xe3)
    address = cluster.record("node", "count02")["interfaces"][0]["ipaddress"]
    try:
        token = boot.by_mac(ctx, mac, address)["boot"]["token"]
        as_node = Context(ctx.engine, accounts.principal_for_token(ctx, token), ctx.settings)
        statements.clear()
        assert install.plan(as_node, "count02", address)["name"] == "count02"
    finally:
        ctx.engine.dispose()
    reads = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(reads) == 2, statements
