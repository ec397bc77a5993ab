"""What the engine is given and what it answers (see cairn.bmc)."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Target:
    """One node's BMC."""

    host: str                  # the node's name
    address: str               # the BMC's address (the node's BMC interface)
    username: str
    password: str = dataclasses.field(repr=False)   # never in a repr, a log or an outcome
    port: int = 623
    protocol: str = "ipmi"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one action did on one host: result "on"/"off" (power status), "ok" (done),
    the boot device (boot status) or "failed"; detail: the reason of a failure (one line,
    never a secret), the entries of sel list, {"persistent": bool} of a boot device."""

    host: str
    result: str
    detail: object = None


@dataclasses.dataclass(frozen=True)
class Policy:
    """How hard the engine tries: at most ``concurrency`` BMCs of one run at a time,
    ``timeout`` seconds per attempt, ``retries`` more attempts after a timeout."""

    concurrency: int = 512
    timeout: float = 2.0
    retries: int = 1

    def __post_init__(self):
        if self.concurrency < 1 or self.timeout <= 0 or self.retries < 0:
            raise ValueError(f"invalid BMC policy {self}")
