"""Alembic environment: the engine comes from db.migrate, never from a file."""

from alembic import context

from cairn.db.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    # SQLite cannot ALTER most things in place: batch mode copies the table.
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
