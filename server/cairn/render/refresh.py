"""The server keeps its DHCP and DNS files current: a debounced re-render and reload.

How a change is noticed: every write a principal makes is journaled, so the
number of journal entries (the DNS zones' SOA serial too) grows with every
change, on every controller sharing the database. The refresher reads it
every ``render_delay`` seconds; a write committed in this process also wakes
it at once (an engine "commit" event), which catches the unjournaled writes
of this process too (a MAC bound by /boot/manual). Either marks the files
stale. They are rendered once ``render_delay`` seconds passed without another
change (a burst of writes gives one render), and at the latest
``_LONGEST_WAIT`` delays after the first unrendered change (a steady stream
of writes cannot hold the files back for ever).

A render reads the database in one read transaction (DHCP and DNS describe
the same moment) and rewrites only the files whose text changed, each
checked by its real tool first (render/files.py); a refused file stays as
it was and the refusal is that service's error until a render succeeds. The
daemon of a service whose files changed is then reloaded (render/daemons.py).

``Refresher.status(kind)`` is what /monitor/service reports: the last render
or reload error, files changed on disk since they were rendered, or the
daemon not answering.
"""

import dataclasses
import hashlib
import logging
import os
import threading
import time

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ..db import dns as db_dns
from ..db.engine import transaction
from . import daemons
from .all import kea_options
from .dhcp import TEMPLATES, render_dhcp
from .dns import render_dns
from .files import InvalidConfig

log = logging.getLogger("cairn.render")

KINDS = ("dhcp", "dns")
_LONGEST_WAIT = 10


@dataclasses.dataclass
class State:
    """What one service's files and daemon went through in this process."""
    renders: int = 0  # render passes run (automatic and requested)
    reloads: int = 0  # successful reloads of its daemon
    rendered: float = None  # when the last render pass ended
    files: dict = dataclasses.field(default_factory=dict)  # name -> sha256, as rendered
    render_error: str = None
    reload_error: str = None

    def report(self):
        return {"renders": self.renders, "reloads": self.reloads, "rendered": self.rendered}


def check_settings(settings):
    """Exit (as config.load does) on a setting the refresher cannot work with."""
    if settings.dhcp_daemon not in daemons.DHCP_DAEMONS:
        raise SystemExit(f"cairn-server: dhcp_daemon must be one of {', '.join(daemons.DHCP_DAEMONS)}, "
                         f"not {settings.dhcp_daemon!r}")
    for name in ("render_delay", "reload_cooldown"):
        if getattr(settings, name) < 0:
            raise SystemExit(f"cairn-server: {name} must not be negative, not {getattr(settings, name)}")


def directory(settings, kind):
    return os.path.join(settings.render_dir or os.path.join(settings.data_dir, "render"), kind)


def _hashes(path):
    """sha256 of every file in ``path`` (not the temporary dot files of install())."""
    found = {}
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("."):
            with open(entry.path, "rb") as handle:
                found[entry.name] = hashlib.sha256(handle.read()).hexdigest()
    return found


class Refresher:
    """Renders and reloads on change, in a thread of its own (start/stop), and on request."""

    def __init__(self, engine, settings):
        check_settings(settings)
        self.engine = engine
        self.settings = settings
        self.states = {kind: State() for kind in KINDS}
        self._lock = threading.Lock()  # one render at a time, thread or request
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cairn-render", daemon=True)
        for kind in KINDS:
            os.makedirs(directory(settings, kind), exist_ok=True)

    # -- lifecycle ------------------------------------------------------------

    def start(self):
        event.listen(self.engine, "commit", self._committed)
        self._thread.start()

    def stop(self):
        event.remove(self.engine, "commit", self._committed)
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=60)  # a render under way finishes its files

    def alive(self):
        return self._thread.is_alive()

    def _committed(self, conn):
        if conn.get_execution_options().get("cairn_write"):
            self._wake.set()

    # -- the loop -------------------------------------------------------------

    def _run(self):
        delay = self.settings.render_delay
        seen = self._journal_length()
        self.render(KINDS)
        first_change = last_change = None

        def due():
            return min(last_change + delay, first_change + _LONGEST_WAIT * delay)

        while not self._stopping.is_set():
            timeout = (delay or None) if last_change is None else max(0.0, due() - time.monotonic())
            woken = self._wake.wait(timeout)
            self._wake.clear()
            if self._stopping.is_set() or not delay:
                continue  # delay 0: no automatic renders
            length, now = self._journal_length(), time.monotonic()
            if woken or length != seen:
                seen, last_change = length, now
                first_change = first_change or now
            if last_change is not None and now >= due():
                first_change = last_change = None
                self.render(KINDS)

    def _journal_length(self):
        try:
            with transaction(self.engine, write=False) as conn:
                return db_dns.journal_length(conn)
        except OperationalError as exc:
            log.error("cannot read the journal to notice changes: %s", exc.orig)
            return None

    # -- rendering and reloading ---------------------------------------------

    def render(self, kinds, reload=False):
        """Render ``kinds`` now and reload the daemons whose files changed (all of
        ``kinds`` with ``reload``); errors are recorded in each kind's State."""
        with self._lock:
            changed = {}
            try:
                with transaction(self.engine, write=False) as conn:
                    for kind in kinds:
                        changed[kind] = self._render(conn, kind)
            except OperationalError as exc:
                for kind in kinds:
                    self.states[kind].render_error = f"database unavailable: {exc.orig}"
                    self.states[kind].renders += 1
            for kind in kinds:
                if changed.get(kind) or reload:
                    self._reload(kind)

    def _render(self, conn, kind):
        """Render one kind's files; whether any of them changed on disk."""
        state, path = self.states[kind], directory(self.settings, kind)
        before = _hashes(path)
        try:
            self._write(conn, kind, path)
            state.render_error = None
        except (InvalidConfig, ValueError, OSError) as refused:
            state.render_error = str(refused)
            log.error("rendering %s failed, the old files stay: %s", kind, refused)
        state.files = _hashes(path)
        state.renders += 1
        state.rendered = time.time()
        return state.files != before

    def _write(self, conn, kind, path):
        settings = self.settings
        if kind == "dns":
            render_dns(conn, path)
            return
        if settings.boot_address is None:
            raise ValueError("this server has no boot address: set boot_server to the IPv4 "
                             "address the nodes reach it at")
        render_dhcp(conn, path, settings.boot_address, settings.port,
                    daemons=TEMPLATES if settings.dhcp_daemon == "none" else (settings.dhcp_daemon,),
                    **kea_options(settings))

    def _reload(self, kind):
        state = self.states[kind]
        try:
            if daemons.RELOAD[kind](self.settings):
                state.reloads += 1
                log.info("reloaded %s", kind)
            state.reload_error = None
        except daemons.DaemonError as failed:
            state.reload_error = str(failed)
            log.error("reloading %s failed: %s", kind, failed)

    # -- monitoring -----------------------------------------------------------

    def status(self, kind):
        """(True, "OK, running"), or (False, why the service is not fine)."""
        state = self.states[kind]
        with self._lock:  # not in the middle of a render
            error = state.render_error or state.reload_error
            on_disk = _hashes(directory(self.settings, kind))
        changed = sorted(name for name in set(on_disk) | set(state.files)
                         if on_disk.get(name) != state.files.get(name))
        if error:
            return False, error
        if changed:
            return False, f"not the files last rendered: {', '.join(changed)} changed on disk"
        try:
            return True, f"OK, {daemons.CHECK[kind](self.settings)}"
        except daemons.DaemonError as failed:
            return False, str(failed)
