"""/boot: the iPXE scripts booting nodes fetch, and the kernels and initrds they load.
Public: a booting node has no token.
And /boot/install/<node>: the installer of a node, for its provisioning token.

Every script fetches from ``${base-url}``: the server as the node reached it
(the request's Host header, or X-Forwarded-Host behind a proxy). Whether a request
comes from a node is decided by its peer address (REMOTE_ADDR) alone.
"""

import re

import bottle

from ..render import install as install_script, ipxe
from ..service import boot, install, osimages
from ..service.credentials import SECRETS_READ
from ..service.errors import invalid
from . import PUBLIC

_NETLOC = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")
_STATUSES = [200, 400, 404]


def _base_url():
    """The server's URL as the node reached it; a Host that could not be written into a
    script unchanged (spaces, $, quotes...) is a 400. As bottle.request.urlparts takes
    them (the proxy's X-Forwarded-Proto and -Host first), without the path it also
    quotes: 9 µs of a boot request's 400 µs (measured)."""
    environ = bottle.request.environ
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    netloc = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST")
    if not netloc:  # HTTP/1.0 without Host
        netloc = bottle.request.urlparts.netloc
    if scheme not in ("http", "https") or not _NETLOC.fullmatch(netloc):
        raise invalid("Host", "must be a host name or address with an optional port")
    return f"{scheme}://{netloc}"


def _client():
    """The request's peer address: never X-Forwarded-For, which any client can write."""
    return bottle.request.environ.get("REMOTE_ADDR")


def _text(render, plan):
    base_url = _base_url()
    bottle.response.content_type = "text/plain; charset=utf-8"
    return render(plan, base_url)


def _script(plan):
    return _text(ipxe.script, plan)


def register(app):
    def route(path, summary, statuses=(200, 400)):
        return app.get(path, permission=PUBLIC, summary=summary, statuses=list(statuses))

    @route("/boot", "The default iPXE menu: finds the node by its MAC address")
    def menu(ctx):
        return _script(boot.MENU)

    @route("/boot/short", "An iPXE script that asks for the node's script by its MAC address, "
                          "without a menu")
    def short(ctx):
        return _script(boot.chain("/boot/search/mac"))

    @route("/boot/disk", "An iPXE script that boots from the local disk")
    def disk(ctx):
        return _script(boot.DISK)

    @route("/boot/search/<mac>", "The iPXE script of the node with this MAC address "
                                 "(the menu for an unknown one)")
    def search(ctx, mac):
        return _script(boot.by_mac(ctx, mac, _client()))

    @route("/boot/search/mac/<mac>", "As /boot/search/{mac}")
    def search_mac(ctx, mac):
        return _script(boot.by_mac(ctx, mac, _client()))

    @route("/boot/manual/hostname/<name>", "An iPXE script that boots this machine as the node, "
                                           "binding its MAC address", _STATUSES)
    def manual(ctx, name):
        return _script(boot.manual(ctx, name))

    @route("/boot/manual/hostname/<name>/<mac>", "Bind the MAC address to the node (the node "
                                                 "that held it loses it); the node's kernel",
           _STATUSES)
    def manual_mac(ctx, name, mac):
        return _script(boot.bind_to_node(ctx, name, mac, _client()))

    @route("/boot/manual/group/<group>/<mac>", "Boot as the group's node with this MAC address, "
                                               "else bind it to the group's first node without one",
           _STATUSES)
    def manual_group(ctx, group, mac):
        return _script(boot.bind_in_group(ctx, group, mac, _client()))

    @route("/boot/<name>", "A kernel or initrd of a packed image, for iPXE (a tarball only at "
                           "/files, with a token)", [200, 206, 304, 404, 416])
    def boot_file(ctx, name):
        return bottle.static_file(osimages.boot_file(ctx, name), root=ctx.settings.files_dir,
                                  mimetype="application/octet-stream")

    @app.get("/boot/install/<name>", permission=SECRETS_READ, node_token=True,
             summary="The node's installer, a shell script (text/plain): only to a request from "
                     "the node's provisioning address, with the node's provisioning token (or "
                     "as an admin who may read secrets)",
             statuses=[200, 400, 401, 403, 404])
    def installer(ctx, name):
        return _text(install_script.script, install.plan(ctx, name, _client()))
