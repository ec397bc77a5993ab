"""Tenancy scoping: what a tenant principal may see and change.

A tenant owns the nodes of its tenancies. It lists, reads and changes those
(some of their fields, and their secrets), and reads, without changing them,
the groups, OS images and their tags, networks and BMC setups they use
(db.scope says which). Every service module asks here, so that every route,
and those of later areas (/boot, /control, /monitor), applies one rule:

- what a tenant may not see answers exactly as a missing object does (the
  same 404, the same message), and is left out of every listing and count:
  it never learns that another tenant's object exists;
- a write it may never make is refused with 403 before anything is looked
  up, so that the answer is the same for every name.

Other principals are not scoped: ``visible`` is None for them.
"""

import functools

from ..db import scope as db_scope
from .errors import Forbidden


def is_tenant(principal):
    return principal is not None and principal.is_tenant


def visible(tx, table, column=None):
    """The WHERE condition that keeps the rows of ``table`` the principal may see (with
    ``column``: the rows whose ``column`` points at one of those); None for principals
    that see everything."""
    if not is_tenant(tx.principal):
        return None
    return db_scope.visible(table, tx.principal.tenant_id, column)


def refuse_tenant(principal, action):
    """A 403 "tenants cannot ``action``" for a tenant principal."""
    if is_tenant(principal):
        raise Forbidden(f"tenants cannot {action}")


def not_for_tenants(action):
    """Decorate a service function (of a Tx or a Context) that tenants may never call:
    a tenant gets the 403 of ``refuse_tenant`` before anything is read.

    Put it below @reads/@writes: ``__wrapped__`` (as the import calls save functions
    with) then still checks.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def run(ctx, *args, **kwargs):
            refuse_tenant(ctx.principal, action)
            return fn(ctx, *args, **kwargs)
        return run
    return decorate


def refuse_fields(tx, values, allowed):
    """A 403 naming the first field of ``values`` outside ``allowed``, for a tenant."""
    if is_tenant(tx.principal):
        refused = sorted(set(values) - set(allowed))
        if refused:
            raise Forbidden(f"tenants cannot set {refused[0]}", field=refused[0])
