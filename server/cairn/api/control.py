"""/control: power, identify, the SEL and the boot device of nodes, through their BMCs.

``GET /control/action/<subsystem>/<name>/_<action>`` acts on one node and ``POST
/control/action/<subsystem>/_<action>`` on a hostlist; both answer the hosts by
outcome. A POST for more nodes than control_async_threshold answers 202 with a
request_id, which ``GET /control/status/<request_id>`` follows. The spec's redfish
subsystem takes a body: ``POST /control/action/redfish/<name>/_<action>`` for one node.
"""

import bottle

from ..service import control as svc
from ..service.errors import invalid
from . import schemas
from .body import json_body

POWER = "control.power"
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_HOSTS = {"type": "object", "required": ["hostlist"], "properties": {
    "hostlist": {"type": "string", "example": "node[001-004]"},
    "reasons": {**_STRINGS, "description": "failed: why, per host"},
    "details": {"type": "object", "additionalProperties": {},
                "description": "sel list: each host's entries"}}}
_ANSWER = {"type": "object", "required": ["control"], "properties": {"control": {
    "type": "object",
    "description": "{subsystem: {outcome: hosts}}: the outcomes are on and off (power status), "
                   "ok (done), failed, or the boot device (boot status)",
    "properties": {
        "request_id": {"type": "string", "description": "a background request's id"},
        "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "message": {"type": "string", "description": "why a background request failed"}},
    "additionalProperties": {"type": "object", "additionalProperties": _HOSTS}}}}
_ACTION_FIELDS = {name: spec for fields, dummy in svc.ARGUMENTS.values() for name, spec in fields.items()}
_REQUEST = {"type": "object", "required": ["control"], "properties": {"control": {
    "type": "object", "additionalProperties": {"type": "object", "additionalProperties": {
        **schemas.obj({**svc.FIELDS, **_ACTION_FIELDS}), "required": ["hostlist"],
        "description": "hostlist, and for the redfish subsystem its action's fields"}}}}}
_REDFISH_REQUEST = {"type": "object", "required": ["control"], "properties": {"control": {
    "type": "object", "properties": {"redfish": {"type": "object", "properties": {
        action: schemas.obj(fields) for (dummy, action), (fields, dummy) in svc.ARGUMENTS.items()}}}}}}


def register(app):
    @app.get("/control/action/<subsystem>/<name>/_<action>", permission=POWER, response=_ANSWER,
             summary="Carry out a control action (power, chassis, sel, boot) on one node",
             statuses=[200, 400, 401, 404])
    def act_on_node(ctx, subsystem, name, action):
        return _answered(svc.control(ctx, subsystem, action, [name], background=False))

    @app.post("/control/action/<subsystem>/_<action>", permission=POWER, request=_REQUEST,
              response=_ANSWER, statuses=[200, 202, 400, 401, 404],
              summary="Carry out a control action on the nodes of a hostlist; for more than "
                      "control_async_threshold nodes in the background (202 with a request_id)")
    def act_on_hostlist(ctx, subsystem, action):
        svc.check_action(subsystem, action)
        names, argument = svc.requested(subsystem, action, *_requested(subsystem, action))
        return _answered(svc.control(ctx, subsystem, action, names, argument=argument))

    @app.post("/control/action/redfish/<name>/_<action>", permission=POWER, request=_REDFISH_REQUEST,
              response=_ANSWER, statuses=[200, 400, 401, 404],
              summary="Upload a document to one node's Redfish system (upload), or set its boot "
                      "override (setting)")
    def redfish_on_node(ctx, name, action):
        svc.check_action("redfish", action)
        dummy, argument = svc.requested("redfish", action, *_requested("redfish", action), hostlist=False)
        return _answered(svc.control(ctx, "redfish", action, [name], background=False, argument=argument))

    @app.get("/control/status/<request_id>", permission=POWER, response=_ANSWER,
             summary="The state of a background control request, and its hosts by outcome "
                     "once done", statuses=[200, 401, 404])
    def status(ctx, request_id):
        return {"control": svc.status(ctx, request_id)}


def _requested(subsystem, action):
    """(its field, the object) of ``{"control": {subsystem: {action: {...}}}}``, whose
    subsystem and action must be the URL's; a 400 naming the part at fault."""
    value, field = json_body(), None
    for key, what in (("control", "the envelope"), (subsystem, "the URL's subsystem"),
                      (action, "the URL's action")):
        if not isinstance(value, dict) or set(value) != {key}:
            raise invalid(field or "body", f"must be a JSON object holding exactly '{key}' ({what})")
        value, field = value[key], f"{field}.{key}" if field else key
    return field, value


def _answered(answer):
    if answer.request_id is None:
        return {"control": answer.result}
    bottle.response.status = 202
    bottle.response.set_header("Location", f"/control/status/{answer.request_id}")
    return {"control": {"request_id": answer.request_id}}
