"""Reloading the controller's DHCP and DNS daemons, and asking whether they answer.

What each setting selects (config.py documents them):

- DHCP, ``dhcp_daemon`` "kea": with ``kea_control_socket`` set, Kea is reloaded
  through its control socket (``{"command": "config-reload"}``: Kea reads its
  configuration file again, the one the server rendered) and checked with
  ``status-get``; without a socket, ``dhcp_reload_command`` reloads it.
- DHCP, "isc": dhcpd cannot reload; ``dhcp_reload_command`` (e.g.
  ``systemctl restart isc-dhcp-server``) restarts it, and the process named by
  ``dhcpd_pid_file`` must be alive.
- DHCP, "none": files are rendered, no daemon is reloaded or checked.
- DNS: ``rndc_command`` (``rndc`` plus its options) followed by ``reload`` or
  ``status``; empty: no BIND is reloaded or checked.

A configured command is split like a shell would (shlex) and run without a shell.
Every failure raises DaemonError with what the daemon or the command said.
"""

import json
import os
import shlex
import socket
import subprocess

#: Seconds a command or the control socket may take before it counts as not answering.
TIMEOUT = 30


class DaemonError(Exception):
    """A daemon did not reload or did not answer; the message says why."""


def _run(command, *args):
    argv = shlex.split(command) + list(args)
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as failed:
        raise DaemonError(f"{' '.join(argv)}: {failed}") from failed
    if done.returncode != 0:
        raise DaemonError(f"{' '.join(argv)} exited with {done.returncode}: {done.stdout.strip()}")
    return done.stdout


def kea_command(path, command):
    """Send ``{"command": command}`` to Kea's control socket at ``path``; its answer,
    unless Kea's result is not 0 (success)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(TIMEOUT)
            sock.connect(path)
            sock.sendall(json.dumps({"command": command}).encode())
            answer = _read_json(sock)
    except OSError as failed:
        raise DaemonError(f"Kea's control socket {path}: {failed}") from failed
    if answer.get("result") != 0:
        raise DaemonError(f"Kea refused {command}: {answer.get('text')}")
    return answer


def _read_json(sock):
    """One JSON answer: Kea closes the connection after it, but may send it in parts."""
    received = b""
    while True:
        chunk = sock.recv(65536)
        received += chunk
        try:
            return json.loads(received)
        except ValueError:
            if not chunk:
                raise DaemonError(f"Kea answered no JSON: {received[:200]!r}") from None


def reload_dhcp(settings):
    """Make the DHCP daemon read the rendered file; False when none is set up to be reloaded."""
    if settings.dhcp_daemon == "kea" and settings.kea_control_socket:
        kea_command(settings.kea_control_socket, "config-reload")
    elif settings.dhcp_daemon != "none" and settings.dhcp_reload_command:
        _run(settings.dhcp_reload_command)
    else:
        return False
    return True


def check_dhcp(settings):
    """"running" when the DHCP daemon answers, "rendered" when none is checked."""
    if settings.dhcp_daemon == "kea" and settings.kea_control_socket:
        kea_command(settings.kea_control_socket, "status-get")
        return "running"
    if settings.dhcp_daemon == "isc":
        _check_pid_file(settings.dhcpd_pid_file)
        return "running"
    return "rendered"


def _check_pid_file(path):
    try:
        with open(path) as handle:
            pid = int(handle.read().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError) as failed:
        raise DaemonError(f"dhcpd is not running (pid file {path}: {failed})") from failed


def reload_dns(settings):
    """``rndc reload``; False when no rndc_command is set."""
    if not settings.rndc_command:
        return False
    _run(settings.rndc_command, "reload")
    return True


def check_dns(settings):
    if not settings.rndc_command:
        return "rendered"
    _run(settings.rndc_command, "status")
    return "running"


RELOAD = {"dhcp": reload_dhcp, "dns": reload_dns}
CHECK = {"dhcp": check_dhcp, "dns": check_dns}
DHCP_DAEMONS = ("kea", "isc", "none")
