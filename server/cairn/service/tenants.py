"""Tenants: the customers leasing part of the cluster, their accounts, tokens and life cycle.

A tenant's status is "active", "suspended" (its tokens and its users' logins
are refused: see service.accounts) or "deleting": refused as well, and
purged once ``purge_at`` has passed unless resumed before. The purge moves
the nodes of its tenancies to Quarantine and removes its tenancies, accounts
and the tenant itself.
"""

import logging
import re
import uuid

from .. import auth
from ..db import admins as db_admins, objects, tenants as db_tenants
from ..db.schema import admin, tenant
from . import accounts, admins, fields as F, tenancies
from .errors import Conflict, invalid
from .named import claim
from .tenancies import find_tenant
from .tx import reads, writes

log = logging.getLogger("cairn.tenants")

#: The roles of a user given without roles, and of the generated tenant admin.
DEFAULT_ROLES = ["role.tenantadmin"]
_UID = re.compile(r"^[0-9a-f]{32}$")


def _tenant_name(field, value):
    F.parse_label(field, value)
    if not value[0].isalpha():
        raise invalid(field, f"'{value}' must start with a letter")
    if _UID.fullmatch(value):  # /tenant/<uid or name> must tell which one it is given
        raise invalid(field, f"'{value}' must not look like a uid (32 hexadecimal digits)")
    return value


def _tenant_roles(field, value):
    roles = admins.parse_roles(field, value)
    for role in roles:
        if role not in auth.TENANT_ROLES:
            raise invalid(field, f"'{role}' is not a tenant's role "
                                 f"(those are {', '.join(sorted(auth.TENANT_ROLES))})")
    return roles


# An account's name and password follow the rules of every account (service.admins).
USER = {
    "password": admins.FIELDS["password"].not_null(),
    "roles": F.Field(_tenant_roles, admins.FIELDS["roles"].schema,
                     "default: [role.tenantadmin]").not_null(),
}
NAMED_USER = {"name": admins.FIELDS["name"], **USER}


def _users(field, value):
    """Doradus' {"alice": {"password": ...}} or a list of {"name": "alice", "password": ...}:
    as a list of (request field of the name, name, password or None, roles)."""
    if isinstance(value, dict):
        entries = [(f"{field}.{name}", admins.parse_account_name(f"{field}.{name}", name),
                    F.parse_object(f"{field}.{name}", user, USER)) for name, user in value.items()]
    elif isinstance(value, list):
        entries = []
        for i, user in enumerate(value):
            parsed = F.parse_object(f"{field}.{i}", user, NAMED_USER, required=("name",))
            entries.append((f"{field}.{i}.name", parsed.pop("name"), parsed))
    else:
        raise invalid(field, "must be a JSON object of users by name, or a JSON array of users")
    seen = set()
    for where, name, _user in entries:
        if name in seen:
            raise invalid(where, f"user '{name}' is given twice")
        seen.add(name)
    return [(where, name, user.get("password"), user.get("roles", DEFAULT_ROLES))
            for where, name, user in entries]


def _users_schema():
    user = {name: spec.openapi() for name, spec in USER.items()}
    named = {"name": NAMED_USER["name"].openapi(), **user}
    return {"oneOf": [
        {"type": "object", "additionalProperties": {
            "type": "object", "properties": user, "additionalProperties": False}},
        {"type": "array", "items": {"type": "object", "properties": named, "required": ["name"],
                                    "additionalProperties": False}}]}


_NAME_PATTERN = "^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
FIELDS = {
    "name": F.Field(_tenant_name, {**F.NAME.schema, "pattern": _NAME_PATTERN},
                    "a DNS label that starts with a letter").not_null(),
    "description": F.TEXT,
    "users": F.Field(_users, _users_schema(), "the tenant's accounts; without any, a tenant admin "
                                              "TENANT-admin with a generated password").not_null(),
}


# -- reading -------------------------------------------------------------------

def _record(row, tenancy_names):
    return {"uid": row.uid, "name": row.name, "description": row.description, "status": row.status,
            "purge_at": row.purge_at, "tenancies": tenancy_names,
            "last_modified": row.last_modified, "last_modified_on": row.last_modified_on,
            "last_modified_by": row.last_modified_by}


def _detail(tx, row):
    """A tenant's record with its tenancies and the names of its users."""
    record = _record(row, [r.name for r in db_tenants.tenancies_of(tx.conn, row.id)])
    record["users"] = objects.names_where(tx.conn, admin, admin.c.tenant_id, row.id)
    return record


@reads
def list_all(tx):
    owned = db_tenants.tenancy_names(tx.conn)
    return [_record(row, owned.get(row.id, [])) for row in objects.all_rows(tx.conn, tenant)]


@reads
def get(tx, ident):
    return _detail(tx, find_tenant(tx, ident))


# -- creating ------------------------------------------------------------------

def _claim_account(tx, where, name):
    """Account names are global (users log in with POST /token): a clash is a 409."""
    if db_admins.by_name(tx.conn, name) is not None:
        raise Conflict(f"an account named '{name}' already exists", field=where)


