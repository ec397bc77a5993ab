"""Starting the server: migrate, bootstrap an empty database, serve with cheroot; purge
deleted tenants, now (purge-tenants) and periodically while serving; keep the DHCP and
DNS files current while serving (render/refresh.py).

cheroot (CherryPy's HTTP server) is a production WSGI server in pure
Python: a thread pool and HTTP/1.1 keep-alive in one process. One process
suits the embedded SQLite database (one writer, no forked copies of the
connection pool), and threads suit an API whose time goes to the database.
"""

import gc
import logging
import signal
import threading

from cheroot import wsgi

from . import crypto
from .api import create_app, wsgi as api_wsgi
from .config import ensure_secret_key
from .db import cluster as db_cluster
from .db.engine import make_engine, transaction
from .db.migrate import exclusive, upgrade
from .service import accounts, jobs, packing, services, tenants
from .service.tx import Context

log = logging.getLogger("cairn.server")


def migrate(settings):
    engine = make_engine(settings.db, pool_size=2)
    with exclusive(engine):
        upgrade(engine)
    log.info("database %s is at the latest schema", engine.url.render_as_string(hide_password=True))
    engine.dispose()


def prepare(settings):
    """The engine of a migrated, bootstrapped database, and the WSGI application."""
    ensure_secret_key(settings)
    crypto.ensure_key_file(crypto.key_file(settings))
    engine = make_engine(settings.db, pool_size=settings.threads)
    ctx = Context(engine, None, settings)
    with exclusive(engine):
        upgrade(engine)
        with transaction(engine, write=True) as conn:
            db_cluster.ensure(conn, settings.cluster_name)
            db_cluster.register_controller(conn, settings.controller_name, settings.host, settings.port)
        generated = accounts.ensure_superadmin(ctx, settings.admin_user, settings.admin_password)
    # Jobs run in this process's threads: those a stop cut short end now.
    packing.remove_leftovers(settings.files_dir, jobs.fail_interrupted(ctx))
    if generated:
        # Printed once, to the console only: the database keeps just the hash.
        print(f"Created superadmin '{settings.admin_user}' with password: {generated}", flush=True)
    return engine, api_wsgi(create_app(engine, settings))


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
    engine, app = prepare(settings)
    # Listing 10,000 nodes makes some 400,000 short-lived objects; with the
    # default thresholds the cyclic collector runs hundreds of times a
    # request and takes a quarter of its time. Start-up objects are frozen
    # out of its view, and it runs less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    server = wsgi.Server((settings.host, settings.port), app, numthreads=settings.threads,
                         request_queue_size=256)
    server.prepare()

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
    if settings.purge_interval:
        purger.start()
    services.start(engine, settings)  # renders the DHCP and DNS files, then keeps them current
    log.info("cairn-server listening on http://%s", settings.bind)
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
    log.info("cairn-server stopped")
    return 0
