"""The schema changes only through migrations: one head, upgrade from empty, no drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms import create_app
from lms.db import for_this_dialect
from lms.extensions import db


def _fresh_app(databases, tmp_path):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new("migr"), "FILES_DIR": str(tmp_path)},
        env="testing",
    )


def test_single_head(app) -> None:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_upgrade_from_empty_matches_models(databases, tmp_path) -> None:
    app = _fresh_app(databases, tmp_path)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "employees", "units", "api_tokens", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": for_this_dialect(conn.dialect.name),
                },
            )
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
