"""/render/context: the contexts the server renders its DHCP and DNS files from.

The roles of the collection render the same templates from them, so a controller
set up by Ansible and one kept current by the server hold the same bytes.
"""

from ..service import render
from . import crud

_CONTEXTS = {"type": "object", "required": ["context"], "properties": {"context": {
    "type": "object", "required": ["dhcp", "dns"],
    "properties": {"dhcp": {"type": "object"}, "dns": {"type": "object"}}}}}


def register(app):
    @app.get("/render/context", permission=crud.READ, response=_CONTEXTS,
             summary="The DHCP and DNS render contexts (not for tenants)",
             statuses=[200, 401, 403, 503])
    def contexts(ctx):
        return {"context": render.contexts(ctx)}
