"""Racks and the inventory: which hardware the cluster has, and where it sits.

An inventory entry is one piece of hardware, known by its type and name,
with its vendor, height and orientation. It is in a rack when it has a rack
and a position there. Nodes, switches and other devices must exist and are
referenced by id: a rename shows in the rack view, and deleting the object
takes its entry along. Controllers, PDUs, patch panels and other hardware the
cluster does not manage go by their name.

A position is a rack unit counted from the bottom of the rack (unit 1 is the
lowest), whatever the rack's order: a device of height h at position p takes
units p to p + h - 1. The order only says how a display labels the units, so
changing it moves nothing.

A request that puts a device in a rack, or changes one placed there, first
locks the rows of the racks involved: two concurrent requests cannot both
fill the same unit.
"""

import dataclasses

from ..db import objects, racks as db_racks
from ..db.schema import rack, rack_device
from . import fields as F, rows, scope
from .errors import NotFound, invalid, not_found
from .named import claim, fetch
from .tx import reads, writes

MAX_UNITS = 60  # the tallest racks made have 58 units
RESERVED = "inventory"  # /config/rack/inventory is the inventory, not a rack
TYPES = (*db_racks.REFERENCED, "controller", "pdu", "patchpanel", "other")
SUBSETS = {"configured": True, "unconfigured": False}
# Racks and the inventory are the cluster's hardware: a tenant sees none of them.
_CHANGE = "change racks or the inventory"


