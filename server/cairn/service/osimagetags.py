"""Tags: named snapshots of an image's pack, which groups and nodes can pin.

A tag names one image's tag; tag names are unique per image only. A pack a tag
holds stays on disk when the image is repacked, until no tag holds it.
"""

import re

from ..db import osimages as db_osimages
from ..db.schema import node, osimage
from . import fields as F, packing, scope
from .errors import invalid, not_found
from .named import fetch
from .osimages import served_files
from .tx import reads, writes

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


def _parse_tag(field, value):
    if not isinstance(value, str) or not _TAG.fullmatch(value):
        raise invalid(field, "must be a tag name: letters, digits, '.', '_' and '-', "
                             "at most 63 characters, starting with a letter or digit")
    return value


TAG = F.Field(_parse_tag, {"type": "string", "pattern": _TAG.pattern}, nullable=False)
#: What a tag copies from its image: the pack, and the kernel it boots with.
SNAPSHOT = ("imagefile", "checksum", "kernelfile", "initrdfile", "kernelversion", "kerneloptions")


def record(row):
    """``row`` is a tag row with its image's name as ``osimage`` (db.osimages.tags)."""
    return {"name": row.name, "osimage": row.osimage,
            **{name: getattr(row, name) for name in SNAPSHOT}, **served_files(row.imagefile)}


@reads
def list_all(tx):
    """Every tag of every image, keyed ``<osimage>/<tag>``."""
    return {f"{row.osimage}/{row.name}": record(row)
            for row in db_osimages.tags(tx.conn, where=scope.visible(tx, osimage))}


@reads
def of_image(tx, name):
    image = fetch(tx, osimage, "osimage", name)
    return {row.name: record(row) for row in db_osimages.tags(tx.conn, image.id)}


@reads
def members(tx, name):
    """The nodes pinned to a tag of the image, and the nodes of each tag."""
    image = fetch(tx, osimage, "osimage", name)
    by_tag = {}
    for node_name, tag in db_osimages.pinned_nodes(tx.conn, image.id,
                                                   where=scope.visible(tx, node)):
        by_tag.setdefault(tag, []).append(node_name)
    return {"members": sorted(n for nodes in by_tag.values() for n in nodes), "tags": by_tag}


@scope.not_for_tenants("change OS images")
def set_tag(ctx, name, data):
    """Tag the image's current pack (a tag that exists moves to it)."""
    packing.remove(ctx.settings.files_dir, save(ctx, name, data))


@writes
def save(tx, name, data):
    """Write the tag; the pack it held before, if nothing holds that any more."""
    tag = F.parse_object("", data, {"tag": TAG}, required=("tag",))["tag"]
    image = fetch(tx, osimage, "osimage", name, for_update=True)
    if image.imagefile is None:
        raise invalid("tag", f"osimage '{name}' was never packed: pack it, then tag it")
    snapshot = {field: getattr(image, field) for field in SNAPSHOT}
    old = db_osimages.tag(tx.conn, image.id, tag)
    if old is None:
        db_osimages.add_tag(tx.conn, {"osimage_id": image.id, "name": tag, **snapshot})
        return []
    db_osimages.change_tag(tx.conn, old.id, snapshot)
    return db_osimages.unused_packs(tx.conn, [old.imagefile])


@scope.not_for_tenants("change OS images")
def remove_tag(ctx, name, tag):
    """Delete the tag, and its pack if nothing else holds it."""
    packing.remove(ctx.settings.files_dir, delete(ctx, name, tag))


@writes
def delete(tx, name, tag):
    """Delete the tag; its pack, if nothing holds that any more."""
    image = fetch(tx, osimage, "osimage", name, for_update=True)
    row = db_osimages.tag(tx.conn, image.id, tag)
    if row is None:
        raise not_found(f"osimagetag of osimage {name}", tag)
    users = [f"group {g}" for g in db_osimages.pinning_groups(tx.conn, image.id, tag)]
    users += [f"node {n}" for n, dummy in db_osimages.pinned_nodes(tx.conn, image.id, tag)]
    if users:
        more = " and more" if len(users) > 5 else ""
        raise invalid("osimagetag", f"tag '{tag}' of osimage '{name}' is pinned by "
                                    f"{', '.join(users[:5])}{more}")
    db_osimages.remove_tag(tx.conn, row.id)
    return db_osimages.unused_packs(tx.conn, [row.imagefile])


# -- pins: a group's or node's own osimagetag must be a tag of its osimage ---------------
# Without an osimage a tag means nothing yet, and there is nothing to check it against:
# it is checked when an osimage is set.

_PIN_COLUMNS = {"osimagetag", "osimage_id", "nodegroup_id"}


def check_node_pin(tx, node_id, values):
    """After a node's write that set ``values`` (columns): its own tag is a tag of the
    osimage it resolves to, or a 400 naming osimagetag."""
    if _PIN_COLUMNS & set(values):
        _check_pin(tx, *db_osimages.node_pin(tx.conn, node_id))


def check_group_pin(tx, group_id, values):
    """After a group's write: its tag is one of its osimage, and so are the tags its
    members pin themselves while taking the group's osimage (else a 400 naming osimage)."""
    if not _PIN_COLUMNS & set(values):
        return
    tag, image_id = db_osimages.group_pin(tx.conn, group_id)
    if image_id is None:
        return
    _check_pin(tx, tag, image_id)
    stray = db_osimages.stray_member_pins(tx.conn, group_id, image_id)
    if stray:
        node, tag = stray[0]
        raise invalid("osimage", f"member node {node} pins tag '{tag}', which is no tag of "
                                 f"the group's osimage ({len(stray)} such nodes)")


def _check_pin(tx, tag, image_id):
    if tag is not None and image_id is not None and db_osimages.tag(tx.conn, image_id, tag) is None:
        image = db_osimages.by_id(tx.conn, image_id).name
        raise invalid("osimagetag", f"osimage '{image}' has no tag '{tag}'")
