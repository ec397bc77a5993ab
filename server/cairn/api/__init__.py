"""The WSGI application: Bottle routes that parse, authorise, call the service, envelope.

Every route declares the permission it needs (``permission=``; PUBLIC for
none) and its documentation (``summary=``, ``request=``, ``response=``,
``statuses=``), from which /openapi.json is built. The few routes an
installing node calls declare ``node_token=True`` too: a node's provisioning
token reaches those and no other.
"""

import base64
import json
import logging
import types

import bottle
import orjson

from .. import auth, crypto
from ..service import accounts, throttle
from ..service.errors import Forbidden, ServiceError, Unauthorized, invalid
from ..service.tx import Context

log = logging.getLogger("cairn.api")

PUBLIC = "public"


def _credentials():
    """("token", TOKEN) from x-access-tokens or Authorization: Bearer; ("basic", USER,
    PASSWORD) from Authorization: Basic, for scripts; None without credentials."""
    token = bottle.request.get_header("x-access-tokens")
    if token:
        return "token", token.strip().strip('"')
    scheme, dummy, value = (bottle.request.get_header("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "token", value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            username, dummy, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise Unauthorized("malformed Basic credentials") from None
        return "basic", username, password
    return None


def client_address():
    """The peer address of the request's connection (REMOTE_ADDR), whose failed logins are
    counted: never X-Forwarded-For, which bottle.request.remote_addr trusts and any client
    can write."""
    return bottle.request.environ.get("REMOTE_ADDR", "")


def _error_body(status, message, field=None):
    bottle.response.status = status
    body = {"message": message}
    if field:
        body["field"] = field
    return body


def _authorise(principal, permission, node_token):
    """A 403 unless the principal may call the route. A node's provisioning token reaches
    only the routes that declare ``node_token=True`` (its service checks the node), and
    is the only principal those let in without ``permission``."""
    if principal.kind == auth.NODE:
        if not node_token:
            raise Forbidden(f"a provisioning token of node '{principal.name}' reaches only "
                            "its installer, its status and its image's files")
    elif not principal.can(permission):
        raise Forbidden(f"'{principal.name}' lacks the permission {permission}")


class CairnPlugin:
    """Authenticates, authorises, builds the Context, and turns service errors into answers."""
    name = "cairn"
    api = 2

    def __init__(self, engine, settings):
        self.engine = engine
        self.settings = settings

    def apply(self, callback, route):
        permission = route.config.get("permission")
        if permission is None:
            raise ValueError(f"route {route.method} {route.rule} declares no permission")
        node_token = route.config.get("node_token", False)
        anonymous = Context(self.engine, None, self.settings)

        def wrapper(*args, **kwargs):
            try:
                principal = None
                if permission != PUBLIC:
                    credentials = _credentials()
                    if credentials is None:
                        raise Unauthorized("a token (x-access-tokens or Authorization: Bearer) "
                                           "or Basic credentials are required")
                    if credentials[0] == "basic":
                        principal = accounts.principal_for_password(anonymous, *credentials[1:],
                                                                    client_address())
                    else:
                        principal = accounts.principal_for_token(anonymous, credentials[1])
                        if principal.kind == auth.NODE and not node_token:
                            accounts.check_node_token(Context(self.engine, principal, self.settings))
                    _authorise(principal, permission, node_token)
                for part, value in kwargs.items():
                    if "\x00" in value:  # PostgreSQL cannot compare or store NUL characters
                        raise invalid(part, "must not contain NUL characters")
                ctx = Context(self.engine, principal, self.settings)
                return callback(ctx, *args, **kwargs)
            except ServiceError as exc:
                if isinstance(exc, throttle.TooManyFailures):
                    bottle.response.set_header("Retry-After", str(exc.retry_after))
                return _error_body(exc.status, exc.message, exc.field)
            except crypto.KeyMissing as exc:
                log.error("%s", exc)  # names the key file, never a value
                return _error_body(500, str(exc))
        return wrapper


def _json_error(res):
    """Every error is JSON, also the ones Bottle raises itself (404 route, 405, 413)."""
    res.set_header("Content-Type", "application/json")
    if res.status_code >= 500:
        log.error("internal error: %s", res.exception, exc_info=res.exception)
        return json.dumps({"message": "internal server error"})
    return json.dumps({"message": res.body if isinstance(res.body, str) and res.body else res.status_line})


class _App(bottle.Bottle):
    """Bottle flattens dict-valued route options into dotted keys ("request.type", ...):
    keep the request and response schemas whole, as read-only mappings, for /openapi.json."""

    def route(self, path=None, method="GET", callback=None, name=None, apply=None, skip=None,
              **config):
        for key in ("request", "response"):
            if isinstance(config.get(key), dict):
                config[key] = types.MappingProxyType(config[key])
        return super().route(path, method, callback, name, apply, skip, **config)


class _NoTrailingSlash:
    """The spec has no redirects: /config/node/ is /config/node."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return self.app(environ, start_response)


def create_app(engine, settings):
    """The Bottle application with every route of every area."""
    from . import (admins, bmcsetups, boot, cluster, control, devices, files, groups, journal,
                   meta, monitor, networks, nodes, osimages, racks, render, secrets, services,
                   status, tenants, transfer)
    app = _App()
    # orjson: a listing of 10,000 nodes is some 10 MB of JSON, and the
    # standard library needs most of the time budget to write it.
    app.uninstall(bottle.JSONPlugin)
    app.install(bottle.JSONPlugin(json_dumps=orjson.dumps))
    app.install(CairnPlugin(engine, settings))
    app.default_error_handler = _json_error
    for area in (meta, cluster, networks, groups, nodes, journal, transfer, secrets, bmcsetups,
                 devices, racks, osimages, status, files, admins, tenants, boot, monitor,
                 render, services, control):
        area.register(app)
    for route in app.routes:
        route.prepare()  # applies the plugins now: a route without a permission fails here
    return app


def wsgi(app):
    return _NoTrailingSlash(app)