def _parse_units(field, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
        raise invalid(field, f"must be a whole number from 1 to {MAX_UNITS}")
    return value


UNITS = F.Field(_parse_units, {"type": "integer", "minimum": 1, "maximum": MAX_UNITS})
DEVICE = {
    "name": F.NAME.not_null(),
    "type": F.choice(*TYPES).not_null(),
    "vendor": F.SHORT,
    "orientation": F.choice("front", "back").not_null(),
    "height": dataclasses.replace(UNITS, description="rack units the device takes (1 when new)")
                         .not_null(),
    "position": dataclasses.replace(UNITS, description="the lowest unit the device takes, "
                                                       "counted from the bottom of the rack"),
}
FIELDS = {
    "size": dataclasses.replace(UNITS, description="rack units; required to create a rack")
                       .not_null(),
    "order": dataclasses.replace(F.choice("ascending", "descending"),
                                 description="how a display numbers the units: ascending "
                                             "from the bottom, descending from the top").not_null(),
    "room": F.SHORT,
    "site": F.SHORT,
    "comment": F.TEXT,
    "devices": dataclasses.replace(
        F.list_of(DEVICE, required=("name", "type", "position")),
        description="every device in the rack: devices left out leave it").not_null(),
}


def _valid_name(field, name):
    F.parse_label(field, name)
    if name.lower() == RESERVED:
        raise invalid(field, f"'{name}' is reserved: /config/rack/inventory is the inventory")
    return name


RENAME = "newrackname"
# The spec's example body repeats the rack's name: accepted when it is the URL's.
WRITE_FIELDS = {**FIELDS, RENAME: dataclasses.replace(F.NAME, parse=_valid_name), "name": F.NAME}
INVENTORY_FIELDS = {"inventory": F.list_of({**DEVICE, "rack": F.NAME},
                                           required=("name", "type")).not_null()}
_RACK_COLUMNS = ("size", "order", "room", "site", "comment")


# -- records ------------------------------------------------------------------

def _device(entry):
    return {"name": entry.name, "type": entry.type, "vendor": entry.vendor,
            "orientation": entry.orientation, "height": entry.height, "position": entry.position}


def _record(row, entries):
    return {"name": row.name, **{column: getattr(row, column) for column in _RACK_COLUMNS},
            "devices": [_device(e) for e in sorted(entries, key=lambda e: e.position)]}


@reads
def list_all(tx):
    entries = {}
    for entry in db_racks.entries(tx.conn, placed=True):
        entries.setdefault(entry.rack_id, []).append(entry)
    return {row.name: _record(row, entries.get(row.id, []))
            for row in objects.all_rows(tx.conn, rack, where=scope.visible(tx, rack))}


@reads
def get(tx, name):
    row = fetch(tx, rack, "rack", name)
    return _record(row, db_racks.entries(tx.conn, [row.id]))


@reads
def inventory(tx, subset=None):
    """Every entry, or those placed in a rack (``configured``) or not (``unconfigured``)."""
    if subset is not None and subset not in SUBSETS:
        raise NotFound(f"inventory '{subset}' does not exist: use configured or unconfigured")
    return [{**_device(e), "rack": e.rack} for e in db_racks.entries(
        tx.conn, placed=SUBSETS.get(subset), where=scope.visible(tx, rack_device))]


# -- placing devices ------------------------------------------------------------

@dataclasses.dataclass
class _Placement:
    """The units one device takes in a rack."""
    label: str
    position: int
    height: int
    #: The request field to blame when it does not fit; None for a device that stays as it was.
    field: str = None
    #: Its place in the request: of two devices that moved into each other, the later is blamed.
    index: int = -1

    @property
    def top(self):
        return self.position + self.height - 1

    def units(self):
        return f"unit {self.position}" if self.height == 1 else f"units {self.position}-{self.top}"


def _check_fit(row, placements):
    """Every device within the rack's units and no unit taken twice, or a 400 naming the culprit."""
    for p in placements:
        if p.top > row.size:
            raise invalid(p.field or "size", f"{p.label} at {p.units()} does not fit in "
                                             f"rack '{row.name}' of {row.size} units")
    highest = None  # of the devices starting lower, the one reaching highest
    for p in sorted(placements, key=lambda p: p.position):
        if highest is not None and p.position <= highest.top:
            culprit = max(highest, p, key=lambda c: (c.field is not None, c.index))
            other = p if culprit is highest else highest
            raise invalid(culprit.field, f"{culprit.label} at {culprit.units()} overlaps "
                                         f"{other.label} at {other.units()} in rack '{row.name}'")
        if highest is None or p.top > highest.top:
            highest = p


def _check_racks(tx, moved, moving_ids):
    """Check the racks of ``moved`` ({rack id: [placements]}) with the devices they keep:
    those in them now, except the entries in ``moving_ids``."""
    for entry in db_racks.entries(tx.conn, moved):
        if entry.id not in moving_ids:
            moved[entry.rack_id].append(_Placement(f"{entry.type} {entry.name}", entry.position,
                                                   entry.height))
    for row in db_racks.racks(tx.conn, moved):
        _check_fit(row, moved[row.id])


def _keys(tx, items, field):
    """Each item's inventory key; a 400 for an object that does not exist or an item given twice."""
    ids = {kind: objects.ids_by_name(tx.conn, table, [i["name"] for i in items if i["type"] == kind])
           for kind, table in db_racks.REFERENCED.items()}
    keys, seen = [], set()
    for i, item in enumerate(items):
        kind, name = item["type"], item["name"]
        if kind in ids and name not in ids[kind]:
            raise invalid(f"{field}.{i}.name", f"{kind} '{name}' does not exist")
        key = (kind, ids[kind][name] if kind in ids else name)
        if key in seen:
            raise invalid(f"{field}.{i}.name", f"{kind} '{name}' is given twice")
        seen.add(key)
        keys.append(key)
    return keys


def _lock(tx, keys, rack_ids):
    """Lock the racks in ``rack_ids`` and those the entries of ``keys`` are in; then the entries.

    Racks first, in id order, as every writer here does. An entry that moved to
    another rack between the two reads has that rack locked too.
    """
    current = db_racks.entries_for(tx.conn, keys)
    wanted = {r for r in rack_ids if r} | {e.rack_id for e in current.values() if e.rack_id}
    db_racks.lock_racks(tx.conn, wanted)
    entries = db_racks.entries_for(tx.conn, keys, for_update=True)
    db_racks.lock_racks(tx.conn, {e.rack_id for e in entries.values() if e.rack_id} - wanted)
    return entries


def _blame(field, entry, rack_id, position, height):
    """The field that moved a device into its units; None when it stays where it was."""
    if entry is None or (entry.rack_id, entry.position) != (rack_id, position):
        return f"{field}.position"
    return f"{field}.height" if entry.height != height else None


def _save_entries(tx, field, items, keys, entries, targets):
    """Check, then write, the entries of ``items`` at their targets: (rack id, position)
    pairs, (None, None) for none. Returns the labels of the entries created."""
    moved, changes = {}, []
    for i, (item, key, (rack_id, position)) in enumerate(zip(items, keys, targets)):
        entry = entries.get(key)
        height = item.get("height", entry.height if entry else 1)
        label = f"{item['type']} {item['name']}"
        if rack_id is not None:
            moved.setdefault(rack_id, []).append(_Placement(
                label, position, height, _blame(f"{field}.{i}", entry, rack_id, position, height), i))
        values = {k: item[k] for k in ("vendor", "orientation") if k in item}
        changes.append((entry, key, label, {**values, "height": height, "rack_id": rack_id,
                                            "position": position}))
    _check_racks(tx, moved, {e.id for e in entries.values()})
    created = []
    for entry, key, label, values in changes:
        if entry is not None:
            objects.change(tx.conn, rack_device, entry.id, values)
        else:
            objects.create(tx.conn, rack_device,
                           {"orientation": "front", **db_racks.key_columns(key), **values})
            created.append(label)
    return created


def _place_devices(tx, rack_id, items):
    """Make ``items`` the devices of the rack: they move in, the others leave it."""
    keys = _keys(tx, items, "devices")
    entries = _lock(tx, keys, [rack_id])
    db_racks.unplace(tx.conn, rack_id, keep=[e.id for e in entries.values()])
    _save_entries(tx, "devices", items, keys, entries, [(rack_id, item["position"]) for item in items])


# -- racks ----------------------------------------------------------------------

def _parse(name, data):
    """The rack's columns and its device items (None when not given) of a POST body."""
    values = F.parse_object("", data, WRITE_FIELDS)
    if values.pop("name", name) != name:
        raise invalid("name", f"must be '{name}', the name in the URL (rename with {RENAME})")
    return values, values.pop("devices", None)


@writes
@scope.not_for_tenants(_CHANGE)
def save(tx, name, data):
    """Create or update (and maybe rename) a rack. Returns True when created."""
    values, items = _parse(name, data)
    new_name = values.pop(RENAME, None)
    row = objects.by_name(tx.conn, rack, name, for_update=True)
    if new_name and new_name != name:
        values["name"] = claim(tx, rack, "rack", new_name, RENAME)
    if row is None:
        _valid_name("name", name)
        if values.get("size") is None:
            raise invalid("size", "is required to create a rack")
        rack_id = objects.create(tx.conn, rack, {"name": name, "order": "ascending", **values})
    else:
        rack_id = row.id
        objects.change(tx.conn, rack, rack_id, values)
    if items is not None:
        _place_devices(tx, rack_id, items)
    elif "size" in values:
        _check_racks(tx, {rack_id: []}, set())  # what the rack holds must still fit
    return row is None


@writes
@scope.not_for_tenants(_CHANGE)
def clone(tx, name, data):
    """Copy a rack's settings under a new name; its devices stay where they are."""
    values, items = _parse(name, data)
    rack_id, _source, new_name = rows.clone(tx, rack, "rack", name, values, RENAME)
    if items is not None:
        _place_devices(tx, rack_id, items)
    return new_name


@writes
@scope.not_for_tenants(_CHANGE)
def delete(tx, name):
    """Delete a rack; its devices stay in the inventory, in no rack."""
    row = fetch(tx, rack, "rack", name, for_update=True)
    db_racks.unplace(tx.conn, row.id)
    objects.remove(tx.conn, rack, row.id)


# -- the inventory ----------------------------------------------------------------

def _target(field, item, entry, rack_ids):
    """Where an inventory item puts its entry: ``rack`` and ``position`` place it,
    ``rack: null`` takes it out, ``position`` alone moves it within its rack."""
    rack_id, position = (entry.rack_id, entry.position) if entry else (None, None)
    if "rack" in item:
        if item["rack"] is None:
            if item.get("position") is not None:
                raise invalid(f"{field}.position", "needs a rack: a device in no rack has no position")
            return None, None
        if item.get("position") is None and rack_ids[item["rack"]] != rack_id:
            raise invalid(f"{field}.position", "is required to place a device in a rack")
        rack_id = rack_ids[item["rack"]]
    if item.get("position") is not None:
        if rack_id is None:
            raise invalid(f"{field}.rack", "is required to place a device in a rack")
        position = item["position"]
    return rack_id, position


def _rack_ids(tx, items):
    """{rack name: id} of the racks the items name; a 400 for one that does not exist."""
    ids = objects.ids_by_name(tx.conn, rack, [item["rack"] for item in items if item.get("rack")])
    for i, item in enumerate(items):
        if item.get("rack") and item["rack"] not in ids:
            raise invalid(f"inventory.{i}.rack", f"rack '{item['rack']}' does not exist")
    return ids


@writes
@scope.not_for_tenants(_CHANGE)
def save_inventory(tx, data):
    """Create or update inventory entries by type and name. Returns the labels of those created."""
    items = F.parse_object("", data, INVENTORY_FIELDS, required=("inventory",))["inventory"]
    keys = _keys(tx, items, "inventory")
    rack_ids = _rack_ids(tx, items)
    entries = _lock(tx, keys, rack_ids.values())
    targets = [_target(f"inventory.{i}", item, entries.get(key), rack_ids)
               for i, (item, key) in enumerate(zip(items, keys))]
    return _save_entries(tx, "inventory", items, keys, entries, targets)


@writes
@scope.not_for_tenants(_CHANGE)
def delete_inventory(tx, name, kind):
    """Delete an inventory entry, which takes it out of its rack."""
    ref = name
    if kind in db_racks.REFERENCED:
        ref = objects.ids_by_name(tx.conn, db_racks.REFERENCED[kind], [name]).get(name)
    entry = db_racks.entries_for(tx.conn, [(kind, ref)]).get((kind, ref))
    if entry is None:
        raise not_found(f"inventory entry of type {kind}", name)
    objects.remove(tx.conn, rack_device, entry.id)
