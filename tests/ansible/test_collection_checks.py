"""The collection's own checks: ansible-test sanity, units and integration,
ansible-lint on the roles and playbooks, and ansible-galaxy collection build,
the tarball installed into a scratch path and run from there.

ansible-test needs the collection at a real path ending in
ansible_collections/cairn/cluster: the checkout's files (tracked and new, as git
lists them) are copied to one. The integration targets (tests/integration/targets)
and the installed copy run against a real server (SQLite). A missing program fails
a check under CI=true and skips it elsewhere. docs/ANSIBLE.md ("The collection's own
checks") shows how to run each check by hand.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import types

import pytest
import yaml

from ansible_run import BIN, ROOT, run
from conftest import IN_CI, Server

PYTHON = "%d.%d" % sys.version_info[:2]
ANSIBLE_TEST = [os.path.join(BIN, "ansible-test")]

#: ansible-test's sanity virtual environments bootstrap pip with a get-pip script
#: from a host that cannot be reached here. This stand-in does the same with the
#: interpreter's own ensurepip, then installs what it was asked for (the pinned
#: pip) from the package index; setuptools and wheel come with ensurepip, so the
#: options that leave them out do not apply.
GET_PIP_STAND_IN = '''\
"""Stand-in for get-pip, written by cairn's tests/ansible/test_collection_checks.py."""
import subprocess
import sys

