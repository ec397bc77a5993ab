"""/journal: the audit trail, per controller."""

import bottle

from ..service import journal as svc
from ..service.errors import invalid
from . import schemas
from .body import json_body

_ENTRY = {"type": "object", "properties": {
    **{name: spec.openapi() for name, spec in svc.ENTRY.items()},
    "id": {"type": "integer"}, "principal": {"type": "string", "nullable": True}}}
_JOURNAL = {"type": "object", "required": ["journal"],
            "properties": {"journal": {"type": "array", "items": _ENTRY}}}


def _whole_number(name):
    raw = bottle.request.query.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise invalid(name, "must be a whole number")
    return int(raw)


def register(app):
    @app.get("/journal/<controller>", permission="config.read",
             summary="The journal of a controller, oldest first (query: since=EPOCH_SECONDS, "
                     "limit=N for the newest N)",
             response=_JOURNAL, statuses=[200, 400, 401, 404])
    def entries(ctx, controller):
        return {"journal": svc.entries(ctx, controller, _whole_number("since"), _whole_number("limit"))}

    @app.post("/journal", permission="config.write", request=_JOURNAL,
              summary="Store journal entries sent by another controller (stored, never replayed)",
              response=schemas.MESSAGE, statuses=[200, 400, 401])
    def store(ctx):
        body = json_body()
        if not isinstance(body, dict) or set(body) != {"journal"}:
            raise invalid("journal", 'the body must be {"journal": [...]}')
        count = svc.store(ctx, body["journal"])
        return {"message": f"{count} journal entries stored"}
