"""/config/status: how a background job (an image pack) goes."""

from ..service import jobs
from . import crud, schemas
from .body import envelope

_STATUS = schemas.config("status", schemas.by_name({"type": "object", "properties": {
    "kind": {"type": "string"}, "object": {"type": "string", "nullable": True},
    "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "message": {"type": "string", "nullable": True},
    "created": {"type": "integer"}, "updated": {"type": "integer"}}}))


def register(app):
    @app.get("/config/status/<request_id>", permission=crud.READ, response=_STATUS,
             summary="The state of a background job, by the request_id its request answered",
             statuses=[200, 401, 404])
    def status(ctx, request_id):
        return envelope("status", {request_id: jobs.status(ctx, request_id)})
