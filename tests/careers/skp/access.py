"""Access expectations for the SKP and the appraisal import.

The URL's period, target and evaluation belong to `pegawai` (Dinas Kesehatan, whose direct
supervisor is `atasan`); `bkpsdm` is linked to an employee too, so it has an SKP of its own.
Only the direct supervisor agrees, evaluates and gives feedback: not HR, not other supervisors.
"""

from __future__ import annotations

from datetime import date

from lms.auth.models import User
from lms.careers.skp import evaluations
from lms.careers.skp import services as skp
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
OWNER = {"pegawai"}
SUPERVISOR = {"atasan"}
HR = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("careers.skp_my", "GET"): LEARNERS,
    ("careers.skp_target_add", "POST"): LEARNERS,
    ("careers.skp_target_delete", "POST"): OWNER,
    ("careers.skp_submit", "POST"): LEARNERS,
    # The employee, the direct supervisor, HR whose scope holds the employee.
    ("careers.skp_evaluation", "GET"): {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"},
    ("careers.skp_acknowledge", "POST"): OWNER,
    ("careers.team_skp", "GET"): SUPERVISOR,
    ("careers.team_skp_period", "GET"): SUPERVISOR,
    ("careers.team_skp_period", "POST"): SUPERVISOR,
    ("careers.skp_feedback", "POST"): SUPERVISOR,
    ("careers.skp_evaluate", "GET"): SUPERVISOR,
    ("careers.skp_evaluate", "POST"): SUPERVISOR,
    ("careers.skp_distribution", "GET"): HR,
    ("careers.skp_import", "GET"): {"admin_bkpsdm"},
    ("careers.skp_import", "POST"): {"admin_bkpsdm"},
    ("careers.skp_import_confirm", "POST"): {"admin_bkpsdm"},
    # The instansi's evaluation period: BKPSDM and the system administrator.
    ("careers.skp_settings", "GET"): {"admin_bkpsdm", "admin_sistem"},
    ("careers.skp_settings", "POST"): {"admin_bkpsdm", "admin_sistem"},
}
# Another employee's SKP target, evaluation or period answers like a missing one.
HIDDEN = {
    ("careers.skp_target_delete", "POST"),
    ("careers.skp_evaluation", "GET"),
    ("careers.skp_acknowledge", "POST"),
    ("careers.team_skp_period", "GET"),
    ("careers.team_skp_period", "POST"),
    ("careers.skp_feedback", "POST"),
    ("careers.skp_evaluate", "GET"),
    ("careers.skp_evaluate", "POST"),
}


def build_args(world) -> dict:
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    atasan = db.session.get(User, world.users["atasan"].id)
    period = skp.ensure_period(pegawai, local_today().year)
    target = skp.add_target(
        period, skp.TargetInput("Laporan pelayanan kesehatan", "Laporan tepat waktu", "12 laporan")
    )
    skp.submit_period(period)
    skp.decide_period(period, atasan, True)
    evaluation = evaluations.evaluate(
        period,
        atasan,
        evaluations.EvaluationInput("periodic", 1, "sesuai", "sesuai"),
        today=date(period.year + 1, 1, 2),  # after the period ended, whatever today is
    )
    return {
        "skp_period_id": period.id,
        "skp_target_id": target.id,
        "skp_evaluation_id": evaluation.id,
    }
