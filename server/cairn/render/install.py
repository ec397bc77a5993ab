"""The installer script of a node (/boot/install), from the plan service.install makes.

Every value the database gives (names, paths, secrets, scripts, BMC settings)
goes into the script through the ``shquote`` filter (shlex.quote): one word
the shell takes literally, whatever quotes, ``$(...)``, backquotes or line
breaks it holds. The filter exists only in this module's environment, so no
other template can take shell quoting for its own syntax's.
"""

import functools
import shlex

from . import environment


@functools.lru_cache(maxsize=1)
def _environment():
    env = environment().overlay()
    # overlay() shares the parent's filter dict: give this one its own.
    env.filters = {**env.filters, "shquote": lambda value: shlex.quote(str(value))}
    return env


def script(plan, base_url):
    """The text of the installer of ``plan``, fetching from the server at ``base_url``."""
    return _environment().get_template("install/installer.sh.j2").render(base_url=base_url, **plan)
