"""Every route × every role → the expected status. A new route fails here until it is listed.

Each feature lists its own routes in ``tests/<feature>/access.py``: a dict ``EXPECTED`` and,
when its URLs need objects, ``build_args(world) -> dict`` run inside an app context (commit is
done here). The dicts are merged with the foundation's routes below.

A refused role gets 403 when it lacks the route's capability (``@require``). When it has the
capability but the object in the URL is not its own (another employee's attempt, enrolment,
plan, record, export), the routes listed in a feature's ``HIDDEN`` set answer 404, exactly like a
missing id, so a learner cannot tell that the id exists; the other routes answer 403 (a course
or unit that is no secret).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import tests
from lms.auth import services as auth
from lms.auth.models import User
from lms.extensions import db
from lms.permissions import can
from tests.conftest import login

ROLES = (
    "anon",
    "pegawai",
    "atasan",
    "pengajar",
    "admin_bkpsdm",
    "admin_opd",
    "mitra",
    "admin_sistem",
)
USERNAMES = {
    "pegawai": "pegawai",
    "atasan": "atasan",
    "pengajar": "pengajar",
    "admin_bkpsdm": "bkpsdm",
    "admin_opd": "opd.dinkes",
    "mitra": "mitra",
    "admin_sistem": "admin",
}
PUBLIC = "public"
LOGGED_IN = "logged_in"
HR = {"admin_bkpsdm", "admin_opd"}

# (endpoint, method) → who may use it: PUBLIC, LOGGED_IN, or a set of roles.
EXPECTED: dict[tuple[str, str], object] = {
    ("main.index", "GET"): PUBLIC,
    ("main.healthz", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("main.import_cancel", "POST"): LOGGED_IN,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("api.openapi", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("main.dashboard", "GET"): LOGGED_IN,
    ("auth.change_password", "GET"): LOGGED_IN,
    ("auth.change_password", "POST"): LOGGED_IN,
    ("auth.logout", "POST"): LOGGED_IN,
    ("org.employees", "GET"): {"admin_bkpsdm", "admin_opd", "admin_sistem"},
    # The employee in the URL is `pegawai`: in Admin OPD's department and in atasan's team.
    ("org.employee", "GET"): {"admin_bkpsdm", "admin_opd", "admin_sistem", "atasan"},
    ("org.employee_edit", "GET"): HR,
    ("org.employee_edit", "POST"): HR,
    ("org.units", "GET"): {"admin_bkpsdm", "admin_opd", "admin_sistem"},
    ("org.unit", "GET"): {"admin_bkpsdm", "admin_opd", "admin_sistem"},
    ("org.unit_edit", "GET"): {"admin_bkpsdm"},
    ("org.unit_edit", "POST"): {"admin_bkpsdm"},
    ("org.import_employees", "GET"): {"admin_bkpsdm"},
    ("org.import_employees", "POST"): {"admin_bkpsdm"},
    ("org.import_confirm", "POST"): {"admin_bkpsdm"},
    ("admin.users", "GET"): {"admin_sistem", "admin_bkpsdm"},
    ("admin.user_edit", "GET"): {"admin_sistem"},
    ("admin.user_edit", "POST"): {"admin_sistem"},
    ("admin.user_toggle", "POST"): {"admin_sistem"},
    ("admin.user_reset", "POST"): {"admin_sistem", "admin_bkpsdm"},
    ("admin.tokens", "GET"): {"admin_sistem"},
    ("admin.tokens", "POST"): {"admin_sistem"},
    ("admin.token_revoke", "POST"): {"admin_sistem"},
    ("api.me", "GET"): "token",
}
# Object-level refusals that answer like a missing object (404).
HIDDEN: set[tuple[str, str]] = {
    ("org.employee", "GET"),
    ("org.employee_edit", "GET"),
    ("org.employee_edit", "POST"),
}


def _feature_modules() -> list:
    root = Path(tests.__file__).parent
    return [
        importlib.import_module("tests." + ".".join(p.relative_to(root).with_suffix("").parts))
        for p in sorted(root.glob("*/**/access.py"))
    ]


for _mod in _feature_modules():
    EXPECTED.update(_mod.EXPECTED)
    HIDDEN.update(getattr(_mod, "HIDDEN", set()))


def test_hidden_routes_are_listed() -> None:
    assert HIDDEN - set(EXPECTED) == set()


def _passes_require(app, username: str) -> dict[str, bool]:
    """endpoint → whether the account has one of the capabilities its ``@require`` asks for."""
    user = db.session.scalar(db.select(User).where(User.username == username))
    out = {}
    for endpoint, view in app.view_functions.items():
        needed = getattr(view, "required_capabilities", None)
        out[endpoint] = needed is None or any(can(user, cap) for cap in needed)
    return out


def _routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    # Logging out last keeps the session for the other routes.
    return sorted(out, key=lambda rm: (rm[0].endpoint == "auth.logout", rm[0].rule, rm[1]))


def test_every_route_is_listed(app) -> None:
    listed = set(EXPECTED)
    actual = {(rule.endpoint, method) for rule, method in _routes(app)}
    assert actual - listed == set(), "add these routes to EXPECTED"
    assert listed - actual == set(), "EXPECTED lists routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, no_csrf, monkeypatch, role: str) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    with app.app_context():
        target = db.session.get(User, world.users["target"].id)
        token_row, _secret = auth.create_api_token(target, ["profile:read"])
        db.session.commit()
        token_id = token_row.id
    args = {
        "employee_id": world.employees["pegawai"].id,
        "unit_id": world.units["dinkes"].id,
        "user_id": world.users["target"].id,
        "token_id": token_id,
        "filename": "css/app.css",
    }
    with app.app_context():
        for mod in _feature_modules():
            if hasattr(mod, "build_args"):
                args.update(mod.build_args(world))
        db.session.commit()
    client = app.test_client()
    passes: dict[str, bool] = {}
    if role != "anon":
        login(client, USERNAMES[role], "rahasia123")
        with app.app_context():
            passes = _passes_require(app, USERNAMES[role])
    problems = []
    for rule, method in _routes(app):
        url = rule.build(
            {k: v for k, v in args.items() if k in rule.arguments}, append_unknown=False
        )[1]
        response = client.open(url, method=method, data={})
        status = response.status_code
        expected = EXPECTED[(rule.endpoint, method)]
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif expected == "token":
            if status != 401:
                problems.append(f"{method} {url}: {status}, want 401 without a token")
        elif expected == PUBLIC:
            if status in (401, 403):
                problems.append(f"{method} {url}: {status} on a public route")
        elif role == "anon":
            if not (status == 302 and "/masuk" in response.headers.get("Location", "")):
                problems.append(f"{method} {url}: {status}, want a redirect to /masuk")
        elif expected == LOGGED_IN or role in expected:
            if status in (401, 403, 404):
                problems.append(f"{method} {url}: {status}, {role} should be allowed")
        else:
            hidden = (rule.endpoint, method) in HIDDEN and passes.get(rule.endpoint, False)
            want = 404 if hidden else 403
            if status != want:
                problems.append(f"{method} {url}: {status}, want {want} for {role}")
    assert not problems, "\n".join(problems)
