"""Packing an image on disk: its tree as a gzipped tarball, with its kernel and initrd beside it.

The files of one pack share a stem, ``<osimage>-<job id>``: ``<stem>.tar.gz``,
``<stem>-vmlinuz`` and ``<stem>-initramfs``, in files_dir. They are written in a
work directory there (``.<job id>.part``) and renamed into place when all are
complete, so /files never serves half a file. Nothing here touches the database.
"""

import contextlib
import errno
import hashlib
import os
import shutil
import tarfile

from .jobs import Failed

TARBALL = ".tar.gz"
_KERNEL, _INITRD = "-vmlinuz", "-initramfs"
_TAR_SHARE = 90  # percent of the progress that writing the tarball stands for


def pack_files(imagefile):
    """The files of the pack whose tarball is ``imagefile``: tarball, kernel, initrd."""
    stem = imagefile[:-len(TARBALL)]
    return imagefile, stem + _KERNEL, stem + _INITRD


def build(image, files_dir, job):
    """Pack ``image`` (a row: name, path, kernelfile, initrdfile) into ``files_dir``;
    return (tarball name, its SHA-256 in hex)."""
    root = os.path.realpath(image.path)
    if not os.path.isdir(root):
        raise Failed(f"path: {image.path} is not a directory")
    sources = [_boot_file(root, image.kernelfile, "kernelfile"),
               _boot_file(root, image.initrdfile, "initrdfile")]
    os.makedirs(files_dir, mode=0o700, exist_ok=True)  # images hold password hashes and keys
    names = pack_files(f"{image.name}-{job.id}{TARBALL}")
    work = _work_dir(files_dir, job.id)
    os.mkdir(work, 0o700)
    try:
        tarball = os.path.join(work, names[0])
        with open(tarball, "wb") as out:
            _write_tarball(root, out, job)
            out.flush()
            os.fsync(out.fileno())
        with open(tarball, "rb") as packed:
            checksum = hashlib.file_digest(packed, "sha256").hexdigest()
        for source, name in zip(sources, names[1:]):
            shutil.copyfile(source, os.path.join(work, name))
        job.progress(99)
        for name in names:
            os.replace(os.path.join(work, name), os.path.join(files_dir, name))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return names[0], checksum


def _boot_file(root, name, field):
    """``<root>/boot/<name>``, a regular file inside the tree (a symlink may lead there)."""
    if not name:
        raise Failed(f"{field} is not set: name the file under <path>/boot")
    path = os.path.realpath(os.path.join(root, "boot", name))
    if os.path.commonpath([root, path]) != root:
        raise Failed(f"{field}: boot/{name} leads out of the image tree")
    if not os.path.isfile(path):
        raise Failed(f"{field}: {os.path.join(root, 'boot', name)} is not a file")
    return path


def _write_tarball(root, out, job):
    """The tree under ``root`` as a gzipped tarball, as ``tar --numeric-owner --xattrs
    --one-file-system`` would make it: modes, numeric owners, symlinks (never followed),
    hard links, device nodes and extended attributes."""
    with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6, copybufsize=1 << 20) as tar:
        members = [(path, _tarinfo(tar, path, arcname)) for path, arcname in _entries(root)]
        total = sum(info.size for dummy, info in members if info is not None and info.isreg()) or 1
        done = 0

        def advance(count):
            nonlocal done
            done += count
            job.progress(_TAR_SHARE * done / total)

        for path, info in members:
            if info is None:  # a socket: nothing a tarball can hold
                continue
            if info.isreg():
                with open(path, "rb") as data:
                    tar.addfile(info, _Counted(data, advance))
            else:
                tar.addfile(info)


class _Counted:
    """A file being packed that reports each read: progress moves (and a stopping
    server is noticed) within big files too."""

    def __init__(self, data, report):
        self.data = data
        self.report = report

    def read(self, size):
        chunk = self.data.read(size)
        self.report(len(chunk))
        return chunk


def _entries(root):
    """(path, name in the tarball) of the tree, parents first. A filesystem mounted
    inside (a chroot's /proc, /sys or /dev) is packed as its empty mount point."""
    device = os.lstat(root).st_dev
    yield root, "."
    for top, dirs, files in os.walk(root, onerror=_raise):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(top, name)
            yield path, os.path.relpath(path, root)
        dirs[:] = [name for name in dirs if os.lstat(os.path.join(top, name)).st_dev == device]


def _raise(error):
    raise error  # an unreadable directory fails the pack: a silently partial image is worse


def _tarinfo(tar, path, arcname):
    info = tar.gettarinfo(path, arcname)  # lstat: a symlink stays a symlink
    if info is not None:
        # The image's users are not the controller's: keep numbers, drop the names.
        info.uname = info.gname = ""
        info.pax_headers = _xattrs(path)
    return info


def _xattrs(path):
    """Extended attributes (file capabilities, SELinux labels) as GNU tar --xattrs stores them."""
    try:
        keys = os.listxattr(path, follow_symlinks=False)
    except OSError as exc:
        if exc.errno == errno.ENOTSUP:
            return {}
        raise
    return {f"SCHILY.xattr.{key}": os.getxattr(path, key, follow_symlinks=False)
            .decode("utf-8", "surrogateescape") for key in keys}


def _work_dir(files_dir, job_id):
    return os.path.join(files_dir, f".{job_id}.part")


def remove(files_dir, imagefiles):
    """Delete the packs whose tarballs are ``imagefiles`` (files already gone are fine)."""
    for imagefile in imagefiles:
        for name in pack_files(imagefile):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(files_dir, name))


def remove_leftovers(files_dir, job_ids):
    """Delete the work directories of packs a stop interrupted."""
    for job_id in job_ids:
        shutil.rmtree(_work_dir(files_dir, job_id), ignore_errors=True)
