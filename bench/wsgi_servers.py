"""Serve Cairn's WSGI application with another WSGI server, for bench_boot.py's side-by-side.

    python bench/wsgi_servers.py KIND WORKERS THREADS HOST:PORT DATA_DIR

KIND is one of:

  cheroot   cheroot, as ``cairn-server serve`` runs it, in WORKERS processes that each
            listen on the port with SO_REUSEPORT (the kernel spreads connections);
  gunicorn  gunicorn's arbiter with WORKERS workers: gthread workers of THREADS threads,
            or sync workers when THREADS is 1;
  waitress  waitress, one process of THREADS threads (WORKERS must be 1);
  granian   granian (HTTP in Rust, the application in THREADS blocking threads) in
            WORKERS processes that it spawns.

DATA_DIR is the data directory of a server that ``cairn-server serve`` set up (its
database, key files and packed images). Each worker process builds the application
itself (cairn.server.prepare: a database engine must never cross a fork). Only the
HTTP part runs here: no DHCP and DNS refresher, no purge, which the boot routes never
use. A benchmark harness, not a way to run a controller.
"""

import gc
import os
import pathlib
import signal
import sys

from cairn import config
from cairn.server import prepare


def application(settings):
    app = prepare(settings)[1]
    gc.freeze()  # as cairn.server.serve does
    gc.set_threshold(50_000, 20, 20)
    return app


def cheroot_processes(settings, workers, threads, host, port):
    from cheroot import wsgi
    children = []
    for dummy in range(workers):
        pid = os.fork()
        if pid == 0:
            server = wsgi.Server((host, port), application(settings), numthreads=threads,
                                 request_queue_size=1024, reuse_port=True)
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            server.safe_start()
            os._exit(0)
        children.append(pid)

    def stop(*_):
        for child in children:
            os.kill(child, signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        os.waitpid(child, 0)


def gunicorn(settings, workers, threads, host, port):
    from gunicorn.app.base import BaseApplication

    class Cairn(BaseApplication):  # pylint: disable=abstract-method
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                       "worker_class": "gthread" if threads > 1 else "sync",
                       "backlog": 1024, "loglevel": "warning"}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application(settings)

    Cairn().run()


def waitress(settings, workers, threads, host, port):
    import logging
    import waitress as server
    if workers != 1:
        sys.exit("waitress runs in one process: WORKERS must be 1")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # one line per queued request
    server.serve(application(settings), host=host, port=port, threads=threads, backlog=1024,
                 connection_limit=4096)


def granian(settings, workers, threads, host, port):
    from granian import Granian
    from granian.constants import Interfaces
    # Its workers are new interpreters (spawned), which import the application: the
    # settings reach them through the environment.
    os.environ.update(CAIRN_DATA_DIR=settings.data_dir, CAIRN_THREADS=str(threads))
    Granian("wsgi_servers:application_from_environment", factory=True,
            working_dir=pathlib.Path(__file__).resolve().parent, address=host, port=port,
            interface=Interfaces.WSGI, workers=workers, blocking_threads=threads,
            backlog=4096, log_level="warning").serve()


def application_from_environment():
    """granian's factory, in each of its workers."""
    return application(config.load())


SERVERS = {"cheroot": cheroot_processes, "gunicorn": gunicorn, "waitress": waitress,
           "granian": granian}


def main(argv):
    kind, workers, threads, bind, data_dir = argv
    host, port = bind.rsplit(":", 1)
    settings = config.load(overrides={"data_dir": data_dir, "bind": bind, "threads": int(threads)})
    SERVERS[kind](settings, int(workers), int(threads), host, int(port))


if __name__ == "__main__":
    main(sys.argv[1:])
