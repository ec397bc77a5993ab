"""Long work in the background: a bounded pool of threads in the server process runs it,
and a row of the job table tells every controller how it goes (GET /config/status/<id>).

A job is a function of a ``Job``: it reports its progress with ``job.progress(percent)``
and returns the message of its success. It fails by raising: ``Failed`` for a failure
its message explains; anything else is a bug, logged with its traceback.
"""

import concurrent.futures
import logging
import os
import threading
import time
import uuid

from ..db import jobs as db_jobs
from ..db.schema import job
from . import audit, scope
from .errors import Conflict, not_found
from .tx import Context, reads, writes

log = logging.getLogger("cairn.jobs")

STATUS_FIELDS = ("kind", "object", "status", "progress", "message", "created", "updated")

_pools = {}  # kind -> its pool
_pool_lock = threading.Lock()
_stopping = threading.Event()


class Failed(Exception):
    """A job's expected failure: the message is all its status needs to say."""


class Job:
    """What a running job sees of itself: its id, a context (no principal: nothing it
    writes is journaled), and a way to report progress."""

    def __init__(self, ctx, job_id):
        self.ctx = ctx
        self.id = job_id
        self._percent = 0

    def progress(self, percent):
        """Record how far the job is (0 to 99; 100 is done). Raises Failed once the
        server is stopping, so that a job ends at its next report."""
        if _stopping.is_set():
            raise Failed("interrupted: the server stopped")
        percent = max(0, min(99, int(percent)))
        if percent != self._percent:
            self._percent = percent
            _change(self.ctx, self.id, progress=percent)


def _now():
    return int(time.time())


def check_idle(tx, kind, obj):
    """409 while a job of ``kind`` on ``obj`` is queued or running."""
    running = db_jobs.active(tx.conn, kind, obj)
    if running is not None:
        raise Conflict(f"a {kind} of '{obj}' is already under way: see /config/status/{running}")


@writes(journal=False)
def _create(tx, kind, obj):
    db_jobs.lock(tx.conn)
    check_idle(tx, kind, obj)
    job_id, now = uuid.uuid4().hex, _now()
    db_jobs.create(tx.conn, dict(id=job_id, kind=kind, object=obj, status="queued", progress=0,
                                 controller=tx.settings.controller_name, worker=os.getpid(),
                                 created=now, updated=now))
    if tx.principal is not None:  # who started it, as "jobs.pack" on the object
        audit.record_write(tx, f"jobs.{kind}", (obj,), {})
    return job_id


@writes(journal=False)
def _change(tx, job_id, **values):
    db_jobs.change(tx.conn, job_id, {**values, "updated": _now()})


def submit(ctx, kind, obj, function):
    """Queue ``function(job)`` as a job of ``kind`` (``"pack"``) on ``obj`` (a name) and
    return its id; 409 while another job of that kind on that object is under way."""
    job_id = _create(ctx, kind, obj)
    _executor(ctx.settings, kind).submit(_run, Context(ctx.engine, None, ctx.settings), job_id, function)
    return job_id


def _run(ctx, job_id, function):
    try:
        _change(ctx, job_id, status="running")
        try:
            message = function(Job(ctx, job_id))
        except Failed as exc:
            _change(ctx, job_id, status="failed", message=str(exc))
        except Exception as exc:
            log.exception("job %s failed", job_id)
            _change(ctx, job_id, status="failed", message=f"{type(exc).__name__}: {exc}")
        else:
            _change(ctx, job_id, status="done", progress=100, message=message)
    except Exception:  # the database is gone: the next start marks the job failed
        log.exception("job %s: its state could not be recorded", job_id)


def _executor(settings, kind):
    """The pool of ``kind``'s jobs: a pool per kind, so that a power request never
    waits behind image packs, nor a pack behind power requests."""
    with _pool_lock:
        if kind not in _pools:
            _pools[kind] = concurrent.futures.ThreadPoolExecutor(
                settings.job_workers, thread_name_prefix=f"cairn-{kind}")
        return _pools[kind]


def shutdown():
    """On stopping the server: running jobs fail at their next progress report; queued
    ones stay queued in the table, and ``fail_interrupted`` ends them at the next start."""
    _stopping.set()
    with _pool_lock:
        pools = list(_pools.values())
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


@writes(journal=False)
def fail_interrupted(tx):
    """Mark this controller's jobs that a stop left queued or running as failed; their ids."""
    return db_jobs.fail_active(tx.conn, tx.settings.controller_name, "interrupted by a restart",
                               _now())


@writes(journal=False)
def fail_of_worker(tx, pid):
    """Mark the jobs of the serving process ``pid``, which died, as failed; their ids."""
    return db_jobs.fail_active(tx.conn, tx.settings.controller_name,
                               "interrupted: the server process running it died", _now(), worker=pid)


@reads
def status(tx, job_id):
    """A job's state; a tenant follows none (jobs pack images, which it cannot), and gets
    the 404 of a missing job."""
    row = db_jobs.get(tx.conn, job_id, where=scope.visible(tx, job))
    if row is None:
        raise not_found("job", job_id)
    return {name: getattr(row, name) for name in STATUS_FIELDS}
