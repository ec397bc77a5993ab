"""/config/group: groups, their members and their interface lists."""

from ..service import groups as svc
from ..service.inherit import GROUP_INHERITS
from . import crud, schemas
from .body import envelope

_RECORD = schemas.obj(svc.FIELDS, {"_override": {"type": "boolean"},
                                   **schemas.sources(GROUP_INHERITS)})
_WRITE = schemas.obj(svc.WRITE_FIELDS)


def register(app):
    @app.get("/config/group/<name>/_list", permission=crud.READ,
             summary="The member nodes of a group", statuses=[200, 401, 404])
    def members(ctx, name):
        return envelope("group", {name: {"members": svc.members(ctx, name)}})

    crud.register(app, "group", svc, _RECORD, _WRITE)
    crud.register_interfaces(app, "group", svc, svc.FIELDS["interfaces"].openapi())
