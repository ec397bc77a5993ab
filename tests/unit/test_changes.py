"""The count of changes to what node records share, and what each process keeps by it
(db.changes), on SQLite and PostgreSQL (CAIRN_TEST_PG_URL; in CI its absence fails).

Two engines on one database stand for two server processes (or controllers): what
one keeps must follow a change the other commits.
"""

import re

import pytest
from sqlalchemy import event, select

from cairn.db import changes, objects
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import change_count, group, node
from cairn.service import groups, networks, nodes, osimages, provisioning
from cairn.service.tx import Context, Tx
from conftest import service_context


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request, tmp_path):
    with service_context(request.param, tmp_path) as context:
        networks.save(context, "net", {"network": "10.20.0.0/16"})
        yield context


@pytest.fixture
def other(ctx):
    """A second engine on the same database: another process."""
    engine = make_engine(ctx.engine.url.render_as_string(hide_password=False), pool_size=2)
    yield Context(engine, ctx.principal, ctx.settings)
    engine.dispose()


def count(ctx):
    with transaction(ctx.engine, write=False) as conn:
        return conn.execute(select(change_count.c.shared)).scalar_one()


def node_id(ctx, name):
    with transaction(ctx.engine, write=False) as conn:
        return objects.by_name(conn, node, name).id


def test_a_committed_change_to_a_shared_table_is_counted(ctx):
    before = count(ctx)
    groups.save(ctx, "compute", {"comment": "a group"})
    assert count(ctx) == before + 1
    groups.save(ctx, "compute", {"comment": "changed"})
    assert count(ctx) == before + 2


def test_a_nodes_own_rows_are_not_counted(ctx):
    groups.save(ctx, "compute", {"interfaces": [{"interface": "BOOTIF", "network": "net"}]})
    nodes.save(ctx, "n1", {"group": "compute"})
    before = count(ctx)
    with transaction(ctx.engine, write=True) as conn:  # as a node reporting its status does
        objects.change(conn, node, node_id(ctx, "n1"), {"status": "installer.ok"})
    assert count(ctx) == before


def test_a_rolled_back_change_is_not_counted(ctx):
    before = count(ctx)
    with pytest.raises(RuntimeError):
        with transaction(ctx.engine, write=True) as conn:
            objects.create(conn, group, {"name": "gone"})
            raise RuntimeError("the request fails")
    assert count(ctx) == before


def test_driver_sql_counts_unless_it_cannot_write(ctx):
    before = count(ctx)
    with transaction(ctx.engine, write=True) as conn:
        conn.exec_driver_sql("SELECT 1")
    assert count(ctx) == before
    with transaction(ctx.engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE cluster SET ntp_server = 'ntp.example' WHERE id = 1")
    assert count(ctx) == before + 1


def test_what_is_kept_follows_a_change_another_process_commits(ctx, other):
    groups.save(ctx, "compute", {"provision_method": "http",
                                 "interfaces": [{"interface": "BOOTIF", "network": "net"}]})
    nodes.save(ctx, "n1", {"group": "compute"})
    assert nodes.get(ctx, "n1")["provision_method"] == "http"
    with transaction(ctx.engine, write=False) as conn:
        first = nodes.lookup(conn)
    with transaction(ctx.engine, write=False) as conn:  # kept: the same lookup, unchanged
        assert nodes.lookup(conn) is first

    groups.save(other, "compute", {"provision_method": "torrent"})
    osimages.save(other, "rocky", {"path": "/images/rocky"})
    groups.save(other, "compute", {"osimage": "rocky"})
    record = nodes.get(ctx, "n1")
    assert (record["provision_method"], record["osimage"]) == ("torrent", "rocky")
    with transaction(ctx.engine, write=False) as conn:
        assert nodes.lookup(conn) is not first
        assert provisioning.image_source(Tx(conn, ctx.principal, ctx.settings), "n1", record) == \
            "osimage rocky was never packed"


def test_a_write_transaction_reads_its_own_changes(ctx):
    groups.save(ctx, "compute", {"provision_method": "http",
                                 "interfaces": [{"interface": "BOOTIF", "network": "net"}]})
    nodes.save(ctx, "n1", {"group": "compute"})
    nodes.get(ctx, "n1")  # kept, at the count before the write below
    with transaction(ctx.engine, write=True) as conn:
        objects.change(conn, group, objects.by_name(conn, group, "compute").id,
                       {"provision_method": "torrent"})
        row = nodes.row_of(Tx(conn, ctx.principal, ctx.settings), "n1")
        assert nodes.one(conn, row)["provision_method"] == "torrent"


def test_what_is_kept_reads_no_uncounted_table(ctx):
    """A table whose writes are not counted must not feed what is kept: it would go stale."""
    read = set()

    def tables(_conn, _cursor, statement, _parameters, _context, _executemany):
        read.update(name.lower() for name in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement))

    event.listen(ctx.engine, "before_cursor_execute", tables)
    try:
        with transaction(ctx.engine, write=True) as conn:  # built afresh, not taken from a cache
            nodes.lookup(conn)
            changes.kept(conn, provisioning._images)  # pylint: disable=protected-access
    finally:
        event.remove(ctx.engine, "before_cursor_execute", tables)
    assert {"nodegroup", "network", "osimage"} <= read
    assert not read & changes.UNCOUNTED, read & changes.UNCOUNTED
