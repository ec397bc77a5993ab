"""Apply Alembic migrations, programmatically: no alembic.ini to find at run time."""

import os

from alembic import command
from alembic.config import Config

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(engine):
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine, revision="head"):
    """Bring the database of ``engine`` up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)
