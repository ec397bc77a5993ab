"""Reading request bodies: JSON only, in the spec's envelopes, or a 400 naming the part."""

import json

import bottle

from ..service.errors import BadRequest, invalid

MAX_BODY = 16 * 1024 * 1024


def json_body():
    """The request's JSON body (any content type), or a 400."""
    length = bottle.request.content_length
    if length > MAX_BODY:
        raise BadRequest(f"body: larger than {MAX_BODY} bytes", field="body")
    raw = bottle.request.body.read()
    if not raw.strip():
        raise invalid("body", "a JSON body is required")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("body", f"malformed JSON: {exc}") from None
    except RecursionError:
        raise invalid("body", "JSON nested too deeply") from None
    if _has_unstorable(body):
        # PostgreSQL cannot store NUL characters in text, and no database can store
        # lone surrogates (\ud800), which are no UTF-8: refuse them for every backend.
        raise invalid("body", "strings must not contain NUL characters (\\u0000) "
                              "or unpaired surrogates")
    return body


def _has_unstorable(value):
    """Whether any string (key or value) holds a NUL or a lone surrogate; iterative,
    as bodies nest deep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def config_object(kind, name=None):
    """The object of ``{"config": {kind: {name: {...}}}}`` (``{"config": {kind: {...}}}`` without a name)."""
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("config"), dict):
        raise invalid("config", 'the body must be {"config": {...}}')
    extra = set(body) - {"config"} or set(body["config"]) - {kind}
    if extra:
        raise invalid(sorted(extra)[0], f'unexpected key: the body must be {{"config": {{"{kind}": ...}}}}')
    inner = body["config"].get(kind)
    if not isinstance(inner, dict):
        raise invalid(f"config.{kind}", "must be a JSON object")
    if name is None:
        return inner
    if set(inner) != {name}:
        raise invalid(f"config.{kind}", f"must hold exactly the object '{name}' named in the URL")
    if not isinstance(inner[name], dict):
        raise invalid(f"config.{kind}.{name}", "must be a JSON object")
    return inner[name]


def envelope(kind, content):
    return {"config": {kind: content}}


def no_content():
    bottle.response.status = 204
    return ""


def created_or_updated(created, kind, name):
    """201 with a message for a new object, 204 for a changed one (the spec's codes)."""
    if created:
        bottle.response.status = 201
        return {"message": f"{kind} '{name}' created"}
    return no_content()


def success(data=None, status=200, **extra):
    """ClusterWare's answer (tenants, admins): {"success": true[, "data": data]} and ``extra``."""
    bottle.response.status = status
    answer = {"success": True, **extra}
    if data is not None:
        answer["data"] = data
    return answer


def optional_body(default=None):
    """The JSON body, or ``default`` when the request has none (a DELETE of everything,
    a newtoken with the defaults)."""
    return json_body() if bottle.request.content_length else default
