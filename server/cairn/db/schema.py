"""Every table of the cluster database, declared once on one MetaData.

Alembic migrations under ``migrations/versions`` are frozen snapshots of
changes to this module; a test compares the migrated database with it.
"""

import uuid

from sqlalchemy import (
    BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String,
    Table, Text, UniqueConstraint, func,
)

# Names for constraints, so migrations can refer to them on every engine.
metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

NAME = 63  # a DNS label: the longest name of any object


def _ref(table, nullable=True, ondelete="RESTRICT"):
    """A foreign key to ``table.id``; RESTRICT so nothing dangles silently."""
    return Column(f"{table}_id", Integer, ForeignKey(f"{table}.id", ondelete=ondelete),
                  nullable=nullable, index=True)


cluster = Table(
    "cluster", metadata,
    Column("id", Integer, primary_key=True),  # always 1: one cluster per database
    Column("name", String(NAME), nullable=False),
    Column("domain", String(253)),
    Column("ntp_server", String(255)),
    Column("technical_contacts", Text),
    Column("provision_method", String(32), nullable=False),
    Column("provision_fallback", String(32), nullable=False),
    Column("debug", Boolean, nullable=False, default=False),
)

# Each server that runs against this database registers itself here on start.
controller = Table(
    "controller", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("ipaddr", String(45)),
    Column("serverport", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("started_at", BigInteger, nullable=False),
)

network = Table(
    "network", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("network", String(49), nullable=False),  # CIDR, canonical
    Column("gateway", String(45)),
    Column("ns_hostname", String(253)),
    Column("ns_ip", String(45)),
    Column("ntp_server", String(255)),
    Column("comment", Text),
    Column("dhcp", Boolean, nullable=False, default=False),
    Column("dhcp_range_begin", String(45)),
    Column("dhcp_range_end", String(45)),
    # Every assignable address below this key is taken (NULL: look from the
    # start). Lets allocation in a full network start where the gap can be.
    Column("alloc_floor", BigInteger),
)

osimage = Table(
    "osimage", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("path", Text),  # the image tree on the controller
    Column("distribution", String(64)),
    Column("osrelease", String(64)),
    Column("kernelversion", String(255)),
    Column("kernelfile", String(255)),
    Column("initrdfile", String(255)),
    Column("kernelmodules", Text),
    Column("kerneloptions", Text),
    Column("dracutmodules", Text),
    Column("grab_filesystems", Text),  # JSON list
    Column("grab_exclude", Text),  # JSON list
    Column("comment", Text),
    # What the last pack made: the tarball's file name and its SHA-256.
    Column("imagefile", String(255)),
    Column("checksum", String(64)),
    Column("packed_at", BigInteger),
)

# A tag pins what one pack of an image made, so nodes can stay on it while
# the image is repacked.
osimagetag = Table(
    "osimagetag", metadata,
    Column("id", Integer, primary_key=True),
    Column("osimage_id", Integer, ForeignKey("osimage.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(NAME), nullable=False),
    Column("kernelversion", String(255)),
    Column("kernelfile", String(255)),
    Column("initrdfile", String(255)),
    Column("kerneloptions", Text),
    Column("imagefile", String(255)),
    Column("checksum", String(64)),
    UniqueConstraint("osimage_id", "name"),
)

bmcsetup = Table(
    "bmcsetup", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("userid", Integer),
    Column("username", String(255)),
    Column("password", Text),  # Fernet token (cairn.crypto), never plain text
    Column("mgmtchannel", Integer),
    Column("netchannel", Integer),
    Column("unmanaged_bmc_users", String(16)),
    Column("comment", Text),
    # How the nodes' BMCs are spoken to: ipmi or redfish (cairn.bmc.PROTOCOLS).
    Column("protocol", String(16), nullable=False, default="ipmi", server_default="ipmi"),
)


def _device_address():
    """The one address a switch or other device may take in a network (see node_interface)."""
    return [_ref("network"), Column("ip_key", BigInteger)]


switch = Table(
    "switch", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    *_device_address(),
    Column("oid", String(255)),
    Column("read", String(255)),  # SNMP read community
    Column("rw", String(255)),  # SNMP read-write community
    Column("comment", Text),
    UniqueConstraint("network_id", "ip_key"),
)

otherdev = Table(
    "otherdev", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    *_device_address(),
    Column("comment", Text),
    UniqueConstraint("network_id", "ip_key"),
)


def _inheritable():
    """Fields a node inherits from its group when the node leaves them unset."""
    return [
        Column("osimagetag", String(NAME)),
        Column("prescript", Text),
        Column("partscript", Text),
        Column("postscript", Text),
        Column("netboot", Boolean),
        Column("localinstall", Boolean),
        Column("bootmenu", Boolean),
        Column("provision_interface", String(NAME)),
        Column("provision_method", String(32)),
        Column("provision_fallback", String(32)),
    ]


group = Table(
    "nodegroup", metadata,  # "group" is an SQL keyword
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("domain", String(253)),
    Column("bmcsetup", Boolean),
    _ref("bmcsetup"),
    _ref("osimage"),
    Column("comment", Text),
    *_inheritable(),
)

group_interface = Table(
    "group_interface", metadata,
    Column("id", Integer, primary_key=True),
    _ref("nodegroup", nullable=False, ondelete="CASCADE"),
    Column("interface", String(NAME), nullable=False),
    _ref("network", nullable=False),
    UniqueConstraint("nodegroup_id", "interface"),
)

# A customer leasing part of the cluster. "status": active, suspended (its
# tokens are refused) or deleting (scheduled: refused, purged at purge_at).
tenant = Table(
    "tenant", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(32), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("description", Text),
    Column("status", String(16), nullable=False, default="active"),
    Column("purge_at", BigInteger),  # seconds since the epoch, while deleting
    # Tokens carry the generation they were issued in; raising it revokes the older ones.
    Column("token_generation", Integer, nullable=False, default=0, server_default="0"),
    Column("last_modified", BigInteger),
    Column("last_modified_on", String(255)),
    Column("last_modified_by", String(255)),
)

# A set of nodes a tenant owns. The system's Quarantine tenancy (system=True)
# has no tenant: it holds the nodes of deleted tenancies and purged tenants.
tenancy = Table(
    "tenancy", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    _ref("tenant"),
    Column("system", Boolean, nullable=False, default=False),
    Column("description", Text),
    Column("created", BigInteger, nullable=False),
)

node = Table(
    "node", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    # Never shared with a later node (ids are, on SQLite): what provisioning tokens name.
    # Nullable only in the database (migration 0006 says why); every row has one.
    Column("uid", String(32), index=True, unique=True, default=lambda: uuid.uuid4().hex),
    _ref("nodegroup", nullable=False),
    Column("macaddr", String(17), unique=True),
    _ref("switch"),
    Column("switchport", Integer),
    Column("service", Boolean, nullable=False, default=False),
    Column("setupbmc", Boolean),
    Column("status", String(255)),
    _ref("osimage"),
    Column("tpm_uuid", String(255)),
    Column("tpm_pubkey", Text),
    Column("tpm_sha256", String(64)),
    Column("comment", Text),
    _ref("tenancy"),  # at most one tenancy; none: the cluster's own node
    *_inheritable(),
)

# An address is stored as its offset from the network's first address, so
# that allocation is integer arithmetic on an index. IPv6 offsets of a /64
# reach 2**64 - 1, past a signed BIGINT: db.addresses shifts them by 2**63.
node_interface = Table(
    "node_interface", metadata,
    Column("id", Integer, primary_key=True),
    _ref("node", nullable=False, ondelete="CASCADE"),
    Column("interface", String(NAME), nullable=False),
    _ref("network", nullable=False),
    Column("ip_key", BigInteger, nullable=False),
    UniqueConstraint("node_id", "interface"),
    UniqueConstraint("network_id", "ip_key"),
)

admin = Table(
    "admin", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(32), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("description", Text),
    Column("password_hash", String(255)),
    Column("roles", Text, nullable=False, default=""),  # comma-separated
    Column("superadmin", Boolean, nullable=False, default=False),
    Column("last_modified", BigInteger),
    # A tenant's user (role.tenantadmin or role.tenantuser) when set.
    _ref("tenant", ondelete="CASCADE"),
    Column("keys", Text),  # JSON list of SSH public keys
    Column("gui_settings", Text),  # JSON object
    Column("last_modified_on", String(255)),
    Column("last_modified_by", String(255)),
    Column("token_generation", Integer, nullable=False, default=0, server_default="0"),
)

# A secret belongs to one node or one group; its content is a Fernet token.
secret = Table(
    "secret", metadata,
    Column("id", Integer, primary_key=True),
    _ref("node", ondelete="CASCADE"),
    _ref("nodegroup", ondelete="CASCADE"),
    Column("name", String(255), nullable=False),
    Column("path", Text),
    Column("content", Text, nullable=False),
    UniqueConstraint("node_id", "name"),
    UniqueConstraint("nodegroup_id", "name"),
)

rack = Table(
    "rack", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("size", Integer, nullable=False),  # height in rack units
    Column("order", String(16), nullable=False),  # "ascending" or "descending" unit numbers
    Column("room", String(255)),
    Column("site", String(255)),
    Column("comment", Text),
)

# A piece of hardware in the inventory; in a rack when rack_id is set.
# Nodes, switches and other devices are referenced (renames follow, deletes
# take the entry along); controllers and anything else go by name.
rack_device = Table(
    "rack_device", metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(16), nullable=False),
    Column("name", String(255)),
    _ref("node", ondelete="CASCADE"),
    _ref("switch", ondelete="CASCADE"),
    _ref("otherdev", ondelete="CASCADE"),
    Column("vendor", String(255)),
    Column("height", Integer, nullable=False),
    Column("orientation", String(16), nullable=False),
    Column("rack_id", Integer, ForeignKey("rack.id", ondelete="SET NULL"), index=True),
    Column("position", Integer),
    UniqueConstraint("type", "name"),
    UniqueConstraint("node_id"),
    UniqueConstraint("switch_id"),
    UniqueConstraint("otherdev_id"),
)

# The audit trail: one entry per write, payload with secrets masked. Columns
# after the spec's journal entries; "sendby" is the controller that did it.
journal = Table(
    "journal", metadata,
    Column("id", Integer, primary_key=True),
    Column("created", BigInteger, nullable=False, index=True),  # milliseconds since the epoch
    Column("principal", String(255)),
    # The principal's uid (an account's, or a tenant's own token's): names may repeat
    # across admins and tenants, uids do not. A tenant reads the entries of its own.
    Column("principal_uid", String(32), index=True),
    Column("function", String(255), nullable=False),
    Column("object", String(255)),
    Column("param", Text),
    Column("payload", Text),
    Column("masteronly", Boolean, nullable=False, default=False),
    Column("misc", Text),
    Column("sendby", String(255), index=True),
    Column("sendfor", String(255)),
)

# Long work run in the background (packing an image): its state, readable
# from any controller.
job = Table(
    "job", metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("object", String(255)),
    Column("controller", String(255), nullable=False),
    # The pid of the serving process whose threads run it: a worker that dies takes its
    # jobs with it (see server._Supervisor). None in rows older than the column.
    Column("worker", Integer),
    Column("status", String(16), nullable=False),  # queued, running, done, failed
    Column("progress", Integer, nullable=False, default=0),  # percent
    Column("message", Text),
    Column("created", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
)

# Failed (or still running) password checks per client address, for the login throttle
# (service.throttle): in the database, so that every process of every controller counts
# the same attempts. Rows leave once they are older than the window.
login_attempt = Table(
    "login_attempt", metadata,
    Column("id", Integer, primary_key=True),
    Column("client", String(64), nullable=False, index=True),  # throttle.client_key
    Column("at", BigInteger, nullable=False, index=True),  # milliseconds since the epoch
)

# How many committed write transactions changed what the records of all nodes share
# (groups, networks, images, the cluster's settings...): one row. A server process
# keeps what it read of those while the count stays the same (db.changes).
change_count = Table(
    "change_count", metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("shared", BigInteger, nullable=False),
)

# Host names compare without case (DNS does): node001 and NODE001 would be one
# name in a zone. These tables' names become DNS names, so their names are
# unique whatever the case; service.named.claim answers 409 before these do.
FOLDED_NAMES = (network, node, switch, otherdev)
for _table in FOLDED_NAMES:
    Index(f"uq_{_table.name}_name_folded", func.lower(_table.c.name), unique=True)
