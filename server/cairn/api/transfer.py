"""/config/cluster/export and /config/cluster/import: the whole database, out and in."""

import bottle

from ..service import transfer as svc
from . import schemas
from .body import json_body

# The export's sections: {name: record} objects, but the rack inventory is a list.
_SECTIONS = {kind: {"type": "array" if kind == "inventory" else "object"}
             for kind in ["cluster", *(section.kind for section in svc.SECTIONS)]}
_DOCUMENT = {"type": "object", "required": ["config"], "properties": {"config": {
    "type": "object", "properties": _SECTIONS, "additionalProperties": False}}}


def register(app):
    # Registered before /config/cluster's own routes could match: these paths are fixed.
    @app.get("/config/cluster/export", permission="secrets.read",
             summary="The whole configuration as one document (the spec's Full spec JSON), "
                     "secrets and BMC passwords included",
             response=_DOCUMENT, statuses=[200, 401, 403])
    def export(ctx):
        return svc.export(ctx)

    @app.post("/config/cluster/import", permission="config.write", request=_DOCUMENT,
              summary="Load an export into an empty server: validated, all or nothing",
              response=schemas.MESSAGE, statuses=[201, 400, 401, 403, 409])
    def import_all(ctx):
        counts = svc.import_all(ctx, json_body())
        bottle.response.status = 201
        return {"message": "imported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()),
                "imported": counts}
