"""Migrations are the only way the schema is made: upgrade → downgrade → upgrade works.

Runs on whichever database the suite runs on (SQLite, and PostgreSQL in CI), and checks
that the migrated schema matches the models exactly (no model change without a migration).
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from learnhub import create_app
from learnhub.extensions import db
from tests.conftest import make_test_config


@pytest.mark.usefixtures("_schema")
def test_upgrade_downgrade_upgrade(database_url, tmp_path):
    app = create_app(make_test_config(database_url), instance_path=str(tmp_path))
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "hub", "pcn", "practice", "password_token", "alembic_version"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()


@pytest.mark.usefixtures("_schema")
def test_models_and_migrations_agree(database_url, tmp_path):
    app = create_app(make_test_config(database_url), instance_path=str(tmp_path))
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models differ from migrations: {diff}"
    with app.app_context():
        db.engine.dispose()
