"""The routes every named object of /config shares: list, get, save, _clone, _delete.

``svc`` is a service module with list_all, get, save, clone and delete.
"""

from . import schemas
from .body import config_object, created_or_updated, envelope, no_content

READ, WRITE = "config.read", "config.write"
_UNAUTH = [401]


def register(app, kind, svc, record_schema, write_schema):
    base = f"/config/{kind}"
    write_body = schemas.config(kind, schemas.by_name(write_schema))
    one = schemas.config(kind, schemas.by_name(record_schema))

    @app.get(base, permission=READ, summary=f"List every {kind}",
             response=one, statuses=[200, *_UNAUTH])
    def list_all(ctx):
        return envelope(kind, svc.list_all(ctx))

    @app.get(f"{base}/<name>", permission=READ, summary=f"Show one {kind}",
             response=one, statuses=[200, 401, 404])
    def get(ctx, name):
        return envelope(kind, {name: svc.get(ctx, name)})

    @app.post(f"{base}/<name>", permission=WRITE, request=write_body,
              summary=f"Create or update a {kind}; a new name in the body renames it",
              response=schemas.MESSAGE, statuses=[201, 204, 400, 401, 409])
    def save(ctx, name):
        return created_or_updated(svc.save(ctx, name, config_object(kind, name)), kind, name)

    @app.post(f"{base}/<name>/_clone", permission=WRITE, request=write_body,
              summary=f"Copy a {kind} under the new name given in the body",
              response=schemas.MESSAGE, statuses=[201, 400, 401, 404, 409])
    def clone(ctx, name):
        return created_or_updated(True, kind, svc.clone(ctx, name, config_object(kind, name)))

    @app.route(f"{base}/<name>/_delete", ["GET", "POST"], permission=WRITE,
               summary=f"Delete a {kind} (400 while something uses it)",
               statuses=[204, 400, 401, 404])
    def delete(ctx, name):
        svc.delete(ctx, name)
        return no_content()


def register_members(app, kind, svc, summary, response=None):
    """``GET /config/<kind>/<name>/_list``: the nodes that use the object."""
    response = response or schemas.config(kind, schemas.by_name({"type": "object", "properties": {
        "members": {"type": "array", "items": {"type": "string"}}}}))

    @app.get(f"/config/{kind}/<name>/_list", permission=READ, summary=summary, response=response,
             statuses=[200, 401, 404])
    def members(ctx, name):
        return envelope(kind, {name: {"members": svc.members(ctx, name)}})


def register_interfaces(app, kind, svc, item_schema):
    """Interface lists of groups and nodes: list, post, show one, delete one."""
    base = f"/config/{kind}/<name>/interfaces"
    body = schemas.config(kind, schemas.by_name({"type": "object", "required": ["interfaces"],
                                                 "properties": {"interfaces": item_schema}}))

    @app.get(base, permission=READ, summary=f"The interfaces of a {kind}",
             response=body, statuses=[200, 401, 404])
    def list_interfaces(ctx, name):
        return envelope(kind, {name: {"interfaces": svc.get_interfaces(ctx, name)}})

    @app.post(base, permission=WRITE, request=body,
              summary=f"Add interfaces to a {kind}, or change them",
              statuses=[204, 400, 401, 404])
    def save_interfaces(ctx, name):
        svc.save_interfaces(ctx, name, config_object(kind, name))
        return no_content()

    @app.get(f"{base}/<interface>", permission=READ, summary=f"One interface of a {kind}",
             response=body, statuses=[200, 401, 404])
    def get_interface(ctx, name, interface):
        return envelope(kind, {name: {"interfaces": svc.get_interfaces(ctx, name, interface)}})

    @app.route(f"{base}/<interface>/_delete", ["GET", "POST"], permission=WRITE,
               summary=f"Remove an interface from a {kind}", statuses=[204, 401, 404])
    def delete_interface(ctx, name, interface):
        svc.delete_interface(ctx, name, interface)
        return no_content()
