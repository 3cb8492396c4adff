"""Migration 0009c: the organiser's phase marks, one per phase and participant, going with their
phase and participant (tests/test_migrations.py checks the whole chain against the models)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms import create_app
from lms.extensions import db


def test_0009c_adds_phase_marks_and_goes_back(databases, tmp_path) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new("marks"), "FILES_DIR": str(tmp_path)},
        env="testing",
    )
    with app.app_context():
        upgrade(revision="0009a")
        assert "cohort_phase_marks" not in inspect(db.engine).get_table_names()
        upgrade(revision="0009c")
        inspector = inspect(db.engine)
        assert {c["name"] for c in inspector.get_columns("cohort_phase_marks")} == {
            "id",
            "phase_id",
            "member_id",
            "marked_by_id",
            "marked_at",
        }
        uniques = inspector.get_unique_constraints("cohort_phase_marks")
        assert [u["column_names"] for u in uniques] == [["phase_id", "member_id"]]
        cascades = {
            fk["referred_table"]: (fk.get("options") or {}).get("ondelete")
            for fk in inspector.get_foreign_keys("cohort_phase_marks")
        }
        assert cascades == {
            "cohort_phases": "CASCADE",
            "cohort_members": "CASCADE",
            "users": None,
        }
        downgrade(revision="0009a")
        assert "cohort_phase_marks" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
