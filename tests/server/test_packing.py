"""Packing images over HTTP: _pack, /config/status, /files (whole and ranges), kernel, tags.

Each test packs an image tree of its own under tmp_path, with its own image
names: the server is shared by the module (one per database engine). The
server runs as the same user as the tests, so it reads the trees directly.
"""

import errno
import hashlib
import io
import os
import signal
import stat
import tarfile
import time

import pytest
from openapi_schema_validator import OAS30Validator

from conftest import BACKENDS, Server, assert_bad, assert_error, make_group, make_node, other_database

DEADLINE = 120  # seconds a small pack may take on a busy machine, before a test gives up


# -- helpers (test_osimages uses them too) ----------------------------------------------

def make_tree(root, kernel="vmlinuz-x", initrd="initramfs-x"):
    """A small image tree: files, a subdirectory, symlinks (one leading out of the tree),
    a hard link, odd modes, and a kernel and initrd in boot/."""
    root.mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc" / "hostname").write_text("image\n")
    (root / "etc" / "shadow").write_text("root:*:19000::::::\n")
    os.chmod(root / "etc" / "shadow", 0o640)
    (root / "usr" / "lib").mkdir(parents=True)
    (root / "usr" / "lib" / "data.bin").write_bytes(os.urandom(300_000))
    os.chmod(root / "usr", 0o750)
    (root / "usr" / "bin").mkdir()
    (root / "usr" / "bin" / "tool").write_text("#!/bin/sh\necho tool\n")
    os.chmod(root / "usr" / "bin" / "tool", 0o755)
    os.link(root / "usr" / "bin" / "tool", root / "usr" / "bin" / "tool-again")
    os.symlink("usr/lib", root / "lib")
    os.symlink("/etc/passwd", root / "outside")  # the controller's: must stay a symlink
    (root / "empty").mkdir()
    (root / "boot").mkdir()
    (root / "boot" / kernel).write_bytes(b"kernel " + os.urandom(1000))
    (root / "boot" / initrd).write_bytes(b"initrd " + os.urandom(2000))
    return root


def make_image(server, name, path, **fields):
    fields = {"path": str(path), "kernelfile": "vmlinuz-x", "initrdfile": "initramfs-x", **fields}
    answer = server.save("osimage", name, fields)
    assert answer.status_code == 201, answer.text
    return answer


def start_pack(server, name, method="get"):
    answer = getattr(server, method)(f"/config/osimage/{name}/_pack")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["request_id"] in body["message"]
    return body["request_id"]


