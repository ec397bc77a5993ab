"""/config/secrets: the secrets of nodes and groups.

Reading a secret shows its content, so every GET needs "secrets.read";
writes need "config.write". The spec's POSTs that only read or delete are
refused with 400, as the spec says.
"""

import bottle

from ..service import secrets as svc
from ..service.errors import BadRequest, invalid
from . import crud, schemas
from .body import created_or_updated, json_body, no_content

READ = "secrets.read"
_ITEM = schemas.obj(svc.FIELDS)
_CLONE_ITEM = schemas.obj(svc.CLONE_FIELDS)
_REFUSED = [400, 401, 403]


def _by_kind(item, kinds=svc.OWNER_KINDS):
    """{"config": {"secrets": {kind: {owner: [item, ...]}}}} for each of ``kinds``."""
    lists = schemas.by_name({"type": "array", "items": item})
    return {"type": "object", "required": ["config"], "properties": {"config": {
        "type": "object", "required": ["secrets"], "properties": {"secrets": {
            "type": "object", "properties": {kind: lists for kind in kinds}}}}}}


def _request(kind, item):
    """The envelope of a write, with or without the outer "config" (the spec's group
    examples leave it out)."""
    enveloped = _by_kind(item, (kind,))
    return {"type": "object", "oneOf": [enveloped, enveloped["properties"]["config"]]}


_LISTING = _by_kind(_ITEM)


def _secret_list(kind, name):
    """The list in ``{"config": {"secrets": {kind: {name: [...]}}}}``; "config" may be left out."""
    value = json_body()
    keys = ["config", "secrets", kind, name]
    if isinstance(value, dict) and "config" not in value:
        keys.pop(0)
    for depth, key in enumerate(keys):
        if not isinstance(value, dict) or set(value) != {key}:
            raise invalid(".".join(keys[:depth]) or "body", f'must hold exactly "{key}"'
                          + (", the name in the URL" if key == name else ""))
        value = value[key]
    return value


def _unsupported(text):
    raise BadRequest(f"unsupported request: {text}")


def _answer(outcome, what):
    """201 when a secret was created, else 204 when one was changed, else 200."""
    if outcome == svc.UPDATED:
        return no_content()
    bottle.response.status = 201 if outcome == svc.CREATED else 200
    return {"message": f"{what}: {outcome}"}


def _register_owner(app, kind):
    base = f"/config/secrets/{kind}/<name>"
    one = f"{base}/<secret>"
    whose = "a node's secrets and those of its group" if kind == "node" else "a group's secrets"

    @app.get(base, permission=READ, summary=f"Show {whose}", response=_LISTING,
             statuses=[200, 401, 403, 404])
    def list_of_owner(ctx, name):
        return {"config": {"secrets": svc.of_owner(ctx, name, kind)}}

    @app.post(base, permission=crud.WRITE, request=_request(kind, _ITEM),
              summary=f"Create or change the listed secrets of a {kind} (the others stay): 201 if "
                      "one was created, else 204 if one was changed, else 200",
              response=schemas.MESSAGE, statuses=[200, 201, 204, 400, 401, 403, 404])
    def save_all(ctx, name):
        outcome = svc.save_all(ctx, name, kind, _secret_list(kind, name))
        return _answer(outcome, f"secrets of {kind} '{name}'")

    @app.get(one, permission=READ, summary=f"Show one secret of a {kind}", response=_LISTING,
             statuses=[200, 401, 403, 404])
    def get(ctx, name, secret):
        return {"config": {"secrets": svc.get(ctx, name, kind, secret)}}

    @app.post(one, permission=crud.WRITE, request=_request(kind, _ITEM),
              summary=f"Create or change one secret of a {kind}",
              response=schemas.MESSAGE, statuses=[200, 201, 204, 400, 401, 403, 404])
    def save(ctx, name, secret):
        outcome = svc.save(ctx, name, kind, secret, _secret_list(kind, name))
        return _answer(outcome, f"secret '{secret}' of {kind} '{name}'")

    @app.post(f"{one}/_clone", permission=crud.WRITE, request=_request(kind, _CLONE_ITEM),
              summary=f"Copy a secret of a {kind} under the body's newsecretname",
              response=schemas.MESSAGE, statuses=[201, 400, 401, 403, 404, 409])
    def clone(ctx, name, secret):
        new_name = svc.clone(ctx, name, kind, secret, _secret_list(kind, name))
        return created_or_updated(True, "secret", new_name)

    @app.get(f"{one}/_delete", permission=crud.WRITE, summary=f"Delete a secret of a {kind}",
             statuses=[204, 401, 403, 404])
    def delete(ctx, name, secret):
        svc.delete(ctx, name, kind, secret)
        return no_content()

    @app.post(f"{one}/_delete", permission=crud.WRITE, statuses=_REFUSED,
              summary="Unsupported, as the spec says (400): delete with GET")
    def refuse_delete(ctx, name, secret):
        _unsupported("POST .../_delete; delete a secret with GET")


def register(app):
    @app.get("/config/secrets", permission=READ, summary="Every secret of every node and group",
             response=_LISTING, statuses=[200, 401, 403])
    def list_all(ctx):
        return {"config": {"secrets": svc.list_all(ctx)}}

    @app.post("/config/secrets", permission=crud.WRITE, statuses=_REFUSED,
              request={"type": "object", "description": "any body: the request is refused"},
              summary="Unsupported, as the spec says (400): write under /config/secrets/node or /group")
    def refuse_post(ctx):
        _unsupported("POST /config/secrets; write the secrets of one node or group")

    for kind in svc.OWNER_KINDS:
        _register_owner(app, kind)
