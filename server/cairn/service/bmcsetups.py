"""BMC setups: the IPMI user and channels that nodes' BMCs are set up with, and the
protocol (ipmi or redfish) that /control speaks to them.

A group names its setup (``bmcsetupname``); its nodes use it. The password
is stored encrypted (cairn.crypto) and shown only to principals that may
read secrets.
"""

from .. import bmc, crypto
from ..db import bmcsetups as db_bmcsetups, objects, secrets as db_secrets
from ..db.schema import bmcsetup, group, node
from . import fields as F, rows, scope
from .credentials import shown
from .errors import invalid
from .named import fetch
from .tx import reads, writes


def _whole_number(low, high):
    def parse(field, value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise invalid(field, f"must be a whole number from {low} to {high}")
        return value
    return F.Field(parse, {"type": "integer", "minimum": low, "maximum": high})


def _ipmi_text(limit):
    """IPMI 2.0 stores user names in 16 bytes and passwords in 20: printable ASCII."""
    def parse(field, value):
        if not isinstance(value, str) or not value or len(value) > limit \
                or not all(" " <= char <= "~" for char in value):
            raise invalid(field, f"must be 1 to {limit} printable ASCII characters")
        return value
    return F.Field(parse, {"type": "string", "minLength": 1, "maxLength": limit,
                           "pattern": "^[ -~]+$"})


# IPMI user ids are 6 bits (0 is reserved; 1 is the anonymous user on most
# BMCs); channel numbers are 4 bits.
CHANNEL = _whole_number(0, 15)
FIELDS = {
    "userid": _whole_number(1, 63),
    "username": _ipmi_text(16),
    "password": _ipmi_text(20),
    "mgmtchannel": CHANNEL,
    "netchannel": CHANNEL,
    "unmanaged_bmc_users": F.choice("skip", "disable", "delete"),
    "comment": F.TEXT,
    "protocol": F.choice(*bmc.PROTOCOLS).not_null(),
}
RENAME = "newbmcname"
WRITE_FIELDS = {**FIELDS, RENAME: F.NAME}
_SECRET = ("password",)


def _record(tx, row):
    record = shown(tx, {name: getattr(row, name) for name in FIELDS}, _SECRET)
    if record.get("password") is not None:
        record["password"] = crypto.keyring(tx.settings).decrypt(record["password"])
    return record


def _parse(tx, data):
    """The values of a write, the password encrypted. Saves and clones store
    tokens (a clone copies its source's): a key rotation must not run
    between reading or making one and writing it, so this waits for one first."""
    values = F.parse_object("", data, WRITE_FIELDS)
    db_secrets.lock_before_encrypting(tx.conn, bmcsetup)
    if values.get("password") is not None:
        values["password"] = crypto.keyring(tx.settings).encrypt(values["password"])
    return values


@reads
def list_all(tx):
    return {row.name: _record(tx, row)
            for row in objects.all_rows(tx.conn, bmcsetup, where=scope.visible(tx, bmcsetup))}


@reads
def get(tx, name):
    return _record(tx, fetch(tx, bmcsetup, "bmcsetup", name))


@reads
def members(tx, name):
    return db_bmcsetups.member_names(tx.conn, fetch(tx, bmcsetup, "bmcsetup", name).id,
                                     where=scope.visible(tx, node))


@writes
@scope.not_for_tenants("change BMC setups")
def save(tx, name, data):
    """Create or update (and maybe rename) a BMC setup. Returns True when created."""
    dummy, before = rows.save(tx, bmcsetup, "bmcsetup", name, _parse(tx, data), RENAME)
    return before is None


@writes
@scope.not_for_tenants("change BMC setups")
def clone(tx, name, data):
    dummy, dummy, new_name = rows.clone(tx, bmcsetup, "bmcsetup", name, _parse(tx, data), RENAME)
    return new_name


@writes
@scope.not_for_tenants("change BMC setups")
def delete(tx, name):
    row = fetch(tx, bmcsetup, "bmcsetup", name, for_update=True)
    rows.refuse_while_used(tx, "bmcsetup", name, row.id, group.c.bmcsetup_id, "groups")
    objects.remove(tx.conn, bmcsetup, row.id)
