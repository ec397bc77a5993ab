# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every object module does: state present or absent, partial updates, renames,
interfaces, check mode, diff mode, and the ``_info`` modules.

A module is its documentation, its options and one call. The network module::

    from ansible_collections.cairn.cluster.plugins.module_utils.object import ObjectKind, run_object_module

    NETWORK = ObjectKind("network", rename_field="newnetname", normalizers={"gateway": ip_address, ...})

    def main():
        run_object_module(NETWORK, dict(
            name=dict(type="str", required=True),
            network=dict(type="str"), gateway=dict(type="str"), comment=dict(type="str"),
            newnetname=dict(type="str")))

A task ``cairn.cluster.network: {name: cluster, gateway: 10.141.255.254}`` then:

1. reads ``GET /config/network/cluster`` (a 404 means the network is absent);
2. compares each option the task sets with the record; options left unset are left alone,
   a field the record inherits (``_<field>_source`` names another level) counts as unset,
   and ``interfaces`` are compared item by item, by interface name, on the keys the task gives;
3. when something differs, and not in check mode, posts only what differs:
   ``POST /config/network/cluster {"config": {"network": {"cluster": {"gateway": "10.141.255.254"}}}}``;
4. returns ``changed``, ``diff`` (before and after, secret fields masked) and ``record``
   (the record after the change, read again; in check mode, the predicted one).

A server's refusal fails the task with the server's message, its ``status`` and the
``field`` it named. ``run_info_module(NETWORK, dict(name=dict(type="str")))`` is the whole
``network_info``: one record by name, or every record, as ``records``.

Hooks for kinds that differ (override in a subclass of ObjectKind): ``path`` and
``unwrap``/``wrap`` for another URL or envelope (``{"success": true, "data": ...}``);
``read``, ``read_all``, ``create``, ``update``, ``delete`` for other methods (PATCH,
DELETE); ``bind`` for an object that lives under an owner (the secrets of a node, the tags
of an image), given by the ``identity_options``; ``secret_fields`` (``no_log``, and masked
in diffs and records); ``rename_field`` (the API's field, which is also the option's name).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError

#: What a secret field shows in diffs and returned records.
MASK = "********"

#: Options of the framework, never fields of an object.
STATE_OPTION = dict(type="str", default="present", choices=["present", "absent"])
PURGE_INTERFACES_OPTION = dict(type="bool", default=False)


# -- comparing values --------------------------------------------------------

def mac_address(value):
    """``52-54-00-AA-BB-01`` or ``5254.00aa.bb01`` as the server stores it (``52:54:00:aa:bb:01``)."""
    digits = re.sub(r"[-:.]", "", value.strip())
    if not re.fullmatch(r"[0-9a-fA-F]{12}", digits):
        return value
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)).lower()


def ip_address(value):
    """An address as the server writes it (IPv6 compressed); anything else as it is."""
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def ip_network(value):
    """A CIDR network as the server writes it; anything else as it is."""
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except ValueError:
        return value


# -- the kinds of object -----------------------------------------------------

