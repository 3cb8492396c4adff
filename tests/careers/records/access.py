"""Access expectations for the learning record and HR's verification of outside learning.

The URL's record belongs to `pegawai` (Dinas Kesehatan, whose direct supervisor is `atasan`);
the account `bkpsdm` is linked to an employee too, so it may keep its own record.
"""

from __future__ import annotations

from lms.extensions import db
from lms.org.models import Employee
from tests.careers.ledger_helpers import make_record, store_evidence

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
OWNER = {"pegawai"}
REVIEWERS = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("careers.records", "GET"): LEARNERS,
    ("careers.record_new", "GET"): LEARNERS,
    ("careers.record_new", "POST"): LEARNERS,
    # Only the owner edits or withdraws; others with LEARN get 404 (HIDDEN).
    ("careers.record_edit", "GET"): OWNER,
    ("careers.record_edit", "POST"): OWNER,
    ("careers.record_withdraw", "POST"): OWNER,
    # Evidence: the owner, the direct supervisor and reviewers whose scope holds the employee.
    ("careers.record_evidence", "GET"): {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"},
    ("careers.review_queue", "GET"): REVIEWERS,
    ("careers.review_record", "GET"): REVIEWERS,
    ("careers.review_record", "POST"): REVIEWERS,
}
# Another employee's record answers like a missing one.
HIDDEN = {
    ("careers.record_edit", "GET"),
    ("careers.record_edit", "POST"),
    ("careers.record_withdraw", "POST"),
    ("careers.record_evidence", "GET"),
    ("careers.review_record", "GET"),
    ("careers.review_record", "POST"),
}


def build_args(world) -> dict:
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    record = make_record(pegawai.id, status="pending", evidence_key=store_evidence())
    return {"learning_record_id": record.id}
