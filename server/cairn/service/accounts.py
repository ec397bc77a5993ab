"""Logging in, checking tokens, and the first superadmin."""

import time
import uuid

from .. import auth
from ..db import admins as db_admins
from .errors import Unauthorized, invalid
from .tx import reads, writes


def _principal(row):
    kind = "superadmin" if row.superadmin else "admin"
    roles = frozenset(r for r in row.roles.split(",") if r)
    return auth.Principal(kind=kind, uid=row.uid, name=row.name, roles=roles)


@reads
def login(tx, data):
    """A token for a username and password; 400 for a malformed body, 401 for wrong ones."""
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object with username and password")
    for field in ("username", "password"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise invalid(field, "is required and must be a string")
    unknown = set(data) - {"username", "password"}
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown field")
    row = db_admins.by_name(tx.conn, data["username"])
    # Hash even for unknown users, so timing does not tell which names exist.
    stored = row.password_hash if row and row.password_hash else _DUMMY_HASH
    if not auth.verify_password(data["password"], stored) or row is None:
        raise Unauthorized("invalid username or password")
    return auth.issue_token(_principal(row), tx.settings.secret_key, tx.settings.token_lifespan)


_DUMMY_HASH = auth.hash_password(uuid.uuid4().hex)


@reads
def principal_for_token(tx, token):
    """The principal a token names, or a 401 when it is invalid or the principal is gone."""
    claims = auth.decode_token(token, tx.settings.secret_key)
    if claims is None:
        raise Unauthorized("invalid or expired token")
    row = db_admins.by_uid(tx.conn, claims["sub"])
    if row is None:
        raise Unauthorized("the token's principal no longer exists")
    return _principal(row)


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
