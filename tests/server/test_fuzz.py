"""Fuzzing every route of /openapi.json with schemathesis: no 5xx, and no answer the
document does not describe (status, body schema, content type).

Each operation is called with generated requests (valid and invalid ones) twice: with
the superadmin's token, and without valid credentials, when every route but the
public ones must answer 401. The document is built in-process to parametrize the
tests at collection time, and a test checks that the server serves that very
document. Generation is deterministic (a fixed seed, no example database), so a
failure found once is found again; each one found is kept, as a plain HTTP request,
in test_fuzz_regressions.py.
"""

import re

import pytest
import requests

from conftest import IN_CI

try:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.config import SchemathesisConfig
    from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                   response_schema_conformance,
                                                   status_code_conformance)
except ImportError:
    if IN_CI:
        raise  # the test extra installs it: its absence is a failure in CI
    pytest.skip("schemathesis is not installed (pip install -e '.[test]')", allow_module_level=True)

from cairn.api import create_app, openapi
from cairn.config import Settings

# Generated requests per operation and generation mode (valid, invalid) in the
# fuzzing phase. The superadmin's run adds the coverage phase's cases (boundary
# values, missing and wrong-typed fields, unexpected methods: some hundred for the
# largest bodies), which take most of the time. With these counts the module (148
# operations, both runs, SQLite and PostgreSQL) takes about 2 minutes on 2 cores
# (3 when other work shares them).
MAX_EXAMPLES = 5
SEED = 4711

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

DOCUMENT = openapi.document(create_app(None, Settings(secret_key="fuzz")))

# The objects seed() creates, by the path parameters that name them: the
# superadmin's run names them in half of the requests to the paths that start
# with each prefix (and makes names up in the other half), so that it reaches
# the updates, clones and deletions of real records, not only 404s. Not here:
# os images (a fuzzed path such as "/" would have _pack pack the root file
# system), admins and tenants (a tenant's deletion is a background job, which
# restoring it would race), /control (it would talk to a BMC's address).
MAC = "52:54:00:f0:00:01"
KNOWN = {
    "/config/network/": {"name": "cluster", "ipaddress": "10.141.0.10"},
    "/config/group/": {"name": "compute", "interface": "BOOTIF"},
    "/config/node/": {"name": "node001", "interface": "BOOTIF"},
    "/config/secrets/node/": {"name": "node001", "secret": "rootpw"},
    "/config/secrets/group/": {"name": "compute", "secret": "rootpw"},
    "/config/bmcsetup/": {"name": "ipmi"},
    "/config/switch/": {"name": "switch01"},
    "/config/otherdev/": {"name": "pdu01"},
    "/config/rack/inventory/": {"device": "pdu01", "device_type": "otherdev", "subset": "configured"},
    "/config/rack/": {"name": "rack01"},
    "/boot/": {"name": "node001", "mac": MAC, "group": "compute"},
    "/monitor/status/": {"name": "node001"},
}


def _record(kind, name, fields):
    return f"/config/{kind}/{name}", {"config": {kind: {name: fields}}}


def seed(server):
    """Create (or restore) the objects KNOWN names; safe to repeat."""
    secret = [{"secretname": "rootpw", "content": "fuzz-secret", "path": "/root/.pw"}]
    for path, body in [
            _record("network", "cluster", {"network": "10.141.0.0/16"}),
            _record("group", "compute", {"interfaces": [{"interface": "BOOTIF", "network": "cluster"}]}),
            _record("node", "node001", {"group": "compute", "macaddr": MAC}),
            _record("bmcsetup", "ipmi", {"username": "root", "password": "fuzz-password"}),
            _record("switch", "switch01", {}),
            _record("otherdev", "pdu01", {}),
            _record("rack", "rack01", {"size": 42}),
            ("/config/rack/inventory", {"config": {"rack": {"inventory": [
                {"name": "pdu01", "type": "otherdev", "rack": "rack01", "position": 1}]}}}),
            ("/config/secrets/node/node001", {"config": {"secrets": {"node": {"node001": secret}}}}),
            ("/config/secrets/group/compute", {"config": {"secrets": {"group": {"compute": secret}}}})]:
        answer = server.post(path, body)
        assert answer.status_code in (200, 201, 204), f"{path}: {answer.text}"


def _prefix_regex(prefix):
    """The paths that start with ``prefix``, but not the longer prefixes of KNOWN."""
    longer = [other[len(prefix):] for other in KNOWN if other != prefix and other.startswith(prefix)]
    return "^" + re.escape(prefix) + "".join(f"(?!{re.escape(rest)})" for rest in longer)


def _known_names(dictionaries, prefix):
    """The path parameters of ``prefix``'s paths that take, half the time, a real object's name."""
    return {f"path.{param}": {"dictionary": key, "probability": 0.5}
            for key, (known_prefix, param, dummy) in dictionaries.items() if known_prefix == prefix}


def fuzz_schema(anonymous):
    """Without credentials schemathesis makes up the credential headers itself
    (garbage tokens), and skips the coverage phase: a route that needs a
    permission answers 401 before it reads the request, which the fuzzing
    phase's cases show as well as the coverage phase's hundreds."""
    dictionaries = {f"known{i}{param}": (prefix, param, value)
                    for i, (prefix, params) in enumerate(KNOWN.items()) for param, value in params.items()}
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],  # they time the server: not reproducible
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                       "with-security-parameters": anonymous},
        # No values taken from earlier answers: a node's name could reach /control,
        # which would then talk to its BMC's address, a private one.
        "phases": {"coverage": {"enabled": not anonymous},
                   "fuzzing": {"extra-data-sources": {"responses": False}}},
        "dictionaries": {key: {"values": [value]} for key, (dummy, dummy, value) in dictionaries.items()},
        "operations": [{"include-path-regex": _prefix_regex(prefix),
                        "parameters": _known_names(dictionaries, prefix)} for prefix in KNOWN],
    })
    return schemathesis.openapi.from_dict(DOCUMENT, config=config)


SUPERADMIN = fuzz_schema(anonymous=False)
ANONYMOUS = fuzz_schema(anonymous=True)


def test_server_serves_the_fuzzed_document(server):
    answer = requests.get(server.url + "/openapi.json")
    assert answer.status_code == 200, answer.text
    assert answer.json() == DOCUMENT


@pytest.fixture(scope="module")
def seeded(server):
    seed(server)
    return server


@SUPERADMIN.parametrize()
def test_superadmin(case, seeded):
    answer = case.call_and_validate(base_url=seeded.url, session=seeded.http, checks=CHECKS)
    changed = case.method != "GET" or case.operation.path.endswith("/_delete")
    if changed and answer.status_code < 300:
        seed(seeded)  # it may have deleted or renamed a known object


@ANONYMOUS.parametrize()
def test_anonymous(case, server):
    with requests.Session() as session:
        answer = case.call(base_url=server.url, session=session)
    case.validate_response(answer, checks=CHECKS)
    if case.operation.definition.raw["x-permission"] != "public":
        assert answer.status_code == 401, f"{case.as_curl_command()}\n{answer.status_code} {answer.text}"
