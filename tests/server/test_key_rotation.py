"""cairn-server rotate-key, run as an admin runs it, next to a running server.

After a rotation the key file holds one new key, every encrypted column
(secret.content, bmcsetup.password) holds new tokens that the old key cannot
read, and the running server still reads them all: it reloads the key file.
"""

import os
import stat
import subprocess
import sys
import threading

import pytest
import requests
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, insert, select

from cairn.db.engine import make_engine, transaction
from cairn.db.schema import bmcsetup, node, secret
from conftest import assert_error, make_group, make_node
from test_secrets import item, key_file, keys, plain_text, post_secrets, query, secrets_of, unique

CLI = [sys.executable, "-m", "cairn.cli"]


def rotate_key(server, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    return subprocess.run(CLI + ["rotate-key", "--data-dir", server.data_dir, "--db", server.db, *extra],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def write(server, statement):
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            return conn.execute(statement)
    finally:
        engine.dispose()


def tokens(server):
    """{(table, id): token} of every encrypted value."""
    found = {("secret", row.id): row.content for row in query(server, select(secret.c.id, secret.c.content))}
    found.update((("bmcsetup", row.id), row.password)
                 for row in query(server, select(bmcsetup.c.id, bmcsetup.c.password)))
    return found


def new_owner(server):
    group, name = unique("rgrp"), unique("rnode")
    make_group(server, group)
    make_node(server, name, group)
    return group, name


def test_rotation_while_the_server_runs(server):
    group, name = new_owner(server)
    texts = {"license": plain_text(), "key": plain_text(), "group secret": plain_text()}
    post_secrets(server, "node", name, [item("license", texts["license"], "/etc/l"),
                                        item("key", texts["key"], "/etc/k")])
    post_secrets(server, "group", group, [item("group secret", texts["group secret"], "/etc/g")])
    # BMC passwords share the keyring: one set, one unset (NULL stays NULL)
    [old_key] = keys(server)
    password = plain_text()
    write(server, insert(bmcsetup).values(name=unique("rbmc"), password=Fernet(old_key).encrypt(password.encode()).decode()))
    write(server, insert(bmcsetup).values(name=unique("rbmc"), password=None))
    before = tokens(server)

    done = rotate_key(server)
    assert done.returncode == 0, done.stderr
    assert "re-encrypted" in done.stderr
    for text in (*texts.values(), password):
        assert text not in done.stdout + done.stderr

    [new_key] = keys(server)
    assert new_key != old_key
    with open(key_file(server)) as handle:
        assert old_key not in handle.read()
    assert stat.S_IMODE(os.stat(key_file(server)).st_mode) == 0o600

    after = tokens(server)
    assert after.keys() == before.keys()
    for where, token in after.items():
        if before[where] is None:
            assert token is None, where
            continue
        assert token != before[where], where
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())
        assert Fernet(old_key).decrypt(before[where].encode()) == Fernet(new_key).decrypt(token.encode())
    assert password.encode() in [Fernet(new_key).decrypt(t.encode()) for t in after.values() if t]

    # the running server reads the new tokens, and writes with the new key
    own = secrets_of(server, "node", name)
    assert {n: s["content"] for n, s in own.items()} == {"license": texts["license"], "key": texts["key"]}
    assert secrets_of(server, "group", group)["group secret"]["content"] == texts["group secret"]
    assert post_secrets(server, "node", name, [item("after", "written after")]).status_code == 201
    [row] = query(server, select(secret.c.content).join(node, node.c.id == secret.c.node_id)
                  .where(node.c.name == name, secret.c.name == "after"))
    assert Fernet(new_key).decrypt(row.content.encode()) == b"written after"


def test_rotations_while_secrets_are_written(server):
    """Secrets written while two rotations run all stay readable with the one key left."""
    _group, name = new_owner(server)
    written = {}
    stop = threading.Event()
    errors = []
    http = requests.Session()
    http.headers["x-access-tokens"] = server.token

    def writer():
        number = 0
        while not stop.is_set():
            number += 1
            secretname, content = f"racing {number}", f"content {number}"
            answer = http.post(f"{server.url}/config/secrets/node/{name}/racing%20{number}",
                               json={"config": {"secrets": {"node": {name: [{"content": content}]}}}})
            if answer.status_code != 201:
                errors.append(answer.text)
            written[secretname] = content

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for dummy in range(2):
            done = rotate_key(server)
            assert done.returncode == 0, done.stderr
    finally:
        stop.set()
        thread.join(60)
    assert errors == []
    assert len(written) > 0
    [current] = keys(server)
    stored = {n: s["content"] for n, s in secrets_of(server, "node", name).items()}
    assert stored == written
    for token in tokens(server).values():
        if token is not None:
            Fernet(current).decrypt(token.encode())  # every value is under the one key left


def test_an_unreadable_token_stops_the_rotation_and_changes_nothing(server):
    _group, name = new_owner(server)
    post_secrets(server, "node", name, [item("fine", "readable")])
    [node_id] = [row.id for row in query(server, select(node.c.id).where(node.c.name == name))]
    foreign = Fernet(Fernet.generate_key()).encrypt(b"from elsewhere").decode()
    write(server, insert(secret).values(node_id=node_id, name="foreign", content=foreign))
    before, old_keys = tokens(server), keys(server)
    try:
        done = rotate_key(server)
        assert done.returncode != 0
        assert "secret.content" in done.stderr and "nothing was changed" in done.stderr
        assert tokens(server) == before
        assert keys(server)[1:] == old_keys  # the old keys stay: every value still decrypts
        answer = server.get(f"/config/secrets/node/{name}/fine")
        assert answer.status_code == 200, answer.text
        # The server names the key file as the cause, and shows no value.
        answer = server.get(f"/config/secrets/node/{name}/foreign")
        assert_error(answer, 500)
        assert key_file(server) in answer.json()["message"]
        assert "from elsewhere" not in answer.text + server.output()
    finally:
        write(server, delete(secret).where(secret.c.name == "foreign", secret.c.node_id == node_id))
    # once the value is gone, a rotation completes and leaves one key
    assert rotate_key(server).returncode == 0
    assert len(keys(server)) == 1
    assert secrets_of(server, "node", name)["fine"]["content"] == "readable"


def test_rotation_without_a_key_file_fails_clearly(server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    done = subprocess.run(CLI + ["rotate-key", "--data-dir", str(tmp_path), "--db", server.db],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "no key file" in done.stderr
    assert not (tmp_path / "secrets.key").exists()
    assert_error(server.get("/config/secrets/node/no-such-node"), 404)  # the server is unharmed


def test_help_documents_rotate_key():
    top = subprocess.run(CLI + ["--help"], capture_output=True, text=True, timeout=60, check=False)
    assert "rotate-key" in top.stdout
    sub = subprocess.run(CLI + ["rotate-key", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert sub.returncode == 0
    for words in ("--config", "--db", "--data-dir", "new key", "must share the key file"):
        assert words in " ".join(sub.stdout.split()), words
