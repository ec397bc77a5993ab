"""Network boot: which iPXE script a booting machine gets, and MAC addresses bound at boot.

The routes are public (a booting node has no token), so what they answer is
what the spec's scripts carry: names, addresses and the pack's file names,
never a secret, and the node's provisioning token only to the node itself: to
a request from its provisioning address (service.provisioning). Every function
takes ``client``, the request's peer address, for that. The spec's table picks the script of a known node:

    netboot  bootmenu  script
    False    any       disk
    True     False     node (the spec's "short": straight into the kernel)
    True     True      menu (the spec's "normal": the menu, the node's entry first)

and an unknown MAC address gets the menu without a node.
"""

from ..db import nodes as db_nodes, objects
from ..db.schema import group, node
from ..render.ipxe import halt
from . import audit, fields as F, nodes, provisioning
from .named import fetch
from .osimages import served_files
from .tx import reads, writes

#: GET /boot: the menu that finds the node by its MAC address unless told otherwise.
MENU = {"template": "menu", "boot": None, "detect": True}
DISK = {"template": "disk"}


def chain(path):
    """A script that asks ``path``/<its MAC address> for the machine's own script."""
    return {"template": "chain", "path": path}


@reads
def by_mac(tx, mac, client):
    mac = F.parse_mac("mac", mac)
    holder = db_nodes.by_mac(tx.conn, mac)
    if holder is None:
        return {**MENU, "detect": False}  # detecting again would find nothing: ask for a name
    return _plan(tx, holder, mac, client)


@reads
def manual(tx, name):
    """The node's name is checked now: the chained request binds this machine's MAC to it."""
    fetch(tx, node, "node", name)
    return chain(f"/boot/manual/hostname/{name}")


@writes(journal=False)  # _bind journals the binding itself
def bind_to_node(tx, name, mac, client):
    """The spec's manual boot: the MAC address becomes the node's, and whichever node
    held it before loses it; the node boots straight into its kernel."""
    mac = F.parse_mac("mac", mac)
    row = fetch(tx, node, "node", name, for_update=True)
    _bind(tx, row, mac, client)
    return _plan(tx, nodes.row_of(tx, name), mac, client, always_boot=True)


@writes(journal=False)
def bind_in_group(tx, group_name, mac, client):
    """A machine booted as "one of group X": the group's node that holds the MAC address,
    else the group's first node (by name) without one, which takes it."""
    mac = F.parse_mac("mac", mac)
    group_id = fetch(tx, group, "group", group_name).id
    holder = db_nodes.by_mac(tx.conn, mac)
    if holder is not None and holder["nodegroup_id"] == group_id:
        return _plan(tx, holder, mac, client, always_boot=True)
    free = objects.names_where(tx.conn, node, node.c.nodegroup_id, group_id, limit=1,
                               where=node.c.macaddr.is_(None))
    if not free:
        return halt(f"group {group_name} has no node without a MAC address")
    _bind(tx, objects.by_name(tx.conn, node, free[0], for_update=True), mac, client)
    return _plan(tx, nodes.row_of(tx, free[0]), mac, client, always_boot=True)


def _bind(tx, row, mac, client):
    """Give the node of ``row`` the MAC address, journaled (by no principal, from the
    machine's address ``client``) like any write: the DHCP files of every controller
    follow the journal. Nothing changes, and nothing is journaled, when it is the
    node's already (a machine booting by hand again)."""
    if row.macaddr == mac:
        return
    holder = db_nodes.by_mac(tx.conn, mac)
    if holder is not None and holder["id"] != row.id:
        objects.change(tx.conn, node, holder["id"], {"macaddr": None})  # first: macaddr is unique
    objects.change(tx.conn, node, row.id, {"macaddr": mac})
    audit.record_write(tx, "boot.bind", (row.name,), {"macaddr": mac, "client": client})


def _plan(tx, row, mac, client, always_boot=False):
    """The plan of the script of the node whose row (see nodes.row_of) is ``row``, by the
    table (or its kernel, ``always_boot``)."""
    record, prefixes = nodes.one_with_prefixes(tx.conn, row)
    if not always_boot and not record["netboot"]:
        return DISK
    boot = _boot(tx, row, record, prefixes, mac, client)
    if isinstance(boot, str):
        return halt(boot)
    if record["bootmenu"] and not always_boot:
        return {"template": "menu", "boot": boot, "detect": False}
    return {"template": "node", "boot": boot}


def _boot(tx, row, record, prefixes, mac, client):
    """What the kernel block needs: the kernel and initrd of the node's image, or of
    the tag it pins, and its arguments (the token only for the node's own address);
    a message when the node has nothing to boot. ``prefixes``: see nodes.one_with_prefixes."""
    name = row["name"]
    source = provisioning.image_source(tx, name, record)
    if isinstance(source, str):
        return source
    image_name, source = source
    files = served_files(source.imagefile)
    interface = provisioning.provisioning_interface(record)
    ip = None
    if interface is not None:
        ip = f"{interface['ipaddress']}/{prefixes[interface['network']]}"
    return {"name": name, "hostname": provisioning.hostname(name, interface),
            "mac": mac, "ip": ip, "service": record["service"], "osimage": image_name,
            "kernel": files["packed_kernel"], "initrd": files["packed_initrd"],
            "options": source.kerneloptions,
            "token": provisioning.token(tx, row) if provisioning.from_node(client, record) else None}
