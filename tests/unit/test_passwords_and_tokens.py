"""auth: password hashes, tokens, and what a principal may do."""

import base64
import time

import jwt
import pytest

from cairn import auth
from cairn.auth import Principal

KEY = "k" * 64
OTHER_KEY = "o" * 64


# -- passwords ----------------------------------------------------------------

@pytest.fixture(scope="module")
def stored():
    return auth.hash_password("correct horse battery staple")


def test_hash_verifies(stored):
    assert stored.startswith("scrypt$")
    assert auth.verify_password("correct horse battery staple", stored) is True


@pytest.mark.parametrize("password", [
    "", "wrong", "correct horse battery stapl", "correct horse battery staple ",
    "Correct horse battery staple", "correct horse battery staple\n",
])
def test_wrong_password(stored, password):
    assert auth.verify_password(password, stored) is False


def test_hashes_are_salted():
    first, second = auth.hash_password("same"), auth.hash_password("same")
    assert first != second
    assert auth.verify_password("same", first) and auth.verify_password("same", second)


@pytest.mark.parametrize("password", ["", "ü-ñ-ç-€", "x" * 1000, "with$dollar$signs"])
def test_any_password_round_trips(password):
    assert auth.verify_password(password, auth.hash_password(password)) is True


def _b64(raw):
    return base64.b64encode(raw).decode()


SALT, DIGEST = _b64(b"0123456789abcdef"), _b64(b"d" * 64)


@pytest.mark.parametrize("garbage", [
    "",
    "garbage",
    "$$$$$",
    "scrypt$",
    f"scrypt$16384$8$1${SALT}",                          # a part missing
    f"scrypt$16384$8$1${SALT}${DIGEST}$extra",           # a part too many
    f"scrypt$x$8$1${SALT}${DIGEST}",                     # n not a number
    f"scrypt$16384$8$1$!!!!${DIGEST}",                   # salt not base64
    f"scrypt$16384$8$1${SALT}$!!!!",                     # digest not base64
    f"scrypt$16384$8$1${SALT}$",                         # empty digest
    f"scrypt$3$8$1${SALT}${DIGEST}",                     # n not a power of two
    f"scrypt$0$8$1${SALT}${DIGEST}",
    f"scrypt$-16384$8$1${SALT}${DIGEST}",                # negative n
    f"scrypt${2 ** 80}$8$1${SALT}${DIGEST}",             # n past any C integer
    f"scrypt$1048576$8$1${SALT}${DIGEST}",               # over scrypt's memory limit
    f"scrypt$16384$0$1${SALT}${DIGEST}",
    f"scrypt$16384$8$-1${SALT}${DIGEST}",
    f"scrypt$16384$8$1${SALT}${DIGEST}",                 # well formed, just not this password
    None,
    12345,
    b"scrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
])
def test_garbage_stored_hash_is_false(garbage):
    assert auth.verify_password("secret", garbage) is False


def test_generated_passwords_differ():
    generated = {auth.generate_password() for dummy in range(20)}
    assert len(generated) == 20
    assert all(len(p) >= 20 for p in generated)


# -- tokens -------------------------------------------------------------------

ADMIN = Principal(kind="admin", uid="0123456789abcdef", name="alice", roles=frozenset({"role.readonly"}))


def test_token_round_trip():
    now = int(time.time())
    claims = auth.decode_token(auth.issue_token(ADMIN, KEY, 3600, now=now), KEY)
    assert claims["sub"] == ADMIN.uid
    assert claims["kind"] == "admin"
    assert claims["iat"] == now
    assert claims["exp"] == now + 3600


def test_token_default_now():
    before = int(time.time())
    claims = auth.decode_token(auth.issue_token(ADMIN, KEY, 60), KEY)
    assert before <= claims["iat"] <= int(time.time())


@pytest.mark.parametrize("issued_ago, lifespan", [(3700, 3600), (61, 60), (10, 1)])
def test_expired_token(issued_ago, lifespan):
    token = auth.issue_token(ADMIN, KEY, lifespan, now=time.time() - issued_ago)
    assert auth.decode_token(token, KEY) is None


def test_wrong_key():
    assert auth.decode_token(auth.issue_token(ADMIN, KEY, 3600), OTHER_KEY) is None


def _forged(claims, key=KEY, algorithm="HS256"):
    return jwt.encode(claims, key, algorithm=algorithm)


def _signature_changed(token):
    return token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]


def _claims_changed(header, _payload, signature):
    claims = base64.urlsafe_b64encode(b'{"sub":"root","kind":"superadmin","exp":9999999999}').decode().rstrip("=")
    return ".".join([header, claims, signature])


@pytest.mark.parametrize("make", [
    lambda: "",
    lambda: "not-a-token",
    lambda: "a.b.c",
    # a valid token with one changed character in its signature
    lambda: _signature_changed(auth.issue_token(ADMIN, KEY, 3600)),
    # claims changed under the old signature
    lambda: _claims_changed(*auth.issue_token(ADMIN, KEY, 3600).split(".")),
    # unsigned
    lambda: _forged({"sub": "x", "exp": int(time.time()) + 60}, None, "none"),
    # another algorithm than HS256
    lambda: _forged({"sub": "x", "exp": int(time.time()) + 60}, KEY, "HS512"),
    # required claims missing
    lambda: _forged({"sub": "x"}),
    lambda: _forged({"exp": int(time.time()) + 60}),
])
def test_invalid_tokens(make):
    assert auth.decode_token(make(), KEY) is None


# -- principals ---------------------------------------------------------------

def principal(kind="admin", roles=()):
    return Principal(kind=kind, uid="u", name="n", roles=frozenset(roles))


@pytest.mark.parametrize("who, permission, allowed", [
    (principal("superadmin"), "config.read", True),
    (principal("superadmin"), "config.write", True),
    (principal("superadmin"), "anything.at.all", True),
    (principal(roles=["role.fulladmin"]), "config.read", True),
    (principal(roles=["role.fulladmin"]), "config.write", True),
    (principal(roles=["role.fulladmin"]), "secrets.read", True),
    (principal(roles=["role.readonly"]), "secrets.read", False),
    (principal(roles=["role.readonly"]), "config.read", True),
    (principal(roles=["role.readonly"]), "config.write", False),
    (principal(roles=["role.readonly", "role.fulladmin"]), "config.write", True),
    (principal(roles=[]), "config.read", False),
    (principal(roles=[]), "config.write", False),
    (principal(roles=["role.unknown"]), "config.read", False),
    (principal(roles=["config.read"]), "config.read", False),  # a permission is no role
    (principal("tenant"), "config.read", False),
    (principal("tenant", roles=["role.readonly"]), "config.read", True),
])
def test_principal_can(who, permission, allowed):
    assert who.can(permission) is allowed


def test_every_role_grants_only_known_permissions():
    known = {"config.read", "config.write", "secrets.read", "control.power", "account.self"}
    assert all(permissions <= known for permissions in auth.ROLES.values())
    assert auth.ROLES["role.readonly"] <= auth.ROLES["role.fulladmin"]
    assert auth.TENANT_ROLES <= set(auth.ROLES)
