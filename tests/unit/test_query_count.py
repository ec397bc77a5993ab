"""Listings read with a constant number of SQL statements, however many objects there are.

In-process, on SQLite and on PostgreSQL (CAIRN_TEST_PG_URL; skipped without
it, except in CI, where its absence fails). Objects are created through the
service functions; statements are counted on the engine.
"""

import contextlib

import pytest
from sqlalchemy import event

from cairn.service import groups, networks, nodes
from conftest import service_context

SMALL, LARGE = 10, 200
GROUPS = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request, tmp_path):
    with service_context(request.param, tmp_path) as context:
        yield context


@contextlib.contextmanager
def counting(engine):
    statements = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def populate(ctx, first, last):
    """Nodes first..last-1 spread over the groups, and as many more groups."""
    for i in range(first, last):
        nodes.save(ctx, f"node{i:03d}", {
            "group": f"group{i % GROUPS}", "macaddr": f"52:54:00:00:{i // 256:02x}:{i % 256:02x}",
            "comment": f"node {i}", "netboot": bool(i % 2) or None,
            "interfaces": [{"interface": "ib0", "network": "ipoib"}] if i % 3 == 0 else []})
        groups.save(ctx, f"extra{i:03d}", {"comment": f"group {i}", "domain": "cluster",
                                           "interfaces": [{"interface": "BOOTIF", "network": "cluster"}]})


def setup_base(ctx):
    networks.save(ctx, "cluster", {"network": "10.141.0.0/16", "gateway": "10.141.255.254"})
    networks.save(ctx, "ipoib", {"network": "10.149.0.0/16"})
    for g in range(GROUPS):
        groups.save(ctx, f"group{g}", {"interfaces": [{"interface": "BOOTIF", "network": "cluster"}],
                                       "provision_method": "http" if g % 2 else None})


LISTINGS = {
    "nodes": nodes.list_all,
    "groups": groups.list_all,
    "networks": networks.list_all,
}


def measure(ctx, listing):
    with counting(ctx.engine) as statements:
        result = listing(ctx)
    return len(statements), result, statements


@pytest.mark.parametrize("listing", sorted(LISTINGS))
def test_listing_uses_a_constant_number_of_statements(ctx, listing):
    setup_base(ctx)
    populate(ctx, 0, SMALL)
    small, small_result, small_statements = measure(ctx, LISTINGS[listing])
    populate(ctx, SMALL, LARGE)
    large, large_result, large_statements = measure(ctx, LISTINGS[listing])

    if listing == "nodes":
        assert (len(small_result), len(large_result)) == (SMALL, LARGE)
        assert len(large_result["node150"]["interfaces"]) == 2
    elif listing == "groups":
        assert (len(small_result), len(large_result)) == (GROUPS + SMALL, GROUPS + LARGE)
    assert small > 0, "no statement counted: is the listener on the right engine?"
    assert small == large, ("the statement count grows with the data:\n"
                            + "\n---\n".join(large_statements))
    # A handful, not one (or more) per object.
    assert large <= 12, "\n---\n".join(large_statements)


def test_one_node_and_one_group_read_with_few_statements(ctx):
    setup_base(ctx)
    populate(ctx, 0, LARGE)
    count, record, dummy = measure(ctx, lambda c: nodes.get(c, "node150"))
    assert record["group"] == "group2"
    assert count <= 12
    count, record, dummy = measure(ctx, lambda c: groups.get(c, "group1"))
    assert record["interfaces"] == [{"interface": "BOOTIF", "network": "cluster"}]
    assert count <= 12
