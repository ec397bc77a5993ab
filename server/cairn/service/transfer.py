"""Cluster export and import: the whole database as one document, and back.

The document is the spec's "Full spec JSON": {"config": {KIND: {NAME: record}}}
with each record as GET shows it. An import reads every record back through
the same service functions the API writes with, in one transaction, so it
validates exactly as single requests do and lands all or nothing.
"""

import contextlib
import dataclasses

from ..db import (cluster as db_cluster, groups as db_groups, objects, osimages as db_osimages,
                  transfer as db_transfer)
from ..db.schema import group, osimage
from . import (audit, bmcsetups, cluster, devices, fields as F, groups, networks, nodes, osimages,
               osimagetags, racks, scope, secrets)
from .errors import BadRequest, Conflict, NotFound, invalid
from .inherit import GROUP_INHERITS, NODE_INHERITS
from .tx import reads, writes


def _own(record, inherits, own_source):
    """The values an object sets itself: what it inherits, and _-keys, left out."""
    return {key: value for key, value in record.items()
            if not key.startswith("_") and value is not None
            and (key not in inherits or record.get(f"_{key}_source") == own_source)}


def _set(record):
    """A record without its unset (null) values: an empty server has them unset already."""
    return {key: value for key, value in record.items() if value is not None}


@dataclasses.dataclass(frozen=True)
class Section:
    """One kind of object in the document: how to read it all, how to load it back."""
    kind: str
    read: object  # tx -> the section
    load: object  # (tx, section) -> how many objects it held


def _named(kind, svc, writable=_set):
    """A section of records by name, written back with the service's save."""
    def load(tx, section):
        for name, record in _checked(section, f"config.{kind}").items():
            values = writable(_checked(record, f"config.{kind}.{name}"))
            with _blame(f"config.{kind}.{name}"):
                svc.save.__wrapped__(tx, name, values)
        return len(section)
    return Section(kind, svc.list_all.__wrapped__, load)


def _load_osimages(tx, section):
    """Images, with what their last pack made: the files themselves travel apart
    (files_dir), the records say which they are."""
    count = _named("osimage", osimages,
                   lambda record: _set({k: v for k, v in record.items() if k in osimages.FIELDS})
                   ).load(tx, section)
    for name, record in section.items():
        packed = {key: record.get(key) for key in ("imagefile", "checksum", "packed_at")}
        with _blame(f"config.osimage.{name}"):
            _check_pack(packed)
        objects.change(tx.conn, osimage, objects.by_name(tx.conn, osimage, name).id, _set(packed))
    return count


def _check_pack(packed):
    if packed["imagefile"] is not None:
        F.parse_object("", packed, {"imagefile": F.SHORT, "checksum": F.SHORT,
                                    "packed_at": F.Field(_seconds, {"type": "integer"})})