def job_status(server, job_id):
    answer = server.get(f"/config/status/{job_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["status"][job_id]


def wait_for(server, job_id, until=("done", "failed")):
    deadline = time.monotonic() + DEADLINE
    while True:
        status = job_status(server, job_id)
        if status["status"] in until:
            return status
        assert time.monotonic() < deadline, f"job {job_id} still {status}"
        time.sleep(0.05)


def pack(server, name):
    """Pack the image and wait; the image's record after."""
    status = wait_for(server, start_pack(server, name))
    assert status["status"] == "done", status
    return server.record("osimage", name)


def packed_image(server, tmp_path, name):
    make_image(server, name, make_tree(tmp_path / name))
    return pack(server, name)


def download(server, name, **headers):
    return server.get(f"/files/{name}", headers=headers)


# -- packing ----------------------------------------------------------------------------------

def test_pack_answers_202_and_the_job_reports_its_progress(server, tmp_path):
    make_image(server, "pk-a", make_tree(tmp_path / "pk-a"))
    before = server.record("osimage", "pk-a")
    assert (before["imagefile"], before["checksum"], before["packed_at"]) == (None, None, None)
    job_id = start_pack(server, "pk-a")
    status = wait_for(server, job_id)
    assert status["status"] == "done", status
    assert (status["kind"], status["object"], status["progress"]) == ("pack", "pk-a", 100)
    assert isinstance(status["created"], int) and status["updated"] >= status["created"]
    record = server.record("osimage", "pk-a")
    assert record["imagefile"].startswith("pk-a-") and record["imagefile"].endswith(".tar.gz")
    assert record["imagefile"] in status["message"]
    assert record["tarball"] == record["imagefile"]
    assert len(record["checksum"]) == 64
    assert record["packed_at"] >= status["created"]
    stem = record["imagefile"][:-len(".tar.gz")]
    assert (record["packed_kernel"], record["packed_initrd"]) == (f"{stem}-vmlinuz", f"{stem}-initramfs")


def test_pack_accepts_post_too(server, tmp_path):
    make_image(server, "pk-post", make_tree(tmp_path / "pk-post"))
    assert wait_for(server, start_pack(server, "pk-post", "post"))["status"] == "done"


def test_download_whole_matches_the_checksum_and_ranges_give_exact_bytes(server, tmp_path):
    record = packed_image(server, tmp_path, "dl-a")
    whole = download(server, record["imagefile"])
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "Content-Encoding" not in whole.headers  # no client may gunzip it on the fly
    data = whole.content
    assert hashlib.sha256(data).hexdigest() == record["checksum"]
    part = download(server, record["imagefile"], Range="bytes=100-4195")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-4195/{len(data)}"
    assert part.content == data[100:4196]
    tail = download(server, record["imagefile"], Range="bytes=-10")
    assert (tail.status_code, tail.content) == (206, data[-10:])
    rest = download(server, record["imagefile"], Range=f"bytes={len(data) - 7}-")
    assert (rest.status_code, rest.content) == (206, data[-7:])
    assert_error(download(server, record["imagefile"], Range=f"bytes={len(data) + 5}-"), 416)
    again = download(server, record["imagefile"], **{"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304


def test_kernel_and_initrd_are_copied_beside_the_tarball(server, tmp_path):
    record = packed_image(server, tmp_path, "dl-k")
    tree = tmp_path / "dl-k"
    assert download(server, record["packed_kernel"]).content == (tree / "boot" / "vmlinuz-x").read_bytes()
    assert download(server, record["packed_initrd"]).content == (tree / "boot" / "initramfs-x").read_bytes()


def test_tarball_holds_the_tree_as_it_is(server, tmp_path):
    tree = make_tree(tmp_path / "tree-a")
    has_xattr = _set_xattr(tree / "usr" / "bin" / "tool", "user.cairn", b"\x01\xffcap")
    make_image(server, "tree-a", tree)
    record = pack(server, "tree-a")
    data = download(server, record["imagefile"]).content
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members["outside"].issym() and members["outside"].linkname == "/etc/passwd"
        assert members["lib"].issym() and members["lib"].linkname == "usr/lib"
        assert not any(name.startswith("lib/") for name in members)  # symlinks are not followed
        links = [members["usr/bin/tool"], members["usr/bin/tool-again"]]
        assert [m.islnk() for m in links].count(True) == 1  # one copy, one hard link
        for member in members.values():
            assert (member.uname, member.gname) == ("", "")
            assert member.uid == os.getuid()
        if has_xattr:
            xattr = members["usr/bin/tool"].pax_headers["SCHILY.xattr.user.cairn"]
            assert xattr.encode("utf-8", "surrogateescape") == b"\x01\xffcap"
        tar.extractall(tmp_path / "unpacked", filter="fully_trusted")
    assert _tree(tmp_path / "unpacked") == _tree(tree)


def _set_xattr(path, key, value):
    try:
        os.setxattr(path, key, value)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EPERM):
            return False
        raise
    return True


def _tree(root):
    """{relative path: (type and mode, content or link target)} of everything under root."""
    found = {}
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(top, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                content = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    content = handle.read()
            else:
                content = None
            found[os.path.relpath(path, root)] = (info.st_mode, content)
    return found


# -- failures ---------------------------------------------------------------------------------

def test_pack_of_a_missing_path_fails_with_a_message(server, tmp_path):
    make_image(server, "pf-missing", tmp_path / "not-there")
    status = wait_for(server, start_pack(server, "pf-missing"))
    assert status["status"] == "failed"
    assert str(tmp_path / "not-there") in status["message"]
    assert server.record("osimage", "pf-missing")["imagefile"] is None


@pytest.mark.parametrize("field", ["kernelfile", "initrdfile"])
def test_pack_without_its_kernel_or_initrd_fails_naming_it(server, tmp_path, field):
    name = f"pf-{field[:6]}"
    make_image(server, name, make_tree(tmp_path / name), **{field: "vmlinuz-none"})
    status = wait_for(server, start_pack(server, name))
    assert status["status"] == "failed"
    assert field in status["message"] and "vmlinuz-none" in status["message"]


def test_a_boot_file_leading_out_of_the_tree_fails(server, tmp_path):
    tree = make_tree(tmp_path / "pf-escape")
    os.symlink(tmp_path / "pf-escape" / ".." / "elsewhere", tree / "boot" / "vmlinuz-out")
    (tmp_path / "elsewhere").write_text("not the image's")
    make_image(server, "pf-escape", tree, kernelfile="vmlinuz-out")
    status = wait_for(server, start_pack(server, "pf-escape"))
    assert status["status"] == "failed"
    assert "out of the image tree" in status["message"]


def test_pack_needs_a_path_and_an_image(server):
    assert server.save("osimage", "pf-nopath", {}).status_code == 201
    assert_bad(server.get("/config/osimage/pf-nopath/_pack"), "path")
    assert_error(server.get("/config/osimage/pf-unknown/_pack"), 404)
    assert_error(server.get("/config/status/0123456789abcdef"), 404)


def test_a_failed_pack_keeps_the_previous_one(server, tmp_path):
    record = packed_image(server, tmp_path, "pf-keep")
    os.remove(tmp_path / "pf-keep" / "boot" / "vmlinuz-x")
    status = wait_for(server, start_pack(server, "pf-keep"))
    assert status["status"] == "failed"
    after = server.record("osimage", "pf-keep")
    assert {k: after[k] for k in ("imagefile", "checksum", "packed_at")} == \
        {k: record[k] for k in ("imagefile", "checksum", "packed_at")}
    assert download(server, record["imagefile"]).status_code == 200
    assert not [n for n in os.listdir(server.data_dir + "/files") if n.startswith(".")]


def test_repack_replaces_the_old_pack_and_removes_its_files(server, tmp_path):
    first = packed_image(server, tmp_path, "rp-a")
    (tmp_path / "rp-a" / "etc" / "motd").write_text("second pack\n")
    second = pack(server, "rp-a")
    assert second["imagefile"] != first["imagefile"]
    assert second["checksum"] != first["checksum"]
    for name in ("imagefile", "packed_kernel", "packed_initrd"):
        assert_error(download(server, first[name]), 404)
        assert download(server, second[name]).status_code == 200


def test_kernel_change_updates_the_fields_and_repacks(server, tmp_path):
    first = packed_image(server, tmp_path, "kn-a")
    boot = tmp_path / "kn-a" / "boot"
    (boot / "vmlinuz-y").write_bytes(b"new kernel")
    (boot / "initramfs-y.img").write_bytes(b"new initrd")
    answer = server.save("osimage", "kn-a", {"kernelfile": "vmlinuz-y", "initrdfile": "initramfs-y.img",
                                             "kernver": "y"}, "/kernel")
    assert answer.status_code == 202, answer.text
    assert wait_for(server, answer.json()["request_id"])["status"] == "done"
    record = server.record("osimage", "kn-a")
    assert (record["kernelfile"], record["initrdfile"], record["kernelversion"], record["kernver"]) == \
        ("vmlinuz-y", "initramfs-y.img", "y", "y")
    assert record["imagefile"] != first["imagefile"]
    assert download(server, record["packed_kernel"]).content == b"new kernel"
    assert_bad(server.save("osimage", "kn-a", {"comment": "x"}, "/kernel"), "comment")
    assert_bad(server.save("osimage", "kn-a", {"kernelfile": "../x"}, "/kernel"), "kernelfile")
    assert_error(server.save("osimage", "kn-none", {"kernver": "y"}, "/kernel"), 404)


def test_deleting_an_image_removes_its_packs_but_not_its_tree(server, tmp_path):
    record = packed_image(server, tmp_path, "del-p")
    assert server.get("/config/osimage/del-p/_delete").status_code == 204
    assert_error(download(server, record["imagefile"]), 404)
    assert_error(download(server, record["packed_kernel"]), 404)
    assert (tmp_path / "del-p" / "etc" / "hostname").exists()


@pytest.mark.parametrize("name", [".", "..", ".hidden", "..%2Fcairn.db", "%2Fetc%2Fpasswd",
                                  "no-such-file.tar.gz"])
def test_files_refuses_other_names(server, name):
    assert_error(download(server, name), 404)


def test_files_need_a_token(server, tmp_path):
    record = packed_image(server, tmp_path, "dl-anon")
    answer = server.http.get(f"{server.url}/files/{record['imagefile']}", headers={"x-access-tokens": ""})
    assert_error(answer, 401)


# -- a pack under way: 409, and stops ------------------------------------------------------------

def _huge_image(server, tmp_path, name):
    """An image whose pack takes minutes: a sparse file of a terabyte reads as zeros."""
    tree = make_tree(tmp_path / name)
    with open(tree / "huge", "wb") as handle:
        handle.truncate(1 << 40)
    make_image(server, name, tree)
    job_id = start_pack(server, name)
    assert wait_for(server, job_id, until=("running", "done", "failed"))["status"] == "running"
    return job_id


def _own_server(tmp_path, backend="sqlite"):
    """A server of the test's own in tmp_path/srv (on SQLite a second one finds the
    first one's database; on PostgreSQL it has a database of its own)."""
    (tmp_path / "srv").mkdir(exist_ok=True)
    pg_url = other_database("osimages") if backend == "postgresql" else None
    return Server(backend, str(tmp_path / "srv"), pg_url=pg_url)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_pack_while_one_runs_is_409(tmp_path, backend):
    server = _own_server(tmp_path, backend)
    try:
        job_id = _huge_image(server, tmp_path, "busy")
        assert job_id in assert_error(server.get("/config/osimage/busy/_pack"), 409)["message"]
        assert_error(server.save("osimage", "busy", {"kernver": "z"}, "/kernel"), 409)
        assert server.record("osimage", "busy")["kernelversion"] is None
        make_image(server, "idle", make_tree(tmp_path / "idle"))
        assert wait_for(server, start_pack(server, "idle"))["status"] == "done"  # others go on
        server.process.send_signal(signal.SIGTERM)  # a running pack does not hold up a stop
        assert server.process.wait(DEADLINE) == 0
    finally:
        server.stop()


@pytest.mark.parametrize("signum, message", [(signal.SIGKILL, "interrupted by a restart"),
                                             (signal.SIGTERM, "interrupted: the server stopped")])
def test_a_stop_fails_the_running_pack(tmp_path, signum, message):
    """On SQLite, so that the restarted server finds the stopped one's database."""
    server = _own_server(tmp_path)
    try:
        job_id = _huge_image(server, tmp_path, "cut")
        files = os.path.join(server.data_dir, "files")
        # "running" is recorded just before the job makes its part directory: wait for it.
        deadline = time.monotonic() + DEADLINE
        while not os.path.isdir(os.path.join(files, f".{job_id}.part")):
            assert time.monotonic() < deadline, "the pack made no part directory"
            time.sleep(0.05)
        assert os.listdir(files) == [f".{job_id}.part"]
        server.process.send_signal(signum)
        server.process.wait(DEADLINE)
        server.stop()
        server = _own_server(tmp_path)
        status = job_status(server, job_id)
        assert (status["status"], status["message"]) == ("failed", message)
        assert os.listdir(files) == []  # no half-written pack is left behind
        assert server.record("osimage", "cut")["imagefile"] is None
    finally:
        server.stop()


# -- tags ------------------------------------------------------------------------------------------

def tag(server, image, name):
    return server.save("osimage", image, {"tag": name}, "/tag")


def tags_of(server, image):
    answer = server.get(f"/config/osimagetag/{image}")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["osimagetag"]


def tag_members(server, image):
    answer = server.get(f"/config/osimagetag/{image}/_member")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["osimage"][image]


def delete_tag(server, image, name):
    return server.get(f"/config/osimage/{image}/osimagetag/{name}/_delete")


def test_a_tag_snapshots_the_current_pack(server, tmp_path):
    record = packed_image(server, tmp_path, "tg-a")
    assert tag(server, "tg-a", "v1").status_code == 204
    assert tags_of(server, "tg-a") == {"v1": {
        "name": "v1", "osimage": "tg-a", "imagefile": record["imagefile"],
        "checksum": record["checksum"], "kernelfile": "vmlinuz-x", "initrdfile": "initramfs-x",
        "kernelversion": None, "kerneloptions": None,
        "packed_kernel": record["packed_kernel"], "packed_initrd": record["packed_initrd"]}}
    every = server.get("/config/osimagetag").json()["config"]["osimagetag"]
    assert every["tg-a/v1"]["imagefile"] == record["imagefile"]


def test_tag_names_are_per_image(server, tmp_path):
    packed_image(server, tmp_path, "tg-one")
    packed_image(server, tmp_path, "tg-two")
    assert tag(server, "tg-one", "prod").status_code == 204
    assert tag(server, "tg-two", "prod").status_code == 204
    every = server.get("/config/osimagetag").json()["config"]["osimagetag"]
    assert every["tg-one/prod"]["osimage"] == "tg-one"
    assert every["tg-two/prod"]["osimage"] == "tg-two"


def test_tag_refusals(server, tmp_path):
    assert server.save("osimage", "tg-never", {}).status_code == 201
    assert_bad(tag(server, "tg-never", "v1"), "tag")
    assert_error(tag(server, "tg-nobody", "v1"), 404)
    packed_image(server, tmp_path, "tg-bad")
    for bad in ("", "-v", "a/b", "x" * 64, 7):
        assert_bad(tag(server, "tg-bad", bad), "tag")
    assert_bad(server.save("osimage", "tg-bad", {}, "/tag"), "tag")
    assert_error(server.get("/config/osimagetag/tg-nobody"), 404)
    assert_error(server.get("/config/osimagetag/tg-nobody/_member"), 404)
    assert_error(delete_tag(server, "tg-bad", "v9"), 404)
    assert_error(delete_tag(server, "tg-nobody", "v1"), 404)


def test_a_tagged_pack_survives_repacks_and_a_moved_tag_frees_it(server, tmp_path):
    first = packed_image(server, tmp_path, "tg-keep")
    assert tag(server, "tg-keep", "v1").status_code == 204
    second = pack(server, "tg-keep")
    third = pack(server, "tg-keep")
    assert download(server, first["imagefile"]).status_code == 200  # held by v1
    assert_error(download(server, second["imagefile"]), 404)  # held by nothing
    assert tag(server, "tg-keep", "v1").status_code == 204  # moves v1 to the third pack
    assert tags_of(server, "tg-keep")["v1"]["imagefile"] == third["imagefile"]
    assert_error(download(server, first["imagefile"]), 404)
    assert_error(download(server, first["packed_kernel"]), 404)
    assert download(server, third["imagefile"]).status_code == 200


def test_deleting_a_tag_removes_a_pack_only_it_held(server, tmp_path):
    first = packed_image(server, tmp_path, "tg-del")
    assert tag(server, "tg-del", "old").status_code == 204
    assert tag(server, "tg-del", "same").status_code == 204
    second = pack(server, "tg-del")
    assert tag(server, "tg-del", "new").status_code == 204
    assert delete_tag(server, "tg-del", "new").status_code == 204  # the image still holds it
    assert download(server, second["imagefile"]).status_code == 200
    assert server.post("/config/osimage/tg-del/osimagetag/old/_delete").status_code == 204
    assert download(server, first["imagefile"]).status_code == 200  # "same" holds it
    assert delete_tag(server, "tg-del", "same").status_code == 204
    assert_error(download(server, first["imagefile"]), 404)
    assert tags_of(server, "tg-del") == {}


def test_groups_and_nodes_pin_tags_of_their_image(server, tmp_path):
    packed_image(server, tmp_path, "pin-img")
    packed_image(server, tmp_path, "pin-other")
    assert tag(server, "pin-img", "v1").status_code == 204
    assert tag(server, "pin-img", "v2").status_code == 204
    assert tag(server, "pin-other", "o1").status_code == 204
    assert_bad(server.save("group", "pin-g", {"osimage": "pin-img", "osimagetag": "o1"}), "osimagetag")
    make_group(server, "pin-g", osimagetag="o1")  # checked once the group has an image:
    assert_bad(server.save("group", "pin-g", {"osimage": "pin-img"}), "osimagetag")
    assert server.save("group", "pin-g", {"osimage": "pin-img", "osimagetag": "v1"}).status_code == 204
    make_node(server, "pin-n1", "pin-g")  # the group's tag
    make_node(server, "pin-n2", "pin-g", osimagetag="v2")  # its own tag of the group's image
    make_node(server, "pin-n3", "pin-g", osimage="pin-other")  # another image: no tag
    assert_bad(server.save("node", "pin-n3", {"osimagetag": "v1"}), "osimagetag")
    assert server.save("node", "pin-n3", {"osimagetag": "o1"}).status_code == 204
    nodes = {n: server.record("node", n) for n in ("pin-n1", "pin-n2", "pin-n3")}
    assert (nodes["pin-n1"]["osimagetag"], nodes["pin-n1"]["_osimagetag_source"]) == ("v1", "group")
    assert (nodes["pin-n2"]["osimagetag"], nodes["pin-n2"]["_osimagetag_source"]) == ("v2", "node")
    assert (nodes["pin-n3"]["osimagetag"], nodes["pin-n3"]["_osimagetag_source"]) == ("o1", "node")
    assert server.save("node", "pin-n3", {"osimagetag": None}).status_code == 204
    node = server.record("node", "pin-n3")  # the group's v1 is no tag of pin-other
    assert (node["osimage"], node["osimagetag"], node["_osimagetag_source"]) == \
        ("pin-other", None, "default")
    assert tag_members(server, "pin-img") == {"members": ["pin-n1", "pin-n2"],
                                              "tags": {"v1": ["pin-n1"], "v2": ["pin-n2"]}}
    assert tag_members(server, "pin-other") == {"members": [], "tags": {}}
    members = server.get("/config/osimage/pin-img/_list").json()["config"]["osimage"]["pin-img"]
    assert members == {"members": ["pin-n1", "pin-n2"]}


def test_a_pinned_tag_cannot_be_deleted(server, tmp_path):
    packed_image(server, tmp_path, "pin-del")
    assert tag(server, "pin-del", "v1").status_code == 204
    make_group(server, "pin-del-g", osimage="pin-del", osimagetag="v1")
    make_group(server, "pin-del-h", osimage="pin-del")
    make_node(server, "pin-del-n", "pin-del-h", osimagetag="v1")
    body = assert_error(delete_tag(server, "pin-del", "v1"), 400, "osimagetag")
    assert "group pin-del-g" in body["message"] and "node pin-del-n" in body["message"]
    assert server.save("group", "pin-del-g", {"osimagetag": None}).status_code == 204
    assert_bad(delete_tag(server, "pin-del", "v1"), "osimagetag")  # the node still pins it
    assert server.save("node", "pin-del-n", {"osimagetag": None}).status_code == 204
    assert delete_tag(server, "pin-del", "v1").status_code == 204


def test_a_group_cannot_leave_its_members_pins_behind(server, tmp_path):
    packed_image(server, tmp_path, "pin-mv-a")
    assert tag(server, "pin-mv-a", "v1").status_code == 204
    assert server.save("osimage", "pin-mv-b", {}).status_code == 201
    make_group(server, "pin-mv-g", osimage="pin-mv-a")
    make_node(server, "pin-mv-n", "pin-mv-g", osimagetag="v1")
    body = assert_error(server.save("group", "pin-mv-g", {"osimage": "pin-mv-b"}), 400, "osimage")
    assert "pin-mv-n" in body["message"]
    assert server.record("group", "pin-mv-g")["osimage"] == "pin-mv-a"
    make_group(server, "pin-mv-h", osimage="pin-mv-b")
    assert_bad(server.save("node", "pin-mv-n", {"group": "pin-mv-h"}), "osimagetag")
    assert server.record("node", "pin-mv-n")["group"] == "pin-mv-g"
    make_group(server, "pin-mv-none")  # no image: nothing to check the tag against, yet
    assert server.save("node", "pin-mv-n", {"group": "pin-mv-none"}).status_code == 204
    assert_bad(server.save("group", "pin-mv-none", {"osimage": "pin-mv-b"}), "osimage")


def test_answers_follow_the_openapi_document(server, tmp_path):
    packed_image(server, tmp_path, "doc-img")
    assert tag(server, "doc-img", "v1").status_code == 204
    make_group(server, "doc-g", osimage="doc-img", osimagetag="v1")
    make_node(server, "doc-n", "doc-g")
    doc = server.get("/openapi.json").json()
    job_id = start_pack(server, "doc-img")
    wait_for(server, job_id)
    for path, url in [("/config/osimage/{name}", "/config/osimage/doc-img"),
                      ("/config/osimage", "/config/osimage"),
                      ("/config/osimage/{name}/_list", "/config/osimage/doc-img/_list"),
                      ("/config/osimagetag", "/config/osimagetag"),
                      ("/config/osimagetag/{name}", "/config/osimagetag/doc-img"),
                      ("/config/osimagetag/{name}/_member", "/config/osimagetag/doc-img/_member"),
                      ("/config/status/{request_id}", f"/config/status/{job_id}")]:
        schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        answer = server.get(url)
        assert answer.status_code == 200, answer.text
        errors = [e.message for e in OAS30Validator(schema).iter_errors(answer.json())]
        assert errors == [], path
