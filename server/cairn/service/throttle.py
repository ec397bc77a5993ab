"""Login throttling: failed logins counted per client address, in this controller's memory.

Every password check (POST /token, HTTP Basic) is first admitted here: an address
with ``login_failures_allowed`` failures within the last ``login_failure_window``
seconds is refused with a 429, the right password too, until the oldest of them
leaves the window. An attempt counts from the moment it is admitted and is
forgiven unless it fails: parallel guesses cannot slip past the limit together.

An IPv6 client is counted by its /64: a host holds a whole /64 and could take a new
address of it for each guess.

A success forgives only itself, never earlier failures: logging in with an account
one owns must not buy more guesses at another's password. The counts live in
each controller's memory (see docs/API.md, "Login throttling"): cheap, and gone
after a restart.
"""

import contextlib
import ipaddress
import logging
import math
import threading
import time

from .errors import ServiceError, Unauthorized

log = logging.getLogger("cairn.throttle")


class TooManyFailures(ServiceError):
    """A 429: the client's address failed to log in too often; ``retry_after`` in seconds."""
    status = 429

    def __init__(self, retry_after):
        super().__init__(f"too many failed logins from this address: try again in {retry_after} s")
        self.retry_after = retry_after


def client_key(address):
    """What the failures of ``address`` are counted under: an IPv4 address (also one mapped
    into IPv6), or an IPv6 address's /64; anything else (no address) as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


class AttemptLog:
    """The monotonic times of each client's failed (or still running) attempts, oldest first."""

    # Clients whose attempts all left the window are dropped when the table has grown to
    # twice its size after the last sweep: memory follows the clients of one window.
    SWEEP_FLOOR = 1024

    def __init__(self):
        self.times = {}
        self.lock = threading.Lock()
        self.sweep_at = self.SWEEP_FLOOR

    def _recent(self, key, window, now):
        times = [t for t in self.times.get(key, ()) if t > now - window]
        if times:
            self.times[key] = times
        else:
            self.times.pop(key, None)
        return times

    def admit(self, key, allowed, window, now):
        """Count an attempt of ``key`` at ``now``, or raise TooManyFailures."""
        with self.lock:
            times = self._recent(key, window, now)
            if len(times) >= allowed:
                raise TooManyFailures(max(1, math.ceil(times[0] + window - now)))
            self.times.setdefault(key, []).append(now)
            if len(self.times) > self.sweep_at:
                for other in list(self.times):
                    self._recent(other, window, now)
                self.sweep_at = max(self.SWEEP_FLOOR, 2 * len(self.times))

    def count(self, key):
        with self.lock:
            return len(self.times.get(key, ()))

    def forgive(self, key, stamp):
        """Uncount the attempt admitted at ``stamp``: it did not fail."""
        with self.lock:
            times = self.times.get(key, [])
            if stamp in times:
                times.remove(stamp)


_attempts = AttemptLog()


@contextlib.contextmanager
def login_attempt(settings, address):
    """Admit one password check from ``address`` (REMOTE_ADDR) or raise TooManyFailures;
    the attempt counts as a failure when the block raises Unauthorized."""
    if settings.login_failures_allowed == 0:
        yield
        return
    key, stamp = client_key(address), time.monotonic()
    _attempts.admit(key, settings.login_failures_allowed, settings.login_failure_window, stamp)
    failed = False
    try:
        yield
    except Unauthorized:
        failed = True
        if _attempts.count(key) == settings.login_failures_allowed:  # once per lockout
            log.warning("%d failed logins from %s within %d s: its logins answer 429 until the "
                        "oldest leaves that window", settings.login_failures_allowed, key,
                        settings.login_failure_window)
        raise
    finally:
        if not failed:
            _attempts.forgive(key, stamp)
