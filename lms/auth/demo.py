"""The demo accounts and their published password: the demo loader (``lms.org.demo``) creates
them, and accounts refuse them (a new password may not be the demo's; production does not start
while one of them keeps it)."""

from __future__ import annotations

from lms.permissions import Role

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo password (CONTRACT.md)

DEMO_ACCOUNTS = (
    ("admin", {Role.ADMIN_SISTEM}, "Administrator Sistem"),
    ("bkpsdm", {Role.ADMIN_BKPSDM}, ""),
    ("opd.dinkes", {Role.ADMIN_OPD}, ""),
    ("pengajar", {Role.PENGAJAR}, ""),
    ("mitra", {Role.MITRA}, "Staf BPSDMD Provinsi Sumatera Selatan"),
    ("atasan", set(), ""),
    ("pegawai", set(), ""),
    # The workplace project of the demo Latsar and PKP cohorts (issue 17; lms.leadership.demo):
    # a coach and an examiner (widyaiswara of the partner institution, no employee record), the
    # mentors (the participants' direct supervisors) and one PKP participant.
    ("coach", {Role.PENGAJAR}, "Dr. Hj. Rosdiana Putri, M.Si. (Widyaiswara Ahli Madya)"),
    ("penguji", {Role.PENGAJAR}, "Drs. H. Syamsul Bahri, M.M. (Widyaiswara Ahli Utama)"),
    ("mentor.pkp", set(), ""),
    ("mentor.latsar", set(), ""),
    ("peserta", set(), ""),
)
