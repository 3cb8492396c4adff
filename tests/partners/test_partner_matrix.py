"""Partner × partner: a partner's staff account never reaches another partner's modules,
courses, participants or reports.

tests/test_access_matrix.py checks roles; this checks two accounts of the same role. Every object
of the role matrix's world (tests/*/access.py ``build_args``) is made partner A's (`mitra`'s
institution), and partner B gets a staff account of its own. Then every route a Mitra account
can open (its role passes the route's ``@require``) is in exactly one of:

- ``OBJECTS``: the URL names one of A's objects; A's staff may use it, B's get 403 or 404;
- ``REFUSED``: the URL names one of A's objects that a partner's staff may not use at all (A is
  refused too, by its role or by design); B is refused as well;
- ``LISTS``: no object in the URL; B's answer must hold nothing of A's (codes, the participant),
  and A's must (so the check can fail);
- ``NO_PARTNER_DATA``: the route shows nothing that belongs to a partner, with the reason.

A new route a Mitra account can open fails ``test_every_partner_route_is_classified`` until it is
listed here.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.models import PartnerInstitution, User
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.permissions import Role, can
from lms.reports.definitions import REPORTS
from lms.reports.models import ExportJob
from lms.storage import get_storage
from tests.conftest import csrf_token, login
from tests.courses.access import png_bytes
from tests.factories import make_course, make_user
from tests.test_access_matrix import _feature_modules, _routes

A_COURSES = ("OLAH-101", "OLAH-201", "AKSES-SCORM", "MITRA-DRAF")
# What of A's may never show to B: its course codes, its package's title, its participant.
A_MARKERS = (*A_COURSES, "Modul A", "Siti Aminah")

OBJECTS = {
    ("courses.author_course", "GET"),
    ("courses.author_meta", "GET"),
    ("courses.author_meta", "POST"),
    ("courses.author_draft", "POST"),
    ("courses.author_submit", "POST"),
    ("courses.author_preview", "GET"),
    ("courses.author_module_add", "POST"),
    ("courses.author_module_edit", "POST"),
    ("courses.author_module_move", "POST"),
    ("courses.author_module_delete", "POST"),
    ("courses.author_lesson_new", "GET"),
    ("courses.author_lesson_new", "POST"),
    ("courses.author_lesson", "GET"),
    ("courses.author_lesson", "POST"),
    ("courses.author_lesson_move", "POST"),
    ("courses.author_lesson_delete", "POST"),
    ("courses.author_upload", "POST"),
    ("courses.author_file_delete", "POST"),
    # A file of A's draft course (not published): its authors only.
    ("courses.file", "GET"),
    ("quizzes.bank", "GET"),
    ("quizzes.bank_export", "GET"),
    ("quizzes.bank_import", "GET"),
    ("quizzes.bank_import", "POST"),
    ("quizzes.bank_import_confirm", "POST"),
    # A question import A's staff confirmed (in A's course).
    ("quizzes.bank_import_job", "GET"),
    ("quizzes.bank_import_status", "GET"),
    ("quizzes.question_view", "GET"),
    ("quizzes.question_new", "GET"),
    ("quizzes.question_new", "POST"),
    ("quizzes.question_edit", "GET"),
    ("quizzes.question_edit", "POST"),
    ("quizzes.question_preview", "POST"),
    ("quizzes.question_duplicate", "POST"),
    ("quizzes.question_move", "GET"),
    ("quizzes.question_move", "POST"),
    ("quizzes.question_bulk_move", "POST"),
    ("quizzes.question_delete", "GET"),
    ("quizzes.question_delete", "POST"),
    ("quizzes.quiz_list", "GET"),
    ("quizzes.quiz_new", "GET"),
    ("quizzes.quiz_new", "POST"),
    ("quizzes.quiz_edit", "GET"),
    ("quizzes.quiz_edit", "POST"),
    # The participants' essay answers and the quiz's statistics.
    ("quizzes.quiz_grading", "GET"),
    ("quizzes.quiz_grade_answer", "POST"),
    ("quizzes.quiz_regrade", "POST"),
    ("quizzes.quiz_statistics", "GET"),
    ("quizzes.quiz_preview", "GET"),
    ("quizzes.quiz_preview_take", "GET"),
    ("quizzes.quiz_preview_check", "POST"),
    ("packages.package", "GET"),
    ("packages.version", "GET"),
    # The role matrix's cohort, organised by A: its participants × phases, marks and closing.
    ("completion.cohort_organiser", "GET"),
    ("completion.cohort_marks", "POST"),
    ("completion.cohort_close", "POST"),
    # The same cohort's workplace projects: the organiser's roles, seminars and overview.
    ("leadership.assign_coach_all", "POST"),
    ("leadership.assign_roles", "POST"),
    ("leadership.cohort_overview", "GET"),
    ("leadership.cohort_roles", "GET"),
    ("leadership.evidence_file", "GET"),
    ("leadership.project", "GET"),
    ("leadership.seminar_held", "POST"),
    ("leadership.seminar_schedule", "GET"),
    ("leadership.seminar_schedule", "POST"),
    # An export job A's staff started.
    ("reports.export_job", "GET"),
    ("reports.export_status", "GET"),
    ("reports.export_download", "GET"),
}
REFUSED = {
    # Evaluation results by course: trainers, BKPSDM and Admin OPD; a partner's staff read the
    # evaluation summary of their own courses in the (scoped) evaluations report instead.
    ("evaluations.results", "GET"),
    ("evaluations.responses", "GET"),
    # Post-training follow-up of a course: BKPSDM's setting, trainers' and Admin OPD's figures;
    # not a partner's (the alumni's answers are SKP evidence of the instansi's employees).
    ("evaluations.followup_course", "GET"),
    ("evaluations.followup_course", "POST"),
}
LISTS = {
    ("courses.author_courses", "GET"),
    ("packages.index", "GET"),
    ("reports.index", "GET"),
    ("reports.report", "GET"),  # every report name: test_reports_and_exports_hold_only_b_rows
    ("reports.report_figures", "GET"),
    ("reports.export", "GET"),
    ("reports.export_start", "POST"),
    ("completion.organised_cohorts", "GET"),  # A's cohort, by its code
    ("leadership.cohorts", "GET"),
}
NO_PARTNER_DATA = {
    ("main.index", "GET"): "the public home page",
    ("main.dashboard", "GET"): "the account's own dashboard (its institution's name only)",
    ("main.healthz", "GET"): "the health check",
    ("main.livez", "GET"): "the liveness probe",
    ("main.readyz", "GET"): "the readiness probe (check names and revisions only)",
    ("main.metrics", "GET"): "city-wide counts and request figures, no partner's data",
    ("main.set_language", "POST"): "the language switch",
    ("main.import_cancel", "POST"): "cancels the account's own pending import",
    ("auth.login", "GET"): "the login form",
    ("auth.login", "POST"): "the login form",
    ("auth.logout", "POST"): "signs the account out",
    ("auth.change_password", "GET"): "the account's own password",
    ("auth.change_password", "POST"): "the account's own password",
    ("partners.own", "GET"): "the account's own institution; no id in the URL",
    ("packages.upload", "GET"): "the upload form; a package always goes to the uploader's partner",
    ("packages.upload", "POST"): "the upload form; a package always goes to the uploader's partner",
    ("courses.author_new", "GET"): "a new course is the author's own partner's",
    ("courses.author_new", "POST"): "a new course is the author's own partner's",
    ("courses.catalogue", "GET"): "the public catalogue of published courses (no participants)",
    ("courses.course", "GET"): "a published course's public page (no participants)",
    ("courses.cover", "GET"): "a published course's cover, shown in the catalogue",
    ("enrolments.programmes", "GET"): "the public programme list",
    ("enrolments.programme", "GET"): "a public programme page",
    ("notifications.index", "GET"): "the account's own notifications",
    ("notifications.mark_read", "POST"): "the account's own notifications",
    ("certificates.verify_search", "GET"): "public certificate verification",
    ("certificates.verify", "GET"): "public certificate verification",
    ("certificates.verify_pdf", "GET"): "public certificate verification",
    ("api.openapi", "GET"): "the public API description",
    ("api.me", "GET"): "API token routes: a token's owner only (none here)",
    ("api.completions", "GET"): "API token routes: a partner's token reads no rows (api tests)",
    ("api.certificate", "GET"): "public certificate lookup by number",
    ("content.runtime_script", "GET"): "the content origin: signed URLs, no session",
    ("content.shim", "GET"): "the content origin: signed URLs, no session",
    ("content.package_file", "GET"): "the content origin: signed URLs, no session",
    ("static", "GET"): "static files",
}
# Forums (lms.community): every place checks its own scope, not the partner's; a course's forum
# admits that course's learners, trainers and partner staff only, a cohort's the organising
# partner's staff only (tests/community/test_forums.py: another partner's staff get 403).
# Starting a community is not a partner's (START_COMMUNITIES).
COMMUNITY_ENDPOINTS = {
    "add_forum": ("POST",),
    "attachment": ("GET",),
    "cohort_forum": ("GET",),
    "community_moderation": ("GET",),
    "course_forum": ("GET",),
    "detail": ("GET",),
    "edit": ("GET", "POST"),
    "follow_cohort_forum": ("POST",),
    "follow_course_forum": ("POST",),
    "follow_forum": ("POST",),
    "follow_thread": ("POST",),
    "forum": ("GET",),
    "forum_moderation": ("GET",),
    "handle_report": ("POST",),
    "hide": ("POST",),
    "index": ("GET",),
    "invite": ("POST",),
    "join": ("POST",),
    "leave": ("POST",),
    "lock": ("POST",),
    "member_remove": ("POST",),
    "member_role": ("POST",),
    "members": ("GET",),
    "move": ("POST",),
    "new_cohort_thread": ("GET", "POST"),
    "new_course_thread": ("GET", "POST"),
    "new_thread": ("GET", "POST"),
    "pin": ("POST",),
    "reply": ("POST",),
    "report": ("GET", "POST"),
    "thread": ("GET",),
    "unhide": ("POST",),
}
NO_PARTNER_DATA.update(
    {
        (f"community.{name}", method): "a forum: scoped per place, see COMMUNITY_ENDPOINTS"
        for name, methods in COMMUNITY_ENDPOINTS.items()
        for method in methods
    }
)


def _mitra_routes(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) whose ``@require`` a Mitra account passes (or that has none)."""
    with app.app_context():
        mitra = db.session.scalar(select(User).where(User.username == "mitra"))
        out = set()
        for rule, method in _routes(app):
            needed = getattr(app.view_functions[rule.endpoint], "required_capabilities", None)
            if needed is None or any(can(mitra, cap) for cap in needed):
                out.add((rule.endpoint, method))
        return out


