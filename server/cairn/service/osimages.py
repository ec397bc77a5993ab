"""OS images: their records, their trees on disk, and packing them in the background."""

import functools
import json
import os
import shutil
import subprocess
import time

from ..db import objects, osimages as db_osimages
from ..db.schema import group, node, osimage
from . import fields as F, jobs, packing, rows, scope
from .errors import invalid, not_found
from .named import claim, fetch
from .tx import reads, writes


def _parse_path(field, value):
    if not os.path.isabs(F._str(field, value, 4096)):
        raise invalid(field, "must be an absolute path")
    path = os.path.normpath(value)
    if path in ("/", "//"):
        raise invalid(field, "must not be the controller's root directory")
    return path


def _parse_boot_file(field, value):
    F.SHORT(field, value)
    if "/" in value or value in ("", ".", ".."):
        raise invalid(field, "must be the name of a file in the image's /boot")
    return value


def _parse_strings(field, value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(field, "must be a JSON array of strings")
    return value


PATH = F.Field(_parse_path, {"type": "string", "example": "/trinity/images/compute"})
BOOT_FILE = F.Field(_parse_boot_file, {"type": "string", "maxLength": 255, "example": "vmlinuz-5.14.0"})
STRINGS = F.Field(_parse_strings, {"type": "array", "items": {"type": "string"}})
_SHORT64 = F.Field(F._string(64), {"type": "string", "maxLength": 64})

FIELDS = {
    "path": PATH,
    "distribution": _SHORT64,
    "osrelease": _SHORT64,
    "kernelversion": F.SHORT,
    "kernelfile": BOOT_FILE,
    "initrdfile": BOOT_FILE,
    "kernelmodules": F.TEXT,
    "kerneloptions": F.TEXT,
    "dracutmodules": F.TEXT,
    "grab_filesystems": STRINGS,
    "grab_exclude": STRINGS,
    "comment": F.TEXT,
}
RENAME = "newosimage"
WRITE_FIELDS = {**FIELDS, RENAME: F.NAME}
KERNEL_FIELDS = {name: FIELDS[name] for name in ("kernelversion", "kernelfile", "initrdfile")}
#: The spec's other spellings (its GET examples use them): accepted in requests, shown in records.
ALIASES = {"kernver": "kernelversion", "kernopts": "kerneloptions",
           "kernmodules": "kernelmodules", "grab_exclude_list": "grab_exclude"}
_LISTS = ("grab_filesystems", "grab_exclude")
_CHANGE = "change OS images"  # nor pack them: a tenant reads the images its nodes use
#: What packing sets; records show them, requests cannot change them.
PACKED = {
    "imagefile": "the tarball's file in /files",
    "checksum": "the tarball's SHA-256, in hex",
    "packed_at": "when the image was last packed, in seconds since the epoch",
    "tarball": "imagefile, for luna2 clients",
    "packed_kernel": "the kernel's file in /files",
    "packed_initrd": "the initrd's file in /files",
}


def served_files(imagefile):
    """The files a pack serves at /files, for records of images and tags."""
    _tarball, kernel, initrd = packing.pack_files(imagefile) if imagefile else (None,) * 3
    return {"packed_kernel": kernel, "packed_initrd": initrd}


def record(row):
    own = {name: getattr(row, name) for name in FIELDS}
    for name in _LISTS:
        own[name] = json.loads(own[name]) if own[name] is not None else None
    own.update({alias: own[name] for alias, name in ALIASES.items()})
    return {**own, "imagefile": row.imagefile, "checksum": row.checksum,
            "packed_at": row.packed_at, "tarball": row.imagefile, **served_files(row.imagefile)}


def _parse(data, fields=WRITE_FIELDS):  # pylint: disable=dangerous-default-value  # only read
    if isinstance(data, dict):
        for key in PACKED:
            if key in data:
                raise invalid(key, "is read-only: packing the image sets it")
    values = F.parse_object("", data, fields, aliases=ALIASES)
    for name in _LISTS:
        if values.get(name) is not None:
            values[name] = json.dumps(values[name])
    return values


@reads
def list_all(tx):
    return {row.name: record(row)
            for row in objects.all_rows(tx.conn, osimage, where=scope.visible(tx, osimage))}


@reads
def get(tx, name):
    return record(fetch(tx, osimage, "osimage", name))


@reads
def members(tx, name):
    return db_osimages.members(tx.conn, fetch(tx, osimage, "osimage", name).id,
                               where=scope.visible(tx, node))


@writes
@scope.not_for_tenants(_CHANGE)
def save(tx, name, data):
    """Create or update (and maybe rename) an image. Returns True when created."""
    dummy, before = rows.save(tx, osimage, "osimage", name, _parse(data), RENAME)
    return before is None


# -- clone: the record, and a copy of the tree -----------------------------------

@scope.not_for_tenants(_CHANGE)
def clone(ctx, name, data):
    """Copy an image and its tree on disk; the copy is not packed. Returns its name.

    The tree is copied before the record is written, outside any transaction
    (an image takes minutes to copy); if the record then cannot be written, the
    copy is removed again.
    """
    values = _parse(data)
    new_name = values.pop(RENAME, None)
    if not new_name:
        raise invalid(RENAME, "is required to clone")
    source, target = _clone_paths(ctx, name, new_name, values.get("path"))
    if source:
        _copy_tree(source, target)
    try:
        clone_record(ctx, name, {**values, RENAME: new_name, "path": target})
    except BaseException:
        if source:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return new_name


@reads
def _clone_paths(tx, name, new_name, path):
    """(the source's tree or None, the clone's path): beside the source, named after the clone,
    unless the request gives a path."""
    row = fetch(tx, osimage, "osimage", name)
    claim(tx, osimage, "osimage", new_name, RENAME)
    if not row.path:
        return None, path
    if not os.path.isdir(row.path):
        raise invalid("path", f"the tree of osimage '{name}', {row.path}, is not a directory")
    return row.path, path or os.path.join(os.path.dirname(row.path), new_name)


def _copy_tree(source, target):
    """``cp -a``: modes, owners, hard links, symlinks, extended attributes, as they are."""
    try:
        os.mkdir(target)  # fails if the target exists, also when a concurrent clone made it
    except FileExistsError:
        raise invalid("path", f"{target} already exists") from None
    except OSError as exc:
        raise invalid("path", f"cannot create {target}: {exc.strerror}") from None
    copy = subprocess.run(["cp", "-a", "--", f"{source}/.", target], capture_output=True, text=True, check=False)
    if copy.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise invalid("path", f"copying {source} to {target} failed: {copy.stderr.strip()}")


@writes
def clone_record(tx, name, values):
    """Write the clone's record, its tree already copied (see clone)."""
    rows.clone(tx, osimage, "osimage", name, values, RENAME, not_copied=PACKED)


# -- delete ------------------------------------------------------------------------

@scope.not_for_tenants(_CHANGE)
def delete(ctx, name):
    """Delete an image, its tags and their packs (never the image's tree)."""
    packing.remove(ctx.settings.files_dir, delete_record(ctx, name))


@writes
def delete_record(tx, name):
    """Delete the record; the packs it leaves unused."""
    row = fetch(tx, osimage, "osimage", name, for_update=True)
    rows.refuse_while_used(tx, "osimage", name, row.id, group.c.osimage_id, "groups")
    rows.refuse_while_used(tx, "osimage", name, row.id, node.c.osimage_id, "nodes")
    packs = [row.imagefile, *(tag.imagefile for tag in db_osimages.tags(tx.conn, row.id))]
    objects.remove(tx.conn, osimage, row.id)  # its tags go with it (ON DELETE CASCADE)
    return db_osimages.unused_packs(tx.conn, packs)


# -- packing ---------------------------------------------------------------------------

@scope.not_for_tenants(_CHANGE)
def pack(ctx, name):
    """Start packing the image; the job's id."""
    return _submit_pack(ctx, name, _packable(ctx, name))


@scope.not_for_tenants(_CHANGE)
def change_kernel(ctx, name, data):
    """Change the kernel fields and repack; the job's id."""
    return _submit_pack(ctx, name, set_kernel(ctx, name, _parse(data, KERNEL_FIELDS)))


def _submit_pack(ctx, name, image_id):
    return jobs.submit(ctx, "pack", name, functools.partial(_pack_job, image_id))


def _packable_id(row):
    if not row.path:
        raise invalid("path", f"osimage '{row.name}' has no path to pack")
    return row.id


@reads
def _packable(tx, name):
    return _packable_id(fetch(tx, osimage, "osimage", name))


@writes
def set_kernel(tx, name, values):
    image_id = _packable_id(fetch(tx, osimage, "osimage", name, for_update=True))
    jobs.check_idle(tx, "pack", name)  # the running pack would not see the new kernel
    objects.change(tx.conn, osimage, image_id, values)
    return image_id


def _pack_job(image_id, job):
    """The job: pack the image's tree, record the pack, remove the packs it replaced."""
    files_dir = job.ctx.settings.files_dir
    image = _image(job.ctx, image_id)
    imagefile, checksum = packing.build(image, files_dir, job)
    try:
        replaced = _record_pack(job.ctx, image_id, imagefile, checksum)
    except BaseException:
        packing.remove(files_dir, [imagefile])
        raise
    packing.remove(files_dir, replaced)
    return f"packed {imagefile}"


@reads
def _image(tx, image_id):
    row = db_osimages.by_id(tx.conn, image_id)
    if row is None:
        raise jobs.Failed("the osimage was deleted")
    return row


@writes(journal=False)
def _record_pack(tx, image_id, imagefile, checksum):
    """Make the new pack the image's; the old one, unless a tag holds it, is unused now."""
    row = db_osimages.by_id(tx.conn, image_id, for_update=True)
    if row is None:
        raise jobs.Failed("the osimage was deleted while it was packed")
    objects.change(tx.conn, osimage, image_id,
                   {"imagefile": imagefile, "checksum": checksum, "packed_at": int(time.time())})
    return db_osimages.unused_packs(tx.conn, [row.imagefile])


# -- /files --------------------------------------------------------------------------

def served_file(ctx, name):
    """``name`` if /files may serve that file of files_dir to the principal, else a 404.

    Hidden names never (packs in progress work in ".<job>.part"). A tenant gets only
    the packs of the images it sees, and of their tags; any other name answers as a
    missing file does.
    """
    if "/" in name or "\\" in name or name.startswith("."):
        raise not_found("file", name)
    if scope.is_tenant(ctx.principal) and name not in _tenant_files(ctx):
        raise not_found("file", name)
    return name


def boot_file(ctx, name):
    """``name`` if it is the kernel or initrd of a current pack, else a 404: what iPXE
    fetches at /boot/<name> without credentials, as in the spec's boot script. Kernels
    and initrds are the distribution's; a tarball (the whole image, password hashes and
    keys included) is served only at /files, to a token."""
    if name not in _boot_files(ctx):
        raise not_found("file", name)
    return name


@reads
def _boot_files(tx):
    return {file for imagefile in db_osimages.packs(tx.conn) for file in packing.pack_files(imagefile)[1:]}


@reads
def _tenant_files(tx):
    return {file for imagefile in db_osimages.packs(tx.conn, where=scope.visible(tx, osimage))
            for file in packing.pack_files(imagefile)}
