"""cairn-server serve with ``workers``: processes that accept on one socket, under a
supervisor that replaces one that dies and stops them all on SIGTERM.

What the workers share is tested where it lives too: the login throttle with a server of
2 workers (test_auth_abuse.py), the DHCP and DNS refresher with a real Kea and BIND
(test_services.py). Here: the processes themselves, and a change made in any worker
reaching the rendered files that worker 0 keeps current.
"""

import concurrent.futures
import json
import os
import signal
import subprocess
import sys

import pytest
import requests
import sqlalchemy

from cairn.db import schema
from cairn.db.engine import make_engine, transaction

from conftest import BACKENDS, Server, await_state, cluster_network, make_group, make_node

WORKERS = 2


@pytest.fixture(scope="module", params=BACKENDS)
def pool(request, tmp_path_factory):
    srv = Server(request.param, str(tmp_path_factory.mktemp(f"workers-{request.param}")),
                 extra_env={"CAIRN_WORKERS": str(WORKERS), "CAIRN_RENDER_DELAY": "1",
                            "CAIRN_DHCP_DAEMON": "none", "CAIRN_RNDC_COMMAND": ""})
    yield srv
    srv.stop()


def workers(server):
    """The pids of the server's workers: its supervisor's children."""
    pid = server.process.pid
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


def loop_pid(server):
    """The pid of the worker whose loop keeps the DHCP and DNS files current."""
    with open(os.path.join(server.data_dir, "render", ".state.json")) as handle:
        return json.load(handle)["loop"]


def dhcp_file(server):
    with open(os.path.join(server.data_dir, "render", "dhcp", "kea-dhcp4.json")) as handle:
        return handle.read()


def test_the_workers_answer_on_one_socket(pool):
    assert len(workers(pool)) == WORKERS
    await_state("worker 0's loop", lambda: loop_pid(pool) in workers(pool))

    def fetch(dummy):  # a new connection each: the workers race to accept it
        return requests.get(pool.url + "/config/cluster", headers=pool.http.headers).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as threads:
        assert set(threads.map(fetch, range(200))) == {200}


def test_a_change_made_in_any_worker_reaches_the_rendered_files(pool):
    """Nodes created through either worker, and a MAC address bound at boot (which
    no principal writes), all reach the DHCP file that worker 0 renders."""
    cluster_network(pool, "wnet", "10.171.0.0/16", dhcp=True, dhcp_range_begin="10.171.200.1",
                    dhcp_range_end="10.171.200.250")
    make_group(pool, "wgrp", [("BOOTIF", "wnet")])
    for i in range(8):
        make_node(pool, f"wnode{i}", "wgrp", macaddr=f"52:54:00:71:00:{i:02x}")
    await_state("the nodes in the DHCP file",
                lambda: all(f"52:54:00:71:00:{i:02x}" in dhcp_file(pool) for i in range(8)))
    make_node(pool, "wmanual", "wgrp")
    for dummy in range(4):  # on new connections: whichever worker answers binds it
        answer = requests.get(f"{pool.url}/boot/manual/hostname/wmanual/52:54:00:71:01:00")
        assert answer.status_code == 200, answer.text
    await_state("the bound MAC address in the DHCP file", lambda: "52:54:00:71:01:00" in dhcp_file(pool))


