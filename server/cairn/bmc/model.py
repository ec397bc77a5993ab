"""What the engine is given and what it answers (see cairn.bmc)."""

import dataclasses

#: protocol -> the port its BMCs listen on: IPMI over UDP, Redfish over HTTPS.
DEFAULT_PORTS = {"ipmi": 623, "redfish": 443}
PROTOCOLS = tuple(DEFAULT_PORTS)
#: The reason of a BMC that refused the user name or the password, whatever the protocol.
WRONG_CREDENTIALS = "wrong username or password"


@dataclasses.dataclass(frozen=True)
class Target:
    """One node's BMC."""

    host: str                  # the node's name
    address: str               # the BMC's address (the node's BMC interface)
    username: str
    password: str = dataclasses.field(repr=False)   # never in a repr, a log or an outcome
    port: int = None           # None: the protocol's (DEFAULT_PORTS)
    protocol: str = "ipmi"     # one of PROTOCOLS

    def __post_init__(self):
        if self.protocol not in DEFAULT_PORTS:
            raise ValueError(f"unknown BMC protocol {self.protocol!r}")
        if self.port is None:
            object.__setattr__(self, "port", DEFAULT_PORTS[self.protocol])


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
    ``timeout`` seconds per attempt (Redfish: per HTTP request, to connect and to read),
    ``retries`` more attempts after a timeout. ``redfish_ca``: the CA bundle (a file or
    a directory) that Redfish BMCs' certificates are verified against; empty: they are
    not verified."""

    concurrency: int = 512
    timeout: float = 2.0
    retries: int = 1
    redfish_ca: str = ""

    def __post_init__(self):
        if self.concurrency < 1 or self.timeout <= 0 or self.retries < 0:
            raise ValueError(f"invalid BMC policy {self}")
