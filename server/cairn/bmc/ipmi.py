"""The IPMI requests of every action, independent of how they are sent.

An operation is a generator: it yields requests ``(netfn, command, data)`` and is sent
the data of each answer (bytes, after the completion code, which the engine has already
checked); it returns ``(result, detail)`` (see Outcome). Numbers are from the IPMI 2.0
specification (section in parentheses).
"""

import datetime
import functools
import struct

from pyghmi.ipmi.private import constants

CHASSIS, APP, STORAGE = 0x00, 0x06, 0x0a              # network functions
SET_SESSION_PRIVILEGE, OPERATOR = 0x3b, 3              # (22.18): enough for every action here
GET_CHASSIS_STATUS, CHASSIS_CONTROL, CHASSIS_IDENTIFY = 0x01, 0x02, 0x04     # (28)
SET_BOOT_OPTIONS, GET_BOOT_OPTIONS = 0x08, 0x09
GET_SEL_INFO, RESERVE_SEL, GET_SEL_ENTRY, CLEAR_SEL = 0x40, 0x42, 0x43, 0x47  # (31)
POWER_OFF, POWER_ON, POWER_CYCLE, HARD_RESET = 0, 1, 2, 3
BOOT_FLAGS, BOOT_FLAG_VALID_BIT_CLEARING = 5, 3       # boot option parameters (28.13)
KEEP_FLAGS_AFTER_60_S = 0x08
BOOT_VALID, BOOT_PERSISTENT = 0x80, 0x40
BOOT_DEVICES = {"pxe": 1, "disk": 2}                  # boot device selector, bits 5:2
BOOT_DEVICE_NAMES = {0: "none", 1: "pxe", 2: "disk", 3: "safe", 5: "cdrom", 6: "bios", 15: "floppy"}
SEL_FIRST, SEL_LAST = 0x0000, 0xffff
CLEAR_SEL_START, CLEAR_SEL_STATUS, CLEAR_SEL_DONE = 0xaa, 0x00, 0x01
SYSTEM_EVENT_RECORD = 0x02
SENSOR_SPECIFIC = 0x6f


# The request of the session's privilege level, which pyghmi's login would have sent
# synchronously (see engine._Session).
SESSION_PRIVILEGE = (APP, SET_SESSION_PRIVILEGE, (OPERATOR,))


def in_session(operation):
    """``operation``, preceded by SESSION_PRIVILEGE."""
    yield SESSION_PRIVILEGE
    return (yield from operation)


def _command(netfn, command, *data):
    yield netfn, command, data
    return "ok", None


def power_status():
    data = yield CHASSIS, GET_CHASSIS_STATUS, ()
    return ("on" if data[0] & 1 else "off"), None


def set_boot_device(device, persistent):
    # Keep the boot flags beyond 60 s, as a power action may come later (28.13, parameter 3).
    yield CHASSIS, SET_BOOT_OPTIONS, (BOOT_FLAG_VALID_BIT_CLEARING, KEEP_FLAGS_AFTER_60_S)
    flags = BOOT_VALID | (BOOT_PERSISTENT if persistent else 0)
    yield CHASSIS, SET_BOOT_OPTIONS, (BOOT_FLAGS, flags, BOOT_DEVICES[device] << 2, 0, 0, 0)
    return "ok", None


def boot_status():
    data = yield CHASSIS, GET_BOOT_OPTIONS, (BOOT_FLAGS, 0, 0)
    if not data[2] & BOOT_VALID:
        return "none", None
    selector = (data[3] >> 2) & 0x0f
    return BOOT_DEVICE_NAMES.get(selector, f"device {selector}"), {"persistent": bool(data[2] & BOOT_PERSISTENT)}


