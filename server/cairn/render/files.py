"""Installing rendered files: validate with the real tool, then swap atomically.

Three functions:

- ``install(path, text, check=None)`` writes ``text`` to a temporary file in
  the directory of ``path``, flushes it to disk, calls ``check(temp_path)``
  (which raises to refuse the file), then renames it onto ``path`` and syncs
  the directory. A reader sees the old file or the new one, never a half
  written or invalid one: on any failure the temporary file is removed and
  the old file stays as it was. A file that already holds ``text`` is left
  alone, unchecked: its daemon has it already, and its mtime says when it
  last changed.
- ``run_check(argv)`` runs a validating tool (``["kea-dhcp4", "-t", path]``,
  ``["named-checkzone", zone, path]``) and raises ``InvalidConfig`` carrying
  the tool's name and output when it exits non-zero. Checks are usually
  ``lambda temp: run_check([find_tool("dhcpd"), "-t", "-cf", temp])``.
- ``find_tool(name)`` finds a tool on PATH or in /usr/sbin and /sbin, or
  raises InvalidConfig saying it is not installed.
"""

import os
import shutil
import subprocess
import tempfile


class InvalidConfig(Exception):
    """A validating tool refused a rendered file; ``output`` is what it said."""

    def __init__(self, tool, output):
        super().__init__(f"{tool} refused the rendered file:\n{output}")
        self.tool = tool
        self.output = output


def run_check(argv):
    """Run ``argv``; raise InvalidConfig with its output unless it exits 0."""
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", check=False)
    except FileNotFoundError as missing:
        raise InvalidConfig(argv[0], f"not installed: {missing}") from missing
    if done.returncode != 0:
        raise InvalidConfig(argv[0], done.stdout)


def install(path, text, check=None):
    """Atomically replace ``path`` with ``text`` once ``check(temp_path)`` accepts it
    (unless ``path`` holds ``text`` already)."""
    if _holds(path, text):
        return path
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes 0600; daemons often read as another user
        if check is not None:
            check(temp)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    _sync_directory(directory)
    return path


def _holds(path, text):
    try:
        with open(path, encoding="utf-8", newline="") as current:
            return current.read() == text
    except (OSError, UnicodeDecodeError):
        return False


def _sync_directory(directory):
    # The rename is durable only once the directory entry itself is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def find_tool(name):
    """The path of a validating tool, also in the sbin directories a non-root PATH lacks."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        raise InvalidConfig(name, "not installed")
    return path
