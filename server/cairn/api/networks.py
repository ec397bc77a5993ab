"""/config/network: networks, their addresses, and the next free one."""

from ..service import networks as svc
from . import crud, schemas
from .body import envelope

_RECORD = schemas.obj(svc.FIELDS, {"name": {"type": "string"}})
_WRITE = schemas.obj({**svc.WRITE_FIELDS, **{a: svc.FIELDS[f] for a, f in svc.ALIASES.items()}})


def register(app):
    # The fixed sub-paths come before /<name>/<ipaddress>, which would match them too.
    @app.get("/config/network/<name>/_list", permission=crud.READ,
             summary="Every taken address of a network, with its device",
             statuses=[200, 401, 404])
    def taken(ctx, name):
        return envelope("network", {name: {"taken": svc.taken_addresses(ctx, name)}})

    @app.get("/config/network/<name>/_nextfreeip", permission=crud.READ,
             summary="The first free address (no reservation is made)",
             statuses=[200, 400, 401, 404])
    def next_free(ctx, name):
        return envelope("network", {name: {"nextip": svc.next_free_address(ctx, name)}})

    crud.register(app, "network", svc, _RECORD, _WRITE)

    @app.get("/config/network/<name>/<ipaddress>", permission=crud.READ,
             summary="Whether an address is free or taken (404 outside the network)",
             statuses=[200, 400, 401, 404])
    def address(ctx, name, ipaddress):
        ip, status = svc.address_status(ctx, name, ipaddress)
        return envelope("network", {ip: status})
