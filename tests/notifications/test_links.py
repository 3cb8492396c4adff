"""Links in notifications are endpoints built with ``url_for``, never paths written by hand, and
every endpoint a feature names exists (a route renamed in a merge fails here, not in production)."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select

import lms
from lms.extensions import db
from lms.notifications.models import Notification
from lms.notifications.services import link_for, notify_employee
from lms.org.models import Unit
from tests.conftest import login
from tests.factories import make_employee, make_nip

NOTIFY = {"notify", "notify_employee"}


def _notify_calls() -> list[tuple[str, ast.Call]]:
    root = Path(lms.__file__).parent
    calls = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in NOTIFY:
                    calls.append((f"{path.relative_to(root)}:{node.lineno}", node))
    return calls


def test_no_notification_link_is_a_literal_path() -> None:
    calls = _notify_calls()
    assert len(calls) >= 10  # the scan finds the features' calls
    literal_paths = [
        where
        for where, call in calls
        for arg in [*call.args, *(k.value for k in call.keywords)]
        if isinstance(arg, ast.JoinedStr)
        or (isinstance(arg, ast.Constant) and str(arg.value).startswith("/"))
    ]
    assert literal_paths == []


def test_every_endpoint_named_in_a_notification_exists(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    named = {
        (where, call.args[2].value)
        for where, call in _notify_calls()
        if len(call.args) > 2 and isinstance(call.args[2], ast.Constant)
    }
    assert len(named) >= 10
    assert {(where, e) for where, e in named if e not in endpoints} == set()


def test_a_link_is_the_same_in_a_request_and_outside_one(app) -> None:
    with app.app_context():
        outside = link_for("courses.course", code="LAT-1")
    with app.test_request_context():
        inside = link_for("courses.course", code="LAT-1")
    assert outside == inside == "/pelatihan/LAT-1"


def test_notify_employee_tells_the_account_and_skips_an_employee_without_one(app, world) -> None:
    with app.app_context():
        told = notify_employee(
            world.employees["pegawai"].id, "Rencana Anda disetujui.", "careers.plan"
        )
        unit = db.session.get(Unit, world.units["dinkes"].id)
        nobody = make_employee(unit, "Tanpa Akun", None, nip=make_nip()).id
        untold = notify_employee(nobody, "Tidak ada akun.", "careers.plan")
        none = notify_employee(None, "Tanpa pegawai.")
        db.session.commit()
        rows = db.session.execute(select(Notification.user_id, Notification.link)).all()
        db.session.remove()
    assert (told, untold, none) == (True, False, False)
    assert rows == [(world.users["pegawai"].id, "/rencana")]
    client = app.test_client()
    login(client, "pegawai")
    assert 'href="/rencana"' in client.get("/pemberitahuan").get_data(as_text=True)
