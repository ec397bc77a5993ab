"""Every table of the cluster database, declared once on one MetaData.

Alembic migrations under ``migrations/versions`` are frozen snapshots of
changes to this module; a test compares the migrated database with it.
"""

from sqlalchemy import (
    BigInteger, Boolean, Column, ForeignKey, Integer, MetaData, String,
    Table, Text, UniqueConstraint,
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

# Referenced by groups and nodes now; their own APIs come with the rest of
# the config API, so only the identity lives here yet.
osimage = Table(
    "osimage", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
)
bmcsetup = Table(
    "bmcsetup", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
)
switch = Table(
    "switch", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
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

node = Table(
    "node", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
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
)
