"""Runs an action on many BMCs at once over pyghmi's IPMI sessions, from one thread.

pyghmi's sessions share one event loop per process (Session.wait_for_rsp): the
callbacks of every session run in whichever thread calls it, and a synchronous session
holds its thread until pyghmi's own retries end (about 5 s for a BMC that does not
answer). So one thread, the driver, owns every session: it opens them asynchronously
(an onlogon callback), sends each request with a callback, abandons an attempt at the
policy's deadline, and keeps at most policy.concurrency attempts of a run in flight.
run() hands its work to the driver and waits; runs from several threads (API requests)
proceed side by side in the same driver. A BMC is never in two sessions of the engine at
once: pyghmi would hand both the same session.
"""

import collections
import functools
import logging
import threading
import time

from pyghmi import exceptions as pyghmi_exceptions
from pyghmi.ipmi.private import session as ipmi_session
from pyghmi.ipmi.private import util as ipmi_util

from cairn.bmc import ipmi, redfish
from cairn.bmc.model import WRONG_CREDENTIALS, Outcome, Policy

log = logging.getLogger("cairn.bmc")

#: subsystem -> its actions: IPMI's, which Redfish BMCs do too, and Redfish's own.
ACTIONS = {**ipmi.ACTIONS, **redfish.ACTIONS}
# pyghmi's login errors that mean the BMC refused the user name or the password.
_CREDENTIAL_ERRORS = ("Incorrect password provided", "Unauthorized name")
_POLL = 0.05          # seconds: how soon the driver notices a new run while busy


class _Session(ipmi_session.Session):
    """pyghmi's session, minus the one request its login sends synchronously: its
    privilege level request would hold the driver for a round trip, and for pyghmi's
    retransmission timer (0.5 to 1 s) when the answer comes in before pyghmi starts
    waiting for it. The operation asks for it instead (ipmi.in_session). No re-login
    either (logontries 0): a command that gets no answer fails the attempt, and the
    engine decides about a retry."""

    def _req_priv_level(self):
        self.logged = 1
        self.logoutexpiry = None
        self.maxtimeout = 4
        self.logontries = 0
        self.logging = False
        self.onlogon({"success": True})


class _Operation:
    """One action on one BMC (the hosts that share it get the same outcome)."""

    def __init__(self, target, subsystem, action, run):
        self.target = target
        self.key = (target.address, target.port)
        self.make_steps = ipmi.OPERATIONS[(subsystem, action)]
        self.repeatable = (subsystem, action) not in ipmi.UNREPEATABLE
        self.run = run
        self.retries = run.policy.retries
        self.attempt = 0          # bumped when an attempt ends: its late callbacks are ignored
        self.session = None
        self.steps = None
        self.logged_in = False
        self.acted = False        # a request of the action itself went out in this attempt
        self.deadline = None
        self.outcome = None


class _Run:
    def __init__(self, subsystem, action, policy):
        self.label = f"{subsystem} {action}"
        self.policy = policy
        self.pending = collections.deque()
        self.in_flight = set()
        self.left = 0
        self.done = threading.Event()


