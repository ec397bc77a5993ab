"""Server settings: built-in defaults < config file (TOML) < CAIRN_* environment < command line."""

import dataclasses
import ipaddress
import os
import secrets
import socket
import subprocess
import tomllib

DEFAULT_BIND = "127.0.0.1:7050"
DEFAULT_DATA_DIR = "/var/lib/cairn"


def _setting(default, text, **kwargs):
    # Called in the Settings dataclass body, which pylint cannot see from here.
    return dataclasses.field(default=default, metadata={"help": text}, **kwargs)  # pylint: disable=invalid-field-call


@dataclasses.dataclass
class Settings:
    bind: str = _setting(DEFAULT_BIND, "host:port to listen on")
    db: str = _setting("", "SQLAlchemy URL; default: SQLite file cairn.db in data_dir")
    data_dir: str = _setting(DEFAULT_DATA_DIR, "where the SQLite database and the token signing key live")
    files_dir: str = _setting("", "where packed images, kernels and initrds are written and served "
                                  "(/files); default: data_dir/files")
    job_workers: int = _setting(2, "background jobs of each kind (image packs, control requests) "
                                   "run at the same time by each serving process (see workers)")
    token_lifespan: int = _setting(3600, "seconds a token from POST /token stays valid")
    provision_token_lifespan: int = _setting(1800, "seconds a node's provisioning token stays valid: "
                                             "the boot script hands it to the node, whose "
                                             "installer uses it (see /boot/install)")
    login_failures_allowed: int = _setting(10, "failed logins (POST /token, HTTP Basic) one client "
                                               "address may make within login_failure_window; the "
                                               "next attempts answer 429 until the oldest leaves the "
                                               "window; 0: no limit")
    login_failure_window: int = _setting(60, "seconds over which login_failures_allowed counts an "
                                             "address's failed logins")
    admin_user: str = _setting("admin", "name of the superadmin created on an empty database")
    admin_password: str = _setting("", "its password; generated and printed once when empty")
    controller_name: str = _setting("", "this controller's name in /config/cluster; default: the host name")
    cluster_name: str = _setting("cluster", "name of the cluster, set on an empty database")
    threads: int = _setting(32, "worker threads of the WSGI server, in each of its processes")
    workers: int = _setting(1, "processes that serve requests on bind: one per core serves a boot "
                               "storm best (Python runs one thread of a process at a time)")
    tenant_deletion_window: int = _setting(15 * 86400, "seconds a deleted tenant can still be resumed "
                                                       "before the purge removes it (default: 15 days)")
    purge_interval: int = _setting(3600, "seconds between the server's purges of deleted tenants "
                                         "whose window ended; 0: no periodic purge (run "
                                         "cairn-server purge-tenants instead)")
    secret_key: str = _setting("", "key that signs tokens; default: read from (or created in) "
                                   "data_dir/token.key", repr=False)
    secrets_key_file: str = _setting("", "Fernet keys that encrypt secrets and BMC passwords at rest; "
                                         "default: data_dir/secrets.key (created on first start, mode 0600)")
    render_dir: str = _setting("", "where the server renders the DHCP (render_dir/dhcp) and DNS "
                                   "(render_dir/dns) files its daemons read; default: data_dir/render")
    render_delay: int = _setting(2, "seconds without further changes before the server renders its "
                                    "DHCP and DNS files again (and how often it looks for changes "
                                    "other controllers made); 0: only at start and on "
                                    "/service/<name>/reload")
    reload_cooldown: int = _setting(10, "seconds after a /service/<name>/reload during which the next "
                                        "one for that name answers 204 and does nothing")
    dhcp_daemon: str = _setting("kea", "the DHCP daemon of this controller: kea (kea-dhcp4.json is "
                                       "rendered), isc (dhcpd.conf) or none (both, no daemon reloaded)")
    kea_control_socket: str = _setting("/run/kea/kea4-ctrl-socket",
                                       "Kea's control socket, written into kea-dhcp4.json: the server "
                                       "reloads Kea (config-reload) and checks it (status-get) through "
                                       "it; empty: no socket, dhcp_reload_command reloads Kea")
    kea_lease_file: str = _setting("", "Kea's lease file, written into kea-dhcp4.json; default: Kea's "
                                       "own (/var/lib/kea/kea-leases4.csv)")
    dhcp_reload_command: str = _setting("", "command that makes the DHCP daemon read the rendered file "
                                            "when Kea has no control socket, or for dhcpd, which cannot "
                                            "reload (e.g. 'systemctl restart isc-dhcp-server'); empty: "
                                            "not reloaded")
    dhcpd_pid_file: str = _setting("/run/dhcpd.pid", "dhcpd's pid file: /monitor/service/dhcp checks "
                                                     "that its process is alive")
    rndc_command: str = _setting("rndc", "rndc with its options (e.g. 'rndc -k KEYFILE -s HOST -p "
                                         "PORT'): the server runs it with 'reload' after the zones "
                                         "changed and with 'status' to check BIND; empty: BIND is "
                                         "neither reloaded nor checked")
    boot_server: str = _setting("", "IPv4 address the nodes reach this server at: their DHCP next-server, "
                                    "TFTP server and iPXE boot URL (with bind's port); default: the "
                                    "host part of bind")
    control_async_threshold: int = _setting(100, "a POST /control/action for more nodes than this runs "
                                                 "in the background: it answers 202 with a request_id "
                                                 "to follow at /control/status/<id>; 0: every POST does")
    bmc_concurrency: int = _setting(512, "BMCs one power (or other BMC) request talks to at the same time")
    bmc_timeout: float = _setting(2.0, "seconds one attempt on a BMC may take before it counts as not "
                                       "answering")
    bmc_retries: int = _setting(1, "more attempts on a BMC that did not answer (never for a wrong "
                                   "password, nor for a reset or cycle that was sent)")
    bmc_redfish_ca: str = _setting("", "CA bundle (a PEM file, or a directory of them) that the "
                                       "certificates of Redfish BMCs are verified against; empty: "
                                       "not verified (BMCs mostly carry self-signed certificates)")
    commit: str = _setting("", "the commit the server was built from, shown by /version")

    @property
    def host(self):
        return self.bind.rsplit(":", 1)[0].strip("[]")

    @property
    def port(self):
        return int(self.bind.rsplit(":", 1)[1])

    @property
    def boot_address(self):
        """boot_server (else bind's host) as an IPv4 address string; None when it is not one
        the nodes could reach (not IPv4, or 0.0.0.0)."""
        try:
            address = ipaddress.IPv4Address(self.boot_server or self.host)
        except ValueError:
            return None
        return None if address.is_unspecified else str(address)


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def documented():
    """(name, description) of every setting."""
    return [(f.name, f.metadata["help"]) for f in dataclasses.fields(Settings)]


