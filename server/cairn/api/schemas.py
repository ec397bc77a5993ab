"""JSON schemas of requests and answers, built from the service's field declarations."""

MESSAGE = {"type": "object", "properties": {"message": {"type": "string"},
                                            "field": {"type": "string"}},
           "required": ["message"]}


def obj(fields, extra=None, strict=True):
    properties = {name: spec.openapi() for name, spec in fields.items()}
    properties.update(extra or {})
    schema = {"type": "object", "properties": properties}
    if strict:
        schema["additionalProperties"] = False
    return schema


def by_name(schema):
    """An object whose keys are names and whose values follow ``schema``."""
    return {"type": "object", "additionalProperties": schema}


def config(kind, schema):
    """The spec's envelope: {"config": {kind: schema}}."""
    return {"type": "object", "required": ["config"], "properties": {
        "config": {"type": "object", "required": [kind], "properties": {kind: schema}}}}


def sources(fields):
    """The ``_<field>_source`` keys a record carries for inherited fields."""
    source = {"type": "string", "enum": ["node", "group", "cluster", "default"]}
    return {f"_{name}_source": source for name in fields}


def success(data=None, **extra):
    """ClusterWare's answer: {"success": true[, "data": ...]} with ``extra`` top-level keys."""
    properties = {"success": {"type": "boolean"}, **extra}
    if data is not None:
        properties["data"] = data
    return {"type": "object", "required": ["success"], "properties": properties}
