"""The errors the service raises; the API turns each into its status code."""


class ServiceError(Exception):
    status = 500

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        #: The request field at fault, dotted (``interfaces.1.ipaddress``).
        self.field = field


class BadRequest(ServiceError):
    status = 400


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Unavailable(ServiceError):
    status = 503


def invalid(field, message):
    """A 400 that names the field: ``invalid("macaddr", "is not a MAC address")``."""
    return BadRequest(f"{field}: {message}", field=field)


def not_found(kind, name):
    return NotFound(f"{kind} '{name}' does not exist")
