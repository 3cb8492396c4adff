"""Rules for programmes and cohorts that need no transaction: eligibility, codes, the error.

``eligibility_problems`` is pure (it reads only the objects given); ``build_eligibility`` checks
codes against the reference data. The HR screens and the content loader share these, so a file
and a form are refused for the same reasons with the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from lms.errors import DomainError
from lms.extensions import db
from lms.indonesian import local_date
from lms.org.models import Golongan, JabatanType

APPROVAL_CHOICES = ("supervisor,hr", "supervisor", "hr", "")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


#: More seats than any city has employees: a bigger number is a typo (and past the column's range).
MAX_QUOTA = 100_000


class CohortError(DomainError):
    """A refused change; ``field`` names the form field (``phases-1``, ``courses-0``) if any."""


def closed_message(cohort: Any) -> str | None:
    """Why a closed cohort refuses a change (None while it is open): its results are final, so
    its participants, phases and marks stay as they are."""
    closed = getattr(cohort, "closed_at", None)
    if closed is None:
        return None
    return _(
        "%(c)s sudah ditutup pada %(d)s; peserta, tahapan, dan kehadiran tidak dapat diubah lagi.",
        c=cohort.name,
        d=format_date(local_date(closed), "long"),
    )


def refuse_if_closed(cohort: Any) -> None:
    message = closed_message(cohort)
    if message is not None:
        raise CohortError(message)


def clean_code(value: str, field: str = "code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise CohortError(_("Kode wajib diisi."), field)
    if not CODE_RE.match(code):
        raise CohortError(
            _("Kode hanya boleh berisi huruf, angka, dan tanda hubung (maksimal 40)."), field
        )
    return code


def eligibility_problems(
    employee: Any, cohort: Any, type_names: Mapping[str, str] | None = None
) -> list[str]:
    """Why ``employee`` may not join ``cohort`` (empty when eligible).

    Pure: it reads only the objects given. The cohort's rule stores the minimum grade's rank
    (``min_grade_rank``) next to its code, so no lookup is needed to compare grades.
    """
    rule = getattr(cohort, "eligibility", None) or {}
    names = type_names or {}
    problems: list[str] = []
    if not getattr(employee, "is_active", True):
        problems.append(_("Pegawai berstatus nonaktif."))
    allowed = list(rule.get("position_types") or [])
    if allowed:
        allowed_text = ", ".join(names.get(code, code) for code in allowed)
        code = getattr(employee, "jabatan_type_code", None)
        if not code:
            problems.append(
                _(
                    "Jenis jabatan belum tercatat, sedangkan angkatan ini khusus untuk: "
                    "%(allowed)s.",
                    allowed=allowed_text,
                )
            )
        elif code not in allowed:
            problems.append(
                _(
                    "Jenis jabatan %(has)s tidak memenuhi syarat; angkatan ini khusus untuk: "
                    "%(allowed)s.",
                    has=names.get(code, code),
                    allowed=allowed_text,
                )
            )
    min_code = rule.get("min_grade")
    min_rank = rule.get("min_grade_rank")
    if min_code and min_rank is not None:
        grade = getattr(employee, "golongan", None)
        if grade is None:
            problems.append(
                _(
                    "Pangkat/golongan belum tercatat; syarat minimal golongan %(min)s.",
                    min=min_code,
                )
            )
        elif grade.rank < int(min_rank):
            problems.append(
                _(
                    "Golongan %(has)s di bawah syarat minimal golongan %(min)s.",
                    has=grade.code,
                    min=min_code,
                )
            )
    return problems


def jabatan_type_names() -> dict[str, str]:
    return dict(db.session.execute(select(JabatanType.code, JabatanType.name)).all())


def build_eligibility(position_types: Iterable[str], min_grade: str | None) -> dict[str, Any]:
    """Check the codes against the reference data and return the stored rule."""
    types = [t.strip() for t in position_types if t and t.strip()]
    known = set(db.session.scalars(select(JabatanType.code)))
    unknown = [t for t in types if t not in known]
    if unknown:
        raise CohortError(
            _("Jenis jabatan tidak dikenal: %(codes)s.", codes=", ".join(unknown)),
            "position_types",
        )
    rule: dict[str, Any] = {}
    if types:
        rule["position_types"] = list(dict.fromkeys(types))
    if min_grade:
        grade = db.session.get(Golongan, min_grade.strip())
        if grade is None:
            raise CohortError(
                _("Golongan minimal tidak dikenal: %(code)s.", code=min_grade), "min_grade"
            )
        rule["min_grade"] = grade.code
        rule["min_grade_rank"] = grade.rank
    return rule
