"""Migration 0008f on data written before it: the first default signatory position gets its
region, Moodle category paths become names, old notifications keep their text."""

from __future__ import annotations

import uuid

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lms import create_app
from lms.extensions import db

NOW = "2026-01-01 00:00:00"


def test_upgrade_cleans_what_was_stored(databases, tmp_path) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new(f"m0008f_{uuid.uuid4().hex[:8]}"),
            "FILES_DIR": str(tmp_path),
        },
        env="testing",
    )
    with app.app_context():
        upgrade(revision="0007f")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO instansi (code, name, short_name, city, evaluation_period,"
                    " created_at, updated_at) VALUES ('5671', 'Pemerintah Kota Palembang', '',"
                    " 'Palembang', 'quarterly', :now, :now)"
                ),
                {"now": NOW},
            )
            for code, position in (
                ("STTP", "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
                ("LAIN", "Sekretaris Daerah Kota Palembang"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO certificate_series (code, name, number_format, prefix,"
                        " is_default, issuer_name, issuer_parent, place_of_issue, signatory_name,"
                        " signatory_position, signatory_nip, created_at, updated_at) VALUES"
                        " (:c, 'Seri', '{seq}/{year}', 'STTP', false, '', '', '', '', :p, '',"
                        " :now, :now)"
                    ),
                    {"c": code, "p": position, "now": NOW},
                )
            conn.execute(text("INSERT INTO categories (name, position) VALUES ('Umum', 0)"))
            for code in ("A-1", "B-1"):
                conn.execute(
                    text(
                        "INSERT INTO courses (code, category_id, archived, self_enrol,"
                        " approval_steps, search_text, require_lessons, require_posttest,"
                        " require_evaluation, created_at, updated_at) VALUES (:code, 1, false,"
                        " true, '', '', true, true, true, :now, :now)"
                    ),
                    {"code": code, "now": NOW},
                )
            for course_id, name in (
                (1, "$course$/top/Default for New Features"),
                (1, "$course$/Bab 2"),
                (1, "MWK-101/Post-test"),
                (2, "$course$/Default for B"),
                (2, "Umum"),  # the clean name is taken in course 2: left alone
            ):
                conn.execute(
                    text("INSERT INTO question_categories (course_id, name) VALUES (:c, :n)"),
                    {"c": course_id, "n": name},
                )
        upgrade(revision="0008f")
        with db.engine.connect() as conn:
            positions = dict(
                conn.execute(text("SELECT code, signatory_position FROM certificate_series")).all()
            )
            names = sorted(
                conn.execute(text("SELECT course_id, name FROM question_categories")).all()
            )
            pangkat = conn.execute(text("SELECT signatory_pangkat FROM certificate_series")).all()
        assert positions == {
            "STTP": "Kepala BKPSDM Kota Palembang",
            "LAIN": "Sekretaris Daerah Kota Palembang",
        }
        assert pangkat == [("",), ("",)]
        assert names == [
            (1, "Bab 2"),
            (1, "MWK-101/Post-test"),
            (1, "Umum"),
            (2, "$course$/Default for B"),
            (2, "Umum"),
        ]
        downgrade(revision="0007f")
        db.session.remove()
        db.engine.dispose()
