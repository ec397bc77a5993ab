"""Accounts: who may log in, with which roles, SSH keys and GUI settings, and their tokens.

Managing accounts is the superadmin's alone (MANAGE, which no role grants).
Every account with a role may read and change its own record and make
tokens for itself (auth.ACCOUNT_SELF). To whoever may not manage accounts,
another account's record does not exist: 404, so nobody learns which names
are taken.
"""

import base64
import binascii
import dataclasses
import json
import re
import uuid

from .. import auth
from ..db import admins as db_admins, objects
from ..db.schema import admin, tenant
from . import accounts, fields as F
from .errors import Conflict, Forbidden, Unauthorized, invalid, not_found
from .tx import reads, writes

MANAGE = "admins.manage"

# A user name of the operating system, which the spec says it must match: a
# letter first, then letters, digits, ".", "_" and "-".
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,62}")
_UID = re.compile(r"[0-9a-f]{32}")
_PASSWORD_MIN, _PASSWORD_MAX = 8, 1024
_KEY_MAX = 16384  # an OpenSSH key of 16384 RSA bits is under 3000 characters
# The public key types of OpenSSH (ssh -Q key, without certificates).
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
TOKEN_LIFESPAN = (60, 365 * 24 * 3600)  # a minute to a year


def parse_account_name(field, value):
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise invalid(field, "must be a user name: a letter, then up to 62 letters, digits, '.', '_' or '-'")
    if _UID.fullmatch(value):  # URLs take a uid or a name: a name must not read as a uid
        raise invalid(field, "must not look like a uid (32 hexadecimal digits)")
    return value


def parse_roles(field, value):
    """A JSON list of roles, or the spec's comma-separated string; each a known role, once."""
    if isinstance(value, str):
        value = [role.strip() for role in value.split(",") if role.strip()]
    if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
        raise invalid(field, "must be a list of roles or a comma-separated string")
    for role in value:
        if role not in auth.ROLES:
            raise invalid(field, f"unknown role '{role}' (known: {', '.join(sorted(auth.ROLES))})")
    return list(dict.fromkeys(value))


def parse_ssh_key(field, value):
    """An OpenSSH public key, "TYPE BASE64 [COMMENT]": the base64 part must hold a key of TYPE."""
    if not isinstance(value, str) or len(value) > _KEY_MAX or "\n" in value.strip():
        raise invalid(field, f"must be one SSH public key on one line, at most {_KEY_MAX} characters")
    parts = value.split(None, 2)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise invalid(field, f"must be 'TYPE BASE64 [COMMENT]' with TYPE one of {', '.join(KEY_TYPES)}")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise invalid(field, "the key's data is not base64") from None
    # The blob starts with its own type as a length-prefixed string (RFC 4253, 6.6).
    length = int.from_bytes(blob[:4], "big")
    if blob[4:4 + length] != parts[0].encode():
        raise invalid(field, f"the key's data is not an {parts[0]} key")
    return " ".join(parts)


def _material(key):
    """What makes two keys the same key: their type and data, not their comment."""
    return tuple(key.split(None, 2)[:2])


def _unique(keys):
    """The keys without repeats of the same key; the first one's comment stays."""
    first = {}
    for key in keys:
        first.setdefault(_material(key), key)
    return list(first.values())


def _parse_keys(field, value):
    if not isinstance(value, list):
        raise invalid(field, "must be a JSON array of SSH public keys")
    return _unique([parse_ssh_key(f"{field}.{i}", key) for i, key in enumerate(value)])


def _parse_object(field, value):
    if not isinstance(value, dict):
        raise invalid(field, "must be a JSON object")
    return value


def _parse_password(field, value):
    if not isinstance(value, str) or not _PASSWORD_MIN <= len(value) <= _PASSWORD_MAX:
        raise invalid(field, f"must be a string of {_PASSWORD_MIN} to {_PASSWORD_MAX} characters")
    return value


def _parse_lifespan(field, value):
    low, high = TOKEN_LIFESPAN
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(field, f"must be a whole number of seconds from {low} to {high}")
    return value


_ROLE_LIST = {"type": "array", "items": {"type": "string", "enum": sorted(auth.ROLES)}}
KEYS = F.Field(_parse_keys, {"type": "array", "items": {"type": "string"}},
               "SSH public keys, 'TYPE BASE64 [COMMENT]'")
