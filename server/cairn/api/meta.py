"""/version, /token and /openapi.json."""

import bottle

from .. import API_VERSION, __version__
from ..service import accounts
from . import PUBLIC, client_address
from .body import json_body
from .openapi import document

_TOKEN_REQUEST = {"type": "object", "required": ["username", "password"], "properties": {
    "username": {"type": "string"}, "password": {"type": "string"}}}
_TOKEN = {"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}
_VERSION = {"type": "object", "properties": {"version": {"type": "object", "properties": {
    "luna": {"type": "string"}, "api": {"type": "integer"}, "commit": {"type": "string"}}}}}


def register(app):
    @app.get("/version", permission=PUBLIC, summary="The server's and the API's versions",
             response=_VERSION, statuses=[200])
    def version(ctx):
        return {"version": {"luna": __version__, "api": API_VERSION, "commit": ctx.settings.commit}}

    @app.post("/token", permission=PUBLIC, summary="A token for a username and password; 429 "
              "(with Retry-After) after too many failures from the client's address",
              request=_TOKEN_REQUEST, response=_TOKEN, statuses=[201, 400, 401, 429])
    def token(ctx):
        issued = accounts.login(ctx, json_body(), client_address())
        bottle.response.status = 201
        return {"token": issued}

    @app.get("/openapi.json", permission=PUBLIC, summary="This API as an OpenAPI 3 document",
             statuses=[200])
    def openapi(ctx):
        return document(app)
