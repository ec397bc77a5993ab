"""Starting the server: migrate, bootstrap an empty database, serve with cheroot; purge
deleted tenants, now (purge-tenants) and periodically while serving; keep the DHCP and
DNS files current while serving (render/refresh.py).

cheroot (CherryPy's HTTP server) is a production WSGI server in pure
Python: a thread pool and HTTP/1.1 keep-alive. Threads suit an API whose
time goes to the database, but Python runs one thread of a process at a
time: a boot storm, all CPU, is served by processes. With ``workers`` above
1 this process binds a socket for each worker on the one address
(SO_REUSEPORT: the kernel hands each connection to one of them, and no
worker wakes for another's), forks the workers, each with its own engine
(a connection pool must never cross a fork), starts a new one in place of
one that dies, on the same socket (its queued connections wait for it),
and stops them all on SIGTERM. Worker 0 runs the duties of a server: the
refresher's loop and the purge. What the workers must agree on lives in the
database (the login throttle, jobs) or in the refresher's shared file, never
in one's memory.
"""

import gc
import logging
import os
import signal
import socket
import threading
import time

from cheroot import wsgi

from . import crypto
from .api import create_app, wsgi as api_wsgi
from .config import ensure_secret_key
from .db import cluster as db_cluster
from .db.engine import make_engine, transaction
from .db.migrate import exclusive, upgrade
from .render import refresh
from .service import accounts, jobs, packing, services, tenants
from .service.tx import Context

log = logging.getLogger("cairn.server")


def migrate(settings):
    engine = make_engine(settings.db, pool_size=2)
    with exclusive(engine):
        upgrade(engine)
    log.info("database %s is at the latest schema", engine.url.render_as_string(hide_password=True))
    engine.dispose()


def setup(settings):
    """What a start does once, before anything serves: the key files, the schema, an
    empty database's cluster and superadmin, the end of the jobs a stop cut short,
    and a fresh record of the services."""
    ensure_secret_key(settings)
    crypto.ensure_key_file(crypto.key_file(settings))
    engine = make_engine(settings.db, pool_size=2)
    try:
        ctx = Context(engine, None, settings)
        with exclusive(engine):
            upgrade(engine)
            with transaction(engine, write=True) as conn:
                db_cluster.ensure(conn, settings.cluster_name)
                db_cluster.register_controller(conn, settings.controller_name, settings.host,
                                               settings.port)
            generated = accounts.ensure_superadmin(ctx, settings.admin_user, settings.admin_password)
        # Jobs run in the serving processes' threads: those a stop cut short end now.
        packing.remove_leftovers(settings.files_dir, jobs.fail_interrupted(ctx))
    finally:
        engine.dispose()
    refresh.reset(settings)
    if generated:
        # Printed once, to the console only: the database keeps just the hash.
        print(f"Created superadmin '{settings.admin_user}' with password: {generated}", flush=True)


def application(settings):
    """The engine of a set-up database, and the WSGI application on it."""
    engine = make_engine(settings.db, pool_size=settings.threads)
    return engine, api_wsgi(create_app(engine, settings))


def prepare(settings):
    setup(settings)
    return application(settings)


def purge_tenants(settings):
    """Remove the tenants whose deletion window ended; their names."""
    engine = make_engine(settings.db, pool_size=1)
    try:
        purged = tenants.purge(Context(engine, None, settings))
    finally:
        engine.dispose()
    log.info("purged %d deleted tenants%s", len(purged), f": {', '.join(purged)}" if purged else "")
    return purged


def _purge_periodically(ctx, interval, stopped):
    """Purge deleted tenants now and every ``interval`` seconds until ``stopped`` is set.
    A failure (the database away for a while) is logged; the next round tries again."""
    while True:
        try:
            tenants.purge(ctx)
        except Exception:
            log.exception("purging deleted tenants failed; trying again in %d s", interval)
        if stopped.wait(interval):
            return


def serve(settings):
    setup(settings)
    if settings.workers == 1:
        return _serve(settings)
    return _Supervisor(settings).run()


