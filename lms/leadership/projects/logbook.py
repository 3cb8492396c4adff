"""The implementation logbook: entries per milestone with evidence files, each confirmed or
returned by the mentor (flush, never commit).

Entries are written once the proposal is approved and until the seminar is scheduled. A returned
entry is revised by the participant (text, date, more files) and goes back to the mentor. The
logbook is complete when every milestone has a confirmed entry and none waits for the mentor:
only then can the seminar be scheduled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _

from lms.auth.models import User
from lms.courses.authoring.files import CheckedFile
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.leadership.projects import evidence
from lms.leadership.projects.models import EvidenceFile, LogEntry, Project
from lms.leadership.projects.notices import tell_member, tell_user
from lms.leadership.projects.services import TEXT_MAX, ProjectError, ensure_open
from lms.leadership.roles.access import assigned
from lms.notifications.messages import N_

OPEN_FOR_ENTRIES = ("approved", "implementing")


@dataclass(frozen=True)
class EntryInput:
    milestone_id: int | None
    done_on: date | None
    activity: str


@dataclass(frozen=True)
class Progress:
    confirmed: int  # milestones with a confirmed entry
    total: int
    waiting: int  # entries waiting for the mentor
    returned: int  # entries the participant must revise

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.confirmed == self.total and not self.waiting

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0


def progress(project: Project) -> Progress:
    confirmed = {e.milestone_id for e in project.entries if e.state == "confirmed"}
    return Progress(
        confirmed=len(confirmed & {m.id for m in project.milestones}),
        total=len(project.milestones),
        waiting=sum(1 for e in project.entries if e.state == "submitted"),
        returned=sum(1 for e in project.entries if e.state == "returned"),
    )


def _clean(project: Project, values: EntryInput, today: date) -> tuple[int, date, str]:
    milestone = next((m for m in project.milestones if m.id == values.milestone_id), None)
    if milestone is None:
        raise ProjectError(_("Pilih milestone dari rancangan yang disetujui."), "milestone")
    if values.done_on is None:
        raise ProjectError(_("Isi tanggal kegiatan."), "done_on")
    if values.done_on > today:
        raise ProjectError(_("Tanggal kegiatan tidak boleh setelah hari ini."), "done_on")
    starts = project.member.cohort.starts_on
    if values.done_on < starts:
        raise ProjectError(
            _(
                "Tanggal kegiatan tidak boleh sebelum angkatan dimulai (%(d)s).",
                d=format_date(starts, "long"),
            ),
            "done_on",
        )
    activity = (values.activity or "").strip().replace("\r\n", "\n")
    if not activity:
        raise ProjectError(_("Uraikan kegiatan dan hasilnya."), "activity")
    if len(activity) > TEXT_MAX:
        raise ProjectError(_("Uraian paling panjang %(n)s karakter.", n=TEXT_MAX), "activity")
    return milestone.id, values.done_on, activity


def _attach(entry: LogEntry, files: list[CheckedFile]) -> None:
    if len(entry.files) + len(files) > evidence.MAX_FILES:
        raise ProjectError(
            _("Paling banyak %(n)s berkas bukti per catatan.", n=evidence.MAX_FILES), "files"
        )
    for checked in files:
        key, digest = evidence.save(checked)
        entry.files.append(
            EvidenceFile(
                storage_key=key,
                filename=checked.filename,
                mimetype=checked.mimetype,
                size=checked.size,
                sha256=digest,
            )
        )


def _tell_mentor(entry: LogEntry, revised: bool) -> None:
    member = entry.project.member
    message = (
        N_(
            "%(n)s memperbaiki catatan pelaksanaan “%(m)s”; mohon konfirmasi.",
            n=member.employee.display_name,
            m=entry.milestone.title,
        )
        if revised
        else N_(
            "%(n)s menambahkan catatan pelaksanaan “%(m)s”; mohon konfirmasi.",
            n=member.employee.display_name,
            m=entry.milestone.title,
        )
    )
    tell_user(assigned(member).mentor_id, message, member)


def add_entry(
    project: Project, values: EntryInput, files: list[CheckedFile], today: date | None = None
) -> LogEntry:
    ensure_open(project.member)
    if project.state not in OPEN_FOR_ENTRIES:
        raise ProjectError(
            _(
                "Catatan pelaksanaan dapat diisi setelah rancangan disetujui dan "
                "sebelum seminar dijadwalkan."
            )
        )
    milestone_id, done_on, activity = _clean(project, values, today or local_today())
    if not files:
        raise ProjectError(_("Lampirkan paling sedikit satu berkas bukti."), "files")
    entry = LogEntry(
        project=project,
        milestone_id=milestone_id,
        done_on=done_on,
        activity=activity,
        state="submitted",
    )
    db.session.add(entry)
    _attach(entry, files)
    project.state = "implementing"
    db.session.flush()
    _tell_mentor(entry, revised=False)
    return entry


def revise_entry(
    entry: LogEntry, values: EntryInput, files: list[CheckedFile], today: date | None = None
) -> LogEntry:
    """The participant's revision of a returned entry; it goes back to the mentor."""
    ensure_open(entry.project.member)
    if entry.state != "returned" or entry.project.state not in OPEN_FOR_ENTRIES:
        raise ProjectError(_("Hanya catatan yang dikembalikan mentor yang dapat diperbaiki."))
    entry.milestone_id, entry.done_on, entry.activity = _clean(
        entry.project, values, today or local_today()
    )
    _attach(entry, files)
    entry.state = "submitted"
    entry.decided_at = None
    db.session.flush()
    _tell_mentor(entry, revised=True)
    return entry


def decide_entry(
    entry: LogEntry, mentor: User, confirm: bool, comment: str, now: datetime | None = None
) -> LogEntry:
    ensure_open(entry.project.member)
    if entry.state != "submitted":
        raise ProjectError(_("Catatan ini tidak sedang menunggu konfirmasi."))
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise ProjectError(
            _("Tuliskan apa yang perlu diperbaiki bila catatan dikembalikan."), "comment"
        )
    if len(comment) > TEXT_MAX:
        raise ProjectError(_("Catatan paling panjang %(n)s karakter.", n=TEXT_MAX), "comment")
    entry.state = "confirmed" if confirm else "returned"
    entry.comment = comment
    entry.decided_by_id = mentor.id
    entry.decided_at = now or utcnow()
    db.session.flush()
    member = entry.project.member
    tell_member(
        member,
        N_("Mentor mengonfirmasi catatan pelaksanaan “%(m)s”.", m=entry.milestone.title)
        if confirm
        else N_(
            "Mentor mengembalikan catatan pelaksanaan “%(m)s”: %(c)s",
            m=entry.milestone.title,
            c=comment,
        ),
    )
    return entry
