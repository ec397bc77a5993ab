"""A tenant's life cycle: suspended and resumed, deleted (scheduled) and resumed within
its window, purged after it: by the service with an injected clock, by the
purge-tenants command, and by the server's periodic job.

The service functions run in this process against the server's own database
(Server.db), with a clock the test sets: no test waits for time to pass.
"""

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy

from cairn import auth, config
from cairn.config import Settings
from cairn.db.engine import make_engine
from cairn.db.schema import admin
from cairn.service import tenants
from cairn.service.errors import Conflict
from cairn.service.tx import Context
from conftest import Server, assert_error, cluster_network, make_group, make_node, other_database
from test_tenants import USER_PASSWORD, accepted, create_tenant, login, tenant, tenant_token

DAY = 86400
WINDOW = 15 * DAY  # the default tenant_deletion_window
SUPERADMIN = auth.Principal(kind="superadmin", uid="0" * 32, name="lifecycle-test")


@pytest.fixture(scope="module")
def engine(server):
    engine = make_engine(server.db, pool_size=2)
    yield engine
    engine.dispose()


def at(engine, when):
    """A superadmin's context whose clock reads ``when``."""
    return Context(engine, SUPERADMIN, Settings(), clock=lambda: when)


@pytest.fixture(scope="module")
def nodes(server):
    cluster_network(server, "lifenet", "10.160.0.0/16")
    make_group(server, "life-compute", [("BOOTIF", "lifenet")])
    for i in range(1, 9):
        make_node(server, f"life{i:02d}", "life-compute")
    return server


def tenant_with_tenancy(server, name, hostlist):
    """A tenant with a user (USER_PASSWORD) and a tenancy ``<name>-t`` of ``hostlist``;
    its own token."""
    create_tenant(server, name, users={f"{name}-user": {"password": USER_PASSWORD}})
    answer = server.post(f"/tenant/{name}/tenancies", {"name": f"{name}-t", "hostlist": hostlist})
    assert answer.status_code == 201, answer.text
    return tenant_token(server, name)


def delete(server, ident):
    answer = server.http.delete(f"{server.url}/tenant/{ident}")
    assert answer.status_code == 202, answer.text
    return answer.json()["data"]


def post(server, path, status=200):
    answer = server.post(path)
    assert answer.status_code == status, answer.text
    return answer.json().get("data")


def refused(server, name, token):
    """Whether the tenant's token, its user's login and HTTP Basic are all refused."""
    states = {accepted(server, token=token), login(server, f"{name}-user", USER_PASSWORD).status_code == 201,
              accepted(server, basic=(f"{name}-user", USER_PASSWORD))}
    assert len(states) == 1, "token, login and Basic disagree"
    return not states.pop()


def nodes_of(server, tenancy):
    answer = server.get(f"/tenancy/{tenancy}")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["nodes"]


def account_exists(engine, name):
    with engine.connect() as conn:
        return conn.execute(sqlalchemy.select(admin.c.id).where(admin.c.name == name)).first() is not None


# -- suspend and resume --------------------------------------------------------------

def test_suspend_refuses_the_tenant_and_resume_restores_it(nodes):
    token = tenant_with_tenancy(nodes, "Pausing", "life01")
    assert not refused(nodes, "Pausing", token)
    record = post(nodes, "/tenant/Pausing/suspend")
    assert record["status"] == "suspended"
    assert refused(nodes, "Pausing", token)
    assert_error(nodes.post("/tenant/Pausing/newtoken"), 409)
    assert post(nodes, "/tenant/Pausing/suspend")["status"] == "suspended"  # again: no change
    assert nodes_of(nodes, "Pausing-t") == ["life01"]  # its nodes stay where they are
    record = post(nodes, "/tenant/Pausing/resume")
    assert record["status"] == "active"
    assert not refused(nodes, "Pausing", token)  # the same token is good again
    assert post(nodes, "/tenant/Pausing/resume")["status"] == "active"


# -- scheduled deletion ----------------------------------------------------------------

def test_delete_schedules_and_resume_within_the_window_cancels(nodes):
    token = tenant_with_tenancy(nodes, "Leaving", "life02")
    record = delete(nodes, "Leaving")
    assert record["status"] == "deleting"
    assert record["purge_at"] - record["last_modified"] == WINDOW
    assert refused(nodes, "Leaving", token)
    assert nodes_of(nodes, "Leaving-t") == ["life02"]  # untouched while the window lasts
    assert tenant(nodes, "Leaving")["tenancies"] == ["Leaving-t"]
    assert delete(nodes, "Leaving")["purge_at"] == record["purge_at"]  # again: no change
    assert_error(nodes.post("/tenant/Leaving/suspend"), 409)
    assert_error(nodes.post("/tenant/Leaving/newtoken"), 409)
    record = post(nodes, "/tenant/Leaving/resume")
    assert record["status"] == "active" and record["purge_at"] is None
    assert not refused(nodes, "Leaving", token)


