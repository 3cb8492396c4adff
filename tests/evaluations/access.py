"""Access expectations for the course evaluation.

The participant's form uses ``code`` from tests/learning/access.py (a course `pegawai` is
actively enrolled in). The results pages use ``course_id`` from tests/courses/access.py (a course
taught by `pengajar`): its trainer, BKPSDM and Admin OPD (own department's participants) see the
aggregates; only BKPSDM sees individual responses with names. Atasan has VIEW_REPORTS but is not
HR: 403.
"""

from __future__ import annotations

# The matrix visits routes in URL order: POST /pelatihan/<code>/daftar (self-enrolment) comes
# before /pelatihan/<code>/evaluasi, so every account linked to an employee is enrolled by then.
ENROLLED = {"pegawai", "atasan", "admin_bkpsdm"}

EXPECTED = {
    ("evaluations.evaluate", "GET"): ENROLLED,
    ("evaluations.evaluate", "POST"): ENROLLED,
    ("evaluations.results", "GET"): {"pengajar", "admin_bkpsdm", "admin_opd"},
    ("evaluations.responses", "GET"): {"admin_bkpsdm"},
}
