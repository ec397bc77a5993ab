"""Login throttling: failed logins counted per client address, in the database.

Every password check (POST /token, HTTP Basic) is first admitted here: an address
with ``login_failures_allowed`` failures within the last ``login_failure_window``
seconds is refused with a 429, the right password too, until the oldest of them
leaves the window. An attempt counts from the moment it is admitted and is
forgiven unless it fails: parallel guesses cannot slip past the limit together.

An IPv6 client is counted by its /64: a host holds a whole /64 and could take a new
address of it for each guess.

A success forgives only itself, never earlier failures: logging in with an account
one owns must not buy more guesses at another's password. The counts live in the
login_attempt table, so that every process of the server and every controller on
the database counts the same attempts (a guesser cannot multiply the limit by the
number of processes); attempts leave it once they are older than the window.
"""

import contextlib
import ipaddress
import logging
import math

from ..db import logins as db_logins
from .errors import ServiceError, Unauthorized
from .tx import writes

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


@writes(journal=False)
def _admit(tx, key, allowed, window):
    """Count an attempt of ``key`` now: (its id, how many ``key`` has now); or raise
    TooManyFailures."""
    db_logins.lock(tx.conn)
    now = int(tx.clock() * 1000)
    db_logins.forget_before(tx.conn, now - window * 1000)
    times = db_logins.times(tx.conn, key)
    if len(times) >= allowed:
        raise TooManyFailures(max(1, math.ceil((times[0] - now) / 1000 + window)))
    return db_logins.add(tx.conn, key, now), len(times) + 1


@writes(journal=False)
def _forgive(tx, attempt_id):
    db_logins.remove(tx.conn, attempt_id)


@contextlib.contextmanager
def login_attempt(ctx, address):
    """Admit one password check from ``address`` (REMOTE_ADDR) or raise TooManyFailures;
    the attempt counts as a failure when the block raises Unauthorized."""
    settings = ctx.settings
    if settings.login_failures_allowed == 0:
        yield
        return
    key = client_key(address)[:64]
    attempt_id, count = _admit(ctx, key, settings.login_failures_allowed, settings.login_failure_window)
    failed = False
    try:
        yield
    except Unauthorized:
        failed = True
        if count == settings.login_failures_allowed:  # once per lockout
            log.warning("%d failed logins from %s within %d s: its logins answer 429 until the "
                        "oldest leaves that window", settings.login_failures_allowed, key,
                        settings.login_failure_window)
        raise
    finally:
        if not failed:
            _forgive(ctx, attempt_id)
