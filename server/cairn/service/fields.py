"""Field types of the API: each parses one JSON value or raises a 400 naming the field.

The same declarations drive request validation and the OpenAPI schemas, so
the two cannot drift apart.
"""

import dataclasses
import ipaddress
import re

from .errors import invalid

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_IFNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}$")
_MAC_HEX = re.compile(r"^[0-9a-f]{12}$")
_TEXT_MAX = 1 << 20  # scripts travel base64-encoded: allow a generous megabyte


def _str(field, value, limit):
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if len(value) > limit:
        raise invalid(field, f"is longer than {limit} characters")
    return value


def parse_label(field, value):
    """A DNS label: letters, digits and inner hyphens, at most 63 characters."""
    _str(field, value, 63)
    if not _LABEL.fullmatch(value):
        raise invalid(field, f"'{value}' is not a valid name (a DNS label: letters, digits, inner hyphens)")
    return value


def parse_hostname(field, value):
    _str(field, value, 253)
    labels = value.rstrip(".").split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise invalid(field, f"'{value}' is not a valid DNS name")
    return value.rstrip(".")


def parse_ifname(field, value):
    _str(field, value, 15)
    if not _IFNAME.fullmatch(value):
        raise invalid(field, f"'{value}' is not a valid interface name")
    return value


def parse_mac(field, value):
    """Any common spelling (aa:bb.., AA-BB.., aabb.ccdd.eeff) to lower case with colons."""
    _str(field, value, 17)
    digits = re.sub(r"[:.-]", "", value.lower())
    if not _MAC_HEX.fullmatch(digits) or not re.fullmatch(r"[0-9a-fA-F:.-]+", value):
        raise invalid(field, f"'{value}' is not a MAC address")
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def parse_ip(field, value):
    _str(field, value, 45)
    try:
        if "%" in value:  # a scoped IPv6 address (fe80::1%eth0) is no address of a network
            raise ValueError(value)
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise invalid(field, f"'{value}' is not an IP address") from None


def parse_cidr(field, value):
    _str(field, value, 49)
    try:
        if "%" in value:  # a scope (fe80::%eth0/64) belongs to a host, not to a network
            raise ValueError("an IPv6 scope is not allowed")
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise invalid(field, f"'{value}' is not a network in CIDR notation ({exc})") from None
    if "/" not in value:
        raise invalid(field, f"'{value}' needs a prefix length, as in 10.141.0.0/16")
    if net.version == 6 and net.prefixlen < 64:
        raise invalid(field, "IPv6 networks must be /64 or smaller")
    if net.num_addresses < 4:
        raise invalid(field, "the network is too small to hold hosts")
    return str(net)


def parse_bool(field, value):
    if not isinstance(value, bool):
        raise invalid(field, "must be true or false")
    return value


def parse_port(field, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise invalid(field, "must be a whole number from 0 to 65535")
    return value


@dataclasses.dataclass(frozen=True)
class Field:
    """One writable field of an object."""
    parse: object
    schema: dict
    description: str = ""
    nullable: bool = True

    def __call__(self, field, value):
        if value is None:
            if not self.nullable:
                raise invalid(field, "must not be null")
            return None
        return self.parse(field, value)

    def not_null(self):
        """The same field, for a NOT NULL column: null is a 400, not a failed write."""
        return dataclasses.replace(self, nullable=False)

    def openapi(self):
        schema = dict(self.schema)
        if self.nullable:
            schema["nullable"] = True
            if "enum" in schema:  # OpenAPI 3.0.3: a nullable enum must list null too
                schema["enum"] = [*schema["enum"], None]
        if self.description:
            schema["description"] = self.description
        return schema


def _string(limit):
    return lambda field, value: _str(field, value, limit)


def choice(*options):
    def parse(field, value):
        if value not in options:
            raise invalid(field, f"must be one of {', '.join(options)}")
        return value
    return Field(parse, {"type": "string", "enum": list(options)})


NAME = Field(parse_label, {"type": "string", "maxLength": 63, "pattern": _LABEL.pattern})
HOSTNAME = Field(parse_hostname, {"type": "string", "maxLength": 253})
IFNAME = Field(parse_ifname, {"type": "string", "maxLength": 15})
MAC = Field(parse_mac, {"type": "string", "example": "aa:bb:cc:dd:ee:ff"})
IP = Field(parse_ip, {"type": "string", "format": "ip-address"})
CIDR = Field(parse_cidr, {"type": "string", "example": "10.141.0.0/16"})
BOOL = Field(parse_bool, {"type": "boolean"})
PORT = Field(parse_port, {"type": "integer", "minimum": 0, "maximum": 65535})
SHORT = Field(_string(255), {"type": "string", "maxLength": 255})
TEXT = Field(_string(_TEXT_MAX), {"type": "string"})
PROVISION_METHOD = choice("torrent", "http")


def parse_object(field, value, fields, required=(), aliases=None):
    """Parse a JSON object against ``fields``: unknown keys are a 400 naming them."""
    if not isinstance(value, dict):
        raise invalid(field, "must be a JSON object")
    aliases = aliases or {}
    parsed = {}
    for key, raw in value.items():
        name = aliases.get(key, key)
        spec = fields.get(name)
        path = f"{field}.{key}" if field else key
        if spec is None:
            raise invalid(path, "unknown field")
        if name in parsed:
            raise invalid(path, f"given twice (also as '{name}')")
        parsed[name] = spec(path, raw)
    for name in required:
        if parsed.get(name) is None:
            raise invalid(f"{field}.{name}" if field else name, "is required")
    return parsed


def list_of(item_fields, required=()):
    """A JSON array of objects, each parsed against ``item_fields``."""
    def parse(field, value):
        if not isinstance(value, list):
            raise invalid(field, "must be a JSON array")
        return [parse_object(f"{field}.{i}", item, item_fields, required) for i, item in enumerate(value)]
    properties = {name: spec.openapi() for name, spec in item_fields.items()}
    return Field(parse, {"type": "array", "items": {
        "type": "object", "properties": properties, "required": list(required),
        "additionalProperties": False}})
