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

#: What each role may do. A route declares one permission; a principal with no
#: role may do nothing. The permissions:
#:   config.read    read the cluster database (a tenant: its own part of it)
#:   config.write   change it (a tenant: its own nodes and their secrets only)
#:   secrets.read   see secrets' content, and BMC passwords (never a tenant)
#:   control.power  power, boot and control nodes (a tenant: its own nodes)
#:   account.self   read and change one's own account, make tokens for it
#: Managing tenants and admins is the superadmin's alone: no role grants it.
ACCOUNT_SELF = "account.self"
ROLES = {
    "role.fulladmin": {"config.read", "config.write", "secrets.read", "control.power", ACCOUNT_SELF},
    "role.readonly": {"config.read", ACCOUNT_SELF},
    "role.poweroperator": {"config.read", "control.power", ACCOUNT_SELF},
    "role.secretsreader": {"config.read", "secrets.read", ACCOUNT_SELF},
    "role.tenantadmin": {"config.read", "config.write", "secrets.read", "control.power", ACCOUNT_SELF},
    "role.tenantuser": {"config.read", "control.power", ACCOUNT_SELF},
}
#: Permissions that no role grants: the superadmin's alone.
SUPERADMIN_ONLY = frozenset({"admins.manage", "tenants.manage"})
#: Every permission a route may declare.
PERMISSIONS = frozenset().union(*ROLES.values(), SUPERADMIN_ONLY)
#: The roles a tenant's principals may hold; the others are the cluster's.
TENANT_ROLES = frozenset({"role.tenantadmin", "role.tenantuser"})


def hash_password(password):
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(salt).decode(),
                                          base64.b64encode(digest).decode())


def verify_password(password, stored):
    if "\x00" in password:
        # No password set holds a NUL character (bodies refuse them), and scrypt's HMAC pads
        # short keys with zero bytes: "pw\x00" would pass for "pw" (HTTP Basic lets it in).
        return False
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


#: The kind of a node's provisioning token and principal: the node itself, while it installs.
NODE = "node"


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who makes a request: the superadmin, an admin with roles, a tenant, or a node.

    A tenant principal (kind "tenant") is a tenant's token or one of its
    users; ``tenant_id`` scopes everything it sees to the tenant's nodes.
    A node principal (kind NODE, named by the node's name) holds no role: it
    reaches only the routes that declare ``node_token=True``, and those only
    for its own node (see api.CairnPlugin and service.provisioning).
    """
    kind: str        # "superadmin" | "admin" | "tenant" | NODE
    uid: str
    name: str
    roles: frozenset = frozenset()
    tenant_id: int = None    # the database id of its tenant, for scoping
    tenant_uid: str = None   # and the tenant's uid, which its tokens carry
    generation: int = 0      # the token generation its tokens are issued in
    node_uid: str = None     # a node's: the uid of the node its provisioning token names

    def can(self, permission):
        if self.kind == "superadmin":
            return True
        return any(permission in ROLES.get(role, ()) for role in self.roles)

    @property
    def is_tenant(self):
        return self.kind == "tenant"


def issue_token(principal, key, lifespan, now=None):
    """A token naming ``principal`` (an account's uid, or for a tenant's own token
    the tenant's uid), its tenant, its token generation and its expiry."""
    now = int(now if now is not None else time.time())
    claims = {"sub": principal.uid, "kind": principal.kind, "gen": principal.generation,
              "iat": now, "exp": now + lifespan}
    if principal.tenant_uid:
        claims["tenant"] = principal.tenant_uid
    return jwt.encode(claims, key, algorithm="HS256")


def issue_node_token(name, node_uid, key, lifespan, now=None):
    """A node's provisioning token: it names the node by name and uid (never a later
    node's), so that renaming the node, or deleting it and creating another of that
    name, voids it."""
    now = int(now if now is not None else time.time())
    claims = {"sub": name, "kind": NODE, "node": node_uid, "iat": now, "exp": now + lifespan}
    return jwt.encode(claims, key, algorithm="HS256")


def decode_token(token, key):
    """The claims of a valid token, or None (expired, tampered, wrongly signed)."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    # A sub that is no string (PyJWT checks that only from 2.10), or holds a NUL character,
    # names no one: PostgreSQL cannot even compare the latter.
    sub = claims["sub"]
    return claims if isinstance(sub, str) and "\x00" not in sub else None