@writes
def create(tx, data):
    """Create a tenant and its accounts. Returns {"uid", "name", "users": {name: {"roles",
    and "password" where the server generated it}}}: the only time a password is shown."""
    values = F.parse_object("", data, FIELDS, required=("name",))
    name = claim(tx, tenant, "tenant", values["name"])
    users = values.get("users") or [("users", f"{name}-admin", None, DEFAULT_ROLES)]
    for where, user, _password, _roles in users:
        if len(user) > F.NAME.schema["maxLength"]:  # only a generated name can be too long
            raise invalid(where, f"the account name '{user}' would be too long: give users")
        _claim_account(tx, where, user)
    stamped = tx.stamp()
    uid = uuid.uuid4().hex
    tenant_id = objects.create(tx.conn, tenant, {
        "uid": uid, "name": name, "description": values.get("description"),
        "status": "active", "token_generation": 0, **stamped})
    answer = {}
    for _where, user, password, roles in users:
        generated = password is None
        if generated:
            password = auth.generate_password()
        db_admins.create(tx.conn, uid=uuid.uuid4().hex, name=user, roles=",".join(roles),
                         superadmin=False, password_hash=auth.hash_password(password),
                         tenant_id=tenant_id, **stamped)
        answer[user] = {"roles": list(roles), **({"password": password} if generated else {})}
    return {"uid": uid, "name": name, "users": answer}


# -- tokens --------------------------------------------------------------------

@writes
def new_token(tx, ident, data):
    """A token naming the tenant itself; with "revoke" the tenant's older tokens are
    refused from now on. Returns {"token", "expires"}."""
    values = F.parse_object("", data, admins.TOKEN_FIELDS)
    row = find_tenant(tx, ident, for_update=True)
    if row.status != "active":
        raise Conflict(f"tenant '{row.name}' is {row.status}: its tokens are refused")
    if values.get("revoke"):
        objects.change(tx.conn, tenant, row.id, {
            "token_generation": row.token_generation + 1, **tx.stamp()})
        row = db_tenants.by_id(tx.conn, row.id)
    lifespan = values.get("lifespan", tx.settings.token_lifespan)
    now = tx.now()
    token = auth.issue_token(accounts.tenant_principal(row), tx.settings.secret_key, lifespan, now=now)
    return {"token": token, "expires": now + lifespan}


# -- life cycle ----------------------------------------------------------------

def _set_status(tx, row, status, purge_at=None):
    objects.change(tx.conn, tenant, row.id, {"status": status, "purge_at": purge_at, **tx.stamp()})
    return _detail(tx, db_tenants.by_id(tx.conn, row.id))


@writes
def suspend(tx, ident):
    """Refuse the tenant's tokens and its users' logins until it is resumed."""
    row = find_tenant(tx, ident, for_update=True)
    if row.status == "deleting":
        raise Conflict(f"tenant '{row.name}' is scheduled for deletion: resume it first")
    if row.status == "suspended":
        return _detail(tx, row)
    return _set_status(tx, row, "suspended")


@writes
def resume(tx, ident):
    """Make a suspended tenant active again, or cancel its scheduled deletion while the
    window lasts (409 after it: the purge will remove it)."""
    row = find_tenant(tx, ident, for_update=True)
    if row.status == "deleting" and tx.now() >= row.purge_at:
        raise Conflict(f"tenant '{row.name}' can no longer be resumed: its deletion window "
                       f"ended at {row.purge_at}, it awaits its purge")
    if row.status == "active":
        return _detail(tx, row)
    return _set_status(tx, row, "active")


@writes
def delete(tx, ident):
    """Schedule the tenant's deletion: refused from now on, purged after the deletion window."""
    row = find_tenant(tx, ident, for_update=True)
    if row.status == "deleting":
        return _detail(tx, row)
    return _set_status(tx, row, "deleting", purge_at=tx.now() + tx.settings.tenant_deletion_window)


# -- the purge -----------------------------------------------------------------

@reads
def _due(tx):
    return db_tenants.due_for_purge(tx.conn, tx.now())


@writes
def _purge_one(tx, tenant_id):
    """Remove one tenant, if it is still due (a resume or another controller's purge may
    have come first): its row and how many nodes went to Quarantine, or None."""
    row = db_tenants.by_id(tx.conn, tenant_id, for_update=True)
    if row is None or row.status != "deleting" or row.purge_at > tx.now():
        return None
    moved = tenancies.release(tx, [r.id for r in db_tenants.tenancies_of(tx.conn, row.id)])
    db_tenants.remove_accounts(tx.conn, row.id)
    objects.remove(tx.conn, tenant, row.id)
    return row, moved


def purge(ctx):
    """Remove every tenant whose deletion window has ended, each in its own transaction;
    the names of those removed."""
    purged = []
    for tenant_id in _due(ctx):
        done = _purge_one(ctx, tenant_id)
        if done is not None:
            row, moved = done
            log.info("purged tenant '%s' (%s): %d nodes moved to Quarantine", row.name, row.uid, moved)
            purged.append(row.name)
    return purged
