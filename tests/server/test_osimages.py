"""/config/osimage over HTTP: CRUD, aliases, rename, clone (with the tree), delete, members.

Packing and tags are in test_packing. Every test uses its own names: the
server is shared by the module (one per database engine).
"""

import os

import pytest

from conftest import assert_bad, assert_error, make_group, make_node, members
from test_packing import make_tree

FULL = {
    "path": "/trinity/images/compute",
    "distribution": "redhat",
    "osrelease": "9",
    "kernelversion": "5.14.0-362",
    "kernelfile": "vmlinuz-5.14.0-362",
    "initrdfile": "initramfs-5.14.0-362.img",
    "kernelmodules": "ipmi_devintf, ipmi_si, ipmi_msghandler",
    "kerneloptions": "mitigations=off nosmt",
    "dracutmodules": "luna, -i18n, -plymouth",
    "grab_filesystems": ["/", "/boot"],
    "grab_exclude": ["/dev", "/proc", "/sys"],
    "comment": "Default image",
}
ALIASES = {"kernver": "kernelversion", "kernopts": "kerneloptions",
           "kernmodules": "kernelmodules", "grab_exclude_list": "grab_exclude"}


def make_image(server, name, **fields):
    answer = server.save("osimage", name, fields)
    assert answer.status_code == 201, answer.text
    return answer


# -- list, get, create, update ---------------------------------------------------------

def test_create_201_update_204_and_the_record(server):
    answer = server.save("osimage", "crud-a", FULL)
    assert answer.status_code == 201, answer.text
    assert "crud-a" in answer.json()["message"]
    record = server.record("osimage", "crud-a")
    for key, value in FULL.items():
        assert record[key] == value, key
    for alias, field in ALIASES.items():
        assert record[alias] == FULL[field], alias
    for key in ("imagefile", "checksum", "packed_at", "tarball", "packed_kernel", "packed_initrd"):
        assert record[key] is None, key
    answer = server.save("osimage", "crud-a", {"comment": "changed"})
    assert (answer.status_code, answer.text) == (204, "")
    after = server.record("osimage", "crud-a")
    assert after["comment"] == "changed"
    assert after["kernelfile"] == FULL["kernelfile"]  # a partial update leaves the rest
    assert server.get("/config/osimage").json()["config"]["osimage"]["crud-a"] == after


def test_the_spec_spellings_are_accepted(server):
    make_image(server, "alias-a", kernver="6.1", kernopts="quiet", kernmodules="ib_core",
               grab_exclude_list=["/tmp"])
    record = server.record("osimage", "alias-a")
    assert (record["kernelversion"], record["kerneloptions"], record["kernelmodules"],
            record["grab_exclude"]) == ("6.1", "quiet", "ib_core", ["/tmp"])
    assert_bad(server.save("osimage", "alias-a", {"kernver": "1", "kernelversion": "2"}), "kernelversion")
    assert server.record("osimage", "alias-a")["kernver"] == "6.1"


def test_get_and_delete_unknown_are_404(server):
    assert_error(server.get("/config/osimage/nope"), 404)
    assert_error(server.get("/config/osimage/nope/_delete"), 404)
    assert_error(server.get("/config/osimage/nope/_list"), 404)


def test_post_without_a_name_is_400(server):
    assert_error(server.post("/config/osimage", {"config": {"osimage": {"x": {}}}}), 400)
    assert server.get("/config/osimage/x").status_code == 404


@pytest.mark.parametrize("field, value", [
    ("path", "relative/path"),
    ("path", "/"),
    ("path", 5),
    ("kernelfile", "boot/vmlinuz"),
    ("initrdfile", ".."),
    ("grab_filesystems", "/"),
    ("grab_exclude", ["/dev", 3]),
    ("distribution", "x" * 65),
    ("comment", ["not", "text"]),
    ("bogus", 1),
])
def test_bad_fields_are_400_naming_them(server, field, value):
    assert_bad(server.save("osimage", "bad-a", {field: value}), field)
    assert server.get("/config/osimage/bad-a").status_code == 404


@pytest.mark.parametrize("field", ["imagefile", "checksum", "packed_at", "tarball"])
def test_what_packing_sets_is_read_only(server, field):
    make_image(server, f"ro-{field.replace('_', '-')}")
    assert_bad(server.save("osimage", f"ro-{field.replace('_', '-')}", {field: "x"}), field)


def test_paths_are_normalised(server):
    make_image(server, "norm-a", path="/trinity//images/./norm-a/")
    assert server.record("osimage", "norm-a")["path"] == "/trinity/images/norm-a"


def test_invalid_name_in_the_url_is_400(server):
    assert_bad(server.save("osimage", "bad_name", {}), "name")


# -- rename ----------------------------------------------------------------------------------

def test_rename_moves_the_image_and_its_users_follow(server):
    make_image(server, "ren-a", comment="mine")
    make_group(server, "ren-g", osimage="ren-a")
    answer = server.save("osimage", "ren-a", {"newosimage": "ren-b"})
    assert answer.status_code == 204, answer.text
    assert_error(server.get("/config/osimage/ren-a"), 404)
    assert server.record("osimage", "ren-b")["comment"] == "mine"
    assert server.record("group", "ren-g")["osimage"] == "ren-b"
    make_image(server, "ren-c")
    assert_error(server.save("osimage", "ren-b", {"newosimage": "ren-c"}), 409, "newosimage")
    assert_bad(server.save("osimage", "ren-b", {"newosimage": "not_valid"}), "newosimage")


