"""The BMC engine: power, identify, SEL and boot device of many nodes at once, over IPMI
or Redfish (each target says which), and the Redfish-only actions (upload, setting).

    outcomes = cairn.bmc.run(targets, "power", "status", cairn.bmc.policy(settings))

run() answers one Outcome per target, in the targets' order, and never raises for a
BMC's failure (an unknown subsystem or action is a ValueError). It talks IPMI itself
(pyghmi, no subprocess) and Redfish over HTTPS (requests), to at most
policy.concurrency BMCs of each protocol at a time, gives an attempt (Redfish: an HTTP
request) policy.timeout seconds and a BMC that does not answer policy.retries more
attempts; a wrong user name or password fails at once. Hosts that share a BMC (same
address, port and credentials) share one operation and its outcome (Redfish: the
BMC's system, or each host the system named like it). Passwords are never logged nor
put in an outcome.
"""

from cairn.bmc.engine import ACTIONS, run
from cairn.bmc.model import PROTOCOLS, WRONG_CREDENTIALS, Outcome, Policy, Target


def policy(settings):
    """The Policy of the server's settings bmc_concurrency, bmc_timeout, bmc_retries and
    bmc_redfish_ca."""
    return Policy(concurrency=settings.bmc_concurrency, timeout=settings.bmc_timeout,
                  retries=settings.bmc_retries, redfish_ca=settings.bmc_redfish_ca)


__all__ = ["ACTIONS", "PROTOCOLS", "Outcome", "Policy", "Target", "WRONG_CREDENTIALS", "policy", "run"]
