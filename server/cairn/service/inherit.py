"""Where a node's and a group's effective values come from.

A node's unset field takes its group's value, a group's unset field the
cluster's (for the provisioning method) or the built-in default. Records
say the source of each such field in ``_<field>_source``.
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
            resolved[f"_{field}_source"] = "group"
        elif cluster_field and cluster.get(cluster_field) is not None:
            resolved[field] = cluster[cluster_field]
            resolved[f"_{field}_source"] = "cluster"
        else:
            resolved[field] = default
            resolved[f"_{field}_source"] = "default"
    return resolved


def resolve_node(own, group_resolved):
    """Fill a node's unset fields from its resolved group; mark ``_override``."""
    resolved = dict(own)
    override = False
    for field, (group_field, _cluster_field, _default) in NODE_INHERITS.items():
        if own.get(field) is not None:
            resolved[f"_{field}_source"] = "node"
            override = True
        else:
            resolved[field] = group_resolved[group_field]
            resolved[f"_{field}_source"] = group_resolved[f"_{group_field}_source"]
    resolved["_override"] = override
    return resolved