FIELDS = {
    "name": F.Field(parse_account_name, {"type": "string", "maxLength": 63, "pattern": _NAME.pattern},
                    "the user name on the operating system").not_null(),
    "description": F.TEXT,
    "roles": F.Field(parse_roles, {"oneOf": [_ROLE_LIST, {"type": "string"}]},
                     "a list, or a comma-separated string; a PATCH replaces the whole list").not_null(),
    "keys": KEYS,
    "gui_settings": F.Field(_parse_object, {"type": "object", "additionalProperties": True},
                            "used by GUIs; any JSON object"),
    "password": F.Field(_parse_password, {"type": "string", "minLength": _PASSWORD_MIN,
                                          "maxLength": _PASSWORD_MAX}).not_null(),
}
#: What an account may change in its own record without managing accounts.
SELF_FIELDS = ("description", "password", "gui_settings", "keys")
TOKEN_FIELDS = {
    "lifespan": F.Field(_parse_lifespan, {"type": "integer", "minimum": TOKEN_LIFESPAN[0],
                                          "maximum": TOKEN_LIFESPAN[1]}, "seconds").not_null(),
    "revoke": F.Field(F.parse_bool, {"type": "boolean"},
                      "refuse every older token of the account from now on").not_null(),
}
#: The name the spec used for lifespan before ClusterWare 13.0, still accepted.
LEGACY_LIFESPAN = "timeout"


def _fields(data, fields, **options):
    """A request body parsed against ``fields``: a body that is no object is a 400 naming "body"."""
    return F.parse_object("", _parse_object("body", data), fields, **options)


def _manages(tx):
    return tx.principal.can(MANAGE)


def _visible(tx, ident, for_update=False):
    """The account named by uid or name, if the principal may see it: its own, or any
    to whoever manages accounts. Otherwise, as when there is none, a 404."""
    row = db_admins.by_ident(tx.conn, ident, for_update)
    if row is None or not (row.uid == tx.principal.uid or _manages(tx)):
        raise not_found("admin", ident)
    return row


def _keys(row):
    return json.loads(row.keys or "[]")


def _gui_settings(row):
    return json.loads(row.gui_settings or "{}")


def _record(row, tenants):
    return {
        "uid": row.uid,
        "name": row.name,
        "description": row.description,
        "roles": [role for role in row.roles.split(",") if role],
        "keys": _keys(row),
        "gui_settings": _gui_settings(row),
        "superadmin": row.superadmin,
        "tenant": tenants.get(row.tenant_id),
        "last_modified": row.last_modified,
        "last_modified_on": row.last_modified_on,
        "last_modified_by": row.last_modified_by,
    }


def _check_roles(roles, tenant_id):
    """Tenant roles for a tenant's users, the cluster's roles for the others."""
    misplaced = [role for role in roles if (role in auth.TENANT_ROLES) != (tenant_id is not None)]
    if misplaced:
        whose = "a tenant's users" if tenant_id is None else "the cluster's accounts"
        raise invalid("roles", f"'{misplaced[0]}' is a role of {whose} only")


def _columns(tx, values):
    """Parsed fields as the admin table's columns, stamped with who changed them, where, when."""
    columns = dict(values)
    if "roles" in columns:
        columns["roles"] = ",".join(columns["roles"])
    for key, empty in (("keys", []), ("gui_settings", {})):
        if key in columns:
            columns[key] = json.dumps(columns[key] or empty)
    if "password" in columns:
        columns["password_hash"] = auth.hash_password(columns.pop("password"))
    return {**columns, **tx.stamp()}


def _claim(tx, name):
    if db_admins.by_name(tx.conn, name) is not None:
        raise Conflict(f"account '{name}' already exists", field="name")


@writes
def create(tx, data):
    """A new cluster account. Returns its uid and the password generated for it, if any."""
    values = _fields(data, FIELDS, required=("name",))
    _check_roles(values.setdefault("roles", []), None)
    _claim(tx, values["name"])
    generated = None
    if "password" not in values:
        values["password"] = generated = auth.generate_password()
    uid = uuid.uuid4().hex
    db_admins.create(tx.conn, uid=uid, superadmin=False, **_columns(tx, values))
    return uid, generated


@reads
def list_all(tx):
    tenants = objects.names_by_id(tx.conn, tenant)
    return [_record(row, tenants) for row in objects.all_rows(tx.conn, admin)]


