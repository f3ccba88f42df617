"""Alembic environment: runs migrations online against `sqlalchemy.url`."""

from __future__ import annotations

from alembic import context

from core.adapters.db.tables import metadata
from core.adapters.db.unit_of_work import create_db_engine

config = context.config


def run_migrations_online() -> None:
    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
