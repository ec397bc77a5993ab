"""The cluster: a few settings an admin may change, and the controllers, read-only."""

from ..db import cluster as db_cluster
from . import fields as F, scope
from .errors import invalid
from .tx import reads, writes

FIELDS = {
    "ntp_server": F.SHORT,
    "technical_contacts": F.TEXT,
    "provision_method": F.PROVISION_METHOD.not_null(),
    "provision_fallback": F.PROVISION_METHOD.not_null(),
    "debug": F.BOOL.not_null(),
}
READ_ONLY = ("name", "domain")


def settings(conn):
    """The cluster's values as inheritance reads them."""
    row = db_cluster.get(conn)
    return {name: getattr(row, name) for name in (*FIELDS, *READ_ONLY)}


@reads
def get(tx):
    answer = {}
    for row in db_cluster.controllers(tx.conn):
        answer[row.name] = {"status": row.status, "ipaddr": row.ipaddr,
                            "serverport": row.serverport}
    answer.update(settings(tx.conn))
    return answer


@writes
@scope.not_for_tenants("change the cluster's settings")
def save(tx, data):
    if not isinstance(data, dict):
        raise invalid("cluster", "must be a JSON object")
    controllers = {row.name for row in db_cluster.controllers(tx.conn)}
    for key, value in data.items():
        if key in controllers or (isinstance(value, dict) and key not in FIELDS):
            raise invalid(key, "controllers are read-only: they are set by each server's configuration")
        if key in READ_ONLY:
            raise invalid(key, "is read-only: it is set by the server's configuration")
    db_cluster.change(tx.conn, F.parse_object("", data, FIELDS))