def test_every_partner_route_is_classified(app, world) -> None:
    kinds = [OBJECTS, REFUSED, LISTS, set(NO_PARTNER_DATA)]
    listed = set().union(*kinds)
    assert sum(len(k) for k in kinds) == len(listed), "a route is listed twice"
    actual = _mitra_routes(app)
    assert actual - listed == set(), "classify these routes a partner's staff can open"
    assert listed - actual == set(), "these routes are gone, or a partner's staff cannot open them"


@pytest.fixture
def two_partners(app, world):
    """The role matrix's objects, every course among them A's; B with its own staff account;
    a file of A's draft course; an export job of A's staff."""
    with app.app_context():
        args: dict = {
            "employee_id": world.employees["pegawai"].id,
            "unit_id": world.units["dinkes"].id,
            "user_id": world.users["target"].id,
            "token_id": 0,
            "filename": "css/app.css",
        }
        for mod in _feature_modules():
            if hasattr(mod, "build_args"):
                args.update(mod.build_args(world))
        a = db.session.get(User, world.users["mitra"].id).partner
        for course in db.session.scalars(select(Course).where(Course.code.in_(A_COURSES))):
            course.partner_id = a.id
        for cohort in db.session.scalars(select(Cohort)):
            cohort.organiser_partner_id = a.id
        draft = make_course("MITRA-DRAF", title="Draf Mitra", published=False, partner_id=a.id)
        draft_file = authoring.attach_file(
            draft.latest_version, files.check_image("draf.png", png_bytes())
        )
        storage = get_storage()
        key = storage.new_key("reports/test", ".csv")
        storage.save(key, b"kode;peserta\r\n")
        job = ExportJob(
            owner_id=world.users["mitra"].id,
            report="completions",
            format="csv",
            status="done",
            progress=100,
            file_key=key,
            expires_at=utcnow() + timedelta(hours=24),
        )
        db.session.add(job)
        from lms.quizzes.bank.jobs import QuestionImportJob

        import_job = QuestionImportJob(
            course_id=args["course_id"], owner_id=world.users["mitra"].id, format="gift"
        )
        db.session.add(import_job)
        b = PartnerInstitution(code="UNSRI", name="Universitas Sriwijaya", kind="universitas")
        db.session.add(b)
        db.session.flush()
        make_user("staf.unsri", {Role.MITRA}, partner=b)
        args.update(export_id=job.id, draft_file_id=draft_file.id, job_id=import_job.id)
        db.session.commit()
        return args