def sel_list():
    info = yield STORAGE, GET_SEL_INFO, ()
    count = struct.unpack_from("<H", info, 1)[0]
    entries = []
    record = SEL_FIRST
    # Whole records need no reservation (reservation id 0); the count bounds a BMC whose
    # "next record" would go round in circles.
    while count and record != SEL_LAST and len(entries) <= count:
        data = yield STORAGE, GET_SEL_ENTRY, (0, 0, *struct.pack("<H", record), 0, 0xff)
        record = struct.unpack_from("<H", data)[0]
        entries.append(sel_entry(data[2:18]))
    return "ok", entries


def sel_clear():
    reservation = (yield STORAGE, RESERVE_SEL, ())[:2]
    data = yield STORAGE, CLEAR_SEL, (*reservation, *b"CLR", CLEAR_SEL_START)
    while data[0] & 0x0f != CLEAR_SEL_DONE:             # erasure in progress: ask again
        data = yield STORAGE, CLEAR_SEL, (*reservation, *b"CLR", CLEAR_SEL_STATUS)
    return "ok", None


def sel_entry(record):
    """One SEL record (31.6, 32.1) as a dict."""
    record_id, kind = struct.unpack_from("<HB", record)
    if kind != SYSTEM_EVENT_RECORD:
        return {"id": record_id, "type": f"0x{kind:02x}", "data": record[3:].hex()}
    timestamp, _generator, _revision, sensor_type, sensor, direction, *event_data = \
        struct.unpack_from("<IHBBBB3B", record, 3)
    asserted = not direction & 0x80
    event_type = direction & 0x7f
    offset = event_data[0] & 0x0f
    if event_type == SENSOR_SPECIFIC:
        meaning = constants.sensor_type_offsets.get(sensor_type, {}).get(offset, {})
    else:
        meaning = constants.generic_type_offsets.get(event_type, {}).get(offset, {})
    return {"id": record_id,
            "timestamp": _sel_time(timestamp),
            "sensor_type": constants.sensor_type_codes.get(sensor_type, f"0x{sensor_type:02x}"),
            "sensor": sensor,
            "event": meaning.get("desc" if asserted else "deassertion_desc", f"offset {offset}"),
            "asserted": asserted,
            "data": bytes(event_data).hex()}


def _sel_time(timestamp):
    # Below 0x20000000 the clock was not set: seconds since the BMC started (37.1).
    if timestamp < 0x20000000:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat()


OPERATIONS = {
    ("power", "on"): functools.partial(_command, CHASSIS, CHASSIS_CONTROL, POWER_ON),
    ("power", "off"): functools.partial(_command, CHASSIS, CHASSIS_CONTROL, POWER_OFF),
    ("power", "reset"): functools.partial(_command, CHASSIS, CHASSIS_CONTROL, HARD_RESET),
    ("power", "cycle"): functools.partial(_command, CHASSIS, CHASSIS_CONTROL, POWER_CYCLE),
    ("power", "status"): power_status,
    # interval 0 and "force on" (28.5): on until told otherwise, or off
    ("chassis", "identify"): functools.partial(_command, CHASSIS, CHASSIS_IDENTIFY, 0, 1),
    ("chassis", "noidentify"): functools.partial(_command, CHASSIS, CHASSIS_IDENTIFY, 0, 0),
    ("sel", "list"): sel_list,
    ("sel", "clear"): sel_clear,
    ("boot", "pxe"): functools.partial(set_boot_device, "pxe", False),
    ("boot", "disk"): functools.partial(set_boot_device, "disk", False),
    ("boot", "pxe_persistent"): functools.partial(set_boot_device, "pxe", True),
    ("boot", "disk_persistent"): functools.partial(set_boot_device, "disk", True),
    ("boot", "status"): boot_status,
}
# {subsystem: (action, ...)}
ACTIONS = {subsystem: tuple(a for s, a in OPERATIONS if s == subsystem) for subsystem, dummy in OPERATIONS}

# Sent twice, these would act twice: not retried once sent.
UNREPEATABLE = {("power", "reset"), ("power", "cycle")}