class ObjectKind:
    """How one kind of object travels over the API; by default the Luna2 ``/config`` shape.

    :param kind: the URL part and envelope key (``network`` in ``/config/network/NAME``).
    :param rename_field: the write-only field that renames (``newnetname``); also the option.
    :param secret_fields: fields that get ``no_log`` and are masked in diffs and records.
    :param normalizers: field name -> function giving the server's spelling of a value, so
        ``52-54-00-AA-BB-01`` equals the stored ``52:54:00:aa:bb:01`` (MAC and interface
        addresses are normalised for every kind).
    :param singleton: the object has no name (``/config/cluster``), and cannot be absent.
    """

    #: Options that name the object's owner (a secret's node, a tag's image): not fields.
    identity_options = ()

    def __init__(self, kind, rename_field=None, secret_fields=(), normalizers=None, singleton=False,
                 aliases=None):
        self.kind = kind
        self.rename_field = rename_field
        self.secret_fields = tuple(secret_fields)
        self.normalizers = {"macaddr": mac_address, "ipaddress": ip_address, **(normalizers or {})}
        self.singleton = singleton
        self.aliases = aliases or {}

    def bind(self, params):
        """The kind for one task's parameters: a subclass with ``identity_options`` returns a
        copy that knows the owner."""
        return self

    # The level a record names in ``_<field>_source`` for a value the object sets itself.
    @property
    def own_source(self):
        return self.kind

    def path(self, name=None):
        if self.singleton:
            return f"/config/{self.kind}"
        return f"/config/{self.kind}/{quote(name, safe='')}"

    def list_path(self):
        return f"/config/{self.kind}"

    def wrap(self, name, fields):
        """The body of a write."""
        return {"config": {self.kind: fields if self.singleton else {name: fields}}}

    def unwrap(self, answer, name):
        """The record in the answer of ``GET path(name)``, with its ``name``."""
        records = answer["config"][self.kind]
        if self.singleton:
            return records
        return dict(records[name], name=records[name].get("name", name))

    def unwrap_all(self, answer):
        """The records in the answer of ``GET list_path()``, each with its ``name``."""
        return [dict(record, name=record.get("name", key)) for key, record in answer["config"][self.kind].items()]

    def read(self, client, name):
        """The record, or None when the object does not exist (404)."""
        try:
            return self.unwrap(client.get(self.path(name)), name)
        except CairnError as refused:
            if refused.status == 404:
                return None
            raise

    def read_all(self, client):
        if self.singleton:
            return [self.read(client, None)]
        return self.unwrap_all(client.get(self.list_path()))

    def create(self, client, name, fields):
        client.post(self.path(name), self.wrap(name, fields))

    def update(self, client, name, changes):
        """Write ``changes`` (with the rename field when renaming) to the object ``name``."""
        client.post(self.path(name), self.wrap(name, changes))

    def delete(self, client, name):
        client.get(self.path(name) + "/_delete")

    def delete_interface(self, client, name, interface):
        client.get(f"{self.path(name)}/interfaces/{quote(interface, safe='')}/_delete")

    # -- comparing ---------------------------------------------------------

    def comparable(self, field, value):
        normalize = self.normalizers.get(field)
        return normalize(value) if normalize and isinstance(value, str) else value

    def own_value(self, record, field):
        """The field's value as the object sets it: None when the record inherits it."""
        if record.get(f"_{field}_source", self.own_source) != self.own_source:
            return None
        return record.get(field)

    def predicted_values(self, changes, record):
        """The record's values after ``changes`` (check mode): each changed field, and the
        other names the server shows it under too (``aliases``: {field: (name, ...)})."""
        values = dict(changes)
        for field, names in self.aliases.items():
            if field in changes:
                values.update((name, changes[field]) for name in names)
        return values

    def differs(self, field, wanted, record):
        """Whether setting ``field`` to ``wanted`` would change the object."""
        if field in self.secret_fields and field not in record:
            return True  # the server does not show it to this principal: set it
        return self.comparable(field, wanted) != self.comparable(field, self.own_value(record, field))

    def interface_changes(self, wanted, current):
        """The items of ``wanted`` that add an interface or change one (on the keys they give)."""
        have = {item["interface"]: item for item in current or []}
        changes = []
        for item in wanted:
            item = {key: value for key, value in item.items() if value is not None}
            now = have.get(item["interface"])
            if now is None or any(self.comparable(key, value) != self.comparable(key, now.get(key))
                                  for key, value in item.items()):
                changes.append(item)
        return changes

    def masked(self, record):
        """The record with its secret fields shown as MASK (a record is never None)."""
        return {key: MASK if key in self.secret_fields and value is not None else value
                for key, value in record.items()}


# -- modules -----------------------------------------------------------------

def object_argument_spec(kind, options):
    """The whole argument spec of an object module: the connection options, ``state``
    (unless the kind is a singleton), ``purge_interfaces`` (when it has ``interfaces``), and
    ``options`` (its name, fields and rename field) with ``no_log`` on its secret fields."""
    spec = dict(API_ARGUMENT_SPEC)
    if not kind.singleton:
        spec["state"] = dict(STATE_OPTION)
    if "interfaces" in options:
        spec["purge_interfaces"] = dict(PURGE_INTERFACES_OPTION)
    for option, settings in options.items():
        spec[option] = dict(settings, no_log=True) if option in kind.secret_fields else settings
    return spec


def run_object_module(kind, options, module_class=None, **module_args):
    """The ``main()`` of an object module; ``module_class`` runs it (ObjectModule, or a
    subclass that adds to the result); ``module_args`` go to AnsibleModule."""
    module = AnsibleModule(argument_spec=object_argument_spec(kind, options), supports_check_mode=True,
                           **module_args)
    (module_class or ObjectModule)(module, kind.bind(module.params)).run()


def run_info_module(kind, options, **module_args):
    """The ``main()`` of an ``_info`` module: with ``name``, that record (or none), else all."""
    module = AnsibleModule(argument_spec=dict(API_ARGUMENT_SPEC, **options), supports_check_mode=True,
                           **module_args)
    kind = kind.bind(module.params)
    try:
        client = CairnClient.from_params(module.params)
        if module.params.get("name") is not None:
            record = kind.read(client, module.params["name"])
            records = [] if record is None else [record]
        else:
            records = kind.read_all(client)
    except CairnError as refused:
        fail(module, refused)
    module.exit_json(changed=False, records=[kind.masked(record) for record in records])


