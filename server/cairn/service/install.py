"""The installer of a node: what GET /boot/install/<node> puts into its script.

The script is answered only to a request from the node's provisioning address,
with the node's provisioning token (or from an admin who may read secrets, from
that same address), and never to a tenant: it carries the node's secrets, its
group's, and for an in-band BMC setup the BMC password, all decrypted.
render.install writes every value into it shell-quoted.
"""

import base64
import binascii
import ipaddress

from .. import crypto
from ..db import objects, secrets as db_secrets
from ..db.schema import bmcsetup, network
from . import groups, nodes, provisioning, scope
from .errors import Forbidden
from .tx import reads

SCRIPTS = ("prescript", "partscript", "postscript")
#: The node interface whose address and network the BMC gets, as luna names it.
BMC_INTERFACE = "BMC"
#: What a BMC setup leaves unset means, as in luna: the usual first LAN channel.
DEFAULT_CHANNEL = 1


@reads
@scope.not_for_tenants("fetch installer scripts")
def plan(tx, name, client):
    """The installer's context for node ``name``, asked for from the address ``client``."""
    provisioning.refuse_other_node(tx.principal, name)
    row = nodes.row_of(tx, name)
    record = nodes.one(tx.conn, row)
    if not provisioning.from_node(client, record):
        raise Forbidden(f"the installer of node '{name}' is served only to the node's "
                        "provisioning address")
    interface = provisioning.provisioning_interface(record)
    context = {"name": name, "hostname": provisioning.hostname(name, interface),
               "token": provisioning.token(tx, row), "problem": None, "bmc": None}
    source = provisioning.image_source(tx, name, record)
    if isinstance(source, str):
        return {**context, "problem": source}
    image_name, source = source
    context.update(
        image={"name": image_name, "tarball": source.imagefile, "checksum": source.checksum},
        scripts={field: decoded_script(record[field]) for field in SCRIPTS},
        secrets=_secrets(tx, row, record))
    if record["setupbmc"]:
        context["bmc"] = _bmc(tx, name, record)
    return context


def decoded_script(value):
    """A pre-, part- or postscript as text. The spec's examples send them base64-encoded
    and in clear text: a value that is strict base64 (line breaks aside) of UTF-8 text
    is decoded, any other is taken as it is."""
    if value is None:
        return None
    try:
        return base64.b64decode(value.replace("\n", ""), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value


def _secrets(tx, row, record):
    """[{"owner", "name", "path", "content"}]: the group's secrets, then the node's (so
    that the node's wins a path both name); those without a path have nowhere to go."""
    keyring = crypto.keyring(tx.settings)
    of_group, of_node = db_secrets.of_node_and_group(tx.conn, row["id"], row["nodegroup_id"])
    owned = [(f"group {record['group']}", of_group), (f"node {row['name']}", of_node)]
    return [{"owner": owner, "name": secret.name, "path": secret.path,
             "content": keyring.decrypt(secret.content)}
            for owner, secrets in owned for secret in secrets if secret.path]


def _bmc(tx, name, record):
    """The in-band BMC setup: the LAN settings of the node's BMC interface and the user
    of its group's BMC setup; {"problem": ...} when either is missing."""
    interface = next((i for i in record["interfaces"] if i["interface"] == BMC_INTERFACE), None)
    if interface is None:
        return {"problem": f"node {name} has no interface named {BMC_INTERFACE}"}
    setup_name = groups.get.__wrapped__(tx, record["group"])["bmcsetupname"]
    if setup_name is None:
        return {"problem": f"group {record['group']} names no bmcsetup"}
    net = objects.by_name(tx.conn, network, interface["network"])
    if ipaddress.ip_network(net.network).version != 4:
        return {"problem": f"network {net.name} of the {BMC_INTERFACE} interface is not IPv4"}
    setup = objects.by_name(tx.conn, bmcsetup, setup_name)
    user = None
    if setup.userid is not None and setup.username and setup.password:
        user = {"id": setup.userid, "name": setup.username,
                "password": crypto.keyring(tx.settings).decrypt(setup.password)}
    return {"problem": None, "address": interface["ipaddress"],
            "netmask": str(ipaddress.ip_network(net.network).netmask), "gateway": net.gateway,
            "netchannel": _channel(setup.netchannel), "mgmtchannel": _channel(setup.mgmtchannel),
            "user": user}


def _channel(value):
    return DEFAULT_CHANNEL if value is None else value
