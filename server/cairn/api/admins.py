"""/admins and /admin/<uid or name>: accounts, their SSH keys, GUI settings and tokens.

The envelope is ClusterWare's, as its spec shows: ``{"success": true, "data": ...}``.
Creating, listing and deleting accounts needs MANAGE (the superadmin's alone);
the routes on one account need ACCOUNT_SELF, and the service lets an account
reach its own record only, unless the principal manages accounts.
"""

import dataclasses

from ..auth import ACCOUNT_SELF
from ..service import admins as svc
from . import schemas
from .body import json_body, optional_body, success

MANAGE = svc.MANAGE
_ONE = "/admin/<ident>"

_RECORD = {"type": "object", "properties": {
    **{name: spec.openapi() for name, spec in svc.FIELDS.items() if name != "password"},
    "uid": {"type": "string"},
    "roles": {"type": "array", "items": {"type": "string"}},
    "superadmin": {"type": "boolean", "description": "read-only"},
    "tenant": {"type": "string", "nullable": True, "description": "the tenant a tenant's user belongs to"},
    "last_modified": {"type": "integer", "nullable": True, "description": "seconds since the epoch"},
    "last_modified_on": {"type": "string", "nullable": True, "description": "the controller's name"},
    "last_modified_by": {"type": "string", "nullable": True, "description": "the principal's name"},
}}
_CREATE = {**schemas.obj(svc.FIELDS), "required": ["name"]}
_GUI_SETTINGS = {"type": "object", "additionalProperties": True}
_KEYS = {**schemas.obj({"keys": svc.KEYS.not_null()}), "required": ["keys"]}
_TOKEN_REQUEST = schemas.obj({**svc.TOKEN_FIELDS, svc.LEGACY_LIFESPAN: dataclasses.replace(
    svc.TOKEN_FIELDS["lifespan"], description="the name of lifespan before ClusterWare 13.0: deprecated")})


_SUCCESS = schemas.success()
_TOKEN_ANSWER = schemas.success(
    {"type": "object", "properties": {"token": {"type": "string"},
                                      "expires": {"type": "integer", "description": "seconds since the epoch"}}},
    deprecated={"type": "string", "description": f"present when the body used '{svc.LEGACY_LIFESPAN}'"})


def _register_account(app):
    @app.post("/admins", permission=MANAGE, request=_CREATE,
              summary="Create an account; without a password, one is generated and answered once",
              response=schemas.success({"type": "string", "description": "the new account's uid"},
                                       password={"type": "string", "description": "the generated password"}),
              statuses=[201, 400, 401, 403, 409])
    def create(ctx):
        uid, generated = svc.create(ctx, json_body())
        return success(uid, 201, **({"password": generated} if generated else {}))

    @app.get("/admins", permission=MANAGE, summary="Every account",
             response=schemas.success({"type": "array", "items": _RECORD}), statuses=[200, 401, 403])
    def list_all(ctx):
        return success(svc.list_all(ctx))

    @app.get(_ONE, permission=ACCOUNT_SELF, summary="Show an account (one's own, or any to the superadmin)",
             response=schemas.success(_RECORD), statuses=[200, 401, 403, 404])
    def get(ctx, ident):
        return success(svc.get(ctx, ident))

    @app.delete(_ONE, permission=MANAGE, summary="Delete an account (not the superadmin's, not one's own)",
                response=_SUCCESS, statuses=[200, 401, 403, 404])
    def delete(ctx, ident):
        svc.delete(ctx, ident)
        return success()

    @app.get(f"{_ONE}/gui_settings", permission=ACCOUNT_SELF, summary="An account's GUI settings",
             response=schemas.success(_GUI_SETTINGS), statuses=[200, 401, 403, 404])
    def gui_settings(ctx, ident):
        return success(svc.gui_settings(ctx, ident))


#: The changes of one account: (method, path, service function, body reader, request
#: schema, summary). Each answers {"success": true}.
_CHANGES = [
    ("PATCH", _ONE, svc.change, json_body, schemas.obj(svc.FIELDS),
     "Replace the fields given; names and roles only by the superadmin"),
    ("PATCH", f"{_ONE}/gui_settings", svc.merge_gui_settings, json_body, _GUI_SETTINGS,
     "Set the GUI settings given, key by key; a key set to null is removed"),
    ("DELETE", f"{_ONE}/gui_settings", svc.delete_gui_settings, optional_body,
     {"type": "array", "items": {"type": "string"}},
     "Remove the GUI settings named in the body (a list); all without a body"),
    ("POST", f"{_ONE}/keys", svc.add_keys, json_body, _KEYS,
     "Add SSH keys to an account (keys it has already are left as they are)"),
    ("PUT", f"{_ONE}/keys", svc.replace_keys, json_body, _KEYS, "Replace an account's SSH keys"),
    ("DELETE", f"{_ONE}/keys", svc.remove_keys, optional_body, _KEYS,
     "Remove the SSH keys given from an account; all without a body"),
]


def _register_change(app, method, path, action, read_body, request, summary):
    def change(ctx, ident):
        action(ctx, ident, read_body())
        return success()
    change.__name__ = action.__name__  # names the operation in /openapi.json
    app.route(path, method, change, permission=ACCOUNT_SELF, request=request, summary=summary,
              response=_SUCCESS, statuses=[200, 400, 401, 403, 404, 409])


def register(app):
    _register_account(app)
    for change in _CHANGES:
        _register_change(app, *change)

    @app.post(f"{_ONE}/newtoken", permission=ACCOUNT_SELF, request=_TOKEN_REQUEST,
              summary="A new token for an account (the body is optional); revoke: true refuses "
                      "its older tokens", response=_TOKEN_ANSWER, statuses=[201, 400, 401, 403, 404, 409])
    def new_token(ctx, ident):
        body = optional_body()
        token = svc.new_token(ctx, ident, body)
        legacy = isinstance(body, dict) and svc.LEGACY_LIFESPAN in body
        return success(token, 201, **({"deprecated": f"{svc.LEGACY_LIFESPAN}: use lifespan"} if legacy else {}))
