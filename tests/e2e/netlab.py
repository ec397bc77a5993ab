"""Network namespaces, links and daemons for the end-to-end tests, removed again
whatever happens.

A ``Lab`` is a context manager: every namespace, link and process it makes is
registered on an ExitStack at once, so leaving the ``with`` block (a failed
assertion included) stops the processes by their PID and then deletes the
links and namespaces, newest first. Names carry the test process's PID and a
counter, so parallel test sessions on one machine never share one; interface
names stay within Linux's 15 characters.
"""

import contextlib
import itertools
import os
import subprocess
import time

import pytest

from conftest import IN_CI, require_tool, stop_process

_serial = itertools.count()


def unique(prefix):
    """A name no other Lab (of this or another process) uses: ``prefix``, PID, counter;
    at most 15 characters for a prefix of up to 3."""
    return f"{prefix}{os.getpid() % 10**8}{next(_serial) % 1000}"[:15]


def require_lab(*tools):
    """Root and ``ip`` (namespaces need both), and each of ``tools``: their paths; when
    one is missing, skip the test (fail it in CI, which runs as root)."""
    if os.geteuid() != 0:
        message = "the end-to-end tests create network namespaces: run them as root"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    require_tool("ip")
    return [require_tool(tool) for tool in tools]


def run(*argv, netns=None, check=True, timeout=60):
    """Run a command (in namespace ``netns``); its CompletedProcess, output as text."""
    argv = [*in_netns(netns), *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def in_netns(netns):
    """The prefix that runs a command inside ``netns`` (none for the root namespace);
    `ip netns exec` execs the command, so a process's PID is the command's own."""
    return ["ip", "netns", "exec", netns] if netns else []


def wait_for(what, probe, timeout, interval=0.2):
    """``probe()``'s first true value within ``timeout`` seconds, else an AssertionError
    saying what never happened (``what`` may be a callable giving details)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what() if callable(what) else what} (waited {timeout} s)")
        time.sleep(interval)


class Daemon:
    """A process started in a namespace, its output in ``log_path``."""

    def __init__(self, argv, log_path, netns=None, env=None):
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen([*in_netns(netns), *argv], stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=dict(os.environ, **(env or {})))

    def output(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.alive():
            stop_process(self.process)


class Lab(contextlib.ExitStack):
    """Namespaces, links and daemons that are all gone after the ``with`` block."""

    def netns(self, prefix="ns"):
        """A new namespace with its loopback up; its name."""
        name = unique(prefix)
        run("ip", "netns", "add", name)
        self.callback(run, "ip", "netns", "delete", name, check=False)
        run("ip", "link", "set", "lo", "up", netns=name)
        return name

    def veth(self, name, peer):
        """A veth pair in the root namespace (move its ends with ``move``)."""
        run("ip", "link", "add", name, "type", "veth", "peer", "name", peer)
        # Deleting one end deletes both; an end moved into a namespace goes with it.
        self.callback(run, "ip", "link", "delete", name, check=False)
        return name, peer

    def move(self, link, netns, address=None, mac=None):
        """Move ``link`` into ``netns`` (None: stay) and bring it up there, with an address
        (CIDR) and a MAC address when given."""
        if netns:
            run("ip", "link", "set", link, "netns", netns)
        self.configure(link, netns, address, mac)

    @staticmethod
    def configure(link, netns, address=None, mac=None):
        if mac:
            run("ip", "link", "set", link, "down", netns=netns)
            run("ip", "link", "set", link, "address", mac, netns=netns)
        if address:
            run("ip", "addr", "add", address, "dev", link, netns=netns)
        run("ip", "link", "set", link, "up", netns=netns)

    def bridge(self, netns, name, address, ports=()):
        """A bridge in ``netns`` with ``address`` (CIDR) and ``ports`` (links already there)."""
        run("ip", "link", "add", name, "type", "bridge", "forward_delay", "0", netns=netns)
        for port in ports:
            run("ip", "link", "set", port, "master", name, netns=netns)
            run("ip", "link", "set", port, "up", netns=netns)
        self.configure(name, netns, address)
        return name

    def tap(self, netns, name):
        """A tap device in ``netns`` for a QEMU NIC (deleted with the namespace)."""
        run("ip", "tuntap", "add", "dev", name, "mode", "tap", netns=netns)
        return name

    def daemon(self, argv, log_path, netns=None, env=None):
        """A process in ``netns`` (with ``env`` added to its environment), stopped (by PID)
        when the lab closes."""
        daemon = Daemon(argv, log_path, netns, env)
        self.callback(daemon.stop)
        return daemon


def listening_udp(netns, port):
    """Whether something in ``netns`` listens on UDP ``port``."""
    return f":{port} " in run("ss", "-Hlun", netns=netns).stdout


def link_up(netns, link):
    """Whether ``link`` in ``netns`` is operationally up (has a carrier)."""
    return run("ip", "-br", "link", "show", link, netns=netns).stdout.split()[1] == "UP"