def test_resume_after_the_window_is_409(nodes, engine):
    tenant_with_tenancy(nodes, "Late", "life03")
    purge_at = delete(nodes, "Late")["purge_at"]
    with pytest.raises(Conflict, match="no longer be resumed"):
        tenants.resume(at(engine, purge_at), "Late")
    assert tenant(nodes, "Late")["status"] == "deleting"
    record = tenants.resume(at(engine, purge_at - 1), "Late")
    assert record["status"] == "active" and record["purge_at"] is None
    assert record["last_modified"] == purge_at - 1
    assert record["last_modified_by"] == SUPERADMIN.name


def test_a_suspended_tenant_can_be_deleted_and_resumed_to_active(nodes):
    tenant_with_tenancy(nodes, "Both", "life04")
    post(nodes, "/tenant/Both/suspend")
    assert delete(nodes, "Both")["status"] == "deleting"
    assert post(nodes, "/tenant/Both/resume")["status"] == "active"


# -- the purge -------------------------------------------------------------------------

def test_purge_after_the_window_moves_nodes_to_quarantine_and_removes_the_tenant(nodes, engine):
    tenant_with_tenancy(nodes, "Purged", "life[05-06]")
    uid = tenant(nodes, "Purged")["uid"]
    purge_at = delete(nodes, "Purged")["purge_at"]
    assert account_exists(engine, "Purged-user")
    # Before the window ends, nothing is purged.
    assert "Purged" not in tenants.purge(at(engine, purge_at - 1))
    assert tenant(nodes, "Purged")["status"] == "deleting"
    assert "Purged" in tenants.purge(at(engine, purge_at))
    assert_error(nodes.get("/tenant/Purged"), 404)
    assert_error(nodes.get(f"/tenant/{uid}"), 404)
    assert_error(nodes.get("/tenancy/Purged-t"), 404)
    assert {"life05", "life06"} <= set(nodes_of(nodes, "Quarantine"))
    assert not account_exists(engine, "Purged-user")
    assert login(nodes, "Purged-user", USER_PASSWORD).status_code == 401
    # A second purge finds nothing more to do.
    assert "Purged" not in tenants.purge(at(engine, purge_at + DAY))


def test_purge_leaves_active_and_resumed_tenants_alone(nodes, engine):
    tenant_with_tenancy(nodes, "Staying", "life07")
    purge_at = delete(nodes, "Staying")["purge_at"]
    post(nodes, "/tenant/Staying/resume")
    assert "Staying" not in tenants.purge(at(engine, purge_at + 30 * DAY))
    assert tenant(nodes, "Staying")["status"] == "active"
    assert nodes_of(nodes, "Staying-t") == ["life07"]


def test_purge_tenants_command(nodes, engine):
    tenant_with_tenancy(nodes, "Commanded", "life08")
    # Deleted sixteen days ago: its window has ended.
    tenants.delete(at(engine, time.time() - 16 * DAY), "Commanded")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    done = subprocess.run([sys.executable, "-m", "cairn.cli", "purge-tenants", "--db", nodes.db,
                           "--data-dir", nodes.data_dir], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Commanded" in done.stderr
    assert_error(nodes.get("/tenant/Commanded"), 404)
    assert "life08" in nodes_of(nodes, "Quarantine")


def test_the_server_purges_periodically(server, tmp_path):
    """A server of its own, with a window of 0 and a purge every second."""
    pg_url = other_database("purge") if server.backend == "postgresql" else None
    purging = Server(server.backend, str(tmp_path), pg_url=pg_url,
                     extra_env={"CAIRN_PURGE_INTERVAL": "1", "CAIRN_TENANT_DELETION_WINDOW": "0"})
    try:
        cluster_network(purging, "purgenet", "10.170.0.0/16")
        make_group(purging, "purge-compute", [("BOOTIF", "purgenet")])
        make_node(purging, "purge01", "purge-compute")
        tenant_with_tenancy(purging, "Periodic", "purge01")
        record = delete(purging, "Periodic")
        assert record["purge_at"] == record["last_modified"]  # a window of 0
        deadline = time.monotonic() + 60
        while purging.get("/tenant/Periodic").status_code != 404:
            assert time.monotonic() < deadline, purging.output()
            time.sleep(0.2)
        assert nodes_of(purging, "Quarantine") == ["purge01"]
        assert_error(purging.get("/tenancy/Periodic-t"), 404)
    finally:
        purging.stop()
    assert "purged tenant 'Periodic'" in open(os.path.join(tmp_path, "server.log")).read()


@pytest.mark.parametrize("name", ["TENANT_DELETION_WINDOW", "PURGE_INTERVAL"])
def test_negative_settings_are_refused(name):
    with pytest.raises(SystemExit, match=name.lower()):
        config.load(environ={f"CAIRN_{name}": "-1"})
    assert getattr(config.load(environ={f"CAIRN_{name}": "0"}), name.lower()) == 0