def _coerce(name, value):
    kind = FIELDS[name].type
    if kind in (int, "int"):
        try:
            return int(value)
        except ValueError:
            raise SystemExit(f"cairn-server: {name} must be a whole number, not {value!r}") from None
    if kind in (float, "float"):
        try:
            return float(value)
        except ValueError:
            raise SystemExit(f"cairn-server: {name} must be a number, not {value!r}") from None
    return str(value)


def load(config_file=None, environ=os.environ, overrides=None):  # pylint: disable=dangerous-default-value  # only read
    """Settings from every source, the later ones winning."""
    values = {}
    config_file = config_file or environ.get("CAIRN_CONFIG")
    if config_file:
        with open(config_file, "rb") as handle:
            for name, value in tomllib.load(handle).items():
                if name not in FIELDS:
                    raise SystemExit(f"cairn-server: unknown setting '{name}' in {config_file}")
                values[name] = _coerce(name, value)
    for name in FIELDS:
        if f"CAIRN_{name.upper()}" in environ:
            values[name] = _coerce(name, environ[f"CAIRN_{name.upper()}"])
    values.update({k: _coerce(k, v) for k, v in (overrides or {}).items() if v is not None})
    settings = Settings(**values)
    if ":" not in settings.bind or not settings.bind.rsplit(":", 1)[1].isdigit():
        raise SystemExit(f"cairn-server: bind must be HOST:PORT, not {settings.bind!r}")
    if not settings.db:
        settings.db = f"sqlite:///{os.path.abspath(os.path.join(settings.data_dir, 'cairn.db'))}"
    for name in ("job_workers", "threads", "workers"):
        if getattr(settings, name) < 1:
            raise SystemExit(f"cairn-server: {name} must be at least 1, not {getattr(settings, name)}")
    for name in ("tenant_deletion_window", "purge_interval", "control_async_threshold",
                 "login_failures_allowed"):
        if getattr(settings, name) < 0:
            raise SystemExit(f"cairn-server: {name} must not be negative, not {getattr(settings, name)}")
    if settings.bmc_concurrency < 1 or settings.bmc_timeout <= 0 or settings.bmc_retries < 0:
        raise SystemExit("cairn-server: bmc_concurrency must be at least 1, bmc_timeout above 0 and "
                         "bmc_retries not negative")
    if settings.login_failure_window < 1:
        raise SystemExit(f"cairn-server: login_failure_window must be at least 1, not "
                         f"{settings.login_failure_window}")
    settings.files_dir = os.path.abspath(settings.files_dir or os.path.join(settings.data_dir, "files"))
    settings.controller_name = settings.controller_name or socket.gethostname()
    settings.commit = settings.commit or _git_commit()
    return settings


def ensure_secret_key(settings):
    """Read the token signing key, creating it (mode 0600) on first start."""
    if settings.secret_key:
        return
    path = os.path.join(settings.data_dir, "token.key")
    os.makedirs(settings.data_dir, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path) as handle:
            settings.secret_key = handle.read().strip()
        return
    settings.secret_key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(settings.secret_key + "\n")


def _git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        return subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5, check=False).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
