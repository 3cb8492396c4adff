"""Access expectations for the JP tables: the supervisor's team, HR's JP per OPD."""

from __future__ import annotations

REVIEWERS = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("careers.team_jp", "GET"): {"atasan"},
    ("careers.hr_jp", "GET"): REVIEWERS,
    ("careers.hr_jp_opd", "GET"): REVIEWERS,  # the URL's unit is Dinas Kesehatan
}