def _visit(app, username: str, args: dict, routes: set) -> dict:
    client = app.test_client()
    login(client, username)
    out = {}
    for rule, method in _routes(app):
        if (rule.endpoint, method) not in routes:
            continue
        values = {k: v for k, v in args.items() if k in rule.arguments}
        if rule.endpoint == "courses.file":  # the role matrix's file is published: anyone's
            values["file_id"] = args["draft_file_id"]
        url = rule.build(values, append_unknown=False)[1]
        out[(rule.endpoint, method, url)] = client.open(url, method=method, data={})
    return out


@pytest.mark.parametrize("who", ["own", "other"])
def test_partner_objects(app, no_csrf, two_partners, who, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    username = "mitra" if who == "own" else "staf.unsri"
    answers = _visit(app, username, two_partners, OBJECTS | REFUSED)
    assert {(e, m) for e, m, _url in answers} == OBJECTS | REFUSED
    problems = []
    for (endpoint, method, url), response in answers.items():
        status = response.status_code
        allowed = who == "own" and (endpoint, method) in OBJECTS
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif allowed and status in (401, 403, 404):
            problems.append(f"{method} {url}: {status}, partner A's staff should be allowed")
        elif not allowed and status not in (403, 404):
            problems.append(f"{method} {url}: {status}, want 403 or 404 for {username}")
    assert not problems, "\n".join(problems)


def _text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.get_data(as_text=True)


def _lists(client) -> dict[str, str]:
    """What an account reads in every list route, every report in every format included, and
    the export file it starts for each report."""
    out = {
        path: client.get(path).get_data(as_text=True)
        for path in ("/kelola/pelatihan", "/paket", "/laporan")
    }
    for name, report in REPORTS.items():
        page = client.get(f"/laporan/{name}")
        if page.status_code == 404:  # a report that knows no course: not for a partner
            assert not report.partner_scoped, name
            continue
        out[f"/laporan/{name}"] = page.get_data(as_text=True)
        for fmt in ("csv", "xlsx", "pdf"):
            export = client.get(f"/laporan/{name}.{fmt}")
            if fmt == "pdf" and export.status_code == 404:
                continue  # not every report has a PDF
            assert export.status_code == 200, (name, fmt, export.status_code)
            if fmt != "pdf":
                out[f"/laporan/{name}.{fmt}"] = _text(export)
        token = csrf_token(client, f"/laporan/{name}")
        started = client.post(f"/laporan/{name}/ekspor", data={"csrf_token": token})
        assert started.status_code == 302, (name, started.status_code)
        job = started.headers["Location"]
        download = client.get(f"{job}/unduh")
        assert download.status_code == 200, (name, download.status_code)
        out[f"{job}/unduh ({name})"] = _text(download)
    return out


def test_reports_and_exports_hold_only_b_rows(app, two_partners) -> None:
    a, b = app.test_client(), app.test_client()
    login(a, "mitra")
    login(b, "staf.unsri")
    seen_by_a = "\n".join(_lists(a).values())
    assert all(marker in seen_by_a for marker in A_MARKERS), "A's rows exist to be hidden"
    leaks = [
        f"{path}: {marker}"
        for path, text in _lists(b).items()
        for marker in A_MARKERS
        if marker in text
    ]
    assert not leaks, "\n".join(leaks)
