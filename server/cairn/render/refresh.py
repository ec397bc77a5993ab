"""The server keeps its DHCP and DNS files current: a debounced re-render and reload.

How a change is noticed: every write a principal makes is journaled, and so
is a MAC address bound by /boot/manual, so the number of journal entries (the
DNS zones' SOA serial too) grows with every change, on every controller and
in every process sharing the database. The refresher reads it every
``render_delay`` seconds; a write committed in its own process also wakes it
at once (an engine "commit" event). Either marks the files stale. They are
rendered once ``render_delay`` seconds passed without another change (a burst
of writes gives one render), and at the latest ``_LONGEST_WAIT`` delays after
the first unrendered change (a steady stream of writes cannot hold the files
back for ever).

A render reads the database in one read transaction (DHCP and DNS describe
the same moment) and rewrites only the files whose text changed, each
checked by its real tool first (render/files.py); a refused file stays as
it was and the refusal is that service's error until a render succeeds. The
daemon of a service whose files changed is then reloaded (render/daemons.py).

``Refresher.status(kind)`` is what /monitor/service reports: the last render
or reload error, files changed on disk since they were rendered, or the
daemon not answering.

A server of several processes (the ``workers`` setting) runs the loop in one
of them, but any of them answers /monitor/service and /service/<name>/reload:
the States live in a file beside the rendered ones (``Shared``), read and
written under a lock (flock) that also lets one render run at a time, in any
thread of any process. The others' writes reach the loop through the journal.
"""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
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
    """What one service's files and daemon went through since the server started."""
    renders: int = 0  # render passes run (automatic and requested)
    reloads: int = 0  # successful reloads of its daemon
    rendered: float = None  # when the last render pass ended
    files: dict = dataclasses.field(default_factory=dict)  # name -> sha256, as rendered
    render_error: str = None
    reload_error: str = None

    def report(self):
        return {"renders": self.renders, "reloads": self.reloads, "rendered": self.rendered}


@dataclasses.dataclass
class Shared:
    """What every process of the server knows of the services: each kind's State, when
    each service's last reload request ran (time.time(), for the cooldown), and the pid
    of the process whose loop keeps the files current (None once it stopped)."""
    states: dict = dataclasses.field(default_factory=lambda: {kind: State() for kind in KINDS})
    reload_requested: dict = dataclasses.field(default_factory=dict)
    loop: int = None

    @classmethod
    def parse(cls, text):
        data = json.loads(text)
        return cls({kind: State(**data["states"][kind]) for kind in KINDS},
                   data["reload_requested"], data["loop"])


def root(settings):
    return settings.render_dir or os.path.join(settings.data_dir, "render")


def _state_file(settings):
    return os.path.join(root(settings), ".state.json")


def reset(settings):
    """Start the server's Shared afresh: counts and errors are those of this start."""
    for kind in KINDS:
        os.makedirs(directory(settings, kind), exist_ok=True)
    with shared(settings) as state:
        vars(state).update(vars(Shared()))


@contextlib.contextmanager
def shared(settings):
    """The Shared of the server, locked against every other thread and process until
    the block ends (the lock file's flock: threads of one process do not share its
    open file description either), and written back then if it changed. The file is
    replaced whole, so that a reader without the lock never sees half of it."""
    path = _state_file(settings)
    with open(path + ".lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path, encoding="utf-8") as handle:
                before = handle.read()
            state = Shared.parse(before)
        except (OSError, ValueError, KeyError, TypeError):  # none yet, or from another version
            before, state = None, Shared()
        yield state
        after = json.dumps(dataclasses.asdict(state))
        if after != before:
            with open(path + ".new", "w", encoding="utf-8") as handle:
                handle.write(after)
            os.replace(path + ".new", path)


def check_settings(settings):
    """Exit (as config.load does) on a setting the refresher cannot work with."""
    if settings.dhcp_daemon not in daemons.DHCP_DAEMONS:
        raise SystemExit(f"cairn-server: dhcp_daemon must be one of {', '.join(daemons.DHCP_DAEMONS)}, "
                         f"not {settings.dhcp_daemon!r}")
    for name in ("render_delay", "reload_cooldown"):
        if getattr(settings, name) < 0:
            raise SystemExit(f"cairn-server: {name} must not be negative, not {getattr(settings, name)}")


def directory(settings, kind):
    return os.path.join(root(settings), kind)


def _hashes(path):
    """sha256 of every file in ``path`` (not the temporary dot files of install())."""
    found = {}
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("."):
            with open(entry.path, "rb") as handle:
                found[entry.name] = hashlib.sha256(handle.read()).hexdigest()
    return found


class Refresher:
    """Renders and reloads on change, in a thread of its own (start/stop), and on request.
    In a process that does not run the loop, only on request."""

    def __init__(self, engine, settings):
        check_settings(settings)
        self.engine = engine
        self.settings = settings
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
        if self._thread.ident is None:
            return
        event.remove(self.engine, "commit", self._committed)
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=60)  # a render under way finishes its files

    def alive(self):
        """Whether the loop runs, in this process or in another of the server's."""
        with shared(self.settings) as state:
            pid = state.loop
        if pid is None:
            return False
        if pid == os.getpid():
            return self._thread.is_alive()
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _committed(self, conn):
        if conn.get_execution_options().get("cairn_write"):
            self._wake.set()

    # -- the loop -------------------------------------------------------------

    def _run(self):
        with shared(self.settings) as state:
            state.loop = os.getpid()
        try:
            self._loop()
        finally:
            with shared(self.settings) as state:
                state.loop = None

    def _loop(self):
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
        with shared(self.settings) as known:
            changed = {}
            try:
                with transaction(self.engine, write=False) as conn:
                    for kind in kinds:
                        changed[kind] = self._render(conn, known.states[kind], kind)
            except OperationalError as exc:
                for kind in kinds:
                    known.states[kind].render_error = f"database unavailable: {exc.orig}"
                    known.states[kind].renders += 1
            for kind in kinds:
                if changed.get(kind) or reload:
                    self._reload(known.states[kind], kind)

    def _render(self, conn, state, kind):
        """Render one kind's files; whether any of them changed on disk."""
        path = directory(self.settings, kind)
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

    def _reload(self, state, kind):
        try:
            if daemons.RELOAD[kind](self.settings):
                state.reloads += 1
                log.info("reloaded %s", kind)
            state.reload_error = None
        except daemons.DaemonError as failed:
            state.reload_error = str(failed)
            log.error("reloading %s failed: %s", kind, failed)

    # -- monitoring -----------------------------------------------------------

    def report(self, kind):
        with shared(self.settings) as known:
            return known.states[kind].report()

    def claim_reload(self, name, cooldown):
        """Whether a reload request of ``name`` may run now: not within ``cooldown``
        seconds of the last one that ran (in any process); that one is this one then."""
        with shared(self.settings) as known:
            last = known.reload_requested.get(name)
            if last is not None and abs(time.time() - last) < cooldown:
                return False
            known.reload_requested[name] = time.time()
            return True

    def status(self, kind):
        """(True, "OK, running"), or (False, why the service is not fine)."""
        with shared(self.settings) as known:  # not in the middle of a render
            state = known.states[kind]
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
