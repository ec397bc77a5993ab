"""/monitor/status: the state of a node's installation, as its installer reports it
(with its node's provisioning token, which reaches that node's status only)."""

import dataclasses

from ..service import monitor
from ..service.errors import invalid
from . import crud, schemas
from .body import json_body, no_content


def _status(fields):
    return {"type": "object", "required": ["monitor"], "properties": {"monitor": {
        "type": "object", "required": ["status"], "properties": {
            "status": schemas.by_name(schemas.obj(fields))}}}}


_REPORT = _status(monitor.FIELDS)
# A report names a state; the answer's is null until the node's first report.
_ANSWER = _status({**monitor.FIELDS, "state": dataclasses.replace(monitor.FIELDS["state"], nullable=True)})


def _envelope(name, content):
    return {"monitor": {"status": {name: content}}}


def _reported(name):
    """The object of ``{"monitor": {"status": {name: {...}}}}``, or a 400 naming the part."""
    body, path = json_body(), ""
    for key in ("monitor", "status", name):
        if not isinstance(body, dict) or set(body) != {key}:
            raise invalid(path or "body", f"must be a JSON object holding exactly '{key}'")
        body, path = body[key], f"{path}.{key}".lstrip(".")
    return body


def register(app):
    @app.get("/monitor/status/<name>", permission=crud.READ, node_token=True, response=_ANSWER,
             summary="The state the node's installer last reported", statuses=[200, 401, 403, 404])
    def status(ctx, name):
        return _envelope(name, monitor.get(ctx, name))

    @app.post("/monitor/status/<name>", permission=crud.WRITE, node_token=True, request=_REPORT,
              summary="Report the node's state (the installer does)",
              statuses=[204, 400, 401, 403, 404])
    def report(ctx, name):
        monitor.report(ctx, name, _reported(name))
        return no_content()