def _seconds(field, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(field, "must be seconds since the epoch")
    return value


def _load_tags(tx, section):
    """Tags, keyed "<osimage>/<tag>" as GET /config/osimagetag shows them."""
    for key, record in _checked(section, "config.osimagetag").items():
        path = f"config.osimagetag.{key}"
        values = F.parse_object(path, _checked(record, path), {
            "name": osimagetags.TAG, "osimage": F.NAME.not_null(),
            **{field: F.SHORT for field in osimagetags.SNAPSHOT},
            **{field: F.SHORT for field in osimages.served_files(None)}}, required=("name", "osimage"))
        if key != f"{values['osimage']}/{values['name']}":
            raise invalid(path, "must be keyed <osimage>/<tag>")
        image = objects.by_name(tx.conn, osimage, values["osimage"])
        if image is None:
            raise invalid(f"{path}.osimage", f"osimage '{values['osimage']}' is not in the document")
        db_osimages.add_tag(tx.conn, {"osimage_id": image.id, "name": values["name"],
                                      **{field: values.get(field) for field in osimagetags.SNAPSHOT}})
    return len(section)


def _load_nodes(tx, section):
    # Tenancies are not in the document (tenants are accounts, not configuration).
    count = _named("node", nodes, lambda record: {
        key: value for key, value in _own(record, NODE_INHERITS, "node").items()
        if key not in nodes.READ_ONLY}).load(tx, section)
    # A node that dropped an interface of its group got it back from the group
    # when it was created: drop it again.
    group_names = objects.names_by_id(tx.conn, group)
    group_interfaces = {}
    for row in db_groups.interfaces(tx.conn):
        group_interfaces.setdefault(group_names[row.nodegroup_id], set()).add(row.interface)
    for name, record in section.items():
        listed = {item.get("interface") for item in record.get("interfaces") or [] if isinstance(item, dict)}
        for interface in sorted(group_interfaces.get(record.get("group"), set()) - listed):
            nodes.delete_interface.__wrapped__(tx, name, interface)
    return count


def _load_secrets(tx, section):
    count = 0
    for kind, owners in _checked(section, "config.secrets").items():
        if kind not in secrets.OWNER_KINDS:
            raise invalid(f"config.secrets.{kind}", f"must be one of {', '.join(secrets.OWNER_KINDS)}")
        for name, items in _checked(owners, f"config.secrets.{kind}").items():
            with _blame(f"config.secrets.{kind}.{name}"):
                secrets.save_all.__wrapped__(tx, name, kind, items)
            count += len(items) if isinstance(items, list) else 0
    return count


def _load_inventory(tx, section):
    _checked(section, "config.inventory", list)
    with _blame("config"):
        racks.save_inventory.__wrapped__(tx, {"inventory": section})
    return len(section)


#: In import order: what a section refers to comes before it.
SECTIONS = [
    _named("network", networks, lambda record: _set({k: v for k, v in record.items() if k != "name"})),
    Section("osimage", osimages.list_all.__wrapped__, _load_osimages),
    Section("osimagetag", osimagetags.list_all.__wrapped__, _load_tags),
    _named("bmcsetup", bmcsetups),
    _named("switch", devices.switches),
    _named("otherdev", devices.otherdevs),
    _named("group", groups, lambda record: _own(record, GROUP_INHERITS, "group")),
    Section("node", nodes.list_all.__wrapped__, _load_nodes),
    Section("secrets", secrets.list_all.__wrapped__, _load_secrets),
    _named("rack", racks),
    Section("inventory", racks.inventory.__wrapped__, _load_inventory),
]


@reads
@scope.not_for_tenants("export the cluster")  # the document is everyone's, secrets and all
def export(tx):
    """The whole configuration. The cluster's controllers are left out: they are
    the servers running now, which register themselves, not configuration."""
    config = {"cluster": cluster.settings(tx.conn)}
    for section in SECTIONS:
        config[section.kind] = section.read(tx)
    return {"config": config}


def _checked(value, field, kind=dict):
    if not isinstance(value, kind):
        raise invalid(field, "must be a JSON object" if kind is dict else "must be a JSON array")
    return value


@writes(journal=False)  # journaled below, as one entry without the document
@scope.not_for_tenants("import a cluster")
def import_all(tx, document):
    """Load an export into an empty database; returns {kind: count}."""
    config = _checked(_checked(document, "body").get("config"), "config")
    known = {"cluster", *(section.kind for section in SECTIONS)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise invalid(f"config.{unknown[0]}", "unknown section")
    if not db_transfer.is_empty(tx.conn):
        raise Conflict("the database already holds objects: import needs an empty server", field="config")
    if "cluster" in config:
        _import_cluster(tx, config["cluster"])
    counts = {section.kind: section.load(tx, config[section.kind])
              for section in SECTIONS if section.kind in config}
    audit.record_write(tx, "transfer.import_all", [counts], {})
    return counts


@contextlib.contextmanager
def _blame(path):
    """Whatever is wrong with one record of the document is a 400 naming it."""
    try:
        yield
    except (BadRequest, NotFound, Conflict) as exc:
        field = f"{path}.{exc.field}" if exc.field else path
        message = exc.message
        if exc.field and message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2:]
        raise BadRequest(f"{field}: {message}", field=field) from exc


def _import_cluster(tx, record):
    values = {k: v for k, v in _checked(record, "config.cluster").items() if not isinstance(v, dict)}
    read_only = {key: values.pop(key) for key in cluster.READ_ONLY if key in values}
    with _blame("config.cluster"):
        cluster.save.__wrapped__(tx, values)
    db_cluster.change(tx.conn, read_only)
