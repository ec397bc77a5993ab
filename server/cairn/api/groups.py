"""/config/group: groups, their members and their interface lists."""

from ..service import groups as svc
from ..service.inherit import GROUP_INHERITS
from . import crud, schemas

_RECORD = schemas.obj(svc.FIELDS, {"_override": {"type": "boolean"},
                                   **schemas.sources(GROUP_INHERITS)})
_WRITE = schemas.obj(svc.WRITE_FIELDS)


def register(app):
    crud.register_members(app, "group", svc, "The member nodes of a group")
    crud.register(app, "group", svc, _RECORD, _WRITE)
    crud.register_interfaces(app, "group", svc, svc.FIELDS["interfaces"].openapi())
