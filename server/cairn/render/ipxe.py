"""iPXE boot scripts: what a booting node runs, from the plan service.boot makes.

iPXE expands ``${...}`` in every command line, splits arguments on spaces and
takes quotes, backslashes, ``||`` and ``&&`` as syntax. Names (DNS labels),
MAC and IP addresses and pack file names cannot hold any of those; kernel
options are free text, so a node whose options hold anything outside
``_SAFE_OPTIONS`` gets a script that says so instead of a broken or hijacked one.
"""

import re

from . import render

#: Kernel options iPXE passes on as they are: printable ASCII without $ " ' \ | & ; # `.
_SAFE_OPTIONS = re.compile(r"[A-Za-z0-9 !%()*+,./:<=>?@\[\]^_{}~-]*")
#: How long a node that cannot boot shows why before it leaves iPXE, in seconds.
HALT_SECONDS = 30


def script(plan, base_url):
    """The text of the script of ``plan`` (a dict whose "template" names one of
    templates/ipxe/), served by the server at ``base_url``."""
    boot = plan.get("boot")
    if boot is not None:
        options = boot["options"] or ""
        if not _SAFE_OPTIONS.fullmatch(options):
            plan = halt(f"the kernel options of osimage {boot['osimage']} hold characters "
                        "an iPXE script cannot carry")
        else:
            plan = {**plan, "boot": {**boot, "options": " ".join(options.split())}}
    return render(f"ipxe/{plan['template']}.ipxe.j2",
                  {"base_url": base_url, "halt_seconds": HALT_SECONDS, **plan})


def halt(message):
    """The plan of a script that shows ``message`` (built from names only) and leaves iPXE."""
    return {"template": "halt", "message": message}
