"""The BMC engine: power, identify, SEL and boot device of many nodes at once over IPMI.

    outcomes = cairn.bmc.run(targets, "power", "status", cairn.bmc.policy(settings))

run() answers one Outcome per target, in the targets' order, and never raises for a
BMC's failure (an unknown subsystem or action is a ValueError). It talks IPMI itself
(pyghmi, no subprocess), to at most policy.concurrency BMCs at a time, gives an attempt
policy.timeout seconds and a BMC that does not answer policy.retries more attempts; a
wrong user name or password fails at once. Hosts that share a BMC (same address, port
and credentials) share one operation and its outcome. Passwords are never logged nor
put in an outcome.
"""

from cairn.bmc.engine import WRONG_CREDENTIALS, run
from cairn.bmc.ipmi import ACTIONS
from cairn.bmc.model import Outcome, Policy, Target


def policy(settings):
    """The Policy of the server's settings bmc_concurrency, bmc_timeout and bmc_retries."""
    return Policy(concurrency=settings.bmc_concurrency, timeout=settings.bmc_timeout,
                  retries=settings.bmc_retries)


__all__ = ["ACTIONS", "Outcome", "Policy", "Target", "WRONG_CREDENTIALS", "policy", "run"]
