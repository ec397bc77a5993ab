"""A node's provisioning token: who is handed one, and what it reaches.

A booting node has no credentials. Its boot script (public, see service.boot)
carries a token of its own (auth.issue_node_token) only when the request comes
from the node's provisioning address: the address of its provisioning interface,
which DHCP hands to the machine with the node's MAC address. The installer uses
that token for its node's /boot/install, /monitor/status and its image's /files,
and for nothing else (api.CairnPlugin lets the token into those routes only;
the functions here keep it to its own node).

The address is the TCP peer's (REMOTE_ADDR), never X-Forwarded-For, which any
client can write: behind a proxy no request would come from a node's address.
"""

import ipaddress

from .. import auth
from ..db import changes, objects, osimages as db_osimages
from ..db.schema import osimage
from . import nodes, packing
from .errors import Forbidden, not_found
from .tx import reads


def is_node(principal):
    return principal is not None and principal.kind == auth.NODE


def refuse_other_node(principal, name):
    """A 403 when a node's token asks about another node (before anything is looked up,
    so that the answer is the same whether that node exists or not)."""
    if is_node(principal) and principal.name != name:
        raise Forbidden(f"the provisioning token of node '{principal.name}' "
                        f"reaches only node '{principal.name}'")


def provisioning_interface(record):
    """The node's provisioning interface (its first one when none has that name), or None."""
    interfaces = record["interfaces"]
    named = [i for i in interfaces if i["interface"] == record["provision_interface"]]
    return (named or interfaces or [None])[0]


def hostname(name, interface):
    """The node's host name in its provisioning network's zone, as luna2 names hosts."""
    return f"{name}.{interface['network']}" if interface is not None else name


def _address(text):
    """``text`` as an IP address; an IPv4-mapped IPv6 address as its IPv4 one; None if invalid."""
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def from_node(client, record):
    """Whether ``client`` (the request's peer address) is the node's provisioning address."""
    interface = provisioning_interface(record)
    if interface is None or interface["ipaddress"] is None:
        return False
    if client == interface["ipaddress"]:
        return True  # the usual case: no need to parse both (4 µs a boot request)
    peer = _address(client)
    return peer is not None and peer == _address(interface["ipaddress"])


def token(tx, row):
    """A new provisioning token of the node whose row (see nodes.row_of) is ``row``."""
    return auth.issue_node_token(row["name"], row["uid"], tx.settings.secret_key,
                                 tx.settings.provision_token_lifespan, now=tx.now())


def _images(conn):
    """{image name: (its row, {tag name: tag row})}, kept per process (db.changes)."""
    images = {row.name: (row, {}) for row in objects.all_rows(conn, osimage)}
    for tag in db_osimages.tags(conn):
        images[tag.osimage][1][tag.name] = tag
    return images


def image_source(tx, name, record):
    """(image name, row) of what the node boots and installs: its osimage's row, or the
    row of the tag it pins (both have imagefile, checksum, kerneloptions); a message
    (str) instead when it has nothing to install."""
    image_name = record["osimage"]
    if image_name is None:
        return f"node {name} has no osimage"
    image, tags = changes.kept(tx.conn, _images)[image_name]
    source = image if record["osimagetag"] is None else tags[record["osimagetag"]]
    if source.imagefile is None:
        return f"osimage {image_name} was never packed"
    return image_name, source


def refuse_foreign_file(ctx, filename):
    """For a node's token, a 404 (as for a missing file) unless ``filename`` is a file of
    the pack its node installs: its tarball, kernel or initrd."""
    if is_node(ctx.principal) and filename not in _node_files(ctx):
        raise not_found("file", filename)


@reads
def _node_files(tx):
    name = tx.principal.name
    source = image_source(tx, name, nodes.get.__wrapped__(tx, name))
    return set() if isinstance(source, str) else set(packing.pack_files(source[1].imagefile))
