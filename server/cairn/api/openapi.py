"""/openapi.json: the OpenAPI 3 document, built from the routes themselves."""

import re

from .. import __version__
from . import PUBLIC, schemas

_WILDCARD = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)(:[^>]*)?>")
_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
            401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            429: "Too Many Requests", 503: "Service Unavailable"}


def openapi_path(rule):
    """A Bottle rule as an OpenAPI path: /config/node/<name> -> /config/node/{name}."""
    return _WILDCARD.sub(r"{\1}", rule)


def _responses(config):
    responses = {}
    for status in config.get("statuses") or [200]:
        answer = {"description": _REASONS.get(status, str(status))}
        if status in (200, 201, 202) and config.get("response"):
            answer["content"] = {"application/json": {"schema": dict(config["response"])}}
        elif status >= 400 or status == 201:
            answer["content"] = {"application/json": {"schema": schemas.MESSAGE}}
        responses[str(status)] = answer
    # Any route may answer 503 when the database cannot be reached; any route
    # that needs a permission, 401 without credentials, 403 to a principal
    # that lacks it (or, for a tenant, when the object is the cluster's), and
    # 429 to HTTP Basic credentials from an address that failed too often.
    implied = [503] if config["permission"] == PUBLIC else [401, 403, 429, 503]
    for status in implied:
        responses.setdefault(str(status), {"description": _REASONS[status], "content": {
            "application/json": {"schema": schemas.MESSAGE}}})
    return responses


def _operation(route):
    config = route.config
    operation = {
        "summary": config.get("summary", ""),
        "operationId": f"{route.method.lower()}_{route.callback.__name__}_"
                       + re.sub(r"[^a-zA-Z0-9]+", "_", route.rule).strip("_"),
        "x-permission": config["permission"],
        "responses": _responses(config),
    }
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name, dummy in _WILDCARD.findall(route.rule)]
    if params:
        operation["parameters"] = params
    if config["permission"] == PUBLIC:
        operation["security"] = []
    if config.get("request"):
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": dict(config["request"])}}}
    return operation


def document(app):
    paths = {}
    for route in app.routes:
        paths.setdefault(openapi_path(route.rule), {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Cairn (Luna2 REST API)", "version": __version__},
        "paths": paths,
        "components": {"securitySchemes": {
            "token": {"type": "apiKey", "in": "header", "name": "x-access-tokens"},
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"token": []}, {"bearer": []}],
    }
