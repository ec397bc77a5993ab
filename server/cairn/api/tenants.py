"""/tenants, /tenant/<ident> and /tenancy/<name>: tenants, their tenancies, tokens and life cycle.

Every route is the superadmin's alone: it needs the permission
``tenants.manage``, which no role grants. Answers come in ClusterWare's
envelope ``{"success": true, "data": ...}`` (``"result"`` for the messages of
tenancy changes); errors keep the project's ``{"message", "field"}``.
<ident> is a tenant's uid or its name.
"""

import bottle

from ..service import admins, tenancies, tenants as svc
from ..service.errors import invalid
from . import schemas
from .body import json_body, optional_body, success

MANAGE = "tenants.manage"
_DENIED = [401, 403]

_STRINGS = {"type": "array", "items": {"type": "string"}}
_TENANT = {"type": "object", "properties": {
    "uid": {"type": "string"}, "name": {"type": "string"},
    "description": {"type": "string", "nullable": True},
    "status": {"type": "string", "enum": ["active", "suspended", "deleting"]},
    "purge_at": {"type": "integer", "nullable": True,
                 "description": "when a deleted tenant is purged (seconds since the epoch)"},
    "tenancies": _STRINGS,
    "users": {**_STRINGS, "description": "the names of its accounts (GET /tenant only)"},
    "last_modified": {"type": "integer", "nullable": True},
    "last_modified_on": {"type": "string", "nullable": True},
    "last_modified_by": {"type": "string", "nullable": True}}}
_TENANCY = {"type": "object", "properties": {
    "name": {"type": "string"}, "tenant": {"type": "string", "nullable": True},
    "system": {"type": "boolean"}, "description": {"type": "string", "nullable": True},
    "created": {"type": "integer"}, "nodes": _STRINGS, "hostlist": {"type": "string"}}}
_CREATED = {"type": "object", "properties": {
    "uid": {"type": "string"}, "name": {"type": "string"},
    "users": {"type": "object", "additionalProperties": {"type": "object", "properties": {
        "roles": _STRINGS,
        "password": {"type": "string", "description": "only where the server generated it"}}}}}}
_TOKEN = {"type": "object", "properties": {"token": {"type": "string"},
                                           "expires": {"type": "integer"}}}
_RESULT = {"type": "object", "required": ["success", "result"], "properties": {
    "success": {"type": "boolean"}, "result": {"type": "string"}}}


def _show_details():
    value = bottle.request.query.get("show_details", "false").lower()
    if value not in ("true", "false"):
        raise invalid("show_details", "must be true or false")
    return value == "true"


def register(app):
    @app.post("/tenants", permission=MANAGE, request={**schemas.obj(svc.FIELDS), "required": ["name"]},
              summary="Create a tenant and its accounts; without users, a tenant admin "
                      "<name>-admin whose generated password is answered once",
              response=schemas.success(_CREATED), statuses=[201, 400, *_DENIED, 409])
    def create(ctx):
        return success(svc.create(ctx, json_body()), 201)

    @app.get("/tenants", permission=MANAGE, summary="List every tenant",
             response=schemas.success({"type": "array", "items": _TENANT}), statuses=[200, *_DENIED])
    def list_all(ctx):
        return success(svc.list_all(ctx))

    @app.get("/tenant/<ident>", permission=MANAGE,
             summary="Show a tenant (by uid or name) with its tenancies and its users' names",
             response=schemas.success(_TENANT), statuses=[200, *_DENIED, 404])
    def get(ctx, ident):
        return success(svc.get(ctx, ident))

    @app.delete("/tenant/<ident>", permission=MANAGE,
                summary="Schedule a tenant's deletion: refused at once, purged after the deletion "
                        "window unless resumed",
                response=schemas.success(_TENANT), statuses=[202, *_DENIED, 404])
    def delete(ctx, ident):
        return success(svc.delete(ctx, ident), 202)

    @app.post("/tenant/<ident>/newtoken", permission=MANAGE, request=schemas.obj(admins.TOKEN_FIELDS),
              summary="A token naming the tenant itself (optional body: lifespan, and revoke to "
                      "refuse its older tokens)",
              response=schemas.success(_TOKEN), statuses=[201, 400, *_DENIED, 404, 409])
    def new_token(ctx, ident):
        return success(svc.new_token(ctx, ident, optional_body({})), 201)

    @app.post("/tenant/<ident>/suspend", permission=MANAGE,
              summary="Suspend a tenant: its tokens and its users' logins are refused",
              response=schemas.success(_TENANT), statuses=[200, *_DENIED, 404, 409])
    def suspend(ctx, ident):
        return success(svc.suspend(ctx, ident))

    @app.post("/tenant/<ident>/resume", permission=MANAGE,
              summary="Resume a suspended tenant, or one scheduled for deletion while its window lasts",
              response=schemas.success(_TENANT), statuses=[200, *_DENIED, 404, 409])
    def resume(ctx, ident):
        return success(svc.resume(ctx, ident))

    @app.post("/tenant/<ident>/tenancies", permission=MANAGE, request=schemas.obj(tenancies.FIELDS),
              summary="Create a tenancy of the tenant from a hostlist and/or a list of nodes; its "
                      "name in the body or in a Tenancy header",
              response=_RESULT, statuses=[201, 400, *_DENIED, 404, 409])
    def create_tenancy(ctx, ident):
        name, count, taken = tenancies.create(ctx, ident, json_body(),
                                              bottle.request.get_header("Tenancy"))
        quarantined = f" ({taken} taken from Quarantine)" if taken else ""
        return success(status=201, result=f"Tenancy {name} created with {count} nodes{quarantined}")

    @app.get("/tenant/<ident>/tenancies", permission=MANAGE,
             summary="The names of a tenant's tenancies (query: show_details=true for their records)",
             response=schemas.success({"type": "array", "items": {"oneOf": [{"type": "string"}, _TENANCY]}}),
             statuses=[200, 400, *_DENIED, 404])
    def list_tenancies(ctx, ident):
        return success(tenancies.list_for(ctx, ident, _show_details()))

    @app.delete("/tenant/<ident>/tenancy/<tenancy>", permission=MANAGE,
                summary="Delete a tenant's tenancy; its nodes move to Quarantine",
                response=_RESULT, statuses=[200, *_DENIED, 404])
    def delete_tenancy(ctx, ident, tenancy):
        moved = tenancies.delete(ctx, ident, tenancy)
        return success(result=f"Tenancy {tenancy} deleted; {moved} nodes moved to {tenancies.QUARANTINE}")

    @app.get("/tenancy/<name>", permission=MANAGE,
             summary="Show a tenancy (Quarantine too): its tenant, its nodes and their hostlist",
             response=schemas.success(_TENANCY), statuses=[200, *_DENIED, 404])
    def get_tenancy(ctx, name):
        return success(tenancies.get(ctx, name))
