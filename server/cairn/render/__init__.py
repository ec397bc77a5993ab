"""Rendering config files and boot scripts from the cluster database.

Templates live in ``templates/<kind>/`` inside this package, so they travel
with a plain ``pip install``. Each kind builds one context from the database
with a constant number of queries; the same context renders the server's
files and, through the collection's lookup plugin, the roles' files.

Undefined values are errors (StrictUndefined), never empty strings: a
template that asks for something the context lacks fails loudly in the
tests instead of writing a config with a hole in it.
"""

import functools
import os

import jinja2

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@functools.lru_cache(maxsize=1)
def environment():
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # configs, not HTML: each template quotes for its own syntax
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # they ship with the package: no stat() of the file per render
    )


def render(template, context):
    """The text of ``template`` (a path under templates/, e.g. "dhcp/kea-dhcp4.json.j2")."""
    return environment().get_template(template).render(**context)
