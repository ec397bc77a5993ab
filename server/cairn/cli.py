"""cairn-server: serve the API, migrate the database, rotate the key of stored secrets,
purge the deleted tenants whose window ended, render the DHCP and DNS files, or check
the database's integrity."""

import argparse
import logging
import os
import sys

from . import __version__, config

log = logging.getLogger("cairn")

_ROTATE_KEY = ("encrypt every secret and BMC password with a new key, then remove the old keys "
               "from the key file (secrets_key_file, default DATA_DIR/secrets.key). Safe while "
               "servers run: they read the key file again when it changes. Controllers that share "
               "a database must share the key file; a controller with its own copy must have its "
               "server stopped until the new file is copied to it")
_PURGE_TENANTS = ("remove the tenants whose deletion window (tenant_deletion_window) has ended: their "
                  "tenancies' nodes move to Quarantine, their tenancies and accounts go. A running "
                  "server does this every purge_interval seconds too; this command is for cron or "
                  "for a server with purge_interval 0")
_RENDER = ("render the DHCP configs (Kea's kea-dhcp4.json, ISC's dhcpd.conf) into OUT/dhcp and "
           "the DNS zones with their named.conf include into OUT/dns, from the database; each "
           "file is checked by its real tool (kea-dhcp4, dhcpd, named-checkzone, named-checkconf) "
           "before it replaces the old one. Prints the paths written")
_CHECK = ("check the integrity of the database, e.g. after a crash: no row pointing at a missing "
          "one, no address held twice in a network, on SQLite a sound file. Prints one line per "
          "rule (ok or FAIL with the first rows that break it) and notes what may be intended "
          "(nodes lacking an interface of their group); exits 1 when a rule is broken. Reads "
          "only: safe while servers run")


def _parser():
    parser = argparse.ArgumentParser(
        prog="cairn-server",
        description="The Cairn REST server: the cluster database and the Luna2 API. Every option "
                    "can also come from a TOML config file (--config or CAIRN_CONFIG) or from the "
                    "environment as CAIRN_<OPTION> (CAIRN_BIND, CAIRN_DB, CAIRN_DATA_DIR, ...); "
                    "the command line wins, then the environment, then the file.")
    width = max(len(name) for name, _text in config.documented())
    parser.epilog = "settings (config file key / environment variable):\n" + "\n".join(
        f"  {name:<{width}} CAIRN_{name.upper():<{width}} {text}" for name, text in config.documented())
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--version", action="version", version=f"cairn-server {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "run the API server (applies pending migrations first)"),
                       ("migrate", "apply pending database migrations and exit"),
                       ("rotate-key", _ROTATE_KEY),
                       ("purge-tenants", _PURGE_TENANTS),
                       ("render", _RENDER),
                       ("check", _CHECK)):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--config", metavar="FILE", help="TOML file of settings (env: CAIRN_CONFIG)")
        sub.add_argument("--db", metavar="URL",
                         help="database URL: sqlite:///PATH (default: DATA_DIR/cairn.db) or "
                              "postgresql+psycopg://USER:PASS@HOST/DB (env: CAIRN_DB)")
        sub.add_argument("--data-dir", metavar="DIR",
                         help=f"directory of the SQLite database and the key files "
                              f"(default: {config.DEFAULT_DATA_DIR}; env: CAIRN_DATA_DIR)")
        if name == "serve":
            sub.add_argument("--bind", metavar="HOST:PORT",
                             help=f"address to listen on (default: {config.DEFAULT_BIND}; env: CAIRN_BIND)")
            sub.add_argument("--threads", type=int, metavar="N",
                             help="worker threads of each process (default: 32; env: CAIRN_THREADS)")
            sub.add_argument("--workers", type=int, metavar="N",
                             help="processes serving requests (default: 1; env: CAIRN_WORKERS)")
            sub.add_argument("--token-lifespan", type=int, metavar="SECONDS",
                             help="how long tokens stay valid (default: 3600; env: CAIRN_TOKEN_LIFESPAN)")
            sub.add_argument("--controller-name", metavar="NAME",
                             help="this controller's name (default: the host name; env: CAIRN_CONTROLLER_NAME)")
        if name == "render":
            sub.add_argument("--out", metavar="DIR", required=True,
                             help="directory to render into (its dhcp/ and dns/ are created)")
            sub.add_argument("--server", metavar="ADDR",
                             help="IPv4 address the nodes reach this controller at, for their boot "
                                  "URL and TFTP server (default: boot_server, else the host part of bind); the port "
                                  "is bind's")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    overrides = {k: v for k, v in vars(args).items() if k not in ("command", "config", "out", "server")}
    overrides["boot_server"] = getattr(args, "server", None)
    settings = config.load(args.config, overrides=overrides)
    if args.command == "render":
        return _render(settings, args.out)
    if args.command == "check":
        return _check(settings)
    from .server import migrate, purge_tenants, serve
    if args.command == "migrate":
        migrate(settings)
        return 0
    if args.command == "purge-tenants":
        purge_tenants(settings)
        return 0
    if args.command == "rotate-key":
        from .keys import rotate
        rotate(settings)
        return 0
    return serve(settings)


def _render(settings, out_dir):
    from .render.all import render_all
    from .render.files import InvalidConfig
    if settings.boot_address is None:
        sys.exit(f"cairn-server render: the boot server must be an IPv4 address the nodes reach, "
                 f"not {settings.boot_server or settings.host!r}: pass --server ADDR")
    try:
        paths = render_all(settings, out_dir)
    except InvalidConfig as refused:
        sys.exit(f"cairn-server render: {refused}")
    print("\n".join(paths))
    return 0


def _check(settings):
    from sqlalchemy.engine import make_url
    from .db import integrity
    from .db.engine import make_engine, transaction
    url = make_url(settings.db)
    if url.get_backend_name() == "sqlite" and not os.path.exists(url.database or ""):
        # Connecting would create an empty database there: a mistyped path would pass.
        sys.exit(f"cairn-server check: there is no database at {url.database}")
    engine = make_engine(settings.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            behind = integrity.schema_behind(conn)
            if behind:
                sys.exit(f"cairn-server check: the database is at revision {behind}, not the "
                         f"latest: run cairn-server migrate first")
            findings = integrity.problems(conn)
            note = integrity.nodes_missing_group_interfaces(conn)
    finally:
        engine.dispose()
    for finding in findings:
        print(f"FAIL  {_described(finding)}" if finding.count else f"ok    {finding.rule}")
    if note.count:
        print(f"note  {_described(note)} (unless removed on purpose)")
    broken = sum(1 for finding in findings if finding.count)
    print(f"{broken} of {len(findings)} rules broken" if broken else f"all {len(findings)} rules hold")
    return 1 if broken else 0


def _described(finding):
    rows = "1 row breaks" if finding.count == 1 else f"{finding.count} rows break"
    return f"{finding.rule}: {rows} it, e.g. {', '.join(finding.examples)}"


if __name__ == "__main__":
    sys.exit(main())
