"""/config/osimage and /config/osimagetag: images, packing them, and their tags."""

import bottle

from ..service import osimages as svc, osimagetags as tags
from ..service.errors import BadRequest
from . import crud, schemas
from .body import config_object, envelope, no_content

_STRING = {"type": "string", "nullable": True}
_RECORD = schemas.obj(svc.FIELDS, {
    **{alias: svc.FIELDS[name].openapi() for alias, name in svc.ALIASES.items()},
    **{name: {**_STRING, "description": text} for name, text in svc.PACKED.items()},
    "packed_at": {"type": "integer", "nullable": True, "description": svc.PACKED["packed_at"]}})
_WRITE = schemas.obj({**svc.WRITE_FIELDS, **{a: svc.FIELDS[f] for a, f in svc.ALIASES.items()}})
_KERNEL = schemas.obj({**svc.KERNEL_FIELDS, "kernver": svc.FIELDS["kernelversion"]})
_TAG_RECORD = {"type": "object", "properties": {
    "name": {"type": "string"}, "osimage": {"type": "string"},
    **{name: _STRING for name in (*tags.SNAPSHOT, "packed_kernel", "packed_initrd")}}}
_TAGS = schemas.config("osimagetag", schemas.by_name(_TAG_RECORD))
_MEMBERS = schemas.config("osimage", schemas.by_name({"type": "object", "properties": {
    "members": {"type": "array", "items": {"type": "string"}},
    "tags": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}))
_NO_BODY = {"type": "object", "description": "none needed; a body is ignored"}
_ACCEPTED = [202, 400, 401, 404, 409]
_JOB = {"type": "object", "required": ["message", "request_id"], "properties": {
    "message": {"type": "string"}, "request_id": {"type": "string"}}}


def accepted(job_id, what):
    """202: the work goes on in the background, as the job ``job_id``."""
    bottle.response.status = 202
    return {"message": f"{what}: see /config/status/{job_id}", "request_id": job_id}


def register(app):
    @app.post("/config/osimage", permission=crud.WRITE, request=_NO_BODY,
              summary="Unsupported (the spec's 400): POST to /config/osimage/<name>",
              statuses=[400, 401])
    def post_without_name(ctx):
        raise BadRequest("POST /config/osimage is unsupported: post to /config/osimage/<name>")

    crud.register_members(app, "osimage", svc, "The nodes whose osimage (their own or their "
                          "group's) is this one", response=_MEMBERS)
    crud.register(app, "osimage", svc, _RECORD, _WRITE)

    @app.route("/config/osimage/<name>/_pack", ["GET", "POST"], permission=crud.WRITE,
               request=_NO_BODY, summary="Pack the image in the background (202 with the job's "
               "request_id; 409 while it is being packed)", statuses=_ACCEPTED, response=_JOB)
    def pack(ctx, name):
        return accepted(svc.pack(ctx, name), f"packing osimage '{name}'")

    @app.post("/config/osimage/<name>/kernel", permission=crud.WRITE,
              request=schemas.config("osimage", schemas.by_name(_KERNEL)),
              summary="Change the image's kernel fields and repack it (as _pack)",
              statuses=_ACCEPTED, response=_JOB)
    def kernel(ctx, name):
        return accepted(svc.change_kernel(ctx, name, config_object("osimage", name)),
                        f"repacking osimage '{name}'")

    @app.post("/config/osimage/<name>/tag", permission=crud.WRITE,
              request=schemas.config("osimage", schemas.by_name(schemas.obj({"tag": tags.TAG}))),
              summary="Tag the image's current pack (an existing tag moves to it)",
              statuses=[204, 400, 401, 404])
    def tag(ctx, name):
        tags.set_tag(ctx, name, config_object("osimage", name))
        return no_content()

    @app.route("/config/osimage/<name>/osimagetag/<tag>/_delete", ["GET", "POST"],
               permission=crud.WRITE, summary="Delete a tag (400 while a group or node pins it)",
               statuses=[204, 400, 401, 404])
    def delete_tag(ctx, name, tag):
        tags.remove_tag(ctx, name, tag)
        return no_content()

    @app.get("/config/osimagetag", permission=crud.READ, response=_TAGS, statuses=[200, 401],
             summary="Every tag of every image, keyed <osimage>/<tag>")
    def all_tags(ctx):
        return envelope("osimagetag", tags.list_all(ctx))

    @app.get("/config/osimagetag/<name>", permission=crud.READ, response=_TAGS,
             summary="The tags of an image, keyed by tag", statuses=[200, 401, 404])
    def image_tags(ctx, name):
        return envelope("osimagetag", tags.of_image(ctx, name))

    @app.get("/config/osimagetag/<name>/_member", permission=crud.READ, response=_MEMBERS,
             summary="The nodes pinned to a tag of the image (their own or their group's)",
             statuses=[200, 401, 404])
    def tag_members(ctx, name):
        return envelope("osimage", {name: tags.members(ctx, name)})
