"""Secrets of nodes and groups: files with sensitive content placed into a node's image.

The content is stored encrypted (cairn.crypto, Fernet) and shown only on
routes that need the permission "secrets.read". A node's view holds its own
secrets and those of its group, each under its owner, as the spec shows.

A tenant (service.scope) sees the secrets of its own nodes and of their groups,
and changes those of its own nodes, never a group's: a group may hold other
tenants' nodes too.
"""

from .. import crypto
from ..db import secrets as db_secrets
from ..db.schema import secret
from . import fields as F, scope
from .errors import Conflict, NotFound, invalid
from .named import fetch
from .tx import reads, writes

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
OWNER_KINDS = tuple(db_secrets.OWNERS)
_NAME_MAX = 255  # the column's width; F.SHORT checks it
_PATH_MAX = 4096


def parse_secret_name(field, value):
    """Any printable text (spaces too: "software license"), but no slash, as the name
    travels as one URL segment; no "." or "..", which clients resolve away."""
    F.SHORT.parse(field, value)
    if not value or not value.isprintable() or "/" in value or value.strip() != value \
            or value in (".", ".."):
        raise invalid(field, f"'{value}' is not a valid secret name (printable text without "
                             f"slashes or surrounding spaces, at most {_NAME_MAX} characters)")
    return value


def parse_path(field, value):
    """An absolute file path, with no ".." that could lead out of the image."""
    if len(F.TEXT.parse(field, value)) > _PATH_MAX:
        raise invalid(field, f"is longer than {_PATH_MAX} characters")
    if not value.startswith("/") or value.endswith("/") or not value.isprintable() \
            or ".." in value.split("/"):
        raise invalid(field, f"'{value}' is not an absolute file path (as /etc/app/license.lic)")
    return value


NAME = F.Field(parse_secret_name, {"type": "string", "minLength": 1, "maxLength": _NAME_MAX,
                                   "pattern": r"^[^/\s](?:[^/]*[^/\s])?$"})
FIELDS = {
    "secretname": NAME.not_null(),
    "content": F.Field(F.TEXT.parse, {"type": "string"}, "stored encrypted; may be base64",
                       nullable=False),
    "path": F.Field(parse_path, {"type": "string", "maxLength": _PATH_MAX,
                                 "example": "/etc/app/license.lic"}),
}
CLONE = "newsecretname"
CLONE_FIELDS = {**FIELDS, CLONE: NAME.not_null()}
# The spec's example of a single secret's update spells the key "secretname:".
_ALIASES = {"secretname:": "secretname"}


def _parse_item(field, item, fields=FIELDS, required=()):  # pylint: disable=dangerous-default-value  # only read
    return F.parse_object(field, item, fields, required=required, aliases=_ALIASES)


def _parse_one(items, secret_name, fields=FIELDS):  # pylint: disable=dangerous-default-value  # only read
    """The one item of a single secret's body; a secretname in it must be the URL's."""
    if not isinstance(items, list) or len(items) != 1:
        raise invalid("secrets", "must hold exactly one secret")
    values = _parse_item("secrets.0", items[0], fields)
    if values.pop("secretname", secret_name) != secret_name:
        raise invalid("secrets.0.secretname", f"must be '{secret_name}', the secret the URL names")
    return values


def _record(keyring, row):
    return {"secretname": row.name, "content": keyring.decrypt(row.content), "path": row.path}


def _records(keyring, rows):
    return [_record(keyring, row) for row in rows]


def _owner(tx, kind, name, for_update=False):
    return fetch(tx, db_secrets.OWNERS[kind][0], kind, name, for_update=for_update)


def _secret(tx, kind, owner, secret_name):
    """The owner's secret named ``secret_name``, or a 404."""
    rows = db_secrets.of_owner(tx.conn, kind, owner.id, secret_name)
    if not rows:
        raise NotFound(f"secret '{secret_name}' of {kind} '{owner.name}' does not exist")
    return rows[0]


def _refuse_group_to_tenants(tx, kind):
    if kind == "group":
        scope.refuse_tenant(tx.principal, "change the secrets of groups")


def _owner_for_write(tx, kind, name):
    """The owner, locked against a concurrent delete; and the secrets against a key rotation,
    before anything is encrypted."""
    owner = _owner(tx, kind, name, for_update=True)
    db_secrets.lock_before_encrypting(tx.conn, secret)
    return owner


@reads
def list_all(tx):
    """{"node": {node: [secret, ...]}, "group": {group: [...]}}: the owners that have secrets."""
    keyring = crypto.keyring(tx.settings)
    listing = {}
    for kind in OWNER_KINDS:
        listing[kind] = {}
        table = db_secrets.OWNERS[kind][0]
        for row in db_secrets.by_owner(tx.conn, kind, where=scope.visible(tx, table)):
            listing[kind].setdefault(row.owner, []).append(_record(keyring, row))
    return listing


