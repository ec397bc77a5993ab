"""Migrations: they build exactly db/schema.py, on SQLite and PostgreSQL; `cairn-server migrate`.

PostgreSQL comes from CAIRN_TEST_PG_URL (skipped without it, except in CI,
where its absence fails).
"""

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from cairn.db.engine import make_engine
from cairn.db.migrate import alembic_config, upgrade
from cairn.db.schema import metadata
from conftest import fresh_engine

# SQLite cannot reflect expression indexes (the names compared without case), so
# autogenerate skips them there: the case test below checks them by behaviour.
pytestmark = [pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression"),
              pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based")]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    engine = fresh_engine(request.param, tmp_path)
    yield engine
    engine.dispose()


def head_revision(engine):
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine):
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def differences(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
        return compare_metadata(context, metadata)


def test_migrated_database_matches_schema(engine):
    upgrade(engine)
    assert differences(engine) == []
    assert current_revision(engine) == head_revision(engine)
    tables = set(sqlalchemy.inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_upgrade_twice_changes_nothing(engine):
    upgrade(engine)
    upgrade(engine)
    assert differences(engine) == []
    assert current_revision(engine) == head_revision(engine)


def test_empty_database_differs(engine):
    """The comparison does see a missing table: an empty database is all differences."""
    added = {diff[1].name for diff in differences(engine) if diff[0] == "add_table"}
    assert added == set(metadata.tables)


def test_comparison_sees_a_changed_schema(engine):
    """The comparison is not vacuous: a column the migrations lack is reported."""
    upgrade(engine)
    changed = sqlalchemy.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["node"].append_column(sqlalchemy.Column("extra", sqlalchemy.Integer))
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), changed)
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "node", "extra")]


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config(None))
    assert len(script.get_heads()) == 1


def test_names_differing_only_in_case_stop_the_upgrade_to_0004(engine):
    """A database from before 0004 may hold node1 and NODE1: the migration names them
    and stops, leaving the admin to choose which to rename. Once migrated, the index
    refuses such a pair (autogenerate cannot compare expression indexes on SQLite)."""
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("INSERT INTO nodegroup (name) VALUES ('g')"))
        for name in ("node1", "NODE1"):
            conn.execute(sqlalchemy.text("INSERT INTO node (name, nodegroup_id, service) "
                                         "SELECT :name, id, false FROM nodegroup"), {"name": name})
    with pytest.raises(RuntimeError, match="node names differ only in case: node1"):
        upgrade(engine)
    assert current_revision(engine) == "0003"
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE node SET name = 'node2' WHERE name = 'NODE1'"))
    upgrade(engine)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("INSERT INTO node (name, nodegroup_id, service) "
                                         "SELECT 'Node2', id, false FROM nodegroup"))


# -- cairn-server migrate -----------------------------------------------------

def cairn_server():
    found = os.path.join(os.path.dirname(sys.executable), "cairn-server")
    return found if os.path.exists(found) else shutil.which("cairn-server")


def run_migrate(url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    command = cairn_server()
    assert command, "the cairn-server console script is not installed"
    return subprocess.run([command, "migrate", "--db", url, "--data-dir", str(tmp_path / "data")],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_cli_migrate_empty_sqlite_file_twice(tmp_path):
    path = tmp_path / "cairn.db"
    path.touch()  # an empty file: a database with nothing in it yet
    url = f"sqlite:///{path}"
    first = run_migrate(url, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_migrate(url, tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr

    engine = make_engine(url, pool_size=1)
    try:
        assert current_revision(engine) == head_revision(engine)
        assert differences(engine) == []
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from alembic_version").fetchone() == (1,)


def test_cli_migrate_creates_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "sub" / "dir" / "cairn.db"
    result = run_migrate(f"sqlite:///{path}", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.exists()


def test_cli_migrate_refuses_a_bad_url(tmp_path):
    result = run_migrate("nosuchdb://nowhere", tmp_path)
    assert result.returncode != 0


# -- SQLite settings ----------------------------------------------------------

@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cairn.db'}", pool_size=2)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_sqlite_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_sqlite_settings_hold_on_every_pooled_connection(sqlite_engine):
    connections = [sqlite_engine.connect() for dummy in range(3)]
    try:
        for conn in connections:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        for conn in connections:
            conn.close()


def test_sqlite_enforces_foreign_keys(sqlite_engine):
    with pytest.raises(IntegrityError):
        with sqlite_engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO node (name, nodegroup_id, service) VALUES ('n1', 4242, 0)")
