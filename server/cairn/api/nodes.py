"""/config/node: nodes and their interfaces."""

from ..service import nodes as svc
from ..service.inherit import NODE_INHERITS
from . import crud, schemas

_RECORD = schemas.obj(svc.FIELDS, {"_override": {"type": "boolean"},
                                   "tenancy": {"type": "string", "nullable": True,
                                               "description": "the tenancy holding the node (read-only)"},
                                   **schemas.sources(NODE_INHERITS)})
_WRITE = schemas.obj(svc.WRITE_FIELDS)


def register(app):
    crud.register(app, "node", svc, _RECORD, _WRITE)
    crud.register_interfaces(app, "node", svc, svc.FIELDS["interfaces"].openapi())