def fail(module, refused):
    """Fail the task with the server's message, status and the field it named."""
    module.fail_json(msg=str(refused), status=refused.status, field=refused.field)


class ObjectModule:
    """One run of an object module: read, compare, write what differs, report."""

    def __init__(self, module, kind):
        self.module = module
        self.kind = kind
        self.params = module.params
        self.check_mode = module.check_mode
        framework = set(API_ARGUMENT_SPEC) | {"state", "purge_interfaces", "name", kind.rename_field}
        framework |= set(kind.identity_options)
        #: The options that are fields of the object, in the order of the argument spec.
        self.fields = [option for option in module.argument_spec if option not in framework]

    def run(self):
        try:
            self.client = CairnClient.from_params(self.params)
            result = self.ensure()
        except CairnError as refused:
            fail(self.module, refused)
        self.module.exit_json(**result)

    def wanted(self):
        """The fields the task sets."""
        return {field: self.params[field] for field in self.fields if self.params[field] is not None}

    def ensure(self):
        name = self.params.get("name")
        new_name = self.params.get(self.kind.rename_field) if self.kind.rename_field else None
        current = self.kind.read(self.client, name)
        if current is None and new_name:
            # Renamed by an earlier run, or never there: either way it is the new name now.
            name, new_name = new_name, None
            current = self.kind.read(self.client, name)
        if self.params.get("state", "present") == "absent":
            return self.absent(name, current)
        if current is None:
            return self.create(name)
        return self.update(name, current, new_name)

    def absent(self, name, current):
        if current is None:
            return self.result(False, {}, {})
        if not self.check_mode:
            self.kind.delete(self.client, name)
        return self.result(True, current, {})

    def create(self, name):
        wanted = self.wanted()
        if self.check_mode:
            return self.result(True, {}, dict(self.kind.predicted_values(wanted, {}), name=name))
        self.kind.create(self.client, name, wanted)
        record = self.kind.read(self.client, name)
        if self.purging():
            # A new node takes its group's interfaces too; drop those the task does not list.
            for interface in self.extra_interfaces(record):
                self.kind.delete_interface(self.client, name, interface)
            record = self.kind.read(self.client, name)
        return self.result(True, {}, record)

    def update(self, name, current, new_name):
        changes = self.changes(current)
        if new_name and new_name != name:
            changes[self.kind.rename_field] = new_name
        extra = self.extra_interfaces(current) if self.purging() else []
        if not (changes or extra):
            return self.result(False, current, current)
        target = new_name or name
        if self.check_mode:
            return self.result(True, current, self.predicted(current, changes, extra, target))
        if changes:
            self.kind.update(self.client, name, changes)
        for interface in extra:
            self.kind.delete_interface(self.client, target, interface)
        return self.result(True, current, self.kind.read(self.client, target))

    def changes(self, current):
        """The fields the task sets to something else than the record holds."""
        changes = {}
        for field, value in self.wanted().items():
            if field == "interfaces":
                items = self.kind.interface_changes(value, current.get("interfaces"))
                if items:
                    changes[field] = items
            elif self.kind.differs(field, value, current):
                changes[field] = value
        return changes

    def purging(self):
        return bool(self.params.get("purge_interfaces")) and self.params.get("interfaces") is not None

    def extra_interfaces(self, record):
        """The record's interfaces that the task does not list."""
        listed = {item["interface"] for item in self.params["interfaces"]}
        return [item["interface"] for item in record.get("interfaces") or [] if item["interface"] not in listed]

    def predicted(self, current, changes, extra, name):
        """What the record would be after the changes (check mode)."""
        values = self.kind.predicted_values(changes, current)
        record = dict(current, **{key: value for key, value in values.items() if key != "interfaces"})
        record.pop(self.kind.rename_field, None)
        if not self.kind.singleton:
            record["name"] = name
        interfaces = {item["interface"]: dict(item) for item in current.get("interfaces") or []}
        for item in changes.get("interfaces", []):
            interfaces.setdefault(item["interface"], {}).update(item)
        if interfaces:
            record["interfaces"] = [item for key, item in interfaces.items() if key not in extra]
        return record

    def result(self, changed, before, after):
        before, after = self.kind.masked(before), self.kind.masked(after)
        result = dict(changed=changed, record=after)
        if self.module._diff:
            result["diff"] = dict(before=shown(before), after=shown(after))
        return result


def shown(record):
    """A record for a diff: without the ``_...`` bookkeeping keys (sources, overrides)."""
    return {key: value for key, value in record.items() if not key.startswith("_")}
