"""Career screens: the employee's career view (what their position and the next one require)
and HR's list of employees lacking a required programme."""

from __future__ import annotations

from flask import (
    abort,
    render_template,
    request,
)
from flask_login import current_user

from lms.careers import bp
from lms.careers.career import services as career_services
from lms.careers.scope import scoped_unit_choices
from lms.careers.view_helpers import (
    current_employee,
    hr_or_403,
    page_arg,
    page_count,
)
from lms.db import db_int
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import Capability, refuse, require, unit_in_scope

C = Capability


# --- career view --------------------------------------------------------------------------------


@bp.route("/karier")
@require(C.LEARN)
def career():
    me = current_employee()
    return render_template("careers/career/view.html", own=True, **career_services.career_view(me))


@bp.route("/kelola/pegawai/<int:employee_id>/karier")
@require(C.VIEW_TEAM, C.VIEW_REPORTS, C.MANAGE_APPRAISALS)
def employee_career(employee_id: int):
    employee = db.session.get(Employee, employee_id)
    if employee is None:
        abort(404)
    if not career_services.can_view_career(current_user, employee):
        refuse(employee)
    return render_template(
        "careers/career/view.html",
        own=employee.id == current_user.employee_id,
        **career_services.career_view(employee),
    )


@bp.route("/kelola/karier/kekurangan")
@require(C.MANAGE_APPRAISALS, C.VIEW_REPORTS)
def career_gaps():
    hr_or_403()
    unit_id = request.args.get("unit", type=db_int)
    unit = None
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            abort(404)
        if not unit_in_scope(current_user, unit):
            refuse(unit)
    page = page_arg()
    rows, total = career_services.gaps(current_user, unit, page)
    return render_template(
        "careers/career/gaps.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, career_services.PAGE_SIZE),
        unit=unit,
        units=scoped_unit_choices(current_user),
    )
