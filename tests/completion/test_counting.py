"""JP counted once: the pure rule (``counting.part_of``), and its SQL form agreeing with it on every
case (``counting.absorbed_completion_ids`` / ``counts_once``), and the SIASN history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.completion import counting
from lms.completion.counting import Participation, counted_jp, part_of
from lms.completion.models import Completion
from lms.extensions import db
from lms.org.models import Employee
from tests.completion.programmes import (
    ENDS,
    STARTS,
    cohort_of,
    complete_course_on,
    join,
    programme_with_four_courses,
)

PKP = Participation(
    cohort_id=1,
    programme_id=10,
    programme_title="Pelatihan Kepemimpinan Pengawas",
    course_ids=frozenset({101, 102, 103, 104}),
    starts_on=STARTS,
    ends_on=ENDS,
    status="active",
    result=None,
)


def _with(**changes) -> Participation:
    return Participation(**{**PKP.__dict__, **changes})


@pytest.mark.parametrize(
    ("participation", "course_id", "day", "absorbed"),
    [
        (PKP, 101, date(2025, 3, 10), True),  # a course of the programme, during the cohort
        (PKP, 104, STARTS, True),  # the first day counts
        (PKP, 104, ENDS, True),  # and the last
        (PKP, 101, date(2025, 2, 2), False),  # the day before: learning of its own
        (PKP, 101, date(2025, 6, 28), False),  # the day after
        (PKP, 999, date(2025, 3, 10), False),  # not one of the programme's courses
        (_with(result="passed"), 101, date(2025, 3, 10), True),
        (_with(status="completed", result="passed"), 101, date(2025, 3, 10), True),
        (_with(result="failed"), 101, date(2025, 3, 10), False),  # failed: counts on its own
        (_with(status="completed", result="failed"), 101, date(2025, 3, 10), False),
        (_with(status="withdrawn"), 101, date(2025, 3, 10), False),  # withdrew: on its own
        (_with(status="rejected"), 101, date(2025, 3, 10), False),
        (_with(status="nominated"), 101, date(2025, 3, 10), False),  # not yet a participant
        (_with(status="waitlisted"), 101, date(2025, 3, 10), False),
    ],
)
def test_a_course_inside_a_cohort_counts_toward_its_programme(
    participation, course_id, day, absorbed
) -> None:
    found = part_of(course_id, day, [participation])
    assert (found is not None) is absorbed
    assert counted_jp(Decimal(6), found) == (Decimal(0) if absorbed else Decimal(6))


def test_the_earliest_cohort_wins_and_a_failed_one_gives_way() -> None:
    later = _with(cohort_id=2, programme_id=11, programme_title="Program B", starts_on=STARTS)
    assert part_of(101, date(2025, 3, 10), [later, PKP]).cohort_id == 1
    failed = _with(result="failed")
    assert part_of(101, date(2025, 3, 10), [failed, later]).cohort_id == 2
    assert part_of(101, date(2025, 3, 10), []) is None


# --- the SQL form agrees with the pure rule ------------------------------------------------------


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


CASES = {
    # name: (membership status, result, course number, completion day)
    "running": ("active", None, 0, date(2025, 3, 10)),
    "first_day": ("active", None, 1, STARTS),
    "last_day": ("active", "passed", 2, ENDS),
    "before": ("active", "passed", 3, date(2025, 1, 31)),
    "passed": ("completed", "passed", 0, date(2025, 4, 1)),
    "failed": ("completed", "failed", 0, date(2025, 4, 1)),
    "withdrawn": ("withdrawn", None, 0, date(2025, 4, 1)),
    "rejected": ("rejected", None, 0, date(2025, 4, 1)),
    "nominated": ("nominated", None, 0, date(2025, 4, 1)),
}


def test_sql_and_pure_rule_agree(ctx, world) -> None:
    """One employee per case; the SQL ids and the pure rule's answers are the same set."""
    from tests.factories import make_employee

    programme, courses = programme_with_four_courses()
    other, other_courses = programme_with_four_courses("LATSAR", code="LAT-UJI", jenis=None)
    cohort = cohort_of(programme)
    unit = db.session.get(Employee, world.employees["pegawai"].id).unit
    made = []
    for name, (status, result, number, day) in CASES.items():
        employee = make_employee(unit, f"Peserta {name}")
        join(cohort, employee, status=status, result=result)
        made.append(complete_course_on(employee, courses[number], day))
    # a course of another programme, by a participant of this one, during the cohort
    made.append(complete_course_on(employee, other_courses[0], date(2025, 3, 3)))
    # a course completed late in the evening of the day before the cohort (UTC) is in it (WIB)
    late = make_employee(unit, "Peserta malam")
    join(cohort, late)
    evening = complete_course_on(late, courses[1], STARTS)
    evening.completed_at = evening.completed_at.replace(day=STARTS.day - 1, hour=18)
    made.append(evening)
    db.session.flush()

    by_sql = set(db.session.scalars(counting.absorbed_completion_ids()))
    by_rule = set(counting.programmes_of(made))
    assert by_sql == by_rule
    names = {c.identity["name"] for c in made if c.id in by_rule}
    assert names == {
        "Peserta running",
        "Peserta first_day",
        "Peserta last_day",
        "Peserta passed",
        "Peserta malam",
    }
    counted = set(
        db.session.scalars(
            select(Completion.id).where(
                Completion.id.in_([c.id for c in made]), counting.counts_once(Completion.id)
            )
        )
    )
    assert counted == {c.id for c in made} - by_sql


# --- SIASN history -------------------------------------------------------------------------------


def test_only_a_structural_programme_is_riwayat_diklat(ctx, world) -> None:
    pkp, pkp_courses = programme_with_four_courses("PKP", code="PKP-H", jenis=1)
    latsar, _ = programme_with_four_courses("LATSAR", code="LAT-H", jenis=1)
    own, _ = programme_with_four_courses("INSTANSI", code="OWN-H", jenis=8)

    def completion(programme=None, course=None, jenis=None) -> Completion:
        return Completion(
            programme_id=programme.id if programme else None,
            course_id=course.id if course else None,
            jenis_diklat_code=jenis,
        )

    assert counting.siasn_history(completion(pkp, jenis=1)) == counting.SiasnHistory("diklat", 1, 2)
    # Latsar is not "Diklat Struktural": riwayat kursus, jenis 13 (classical, other)
    assert counting.siasn_history(completion(latsar, jenis=1)) == counting.SiasnHistory(
        "kursus", 13
    )
    assert counting.siasn_history(completion(latsar, jenis=None)).jenis_diklat_code == 13
    assert counting.siasn_history(completion(own, jenis=8)) == counting.SiasnHistory("kursus", 8)
    course = pkp_courses[0]
    assert counting.siasn_history(completion(course=course, jenis=16)) == counting.SiasnHistory(
        "kursus", 16
    )
    assert counting.siasn_history(completion(course=course, jenis=1)).kind == "kursus"
