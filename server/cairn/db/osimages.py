"""Queries about OS images, their tags, and the groups and nodes that use or pin them."""

from sqlalchemy import case, delete, exists, func, insert, or_, select, update

from .objects import narrowed
from .schema import group, node, osimage, osimagetag


def by_id(conn, image_id, for_update=False):
    query = select(osimage).where(osimage.c.id == image_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


# -- what a node resolves to (as service.inherit does) -----------------------------

#: A node's osimage: its own, or else its group's.
_NODE_IMAGE = func.coalesce(node.c.osimage_id, group.c.osimage_id)
#: A node's tag: its own, or else its group's, unless the node names another image.
_NODE_TAG = case((node.c.osimagetag.is_not(None), node.c.osimagetag),
                 (or_(node.c.osimage_id.is_(None), node.c.osimage_id == group.c.osimage_id),
                  group.c.osimagetag))


def _nodes(*columns):
    return select(*columns).select_from(node).join(group, group.c.id == node.c.nodegroup_id)


def members(conn, image_id, where=None):
    """Names of the nodes whose osimage, own or their group's, is the image; ``where``
    narrows the nodes."""
    return conn.execute(narrowed(_nodes(node.c.name).where(_NODE_IMAGE == image_id), where)
                        .order_by(node.c.name)).scalars().all()


def pinned_nodes(conn, image_id, tag=None, where=None):
    """(node name, tag) of the nodes pinned to a tag of the image (to ``tag`` when given);
    ``where`` narrows the nodes."""
    query = narrowed(_nodes(node.c.name, _NODE_TAG.label("tag")), where).where(
        _NODE_IMAGE == image_id, _NODE_TAG.is_not(None))
    if tag is not None:
        query = query.where(_NODE_TAG == tag)
    return conn.execute(query.order_by(node.c.name)).all()


def pinning_groups(conn, image_id, tag):
    return conn.execute(select(group.c.name).where(group.c.osimage_id == image_id,
                                                   group.c.osimagetag == tag)
                        .order_by(group.c.name)).scalars().all()


def node_pin(conn, node_id):
    """(the node's own tag, the id of the osimage it resolves to)."""
    return conn.execute(_nodes(node.c.osimagetag, _NODE_IMAGE).where(node.c.id == node_id)).one()


def group_pin(conn, group_id):
    """(the group's tag, its osimage id)."""
    return conn.execute(select(group.c.osimagetag, group.c.osimage_id)
                        .where(group.c.id == group_id)).one()


def stray_member_pins(conn, group_id, image_id):
    """(node, tag) of members that pin a tag themselves, take the group's osimage,
    and find no such tag of ``image_id`` there."""
    tag_exists = exists().where(osimagetag.c.osimage_id == image_id,
                                osimagetag.c.name == node.c.osimagetag)
    return conn.execute(select(node.c.name, node.c.osimagetag).where(
        node.c.nodegroup_id == group_id, node.c.osimage_id.is_(None),
        node.c.osimagetag.is_not(None), ~tag_exists).order_by(node.c.name)).all()


# -- tags ----------------------------------------------------------------------

def tags(conn, image_id=None, where=None):
    """Tag rows with the name of their image as ``osimage``, by image and tag name;
    ``where`` narrows the images."""
    query = (narrowed(select(osimagetag, osimage.c.name.label("osimage"))
                      .join(osimage, osimage.c.id == osimagetag.c.osimage_id), where)
             .order_by(osimage.c.name, osimagetag.c.name))
    if image_id is not None:
        query = query.where(osimagetag.c.osimage_id == image_id)
    return conn.execute(query).all()


def tag(conn, image_id, name):
    return conn.execute(select(osimagetag).where(osimagetag.c.osimage_id == image_id,
                                                 osimagetag.c.name == name)).first()


def add_tag(conn, values):
    conn.execute(insert(osimagetag).values(**values))


def change_tag(conn, tag_id, values):
    conn.execute(update(osimagetag).where(osimagetag.c.id == tag_id).values(**values))


def remove_tag(conn, tag_id):
    conn.execute(delete(osimagetag).where(osimagetag.c.id == tag_id))


def packs(conn, where=None):
    """The tarballs (imagefile) of the images, and of their tags; ``where`` narrows the images."""
    images = narrowed(select(osimage.c.imagefile), where)
    tagged = narrowed(select(osimagetag.c.imagefile)
                      .join(osimage, osimage.c.id == osimagetag.c.osimage_id), where)
    return [name for name in conn.execute(images.union(tagged)).scalars() if name]


def unused_packs(conn, imagefiles):
    """Those of ``imagefiles`` that no image and no tag holds any more."""
    wanted = {name for name in imagefiles if name}
    if not wanted:
        return []
    held = set(conn.execute(select(osimage.c.imagefile).where(osimage.c.imagefile.in_(wanted))
                            .union(select(osimagetag.c.imagefile)
                                   .where(osimagetag.c.imagefile.in_(wanted)))).scalars())
    return sorted(wanted - held)