class _Driver:
    def __init__(self):
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._incoming = []
        self._runs = []
        self._busy = set()        # keys of the BMCs in a session
        self._answers = collections.deque()     # (operation, its attempt, pyghmi's callback argument)
        self._thread = None

    def submit(self, run):
        with self._work:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="cairn-bmc", daemon=True)
                self._thread.start()
            self._incoming.append(run)
            self._work.notify()

    def _loop(self):
        while True:
            with self._work:
                while not self._incoming and not self._runs:
                    self._work.wait()
                self._runs.extend(self._incoming)
                self._incoming.clear()
            try:
                self._turn()
            except Exception:  # pylint: disable=broad-except  # the driver must outlive a bug
                log.exception("BMC engine: unexpected error")

    def _turn(self):
        for run in self._runs:
            self._start(run)
        deadlines = [op.deadline for run in self._runs for op in run.in_flight]
        if deadlines:
            ipmi_session.Session.wait_for_rsp(timeout=max(0.0, min(_POLL, min(deadlines) - time.monotonic())))
        while self._answers:
            op, attempt, response = self._answers.popleft()
            if attempt == op.attempt:
                self._handle(op, response)
        now = time.monotonic()
        for run in self._runs:
            for op in [op for op in run.in_flight if op.deadline <= now]:
                self._attempt_failed(op, f"timeout after {run.policy.timeout:g} s")
        for run in [run for run in self._runs if not run.left]:
            self._runs.remove(run)
            run.done.set()

    def _start(self, run):
        postponed = []
        while run.pending and len(run.in_flight) < run.policy.concurrency:
            op = run.pending.popleft()
            if op.key in self._busy:
                postponed.append(op)
            else:
                self._open(op)
        run.pending.extendleft(reversed(postponed))

    def _open(self, op):
        target = op.target
        op.run.in_flight.add(op)
        self._busy.add(op.key)
        op.deadline = time.monotonic() + op.run.policy.timeout
        op.logged_in = op.acted = False
        op.steps = ipmi.in_session(op.make_steps())
        try:
            # Bytes, not str: pyghmi files a session being opened under its arguments and
            # removes it under the bytes it made of them; str would leave it there, and the
            # next session to the same BMC would be handed that dead one.
            op.session = _Session(
                bmc=target.address, userid=(target.username or "").encode(),
                password=(target.password or "").encode(),
                port=target.port, onlogon=functools.partial(self._called_back, op, op.attempt), keepalive=False)
        except (pyghmi_exceptions.IpmiException, OSError, ValueError) as error:
            op.session = None
            self._attempt_failed(op, f"cannot reach {target.address}: {error or 'no answer'}", final=True)

    def _called_back(self, op, attempt, response):
        # pyghmi calls back from inside its packet handling, where sending the next request
        # would lose its answer (pyghmi forgets the request it is expecting after the
        # callback returns): note it, and act after wait_for_rsp.
        self._answers.append((op, attempt, response))

    def _handle(self, op, response):
        error = response.get("error")
        if not op.logged_in:
            if error:
                final = error.startswith(_CREDENTIAL_ERRORS)
                self._attempt_failed(op, WRONG_CREDENTIALS if final else f"login failed: {error}", final)
            else:
                op.logged_in = True
                self._advance(op, None)
            return
        # A request sent with a callback leaves this to the caller (pyghmi's raw_command).
        op.session.incommand = False
        while op.session.evq:
            op.session.evq.popleft().set()
        if error:
            self._attempt_failed(op, f"no answer: {error}")
        elif response["code"]:
            self._attempt_failed(op, f"BMC error: {ipmi_util.get_ipmi_error(response)}", final=True)
        else:
            self._advance(op, bytes(response["data"]))

    def _advance(self, op, data):
        try:
            netfn, command, request = op.steps.send(data)
        except StopIteration as done:
            self._finish(op, *done.value)
            return
        except (IndexError, ValueError, KeyError) as error:       # a short or odd answer
            self._attempt_failed(op, f"unexpected answer from the BMC ({error})", final=True)
            return
        op.acted = op.acted or (netfn, command, request) != ipmi.SESSION_PRIVILEGE
        try:
            op.session.raw_command(netfn=netfn, command=command, data=request,
                                   callback=functools.partial(self._called_back, op, op.attempt))
        except pyghmi_exceptions.IpmiException as error:
            self._attempt_failed(op, f"session lost: {error}")

    def _attempt_failed(self, op, detail, final=False):
        if not final and op.retries and (op.repeatable or not op.acted):
            op.retries -= 1
            self._end_attempt(op)
            op.run.pending.appendleft(op)
            return
        log.debug("%s on %s (%s): %s", op.run.label, op.target.host, op.target.address, detail)
        self._finish(op, "failed", detail)

    def _finish(self, op, result, detail):
        self._end_attempt(op)
        op.outcome = (result, detail)
        op.run.left -= 1

    def _end_attempt(self, op):
        op.attempt += 1
        op.run.in_flight.discard(op)
        self._busy.discard(op.key)
        if op.session is not None:
            _close(op.session)
            op.session = None


def _close(session):
    """Log out, or give up a login; pyghmi's private state is touched where it offers no
    way to abandon a session: a command still in flight would make logout wait for it,
    and the close request would queue behind it."""
    session.incommand = False
    session.lastpayload = None
    try:
        if session.logged:
            session.logout()
        else:
            session._mark_broken()   # pylint: disable=protected-access  # stops its retries too
    except (pyghmi_exceptions.IpmiException, OSError):
        pass


_driver = _Driver()


def run(targets, subsystem, action, policy=Policy(), argument=None):
    """The outcome of ``subsystem action`` on every target, in the targets' order: the
    IPMI targets through the driver, the Redfish ones (cairn.bmc.redfish) in the
    meantime. ``argument``: what an action of the redfish subsystem is given."""
    if action not in ACTIONS.get(subsystem, ()):
        raise ValueError(f"unknown BMC action {subsystem} {action}")
    started = time.monotonic()
    label = f"{subsystem} {action}"
    found = {}      # host -> (result, detail), or the IPMI _Operation that will tell
    by_protocol = {"ipmi": [], "redfish": []}
    for target in targets:
        if not target.address:
            found[target.host] = ("failed", "no BMC address")
        elif target.protocol == "ipmi" and (subsystem, action) not in ipmi.OPERATIONS:
            found[target.host] = ("failed", f"{label} needs a BMC setup with protocol redfish")
        else:
            by_protocol[target.protocol].append(target)
    batch = _submit(by_protocol["ipmi"], subsystem, action, policy, found)
    found.update(redfish.run(by_protocol["redfish"], subsystem, action, policy, argument))
    if batch is not None:
        batch.done.wait()
    results = []
    for target in targets:
        outcome = found[target.host]
        results.append(Outcome(target.host, *(outcome if isinstance(outcome, tuple) else outcome.outcome)))
    failed = sum(1 for outcome in results if outcome.result == "failed")
    log.info("%s on %d BMCs: %d failed, %.1f s", label, len(results), failed, time.monotonic() - started)
    return results


def _submit(targets, subsystem, action, policy, found):
    """Hand the IPMI targets to the driver, the hosts that share a BMC as one operation,
    noted in ``found``; the run, whose done event tells when their outcomes are in."""
    if not targets:
        return None
    batch = _Run(subsystem, action, policy)
    operations = {}
    for target in targets:
        share = (target.address, target.port, target.username, target.password)
        if share not in operations:
            operations[share] = _Operation(target, subsystem, action, batch)
        found[target.host] = operations[share]
    batch.pending.extend(operations.values())
    batch.left = len(operations)
    _driver.submit(batch)
    return batch
