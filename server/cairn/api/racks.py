"""/config/rack: racks, the devices placed in them, and the inventory of all hardware."""

import bottle

from ..service import racks as svc
from . import crud, schemas
from .body import config_object, envelope, no_content

_RECORD = schemas.obj(svc.FIELDS, {"name": {"type": "string"}})
_WRITE = schemas.obj(svc.WRITE_FIELDS)
_INVENTORY = schemas.config("rack", schemas.obj(svc.INVENTORY_FIELDS))
_BASE = "/config/rack/inventory"


def register(app):
    # The inventory's paths come first: /config/rack/<name>/... would match them too.
    @app.get(_BASE, permission=crud.READ, summary="Every inventory entry, in a rack or not",
             response=_INVENTORY, statuses=[200, 401])
    def inventory(ctx):
        return envelope("rack", {"inventory": svc.inventory(ctx)})

    @app.get(f"{_BASE}/<subset>", permission=crud.READ,
             summary="The inventory entries in a rack (configured) or in none (unconfigured)",
             response=_INVENTORY, statuses=[200, 401, 404])
    def inventory_subset(ctx, subset):
        return envelope("rack", {"inventory": svc.inventory(ctx, subset)})

    @app.post(_BASE, permission=crud.WRITE, request=_INVENTORY,
              summary="Create or update inventory entries by name and type; "
                      "rack and position place them",
              response=schemas.MESSAGE, statuses=[201, 204, 400, 401])
    def save_inventory(ctx):
        created = svc.save_inventory(ctx, config_object("rack"))
        if not created:
            return no_content()
        bottle.response.status = 201
        return {"message": f"inventory entries created: {', '.join(created)}"}

    @app.route(f"{_BASE}/<device>/type/<device_type>/_delete", ["GET", "POST"],
               permission=crud.WRITE, summary="Delete an inventory entry (and so take it "
                                              "out of its rack)", statuses=[204, 401, 404])
    def delete_inventory(ctx, device, device_type):
        svc.delete_inventory(ctx, device, device_type)
        return no_content()

    crud.register(app, "rack", svc, _RECORD, _WRITE)
