"""The controller's services: reload them on request (/service/<name>/reload) and say
how they are (/monitor/service/<name>).

Names: "dhcp" and "dns" (their rendered files and daemons), and the server itself
as "cairn" or, for luna2's clients, "luna2". The server's refresher
(render/refresh.py) does the work; ``start``/``stop`` run it for the serving
process. Both routes are the cluster's alone: a tenant gets 403 whatever the
name, before anything is looked up (service/scope.py).
"""

from ..db import dns as db_dns
from ..render.refresh import KINDS, Refresher
from . import scope
from .errors import NotFound, ServiceError, Unavailable
from .tx import reads

SERVER_NAMES = ("cairn", "luna2")
NAMES = KINDS + SERVER_NAMES

_refresher = None


def start(engine, settings, loop=True):
    """Render now, then keep the files current until ``stop`` (``loop``); without
    ``loop``, a process of the server whose loop runs in another one: it renders on
    request only, and reports what they share."""
    global _refresher
    _refresher = Refresher(engine, settings)
    if loop:
        _refresher.start()


def stop():
    global _refresher
    if _refresher is not None:
        _refresher.stop()
        _refresher = None


def _running():
    if _refresher is None:
        raise Unavailable("this process does not render the DHCP and DNS files")
    return _refresher


def _check_name(name):
    if name not in NAMES:
        raise NotFound(f"service '{name}' does not exist (there are {', '.join(NAMES)})")


@scope.not_for_tenants("reload the controller's services")
def reload(ctx, name):
    """Render ``name``'s files now and reload its daemon ("cairn"/"luna2": every file,
    reloading the daemons whose files changed); a 500 naming what is wrong unless the
    services are fine afterwards. False, doing nothing, while ``name`` is in its
    cooldown: reload_cooldown seconds after its last reload that ran."""
    _check_name(name)
    refresher = _running()
    if not refresher.claim_reload(name, ctx.settings.reload_cooldown):
        return False
    kinds = KINDS if name in SERVER_NAMES else (name,)
    refresher.render(kinds, reload=name not in SERVER_NAMES)
    failures = [f"{kind}: {message}" for kind in kinds
                for healthy, message in [refresher.status(kind)] if not healthy]
    if failures:
        raise ServiceError("; ".join(failures))  # a 500: the service is unavailable
    return True


@scope.not_for_tenants("see the controller's services")
def monitor(ctx, name):
    """(healthy, message, counters) of service ``name``."""
    _check_name(name)
    refresher = _running()
    if name in SERVER_NAMES:
        _database_answers(ctx)
        if not refresher.alive():
            return False, "the render thread stopped", {}
        return True, "OK", {}
    healthy, message = refresher.status(name)
    return healthy, message, refresher.report(name)


@reads
def _database_answers(tx):
    db_dns.journal_length(tx.conn)
