# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kinds of the hardware modules (bmcsetup, switch, otherdev, rack), shared by each
module and its ``_info`` module."""

from __future__ import annotations

from ansible_collections.cairn.cluster.plugins.module_utils.object import ObjectKind

#: The options of a rack's devices; ``name``, ``type`` and ``position`` are required.
DEVICE_OPTIONS = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", required=True,
              choices=["node", "switch", "otherdev", "controller", "pdu", "patchpanel", "other"]),
    vendor=dict(type="str"),
    orientation=dict(type="str", choices=["front", "back"]),
    height=dict(type="int"),
    position=dict(type="int", required=True),
)


class RenamedFieldsKind(ObjectKind):
    """A kind with fields whose options must be named otherwise: the connection options
    ``username`` and ``password`` (which ``module_defaults`` may set for every module of the
    group) leave no room for a BMC setup's ``username`` and ``password``.

    :param option_fields: option name -> the API field it sets (``bmc_password`` -> ``password``).
        Secret fields are listed under both names: the option for ``no_log``, the field for
        masking records.
    """

    def __init__(self, kind, option_fields, **settings):
        super().__init__(kind, **settings)
        self.option_fields = dict(option_fields)

    def field(self, option):
        return self.option_fields.get(option, option)

    def wrap(self, name, fields):
        return super().wrap(name, {self.field(option): value for option, value in fields.items()})

    def differs(self, field, wanted, record):
        return super().differs(self.field(field), wanted, record)

    def masked(self, record):
        """The record with its fields under their API names (a predicted one has option names)."""
        return super().masked({self.field(key): value for key, value in record.items()})


#: The suboptions the server gives a device it places for the first time (service/racks.py).
NEW_DEVICE = {"vendor": None, "orientation": "front", "height": 1}


class RackKind(ObjectKind):
    """Racks: ``devices`` is compared as a set of devices, each on the keys the task gives."""

    def wrap(self, name, fields):
        if fields.get("devices") is not None:
            fields = dict(fields, devices=[given(device) for device in fields["devices"]])
        return super().wrap(name, fields)

    def predicted_values(self, changes, record):
        """A device the rack holds already keeps the suboptions the task leaves out; another
        gets the server's defaults for them (a device that another rack holds keeps its own,
        which only the server knows: the prediction misses those)."""
        values = super().predicted_values(changes, record)
        if "devices" in values:
            have = {(device["type"], device["name"]): device for device in record.get("devices") or []}
            values["devices"] = [dict(have.get((device["type"], device["name"]), NEW_DEVICE), **given(device))
                                 for device in values["devices"]]
        return values

    def differs(self, field, wanted, record):
        if field != "devices":
            return super().differs(field, wanted, record)
        have = {(device["type"], device["name"]): device for device in record.get("devices") or []}
        want = {(device["type"], device["name"]): given(device) for device in wanted}
        return set(have) != set(want) or any(
            have[key].get(option) != value for key, device in want.items() for option, value in device.items())


def given(options):
    """The suboptions a task set (a device without ``vendor`` keeps its vendor)."""
    return {key: value for key, value in options.items() if value is not None}


BMCSETUP = RenamedFieldsKind("bmcsetup", dict(bmc_username="username", bmc_password="password"),
                             rename_field="newbmcname", secret_fields=("bmc_password", "password"))
SWITCH = ObjectKind("switch", rename_field="newswitchname", secret_fields=("rw",))
OTHERDEV = ObjectKind("otherdev", rename_field="newotherdevname")
RACK = RackKind("rack", rename_field="newrackname")

#: The options of a device's address, shared by switch and otherdev.
ADDRESS_OPTIONS = dict(network=dict(type="str"), ipaddress=dict(type="str"))
