"""Access expectations for the career view and HR's list of missing programmes."""

from __future__ import annotations

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
HR = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("careers.career", "GET"): LEARNERS,
    # The URL's employee is `pegawai`: atasan's direct report, in Admin OPD's department.
    ("careers.employee_career", "GET"): {"atasan", "admin_bkpsdm", "admin_opd"},
    ("careers.career_gaps", "GET"): HR,
}
# Another employee's career answers like a missing one.
HIDDEN = {
    ("careers.employee_career", "GET"),
}
