"""Where a node's and a group's effective values come from.

A node's unset field takes its group's value, a group's unset field the
cluster's (for the provisioning method) or the built-in default. Records
say the source of each such field in ``_<field>_source``. A group's
osimagetag reaches only the nodes that take the group's osimage too.
"""

#: field -> (group column, cluster column, default)
NODE_INHERITS = {
    "osimage": ("osimage", None, None),
    "osimagetag": ("osimagetag", None, None),
    "prescript": ("prescript", None, None),
    "partscript": ("partscript", None, None),
    "postscript": ("postscript", None, None),
    "netboot": ("netboot", None, True),
    "localinstall": ("localinstall", None, False),
    "bootmenu": ("bootmenu", None, False),
    "provision_interface": ("provision_interface", None, "BOOTIF"),
    "provision_method": ("provision_method", "provision_method", "torrent"),
    "provision_fallback": ("provision_fallback", "provision_fallback", "http"),
    "setupbmc": ("bmcsetup", None, False),
}

#: field -> (cluster column, default), for a group's own unset fields
GROUP_INHERITS = {
    group_field: (cluster_field, default)
    for group_field, cluster_field, default in NODE_INHERITS.values()
}


def resolve_group(own, cluster):
    """Fill a group's unset inheritable fields; ``own`` is {field: value or None}."""
    resolved = dict(own)
    for field, (cluster_field, default) in GROUP_INHERITS.items():
        if own.get(field) is not None:
            resolved[_source(field)] = "group"
        elif cluster_field and cluster.get(cluster_field) is not None:
            resolved[field] = cluster[cluster_field]
            resolved[_source(field)] = "cluster"
        else:
            resolved[field] = default
            resolved[_source(field)] = "default"
    return resolved


def _source(field):
    return f"_{field}_source"


def group_defaults(group_resolved):
    """What a node of this group shows for every field it leaves unset.

    Computed once per group, so that listing many nodes costs one dict copy
    and a look at the node's own values each.
    """
    defaults = {"_override": False}
    for field, (group_field, _cluster_field, _default) in NODE_INHERITS.items():
        defaults[field] = group_resolved[group_field]
        defaults[_source(field)] = group_resolved[_source(group_field)]
    return defaults


_SOURCE_OF = {field: _source(field) for field in NODE_INHERITS}


def resolve_node(own, defaults):
    """A node's record: its own set values over its group's ``group_defaults``."""
    resolved = defaults.copy()
    for field, value in own.items():
        source = _SOURCE_OF.get(field)
        if source is None:
            resolved[field] = value
        elif value is not None:
            resolved[field] = value
            resolved[source] = "node"
            resolved["_override"] = True
    if resolved["_osimagetag_source"] == "group" and resolved["osimage"] != defaults["osimage"]:
        # A tag is a tag of one image: the group's does not follow a node onto its own image.
        resolved["osimagetag"], resolved["_osimagetag_source"] = None, "default"
    return resolved
