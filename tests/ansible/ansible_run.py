"""Running the collection from the checkout: a scratch ansible_collections tree whose
cairn/cluster is a link to the repository root, and ansible-playbook from the venv."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def collections_path(scratch):
    """A directory to put in ANSIBLE_COLLECTIONS_PATH that holds cairn.cluster (this checkout)."""
    namespace = os.path.join(scratch, "ansible_collections", "cairn")
    os.makedirs(namespace, exist_ok=True)
    link = os.path.join(namespace, "cluster")
    if not os.path.islink(link):
        os.symlink(ROOT, link)
    return scratch


def ansible_env(scratch, server, **extra):
    """The environment of an ansible command against ``server`` (conftest's Server)."""
    return {**os.environ, "ANSIBLE_COLLECTIONS_PATH": collections_path(scratch),
            "ANSIBLE_LOCAL_TEMP": os.path.join(scratch, "tmp"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "PATH": f"{BIN}:{os.environ['PATH']}",
            "CAIRN_URL": server.url, "CAIRN_TOKEN": server.token, **extra}


def run(argv, env, cwd=None, timeout=600):
    """Run an ansible or molecule command; fail the test with its output when it fails."""
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stdout[-20000:]}"
    return done.stdout
