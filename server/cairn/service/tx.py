"""One request, one transaction: the decorators every service function wears."""

import dataclasses
import functools
import random
import time

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .. import auth
from ..db import nodes as db_nodes
from ..db.engine import transaction
from . import audit
from .errors import Conflict, Unauthorized, Unavailable

_ATTEMPTS = 8
# PostgreSQL's serialization_failure and deadlock_detected: safe to retry.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


@dataclasses.dataclass(frozen=True)
class Context:
    """What a request brings to the service: where the data is, and who asks.

    ``clock`` gives the time (seconds since the epoch): tests of time-bound
    rules (a tenant's deletion window) pass their own instead of sleeping.
    """
    engine: object
    principal: object
    settings: object
    clock: object = time.time


@dataclasses.dataclass(frozen=True)
class Tx:
    """A Context inside an open transaction."""
    conn: object
    principal: object
    settings: object
    clock: object = time.time
    #: In a read transaction of a node's provisioning token, the node's row (db.nodes.nodes),
    #: which the token's check read: the transaction's snapshot keeps it true to the end.
    own_node: object = None

    def now(self):
        return int(self.clock())

    def stamp(self):
        """The last_modified columns of a change made now, here, by the request's principal."""
        return {"last_modified": self.now(), "last_modified_on": self.settings.controller_name,
                "last_modified_by": self.principal.name if self.principal else None}


def _own_node(conn, principal):
    """For a node's provisioning token, the node's row; None for other principals.

    The token holds while a node of the name and uid it names exists (a renamed or
    deleted node's, or a later node's of that name, is refused: 401). Checked here, in
    the transaction of every service call the token makes, rather than in a transaction
    of its own before (see accounts.principal_for_token). The whole row is read, not the
    uid alone: the installer, which reads it anyway, then takes one statement less."""
    if principal is None or principal.kind != auth.NODE:
        return None
    rows = db_nodes.nodes(conn, principal.name)
    uid = rows[0]["uid"] if rows else None  # a row without one (db.schema) matches no token
    if uid is None or uid != principal.node_uid:
        raise Unauthorized("the token's node no longer exists")
    return rows[0]


def reads(fn):
    """Run ``fn(tx, ...)`` in a read-only transaction."""
    @functools.wraps(fn)
    def run(ctx, *args, **kwargs):
        try:
            with transaction(ctx.engine, write=False) as conn:
                tx = Tx(conn, ctx.principal, ctx.settings, ctx.clock,
                        _own_node(conn, ctx.principal))
                return fn(tx, *args, **kwargs)
        except OperationalError as exc:
            raise Unavailable(f"database unavailable: {exc.orig}") from exc
    return run


def writes(fn=None, *, journal=True):
    """Run ``fn(tx, ...)`` in a write transaction, retried when a concurrent one wins a race.

    Every check that can fail for bad input is made explicitly before the
    write, so an IntegrityError here means another transaction committed
    the same name or address first: running again sees it and decides anew.

    A write a principal asked for is journaled in the same transaction
    (unless ``journal=False``): the audit trail holds exactly the writes
    that were committed.
    """
    if fn is None:
        return functools.partial(writes, journal=journal)
    function = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

    @functools.wraps(fn)
    def run(ctx, *args, **kwargs):
        for attempt in range(_ATTEMPTS):
            try:
                with transaction(ctx.engine, write=True) as conn:
                    _own_node(conn, ctx.principal)  # not kept: the write may change it
                    tx = Tx(conn, ctx.principal, ctx.settings, ctx.clock)
                    result = fn(tx, *args, **kwargs)
                    if journal and ctx.principal is not None:
                        audit.record_write(tx, function, args, kwargs)
                    return result
            except IntegrityError as exc:
                if attempt == _ATTEMPTS - 1:
                    raise Conflict(f"conflicting concurrent change, try again: {exc.orig}") from exc
            except DBAPIError as exc:
                sqlstate = getattr(exc.orig, "sqlstate", None)
                if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS - 1:
                    if isinstance(exc, OperationalError):
                        raise Unavailable(f"database unavailable: {exc.orig}") from exc
                    raise
            time.sleep(random.uniform(0, 0.005 * 2 ** attempt))
    return run