# -- clone ---------------------------------------------------------------------------------------

def clone(server, name, fields):
    return server.save("osimage", name, fields, "/_clone")


def test_clone_copies_the_record_and_the_tree_beside_it(server, tmp_path):
    tree = make_tree(tmp_path / "cl-a")
    make_image(server, "cl-a", **{**FULL, "path": str(tree)})
    answer = clone(server, "cl-a", {"newosimage": "cl-b", "comment": "the copy"})
    assert answer.status_code == 201, answer.text
    copy = server.record("osimage", "cl-b")
    assert copy["path"] == str(tmp_path / "cl-b")
    assert copy["comment"] == "the copy"
    for key in ("kernelfile", "initrdfile", "kernelversion", "grab_exclude", "dracutmodules"):
        assert copy[key] == FULL[key], key
    assert copy["imagefile"] is None  # a clone has no pack of its own yet
    assert (tmp_path / "cl-b" / "etc" / "hostname").read_text() == "image\n"
    assert os.readlink(tmp_path / "cl-b" / "outside") == "/etc/passwd"
    assert oct(os.stat(tmp_path / "cl-b" / "etc" / "shadow").st_mode & 0o777) == oct(0o640)
    assert os.stat(tmp_path / "cl-b" / "usr" / "bin" / "tool").st_ino == \
        os.stat(tmp_path / "cl-b" / "usr" / "bin" / "tool-again").st_ino  # hard links stay
    assert server.record("osimage", "cl-a")["path"] == str(tree)


def test_clone_to_a_given_path(server, tmp_path):
    tree = make_tree(tmp_path / "clp-a")
    make_image(server, "clp-a", path=str(tree))
    target = tmp_path / "elsewhere" / "copy"
    target.parent.mkdir()
    assert clone(server, "clp-a", {"newosimage": "clp-b", "path": str(target)}).status_code == 201
    assert server.record("osimage", "clp-b")["path"] == str(target)
    assert (target / "boot" / "vmlinuz-x").exists()


def test_clone_refusals(server, tmp_path):
    tree = make_tree(tmp_path / "clr-a")
    make_image(server, "clr-a", path=str(tree))
    (tmp_path / "clr-taken").mkdir()
    assert_bad(clone(server, "clr-a", {"newosimage": "clr-taken"}), "path")
    assert_error(server.get("/config/osimage/clr-taken"), 404)
    assert_bad(clone(server, "clr-a", {"newosimage": "clr-b", "path": str(tree)}), "path")
    assert_bad(clone(server, "clr-a", {"comment": "no name"}), "newosimage")
    make_image(server, "clr-c")
    assert_error(clone(server, "clr-a", {"newosimage": "clr-c"}), 409, "newosimage")
    assert not (tmp_path / "clr-c").exists()  # refused before anything was copied
    assert_error(clone(server, "clr-none", {"newosimage": "clr-d"}), 404)
    make_image(server, "clr-gone", path=str(tmp_path / "not-there"))
    assert_bad(clone(server, "clr-gone", {"newosimage": "clr-e"}), "path")


def test_clone_of_an_image_without_a_tree(server):
    make_image(server, "cln-a", comment="no path")
    assert clone(server, "cln-a", {"newosimage": "cln-b"}).status_code == 201
    copy = server.record("osimage", "cln-b")
    assert (copy["path"], copy["comment"]) == (None, "no path")


# -- delete and members ------------------------------------------------------------------------

def test_delete_refused_while_groups_or_nodes_use_it(server):
    make_image(server, "del-a")
    make_image(server, "del-b")
    make_group(server, "del-g", osimage="del-a")
    body = assert_error(server.get("/config/osimage/del-a/_delete"), 400, "osimage")
    assert "del-g" in body["message"]
    make_group(server, "del-h")
    make_node(server, "del-n", "del-h", osimage="del-b")
    assert "del-n" in assert_error(server.post("/config/osimage/del-b/_delete"), 400, "osimage")["message"]
    assert server.save("group", "del-g", {"osimage": None}).status_code == 204
    assert server.get("/config/osimage/del-a/_delete").status_code == 204
    assert_error(server.get("/config/osimage/del-a"), 404)
    assert server.record("osimage", "del-b")["path"] is None


def test_members_are_the_nodes_that_resolve_to_the_image(server):
    make_image(server, "mem-a")
    make_image(server, "mem-b")
    make_group(server, "mem-g", osimage="mem-a")
    make_group(server, "mem-h")
    make_node(server, "mem-1", "mem-g")
    make_node(server, "mem-2", "mem-g", osimage="mem-b")
    make_node(server, "mem-3", "mem-h", osimage="mem-a")
    make_node(server, "mem-4", "mem-h")
    assert members(server, "osimage", "mem-a") == ["mem-1", "mem-3"]
    assert members(server, "osimage", "mem-b") == ["mem-2"]
