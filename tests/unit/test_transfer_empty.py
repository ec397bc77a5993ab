"""An import needs an empty server (db.transfer.is_empty): what running servers keep
is no object of the configuration. On SQLite and PostgreSQL (see conftest)."""

import pytest

from cairn.db import logins as db_logins, transfer as db_transfer
from cairn.db.engine import transaction
from cairn.service import groups
from conftest import service_context


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request, tmp_path):
    with service_context(request.param, tmp_path) as context:
        yield context


def is_empty(ctx):
    with transaction(ctx.engine, write=False) as conn:
        return db_transfer.is_empty(conn)


def test_failed_logins_and_the_count_of_changes_leave_a_database_empty(ctx):
    with transaction(ctx.engine, write=True) as conn:
        db_logins.add(conn, "192.0.2.1", 0)
        conn.exec_driver_sql("UPDATE change_count SET shared = shared + 1")
    assert is_empty(ctx)
    groups.save(ctx, "compute", {})
    assert not is_empty(ctx)