@reads
def get(tx, ident):
    return _record(_visible(tx, ident), objects.names_by_id(tx.conn, tenant))


@writes
def change(tx, ident, data):
    """Replace the fields given. Only who manages accounts changes names and roles."""
    row = _visible(tx, ident, for_update=True)
    values = _fields(data, FIELDS)
    if not _manages(tx):
        for field in values:
            if field not in SELF_FIELDS:
                raise Forbidden(f"{field}: only the superadmin changes an account's {field}", field=field)
    if "roles" in values:
        _check_roles(values["roles"], row.tenant_id)
    if values.get("name", row.name) != row.name:
        _claim(tx, values["name"])
    objects.change(tx.conn, admin, row.id, _columns(tx, values))


@writes
def delete(tx, ident):
    row = _visible(tx, ident, for_update=True)
    if row.superadmin or row.uid == tx.principal.uid:
        raise Forbidden("neither the superadmin's account nor one's own can be deleted")
    objects.remove(tx.conn, admin, row.id)


@reads
def gui_settings(tx, ident):
    return _gui_settings(_visible(tx, ident))


@writes
def merge_gui_settings(tx, ident, data):
    """Set the keys given, key by key; a key given as null is removed."""
    _parse_object("body", data)
    row = _visible(tx, ident, for_update=True)
    merged = {**_gui_settings(row), **data}
    kept = {key: value for key, value in merged.items() if value is not None}
    objects.change(tx.conn, admin, row.id, _columns(tx, {"gui_settings": kept}))


@writes
def delete_gui_settings(tx, ident, names=None):
    """Remove the keys named (a JSON list), or every key when ``names`` is None."""
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
        raise invalid("body", "must be a JSON list of the names of keys to remove")
    row = _visible(tx, ident, for_update=True)
    kept = {} if names is None else {k: v for k, v in _gui_settings(row).items() if k not in names}
    objects.change(tx.conn, admin, row.id, _columns(tx, {"gui_settings": kept}))


def _listed_keys(data):
    return _fields(data, {"keys": KEYS.not_null()}, required=("keys",))["keys"]


@writes
def add_keys(tx, ident, data):
    """Append the keys given; a key the account already has is left as it is."""
    keys = _listed_keys(data)
    row = _visible(tx, ident, for_update=True)
    objects.change(tx.conn, admin, row.id, _columns(tx, {"keys": _unique(_keys(row) + keys)}))


@writes
def replace_keys(tx, ident, data):
    keys = _listed_keys(data)
    row = _visible(tx, ident, for_update=True)
    objects.change(tx.conn, admin, row.id, _columns(tx, {"keys": keys}))


@writes
def remove_keys(tx, ident, data=None):
    """Remove the keys given (whatever their comment), or every key when ``data`` is None."""
    gone = None if data is None else {_material(key) for key in _listed_keys(data)}
    row = _visible(tx, ident, for_update=True)
    kept = [] if gone is None else [key for key in _keys(row) if _material(key) not in gone]
    objects.change(tx.conn, admin, row.id, _columns(tx, {"keys": kept}))


def _principal(tx, row):
    """The principal an account's tokens name; 409 for a user of a tenant that is not active."""
    try:
        return accounts.principal_of(tx.conn, row)
    except Unauthorized as exc:  # the caller's own credentials are fine: say what is wrong
        raise Conflict(exc.message) from None


@writes
def new_token(tx, ident, data=None):
    """A token for the account, valid ``lifespan`` seconds (the legacy ``timeout`` is
    the same); with ``revoke``, every older token of the account is refused from now on.
    Journaled, so the audit trail tells who made a token for whom."""
    values = _fields({} if data is None else data, TOKEN_FIELDS, aliases={LEGACY_LIFESPAN: "lifespan"})
    lifespan = values.get("lifespan", tx.settings.token_lifespan)
    row = _visible(tx, ident, for_update=True)
    principal = _principal(tx, row)
    if values.get("revoke"):
        principal = dataclasses.replace(principal, generation=row.token_generation + 1)
        objects.change(tx.conn, admin, row.id,
                       _columns(tx, {"token_generation": principal.generation}))
    now = tx.now()
    return {"token": auth.issue_token(principal, tx.settings.secret_key, lifespan, now),
            "expires": now + lifespan}
