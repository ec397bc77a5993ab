# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostlists (``node[001-064]``, ``gpu[01-04,08],login1``), expanded on the managed host.

The server expands hostlists with python-hostlist; a managed host has only Ansible
and the standard library, so this is the same syntax in a few lines: names separated
by commas outside brackets; in a name, each ``[...]`` holds numbers and ranges
separated by commas, and a range keeps the zero padding of its first number; several
brackets in one name give every combination, the leftmost changing slowest. Names
come out in that order, each once.
"""

from __future__ import annotations

import re

#: The most names one hostlist may expand to, as the server's python-hostlist allows.
MAX_SIZE = 100000

_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


class HostlistError(ValueError):
    """A hostlist that cannot be expanded; the message says why."""


def expand_hostlist(hostlist):
    """The names of ``hostlist``, in order, without repeats."""
    names = []
    for part in _top_level_parts(hostlist):
        names.extend(_expand_part(part))
        if len(names) > MAX_SIZE:
            raise HostlistError(f"hostlist {hostlist!r} has more than {MAX_SIZE} names")
    return list(dict.fromkeys(names))


def _top_level_parts(hostlist):
    """The comma-separated parts of ``hostlist`` that are outside brackets, empty ones left out."""
    parts, part, depth = [], "", 0
    for char in hostlist + ",":
        if char == "[":
            depth += 1
            if depth > 1:
                raise HostlistError(f"hostlist {hostlist!r}: brackets cannot nest")
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise HostlistError(f"hostlist {hostlist!r}: ']' without '['")
        if char == "," and depth == 0:
            if part:
                parts.append(part)
            part = ""
        else:
            part += char
    if depth:
        raise HostlistError(f"hostlist {hostlist!r}: '[' without ']'")
    return parts


def _expand_part(part):
    """Every name of one part such as ``rack[1-2]-node[01-04]``."""
    names = [""]
    for piece in re.finditer(r"([^\[]*)(?:\[([^\]]*)\])?", part):
        text, brackets = piece.group(1), piece.group(2)
        suffixes = [text] if brackets is None else [text + number for number in _numbers(part, brackets)]
        if len(names) * len(suffixes) > MAX_SIZE:
            raise HostlistError(f"hostlist part {part!r} has more than {MAX_SIZE} names")
        names = [name + suffix for name in names for suffix in suffixes]
    return names


def _numbers(part, brackets):
    """The numbers, as text with their padding, of one bracket's ``1-4,08,10-12``."""
    numbers = []
    for item in brackets.split(","):
        match = _RANGE.fullmatch(item)
        if not match:
            raise HostlistError(f"hostlist part {part!r}: {item!r} is not a number or a range like 01-16")
        low, high = match.group(1), match.group(2) or match.group(1)
        if int(high) < int(low):
            raise HostlistError(f"hostlist part {part!r}: range {item!r} runs backwards")
        if int(high) - int(low) >= MAX_SIZE:
            raise HostlistError(f"hostlist part {part!r}: range {item!r} has more than {MAX_SIZE} names")
        numbers.extend(str(number).zfill(len(low)) for number in range(int(low), int(high) + 1))
    return numbers
