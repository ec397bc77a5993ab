"""Render the DHCP configs of a database, as a script run inside a namespace:
``python e2e_render.py DB OUT SERVER PORT IFACE...`` calls
``cairn.render.dhcp.render_dhcp`` (each file checked by its real tool) and prints
the paths written. The tests run it with ``ip netns exec`` in the DHCP server's
namespace, because ``kea-dhcp4 -t`` accepts only interfaces that exist where it
runs, and Kea's interfaces-config names the interface it serves.
"""

import os
import sys

from cairn.db.engine import make_engine, transaction
from cairn.render.dhcp import render_dhcp


def render_dhcp_argv(db_url, out_dir, server_address, port, interfaces):
    """The command that renders kea-dhcp4.json and dhcpd.conf (validated) into ``out_dir``."""
    return [sys.executable, os.path.abspath(__file__), db_url, str(out_dir), server_address,
            str(port), *interfaces]


def _render(db_url, out_dir, server_address, port, *interfaces):
    engine = make_engine(db_url, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            print("\n".join(render_dhcp(conn, out_dir, server_address, int(port), interfaces)))
    finally:
        engine.dispose()


if __name__ == "__main__":
    _render(*sys.argv[1:])
