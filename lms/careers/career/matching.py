"""When a requirement is met, and where the missing programme can be taken.

A rule's code is a programme KIND (PKP, PKA, PKN2, PKN1, LATSAR). It is met by a valid programme
completion whose programme has that kind, or, for an older programme with no kind, whose code
is the rule's code; or by a verified learning record whose name holds the rule's name as whole
words (a programme done before this system, entered as outside learning: "... Tingkat II" does
not meet "... Tingkat I"). The open cohorts of a missing kind are those not closed whose
enrolment deadline has not passed (without one, a cohort takes participants until it ends, as
joining allows).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, exists, false, func, literal, or_, select
from sqlalchemy.orm import contains_eager

from lms.careers.career.models import CareerRequirement
from lms.careers.records.models import LearningRecord
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db

#: Read as spaces when a record's name is matched word by word against a rule's name.
_SEPARATORS = ",.;:()/-"


def _words(expr: Any) -> ColumnElement[str]:
    """`` name `` lower-cased, separators as spaces, padded: whole-word matching with LIKE."""
    text = func.lower(expr, type_=String)
    for ch in _SEPARATORS:
        text = func.replace(text, ch, " ", type_=String)
    return literal(" ", String) + text + literal(" ", String)


def completion_met(employee_id: Any, code: Any) -> ColumnElement[bool]:
    return exists().where(
        Completion.employee_id == employee_id,
        Completion.status == "valid",
        Programme.id == Completion.programme_id,
        or_(
            Programme.kind_code == code,
            and_(Programme.kind_code.is_(None), Completion.code == code),
        ),
    )


def record_met(employee_id: Any, name: Any) -> ColumnElement[bool]:
    return exists().where(
        LearningRecord.employee_id == employee_id,
        LearningRecord.status == "verified",
        _words(LearningRecord.name).contains(_words(name)),
    )


def rule_met(employee_id: Any) -> ColumnElement[bool]:
    return or_(
        completion_met(employee_id, CareerRequirement.programme_code),
        record_met(employee_id, CareerRequirement.programme_name),
    )


def applies(
    types: Collection[str], levels: Collection[str], kinds: Collection[str]
) -> ColumnElement[bool]:
    """Rules of any of these position types, levels or employee kinds."""
    parts = []
    if types:
        parts.append(CareerRequirement.jabatan_type_code.in_(list(types)))
    if levels:
        parts.append(CareerRequirement.jabatan_level_code.in_(list(levels)))
    if kinds:
        parts.append(CareerRequirement.employee_kind.in_(list(kinds)))
    return or_(*parts) if parts else false()


def rules_for(
    types: Collection[str], levels: Collection[str], kinds: Collection[str] = ()
) -> list[CareerRequirement]:
    """Every rule of these subjects, in a stable order (one query)."""
    return list(
        db.session.scalars(
            select(CareerRequirement)
            .where(applies(types, levels, kinds))
            .order_by(CareerRequirement.programme_code, CareerRequirement.id)
        )
    )


def met_ids(employee_id: int, rules: Iterable[CareerRequirement]) -> set[int]:
    """The rules the employee meets (one query)."""
    ids = list({r.id for r in rules})
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(CareerRequirement.id).where(CareerRequirement.id.in_(ids), rule_met(employee_id))
        )
    )


def open_cohorts(codes: Collection[str], today: date) -> dict[str, Cohort]:
    """Per programme kind (or kind-less programme code) among ``codes``: the open cohort whose
    enrolment closes first (one query)."""
    if not codes:
        return {}
    deadline = func.coalesce(Cohort.enrol_deadline, Cohort.ends_on)
    rows = db.session.scalars(
        select(Cohort)
        .join(Programme, Programme.id == Cohort.programme_id)
        .options(contains_eager(Cohort.programme))
        .where(
            or_(
                Programme.kind_code.in_(list(codes)),
                and_(Programme.kind_code.is_(None), Programme.code.in_(list(codes))),
            ),
            Cohort.closed_at.is_(None),
            deadline >= today,
        )
        .order_by(deadline, Cohort.starts_on, Cohort.id)
    )
    found: dict[str, Cohort] = {}
    for cohort in rows:
        found.setdefault(cohort.programme.kind_code or cohort.programme.code, cohort)
    return found
