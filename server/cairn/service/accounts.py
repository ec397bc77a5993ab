"""Logging in, checking tokens, and the first superadmin."""

import time
import uuid

from .. import auth
from ..db import admins as db_admins, tenants as db_tenants
from . import throttle
from .errors import Unauthorized, invalid
from .tx import reads, writes

#: The roles of a tenant's own token (POST /tenant/UID/newtoken).
TENANT_TOKEN_ROLES = frozenset({"role.tenantadmin"})


def _roles(text):
    return frozenset(r for r in (text or "").split(",") if r)


def _usable_tenant(conn, tenant_id):
    """The tenant row, or a 401 while it is suspended or scheduled for deletion."""
    row = db_tenants.by_id(conn, tenant_id)
    if row is None or row.status != "active":
        raise Unauthorized("the tenant's account is not active")
    return row


def principal_of(conn, row):
    """The principal of an account row: the superadmin, an admin, or a tenant's user."""
    if row.tenant_id is not None:
        tenant = _usable_tenant(conn, row.tenant_id)
        return auth.Principal(kind="tenant", uid=row.uid, name=row.name, roles=_roles(row.roles),
                              tenant_id=tenant.id, tenant_uid=tenant.uid,
                              generation=row.token_generation)
    return auth.Principal(kind="superadmin" if row.superadmin else "admin", uid=row.uid,
                          name=row.name, roles=_roles(row.roles), generation=row.token_generation)


def tenant_principal(tenant):
    """The principal of a tenant's own token: the tenant as its tenant admin."""
    return auth.Principal(kind="tenant", uid=tenant.uid, name=tenant.name, roles=TENANT_TOKEN_ROLES,
                          tenant_id=tenant.id, tenant_uid=tenant.uid,
                          generation=tenant.token_generation)


@reads
def _checked_login(tx, username, password):
    """The principal of a username and password, or a 401 that does not say which was wrong."""
    # A name with a NUL character (HTTP Basic lets one through) names no one, and
    # PostgreSQL cannot even compare it.
    row = None if "\x00" in username else db_admins.by_name(tx.conn, username)
    # Hash even for unknown users, so timing does not tell which names exist.
    stored = row.password_hash if row and row.password_hash else _DUMMY_HASH
    if not auth.verify_password(password, stored) or row is None:
        raise Unauthorized("invalid username or password")
    return principal_of(tx.conn, row)


def login(ctx, data, address):
    """A token for a username and password; 400 for a malformed body, 401 for wrong ones,
    429 while ``address`` (the client's) has failed too often (see service.throttle)."""
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object with username and password")
    for field in ("username", "password"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise invalid(field, "is required and must be a string")
    unknown = set(data) - {"username", "password"}
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown field")
    with throttle.login_attempt(ctx, address):
        principal = _checked_login(ctx, data["username"], data["password"])
    return auth.issue_token(principal, ctx.settings.secret_key, ctx.settings.token_lifespan)


def principal_for_password(ctx, username, password, address):
    """The principal of HTTP Basic credentials, for scripts; 401 when they are wrong, 429
    while ``address`` (the client's) has failed too often, counted with POST /token's."""
    with throttle.login_attempt(ctx, address):
        return _checked_login(ctx, username, password)


_DUMMY_HASH = auth.hash_password(uuid.uuid4().hex)


def principal_for_token(ctx, token):
    """The principal a token names, or a 401 when it is invalid or the principal is gone.

    A node's provisioning token is checked later, in the transaction of each service
    call it makes (service.tx): a boot storm's installers then check their node in
    the transaction that reads it anyway, not in one of their own first.
    """
    claims = auth.decode_token(token, ctx.settings.secret_key)
    if claims is None:
        raise Unauthorized("invalid or expired token")
    if claims.get("kind") == auth.NODE:
        return auth.Principal(kind=auth.NODE, uid=claims["sub"], name=claims["sub"],
                              node_uid=claims.get("node"))
    return _account_principal(ctx, claims)


@reads
def check_node_token(tx):
    """The request's node principal, or a 401 when the node its provisioning token names
    is gone: the transaction of every service call with such a token checks that
    (service.tx), this one's too. For routes that refuse node tokens (403) anyway, so that
    a gone node's token is a 401 everywhere."""
    return tx.principal


@reads
def _account_principal(tx, claims):
    """The admin or tenant the valid token's ``claims`` name, while it exists and the
    token is of its current generation."""
    if claims.get("kind") == "tenant" and claims.get("tenant") == claims["sub"]:
        tenant = db_tenants.by_uid(tx.conn, claims["sub"])
        if tenant is None:
            raise Unauthorized("the token's principal no longer exists")
        principal = tenant_principal(_usable_tenant(tx.conn, tenant.id))
    else:
        row = db_admins.by_uid(tx.conn, claims["sub"])
        if row is None:
            raise Unauthorized("the token's principal no longer exists")
        principal = principal_of(tx.conn, row)
    if claims.get("gen", 0) != principal.generation:
        raise Unauthorized("the token was revoked: a newer token replaced it")
    return principal


@writes
def ensure_superadmin(tx, name, password):
    """On an empty database, create the superadmin. Returns a generated password, or None."""
    if db_admins.count(tx.conn):
        return None
    generated = None
    if not password:
        password = generated = auth.generate_password()
    db_admins.create(tx.conn, uid=uuid.uuid4().hex, name=name, roles="role.fulladmin",
                     superadmin=True, password_hash=auth.hash_password(password),
                     last_modified=int(time.time()))
    return generated