arguments = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", *arguments])
'''

#: Templates of scripts for other programs, whose first line is that program's
#: magic rather than a shebang of the collection: iPXE reads a script only if it
#: starts with "#!ipxe", and the installer runs under bash on the node. The
#: shebang sanity test (whose rules are for Ansible modules and scripts) skips
#: them; every other test reads them.
SCRIPT_TEMPLATES = ["server/cairn/render/templates/ipxe/", "server/cairn/render/templates/install/"]

#: The integration targets; each one runs against the server the test starts, and
#: deletes what it creates (cairn_common, their shared tasks, is no target).
INTEGRATION_TARGETS = ["lookup_render_context", "modules_topology", "modules_osimages", "modules_devices",
                       "modules_accounts", "inventory_nodes"]

#: What a built collection must not carry (galaxy.yml's build_ignore).
NOT_SHIPPED = (".venv/", "var/", "build/", "dist/", "tests/output/", ".pytest_cache/", ".ansible/",
               "bench/results/", "__pycache__/", ".egg-info/", ".git/")


def require_program(name):
    """The path of ``name`` in the venv or on PATH; missing, the test fails in CI and skips elsewhere."""
    path = shutil.which(name, path=f"{BIN}:{os.environ['PATH']}")
    if path is None:
        message = f"{name} is not installed (make venv installs the Python tools; " \
                  "scripts/system-packages.sh the Debian ones)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def checkout_files():
    """The checkout's files, relative to it: tracked and new ones, not ignored ones."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout.decode()
    return [path for path in listed.split("\0") if path and os.path.isfile(os.path.join(ROOT, path))]


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """A copy of the checkout at .../ansible_collections/cairn/cluster (its path)."""
    require_program("git")
    copy = tmp_path_factory.mktemp("collection") / "ansible_collections" / "cairn" / "cluster"
    for path in checkout_files():
        os.makedirs(copy / os.path.dirname(path), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, path), copy / path)
    return copy


@pytest.fixture(scope="module")
def cairn_server(tmp_path_factory):
    running = Server("sqlite", str(tmp_path_factory.mktemp("checks-server")))
    yield running
    running.stop()


def tool_env(**extra):
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "ANSIBLE_NOCOLOR": "1", **extra}


def adhoc(module, args, env, cwd):
    """The result of ``module`` run once on localhost by ansible: ``localhost | STATUS => {...}``."""
    output = run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", json.dumps(args)],
                 env, cwd=cwd)
    result = re.search(r"^localhost \| [A-Z]+ => (\{.*\})\s*\Z", output, re.MULTILINE | re.DOTALL)
    assert result, output
    return json.loads(result.group(1))


def install_get_pip_stand_in():
    """GET_PIP_STAND_IN where ansible-test looks for the get-pip of the pip version it pins,
    unless a get-pip is there already."""
    from ansible_test._internal.python_requirements import get_venv_packages
    pip_version = get_venv_packages(types.SimpleNamespace(version=PYTHON))["pip"]
    path = os.path.expanduser(f"~/.ansible/test/cache/get_pip_{pip_version.replace('.', '_')}.py")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as handle:
            handle.write(GET_PIP_STAND_IN)
        os.replace(path + ".tmp", path)


def test_no_sanity_test_is_ignored():
    ignores = glob.glob(os.path.join(ROOT, "tests", "sanity", "ignore-*.txt"))
    assert not ignores, f"sanity failures are fixed, not ignored: {ignores}"


def test_ansible_test_sanity_passes(collection):
    require_program("shellcheck")  # its sanity test is skipped, and passes, without it
    install_get_pip_stand_in()
    sanity = [*ANSIBLE_TEST, "sanity", "--local", "--python", PYTHON]
    run([*sanity, "--skip-test", "shebang"], tool_env(), cwd=collection, timeout=1800)
    excluded = [option for path in SCRIPT_TEMPLATES for option in ("--exclude", path)]
    run([*sanity, "--test", "shebang", *excluded], tool_env(), cwd=collection)


def test_ansible_test_units_pass(collection):
    # Only the plugins' tests: tests/unit/*.py are the server's, which pytest runs.
    output = run([*ANSIBLE_TEST, "units", "--local", "--python", PYTHON, "tests/unit/plugins/"],
                 tool_env(), cwd=collection)
    summary = re.search(r"^=+ (\d+) passed in [^=]*=+$", output, re.MULTILINE)
    assert summary and int(summary.group(1)) >= 9, output  # none skipped, none failed


def test_every_integration_target_is_run():
    targets = os.path.join(ROOT, "tests", "integration", "targets")
    runnable = set()
    for name in os.listdir(targets):
        with open(os.path.join(targets, name, "aliases")) as handle:
            aliases = {line.split("#")[0].strip() for line in handle}
        if "hidden" not in aliases:
            runnable.add(name)
    assert runnable == set(INTEGRATION_TARGETS)


def test_ansible_test_integration_passes_against_a_server(collection, cairn_server):
    # ansible-test passes the integration config, not the environment, to the targets.
    with open(collection / "tests" / "integration" / "integration_config.yml", "w") as handle:
        yaml.safe_dump({"cairn_url": cairn_server.url, "cairn_token": cairn_server.token}, handle)
    output = run([*ANSIBLE_TEST, "integration", "--local", "--python", PYTHON, *INTEGRATION_TARGETS],
                 tool_env(), cwd=collection)
    for target in INTEGRATION_TARGETS:
        assert re.search(f"^Running {target} integration test (role|script)$", output, re.MULTILINE), output


def test_ansible_lint_passes_on_the_roles_and_playbooks(collection):
    lint = require_program("ansible-lint")
    # In the copy (ansible-lint writes its own files, .ansible/, beside the collection),
    # which also makes the playbooks' cairn.cluster roles resolvable.
    output = run([lint, "--offline", "roles", "playbooks"],
                 tool_env(ANSIBLE_COLLECTIONS_PATH=str(collection.parents[2])), cwd=collection)
    assert "Profile 'production' was required, and it passed" in output, output


def test_the_built_collection_installs_and_runs(cairn_server, tmp_path):
    # From the checkout itself, with its venv and leftovers: build_ignore keeps them out.
    galaxy = require_program("ansible-galaxy")
    run([galaxy, "collection", "build", "--output-path", str(tmp_path), ROOT], tool_env())
    tarball, = glob.glob(str(tmp_path / "cairn-cluster-*.tar.gz"))
    assert os.path.getsize(tarball) < 2 * 1024 * 1024
    with tarfile.open(tarball) as archive:
        members = archive.getnames()
    assert "galaxy.yml" not in members and "MANIFEST.json" in members
    assert {"plugins/module_utils/api.py", "roles/dhcp/tasks/main.yml", "server/cairn/__init__.py",
            "pyproject.toml"} <= set(members)
    leftovers = [name for name in members if any(part in name + "/" for part in NOT_SHIPPED)]
    assert not leftovers, leftovers

    installed = tmp_path / "installed"
    run([galaxy, "collection", "install", "--offline", "-p", str(installed), tarball], tool_env())
    env = tool_env(ANSIBLE_COLLECTIONS_PATH=str(installed), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   CAIRN_URL=cairn_server.url, CAIRN_TOKEN=cairn_server.token)
    listing = run(["ansible-galaxy", "collection", "list", "cairn.cluster"], env, cwd=tmp_path)
    assert str(installed) in listing, listing
    context = adhoc("ansible.builtin.debug", {"msg": "{{ lookup('cairn.cluster.render_context', 'dns') }}"},
                    env, tmp_path)
    assert isinstance(context["msg"]["soa_serial"], int), context

    # Modules and the inventory plugin of the installed copy (url and token from CAIRN_*).
    network = {"name": "installed", "network": "10.206.0.0/16"}
    created = adhoc("cairn.cluster.network", network, env, tmp_path)
    assert created["changed"] and created["record"]["network"] == "10.206.0.0/16", created
    assert not adhoc("cairn.cluster.network", network, env, tmp_path)["changed"]
    [record] = adhoc("cairn.cluster.network_info", {"name": "installed"}, env, tmp_path)["records"]
    assert record == created["record"]
    adhoc("cairn.cluster.group", {"name": "installed", "interfaces": [{"interface": "BOOTIF", "network": "installed"}]},
          env, tmp_path)
    node = adhoc("cairn.cluster.node", {"name": "installed001", "group": "installed"}, env, tmp_path)["record"]
    (tmp_path / "installed.cairn.yml").write_text("plugin: cairn.cluster.nodes\n")
    inventory = json.loads(run(["ansible-inventory", "-i", str(tmp_path / "installed.cairn.yml"), "--list"],
                               {**env, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}, cwd=tmp_path))
    assert inventory["group_installed"]["hosts"] == ["installed001"], inventory
    address = inventory["_meta"]["hostvars"]["installed001"]["ansible_host"]
    assert address == {"__ansible_unsafe": node["interfaces"][0]["ipaddress"]}, inventory