def test_every_worker_answers_with_a_change_made_in_another_at_once(pool):
    """Each worker keeps what node records share (groups, networks, images) between
    requests: a change committed through any worker is in every worker's next answer."""
    make_node(pool, "wkept", "wgrp", macaddr="52:54:00:71:03:00")

    def answers(path):  # on new connections: both workers answer some
        def fetch(dummy):
            answer = requests.get(pool.url + path, headers=pool.http.headers)
            assert answer.status_code == 200, answer.text
            return answer.text
        with concurrent.futures.ThreadPoolExecutor(8) as threads:
            return list(threads.map(fetch, range(40)))

    assert all("node wkept has no osimage" in text for text in answers("/boot/search/52:54:00:71:03:00"))
    assert all('"provision_method":"torrent"' in text.replace(" ", "")
               for text in answers("/config/node/wkept"))
    assert pool.save("osimage", "wimage", {"path": "/images/w"}).status_code == 201
    assert pool.save("group", "wgrp", {"osimage": "wimage", "provision_method": "http"}).status_code < 300
    assert all("osimage wimage was never packed" in text
               for text in answers("/boot/search/52:54:00:71:03:00"))
    assert all('"provision_method":"http"' in text.replace(" ", "")
               for text in answers("/config/node/wkept"))


def test_a_killed_worker_is_replaced_and_the_others_answer_meanwhile(pool):
    """SIGKILL to the worker with the duties: the other answers every request at once
    and reports the loop stopped; the supervisor starts another worker 0, whose loop
    renders again."""
    before = workers(pool)
    duty = loop_pid(pool)
    os.kill(duty, signal.SIGKILL)
    for dummy in range(20):
        answer = requests.get(pool.url + "/version")
        assert answer.status_code == 200, answer.text
    await_state("a new worker", lambda: len(workers(pool)) == WORKERS and duty not in workers(pool))
    assert set(before) - {duty} <= set(workers(pool))
    await_state("the new worker's loop", lambda: loop_pid(pool) in workers(pool))
    await_state("the service OK in every worker", lambda: all(
        requests.get(pool.url + "/monitor/service/cairn", headers=pool.http.headers).status_code == 200
        for dummy in range(6)))
    make_node(pool, "wafter", "wgrp", macaddr="52:54:00:71:02:00")
    await_state("a node made after the kill in the DHCP file", lambda: "52:54:00:71:02:00" in dhcp_file(pool))
    assert "died (signal SIGKILL): starting another" in pool.output()


def test_the_jobs_of_a_killed_worker_end_failed(pool):
    """A worker's jobs run in its threads: killed, it leaves them to the supervisor,
    which marks them failed (else another pack of the image would answer 409 until
    the next start)."""
    victim = workers(pool)[-1]
    engine = make_engine(pool.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:  # as jobs.submit leaves a job it runs
            controller = conn.execute(sqlalchemy.select(schema.controller.c.name)).scalars().first()
            conn.execute(sqlalchemy.insert(schema.job).values(
                id="w" * 32, kind="pack", object="wimage", controller=controller, worker=victim,
                status="running", progress=40, created=0, updated=0))
    finally:
        engine.dispose()
    os.kill(victim, signal.SIGKILL)

    def failed():  # on new connections: the session's kept-alive one may be the dead worker's
        answer = requests.get(f"{pool.url}/config/status/{'w' * 32}", headers=pool.http.headers)
        status = answer.json()["config"]["status"]["w" * 32]
        return status if status["status"] == "failed" else None
    assert "the server process running it died" in await_state("the job failed", failed)["message"]
    assert "jobs of worker pid" in pool.output()


def test_sigterm_stops_every_worker(tmp_path):
    srv = Server("sqlite", str(tmp_path), extra_env={"CAIRN_WORKERS": "3"})
    children = workers(srv)
    assert len(children) == 3
    srv.process.send_signal(signal.SIGTERM)
    assert srv.process.wait(timeout=30) == 0
    for child in children:
        assert not os.path.exists(f"/proc/{child}"), srv.output()
    srv.log.close()


def test_a_second_server_on_the_port_is_refused(pool, tmp_path):
    """SO_REUSEPORT would let it join the first one's sockets and take half its connections."""
    done = subprocess.run([sys.executable, "-m", "cairn.cli", "serve", "--bind", f"127.0.0.1:{pool.port}",
                           "--data-dir", str(tmp_path), "--workers", "2"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "CAIRN_ADMIN_PASSWORD": "x" * 12})
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{pool.port}" in done.stderr