class _WorkerServer(wsgi.Server):
    """cheroot on the worker's listening socket, which the supervisor bound."""

    def __init__(self, listener, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.listener = listener

    def bind(self, family, type, proto=0):  # pylint: disable=redefined-builtin  # cheroot's names
        self.socket = self.listener
        return self.socket


def _serve(settings, listener=None, duties=True, serving=lambda: None):
    """Serve until SIGTERM or SIGINT: on ``listener`` (a worker's), else on a socket of
    its own; ``duties``: run the refresher's loop and the purge too. ``serving()`` is
    called once everything started."""
    engine, app = application(settings)
    # Listing 10,000 nodes makes some 400,000 short-lived objects; with the
    # default thresholds the cyclic collector runs hundreds of times a
    # request and takes a quarter of its time. Start-up objects are frozen
    # out of its view, and it runs less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    options = dict(numthreads=settings.threads, request_queue_size=256)
    if listener is None:
        server = wsgi.Server((settings.host, settings.port), app, **options)
    else:
        server = _WorkerServer(listener, listener.getsockname()[:2], app, **options)
    try:
        server.prepare()
    except OSError as exc:
        raise SystemExit(f"cairn-server: cannot listen on {settings.bind}: {exc}") from None

    # On a signal, a thread stops the server while this one leaves serve().
    # Stopping inside the handler cannot work: cheroot's stop() waits for the
    # serve loop, which is this very thread, interrupted by the handler.
    stopping = threading.Thread(target=server.stop, name="cairn-stop")

    def _stop(_signum, _frame):
        if stopping.ident is None:  # a second signal while stopping changes nothing
            stopping.start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    purging_stopped = threading.Event()
    purger = threading.Thread(target=_purge_periodically, name="cairn-purge", daemon=True,
                              args=(Context(engine, None, settings), settings.purge_interval,
                                    purging_stopped))
    if duties and settings.purge_interval:
        purger.start()
    # Renders the DHCP and DNS files, then keeps them current (with ``duties``).
    services.start(engine, settings, loop=duties)
    if listener is None:
        log.info("cairn-server listening on http://%s", settings.bind)
    serving()
    try:
        server.serve()
    finally:
        if stopping.ident is None:
            server.stop()
        else:
            stopping.join()
        purging_stopped.set()
        if purger.ident is not None:
            purger.join(timeout=30)  # a purge under way finishes its transaction
        services.stop()
        jobs.shutdown()
    log.info("cairn-server stopped" if listener is None else "worker (pid %d) stopped", os.getpid())
    return 0


#: The exit status of a worker that could not start serving: the supervisor gives up
#: (starting another would fail the same way) instead of starting others for ever.
_WORKER_FAILED_TO_START = 3


class _Supervisor:
    """The parent of the workers: binds their sockets, starts them, starts another in
    place of one that dies, and on SIGTERM or SIGINT stops them all."""

    def __init__(self, settings):
        self.settings = settings
        self.workers = {}  # pid -> index: worker 0 has the duties
        self.stopping = False
        self.failed = False

    def run(self):
        settings = self.settings
        try:
            listeners = _listeners(settings.host, settings.port, settings.workers)
        except OSError as exc:
            raise SystemExit(f"cairn-server: cannot listen on {settings.bind}: {exc}") from None
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for index in range(settings.workers):
            self._start(listeners, index)
        log.info("cairn-server listening on http://%s with %d workers", settings.bind, settings.workers)
        while self.workers:
            pid, status = os.wait()  # a signal's handler runs in here, and the wait goes on
            index = self.workers.pop(pid, None)
            if index is None or self.stopping:
                continue
            if os.waitstatus_to_exitcode(status) == _WORKER_FAILED_TO_START:
                log.error("worker %d could not start: stopping the others", index)
                self.failed = True
                self._stop()
                continue
            log.error("worker %d (pid %d) died (%s): starting another", index, pid,
                      _described(status))
            self._end_jobs_of(pid)
            time.sleep(1)  # a worker dying at once must not turn into a busy loop
            if not self.stopping:
                self._start(listeners, index)
        for listener in listeners:
            listener.close()
        log.info("cairn-server stopped")
        return 1 if self.failed else 0

    def _start(self, listeners, index):
        pid = os.fork()
        if pid:
            self.workers[pid] = index
            return
        outcome = {"status": _WORKER_FAILED_TO_START}
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            for other in listeners[:index] + listeners[index + 1:]:
                other.close()
            log.info("worker %d (pid %d) starting", index, os.getpid())
            outcome["status"] = _serve(self.settings, listeners[index], duties=index == 0,
                                       serving=lambda: outcome.update(status=1))
        except BaseException:  # pylint: disable=broad-exception-caught  # the worker's last word
            log.exception("worker %d failed", index)
        finally:
            logging.shutdown()
            os._exit(outcome["status"])  # never back into the supervisor's code

    def _end_jobs_of(self, pid):
        """Fail the jobs the dead worker ``pid`` ran: nothing else will, and another pack
        of their image would answer 409 until they end. (The engine is gone before the
        next fork.)"""
        engine = make_engine(self.settings.db, pool_size=1)
        try:
            ended = jobs.fail_of_worker(Context(engine, None, self.settings), pid)
            packing.remove_leftovers(self.settings.files_dir, ended)
            if ended:
                log.error("jobs of worker pid %d marked failed: %s", pid, ", ".join(ended))
        except Exception:  # pylint: disable=broad-exception-caught  # the workers come first
            log.exception("the jobs of worker pid %d could not be marked failed", pid)
        finally:
            engine.dispose()

    def _stop(self, _signum=None, _frame=None):
        self.stopping = True
        for pid in self.workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _listeners(host, port, count):
    """``count`` sockets listening on host:port together (SO_REUSEPORT)."""
    family, _type, _proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    # First a plain bind, which fails while anything holds the port, as one server's
    # socket would: SO_REUSEPORT alone would let this server join another's group
    # (of the same user) and take half its connections. (It also picks port 0's port.)
    with socket.create_server(address[:2], family=family) as probe:
        address = (address[0], probe.getsockname()[1])
    return [socket.create_server(address, family=family, backlog=1024, reuse_port=True)
            for dummy in range(count)]


def _described(status):
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
