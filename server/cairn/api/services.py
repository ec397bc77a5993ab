"""/service/<name>/reload and /monitor/service/<name>: the controller's DHCP, DNS and
the server itself (as "cairn" or "luna2")."""

import bottle

from ..service import services
from . import crud
from .body import no_content

_COUNT = {"type": "integer", "minimum": 0}
_MONITOR = {"type": "object", "required": ["monitor"], "properties": {
    "monitor": {"type": "object", "required": ["service"], "properties": {
        "service": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "renders": _COUNT, "reloads": _COUNT,
    "rendered": {"type": "number", "nullable": True}}}
_RELOADED = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}


def register(app):
    @app.get("/service/<name>/reload", permission=crud.WRITE, response=_RELOADED,
             summary=f"Render the service's files now and reload its daemon ({', '.join(services.NAMES)}); "
                     "204 while it is in its cooldown",
             statuses=[200, 204, 401, 403, 404, 500, 503])
    def reload(ctx, name):
        if not services.reload(ctx, name):
            return no_content()
        return {"message": f"{name} reloaded"}

    @app.get("/monitor/service/<name>", permission=crud.READ, response=_MONITOR,
             summary="Whether the service is fine: its files are the last rendered, the last render "
                     "and reload worked, its daemon answers; 500 saying why not",
             statuses=[200, 401, 403, 404, 500, 503])
    def monitor(ctx, name):
        healthy, message, counters = services.monitor(ctx, name)
        bottle.response.status = 200 if healthy else 500
        return {"monitor": {"service": {name: message}}, **counters}
