"""Passwords, tokens and principals.

Passwords are hashed with scrypt (hashlib, no extra dependency). Tokens are
JWTs signed with HS256 by PyJWT; each names its principal by uid, so a
deleted or changed principal loses its tokens at once (see service.accounts).
"""

import base64
import dataclasses
import hashlib
import hmac
import os
import secrets
import time

import jwt

# scrypt cost n=2**14, r=8, p=1: 16 MiB and some 40 ms a check, as RFC 7914 suggests.
_N, _R, _P = 2 ** 14, 8, 1

#: What each admin role may do. A route declares one permission; a principal
#: with no role may do nothing.
#: "secrets.read" shows secrets' content and BMC passwords.
ROLES = {
    "role.fulladmin": {"config.read", "config.write", "secrets.read"},
    "role.readonly": {"config.read"},
}


def hash_password(password):
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(salt).decode(),
                                          base64.b64encode(digest).decode())


def verify_password(password, stored):
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, AttributeError, TypeError, OverflowError):
        # A malformed stored hash (bad parts, negative or huge cost) matches no password.
        return False
    return hmac.compare_digest(actual, expected)


def generate_password():
    return secrets.token_urlsafe(18)


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who makes a request: the superadmin, an admin with roles, or (later) a tenant."""
    kind: str        # "superadmin" | "admin" | "tenant"
    uid: str
    name: str
    roles: frozenset = frozenset()

    def can(self, permission):
        if self.kind == "superadmin":
            return True
        return any(permission in ROLES.get(role, ()) for role in self.roles)


def issue_token(principal, key, lifespan, now=None):
    now = int(now if now is not None else time.time())
    claims = {"sub": principal.uid, "kind": principal.kind, "iat": now, "exp": now + lifespan}
    return jwt.encode(claims, key, algorithm="HS256")


def decode_token(token, key):
    """The claims of a valid token, or None (expired, tampered, wrongly signed)."""
    try:
        return jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
