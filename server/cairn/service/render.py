"""The render contexts, as the server renders its DHCP and DNS files from them: the
roles read them (through the collection's lookup plugin) to write the same bytes."""

from ..render import all as render_all
from . import scope
from .errors import Unavailable
from .tx import reads


@scope.not_for_tenants("read the render contexts")
def contexts(ctx):
    """{"dhcp": ..., "dns": ...} for the boot address and port of this server's settings.

    Without a boot address (bind on 0.0.0.0 and no boot_server) the nodes' boot URL
    cannot be written: 503 naming the setting, as for a server not ready to serve."""
    if ctx.settings.boot_address is None:
        raise Unavailable("this server has no boot address: set boot_server to the IPv4 "
                          "address the nodes reach it at")
    return _read(ctx)


@reads
def _read(tx):
    return render_all.contexts(tx.conn, tx.settings.boot_address, tx.settings.port)
