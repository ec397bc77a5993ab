"""Every file the controller's daemons read, rendered from the database at once
(``cairn-server render``): DHCP into OUT/dhcp, DNS into OUT/dns.

One read transaction, so the DHCP reservations and the DNS records describe
the same moment of the database. Each file is validated by its real tool
before it replaces the old one (render/files.py); a refused file raises
InvalidConfig and leaves the files of that directory as they were.
"""

import os

from ..db.engine import make_engine, transaction
from . import dhcp, dns
from .dhcp import render_dhcp
from .dns import render_dns


def contexts(conn, server, port):
    """The context of each kind, as its templates take it: what the server renders and
    what the roles render through the lookup plugin, so both write the same bytes."""
    return {"dhcp": dhcp.context(conn, server, port), "dns": dns.context(conn)}


def kea_options(settings):
    """What Kea's file takes from the controller's settings, beside the context: the
    server's own renders, `cairn-server render` and the dhcp role pass the same."""
    return {"kea_control_socket": settings.kea_control_socket or None,
            "kea_lease_file": settings.kea_lease_file or None}


def render_all(settings, out_dir):
    """The paths written, for the database, boot address and port of ``settings``:
    DHCP's (Kea's and dhcpd's), then DNS's."""
    out_dir = os.path.abspath(out_dir)
    dhcp_dir, dns_dir = os.path.join(out_dir, "dhcp"), os.path.join(out_dir, "dns")
    for directory in (dhcp_dir, dns_dir):
        os.makedirs(directory, exist_ok=True)
    engine = make_engine(settings.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            return (render_dhcp(conn, dhcp_dir, settings.boot_address, settings.port, **kea_options(settings))
                    + render_dns(conn, dns_dir))
    finally:
        engine.dispose()
