"""Queries about background jobs: their rows are how every controller sees their state."""

from sqlalchemy import insert, select, update

from .objects import narrowed
from .schema import job

ACTIVE = ("queued", "running")


def get(conn, job_id, where=None):
    return conn.execute(narrowed(select(job).where(job.c.id == job_id), where)).first()


def lock(conn):
    """Hold off other writers of jobs until this transaction ends, so that two controllers
    cannot both find no active job and both start one. SQLite's writers are serial already."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE job IN SHARE ROW EXCLUSIVE MODE")


def active(conn, kind, obj):
    """The id of a queued or running job of ``kind`` on ``obj``, or None."""
    return conn.execute(select(job.c.id).where(job.c.kind == kind, job.c.object == obj,
                                               job.c.status.in_(ACTIVE)).limit(1)).scalar()


def create(conn, values):
    conn.execute(insert(job).values(**values))


def change(conn, job_id, values):
    conn.execute(update(job).where(job.c.id == job_id).values(**values))


def fail_active(conn, controller, message, now, worker=None):
    """Mark the controller's queued and running jobs failed (only those of the process
    ``worker``, if given); their ids."""
    query = select(job.c.id).where(job.c.controller == controller, job.c.status.in_(ACTIVE))
    if worker is not None:
        query = query.where(job.c.worker == worker)
    ids = conn.execute(query).scalars().all()
    if ids:
        conn.execute(update(job).where(job.c.id.in_(ids))
                     .values(status="failed", message=message, updated=now))
    return ids
