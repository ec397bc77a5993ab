"""/config/bmcsetup: BMC setups and the nodes that use them."""

from ..service import bmcsetups as svc
from . import crud, schemas

_RECORD = schemas.obj(svc.FIELDS)
_WRITE = schemas.obj(svc.WRITE_FIELDS)


def register(app):
    crud.register_members(app, "bmcsetup", svc, "The nodes whose group uses a BMC setup")
    crud.register(app, "bmcsetup", svc, _RECORD, _WRITE)
