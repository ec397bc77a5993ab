"""/config/switch and /config/otherdev: devices with an address in a network."""

from ..service import devices
from . import crud, schemas


def register(app):
    for svc in (devices.switches, devices.otherdevs):
        kind = svc.kind
        fields = kind.write_fields
        write = schemas.obj({**fields, **{alias: fields[field] for alias, field in kind.aliases.items()}})
        crud.register(app, kind.name, svc, schemas.obj(kind.fields), write)