@reads
def of_owner(tx, name, kind):
    """A group's secrets; a node's secrets and its group's, each under its owner."""
    keyring = crypto.keyring(tx.settings)
    owner = _owner(tx, kind, name)
    view = {kind: {name: _records(keyring, db_secrets.of_owner(tx.conn, kind, owner.id))}}
    if kind == "node":
        group = db_secrets.group_of(tx.conn, owner)
        view["group"] = {group.name: _records(keyring, db_secrets.of_owner(tx.conn, "group", group.id))}
    return view


@reads
def get(tx, name, kind, secret_name):
    owner = _owner(tx, kind, name)
    return {kind: {name: _records(crypto.keyring(tx.settings), [_secret(tx, kind, owner, secret_name)])}}


def _store(tx, kind, owner, current, name, values, field):
    """Create the secret ``name`` or change ``current``; CREATED, UPDATED or UNCHANGED."""
    keyring = crypto.keyring(tx.settings)
    if current is None:
        if "content" not in values:
            raise invalid(f"{field}.content", "is required to create a secret")
        db_secrets.create(tx.conn, kind, owner.id, {
            "name": name, "path": values.get("path"), "content": keyring.encrypt(values["content"])})
        return CREATED
    changes = {}
    if "path" in values and values["path"] != current.path:
        changes["path"] = values["path"]
    # Tokens differ at every encryption: compare the plain text.
    if "content" in values and values["content"] != keyring.decrypt(current.content):
        changes["content"] = keyring.encrypt(values["content"])
    if not changes:
        return UNCHANGED
    db_secrets.change(tx.conn, current.id, changes)
    return UPDATED


def _overall(outcomes):
    """One creation makes the answer CREATED, else one change UPDATED."""
    return next((o for o in (CREATED, UPDATED) if o in outcomes), UNCHANGED)


@writes
def save_all(tx, name, kind, items):
    """Create or change the listed secrets of a node or group; the others stay as they are."""
    _refuse_group_to_tenants(tx, kind)
    if not isinstance(items, list):
        raise invalid("secrets", "must be a JSON array of secrets")
    parsed = [_parse_item(f"secrets.{i}", item, required=("secretname",)) for i, item in enumerate(items)]
    seen = set()
    for i, values in enumerate(parsed):
        if values["secretname"] in seen:
            raise invalid(f"secrets.{i}.secretname", f"'{values['secretname']}' is given twice")
        seen.add(values["secretname"])
    owner = _owner_for_write(tx, kind, name)
    current = {row.name: row for row in db_secrets.of_owner(tx.conn, kind, owner.id)}
    return _overall([_store(tx, kind, owner, current.get(values["secretname"]), values["secretname"],
                            values, f"secrets.{i}")
                     for i, values in enumerate(parsed)])


@writes
def save(tx, name, kind, secret_name, items):
    """Create or change one secret of a node or group."""
    _refuse_group_to_tenants(tx, kind)
    values = _parse_one(items, secret_name)
    parse_secret_name("secretname", secret_name)
    owner = _owner_for_write(tx, kind, name)
    current = db_secrets.of_owner(tx.conn, kind, owner.id, secret_name)
    return _store(tx, kind, owner, current[0] if current else None, secret_name, values, "secrets.0")


@writes
def clone(tx, name, kind, secret_name, items):
    """Copy a secret under ``newsecretname``; content and path in the body replace the copied ones."""
    _refuse_group_to_tenants(tx, kind)
    values = _parse_one(items, secret_name, CLONE_FIELDS)
    new_name = values.pop(CLONE, None)
    if new_name is None:
        raise invalid(f"secrets.0.{CLONE}", "is required to clone")
    owner = _owner_for_write(tx, kind, name)
    source = _secret(tx, kind, owner, secret_name)
    if db_secrets.of_owner(tx.conn, kind, owner.id, new_name):
        raise Conflict(f"secret '{new_name}' of {kind} '{name}' already exists", field=f"secrets.0.{CLONE}")
    content = crypto.keyring(tx.settings).encrypt(values["content"]) if "content" in values else source.content
    db_secrets.create(tx.conn, kind, owner.id, {
        "name": new_name, "path": values.get("path", source.path), "content": content})
    return new_name


@writes
def delete(tx, name, kind, secret_name):
    _refuse_group_to_tenants(tx, kind)
    owner = _owner(tx, kind, name, for_update=True)
    db_secrets.remove(tx.conn, _secret(tx, kind, owner, secret_name).id)
