"""The project's stages as people read them: the stepper's five steps, each state's label, and
how far along the progress bar a project is (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.leadership.projects.logbook import Progress

#: The stepper's steps, in order.
STEPS = (
    ("proposal", _l("Rancangan")),
    ("review", _l("Persetujuan coach dan mentor")),
    ("implementation", _l("Pelaksanaan")),
    ("seminar", _l("Seminar")),
    ("assessment", _l("Penilaian")),
)
#: The step each state is at (len(STEPS): every step done).
STEP_OF = {
    None: 0,
    "draft": 0,
    "returned": 0,
    "proposal_submitted": 1,
    "approved": 2,
    "implementing": 2,
    "seminar_scheduled": 3,
    "seminar_held": 4,
    "assessed": 5,
}
STATE_LABELS = {
    None: _l("Belum dimulai"),
    "draft": _l("Rancangan disusun"),
    "proposal_submitted": _l("Menunggu persetujuan"),
    "returned": _l("Dikembalikan untuk perbaikan"),
    "approved": _l("Rancangan disetujui"),
    "implementing": _l("Pelaksanaan"),
    "seminar_scheduled": _l("Seminar terjadwal"),
    "seminar_held": _l("Menunggu penilaian"),
    "assessed": _l("Dinilai"),
}
KIND_LABELS = {"aktualisasi": _l("Aktualisasi"), "aksi_perubahan": _l("Aksi perubahan")}
ENTRY_LABELS = {
    "submitted": _l("Menunggu konfirmasi mentor"),
    "confirmed": _l("Dikonfirmasi mentor"),
    "returned": _l("Dikembalikan mentor"),
}
ROLE_LABELS = {
    "coach": _l("Coach"),
    "mentor": _l("Mentor"),
    "examiner": _l("Penguji"),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: object
    status: str  # "done" | "current" | "todo"


def steps(state: str | None) -> list[Step]:
    at = STEP_OF[state]
    return [
        Step(key, label, "done" if i < at else "current" if i == at else "todo")
        for i, (key, label) in enumerate(STEPS)
    ]


def percent(state: str | None, logbook: Progress | None = None) -> int:
    """How far along: the proposal's steps first, the logbook's confirmed milestones through the
    implementation, then the seminar and the assessment."""
    if state in ("approved", "implementing"):
        done = logbook.percent if logbook is not None else 0
        return 30 + round(40 * done / 100)
    return {
        None: 0,
        "draft": 5,
        "returned": 10,
        "proposal_submitted": 20,
        "seminar_scheduled": 75,
        "seminar_held": 85,
        "assessed": 100,
    }[state]
