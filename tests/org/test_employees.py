"""HR screens for employees and units, scoped per department."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.conftest import csrf_token, login


def _form(world, **over: str) -> dict[str, str]:
    data = {
        "nip": "19900101 201503 1 001",
        "status": "pns",
        "nama": "Ahmad Fauzi",
        "gelar_depan": "",
        "gelar_belakang": "S.Kom.",
        "tempat_lahir": "Palembang",
        "golongan": "III/b",
        "jenis_jabatan": "fungsional",
        "jenjang_jabatan": "ahli_pertama",
        "jabatan": "Pranata Komputer",
        "kode_unit": "DINKES-YANKES",
        "nip_atasan": world.employees["atasan"].nip,
        "email": "",
        "is_active": "y",
    }
    data.update(over)
    return data


def test_bkpsdm_creates_and_edits_employee(app, client, world) -> None:
    login(client, "bkpsdm")
    data = _form(world, csrf_token=csrf_token(client, "/organisasi/pegawai/baru"))
    response = client.post("/organisasi/pegawai/baru", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ahmad Fauzi, S.Kom." in page and "19900101 201503 1 001" in page


def test_malformed_nip_is_refused_with_message(app, client, world) -> None:
    login(client, "bkpsdm")
    data = _form(
        world, nip="19900101201503300", csrf_token=csrf_token(client, "/organisasi/pegawai/baru")
    )
    page = client.post("/organisasi/pegawai/baru", data=data)
    assert page.status_code == 200
    assert "NIP harus 18 digit (terisi 17 digit)." in page.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(Employee).where(Employee.full_name == "Ahmad Fauzi")) is None
        )


def test_duplicate_nip_is_refused(app, client, world) -> None:
    login(client, "bkpsdm")
    data = _form(
        world,
        nip=world.employees["pegawai"].nip,
        csrf_token=csrf_token(client, "/organisasi/pegawai/baru"),
    )
    page = client.post("/organisasi/pegawai/baru", data=data).get_data(as_text=True)
    assert "sudah terdaftar atas nama Siti Aminah" in page


def test_opd_admin_sees_only_own_department(app, client, world) -> None:
    login(client, "opd.dinkes")
    listing = client.get("/organisasi/pegawai").get_data(as_text=True)
    assert "Siti Aminah" in listing and "Dewi Lestari" not in listing
    # URL editing does not leak another department's rows, not even that they exist.
    other = world.employees["disdik"].id
    assert client.get(f"/organisasi/pegawai/{other}").status_code == 404
    assert client.get(f"/organisasi/pegawai/{other}/ubah").status_code == 404
    assert "Dewi Lestari" not in client.get(
        f"/organisasi/pegawai?unit={world.units['disdik'].id}"
    ).get_data(as_text=True)
    assert "Dewi Lestari" not in client.get("/organisasi/pegawai?q=dewi").get_data(as_text=True)
    assert client.get(f"/organisasi/unit/{world.units['disdik'].id}").status_code == 403


def test_opd_admin_cannot_move_employee_out_of_department(app, client, world) -> None:
    login(client, "opd.dinkes")
    emp = world.employees["pegawai"]
    data = _form(
        world,
        nip=emp.nip,
        nama="Siti Aminah",
        kode_unit="DISDIK",
        nip_atasan="",
        csrf_token=csrf_token(client, f"/organisasi/pegawai/{emp.id}/ubah"),
    )
    page = client.post(f"/organisasi/pegawai/{emp.id}/ubah", data=data)
    assert page.status_code == 200
    with app.app_context():
        assert db.session.get(Employee, emp.id).unit.code == "DINKES-YANKES"


def test_supervisor_sees_own_team_member_only(app, client, world) -> None:
    login(client, "atasan")
    assert client.get(f"/organisasi/pegawai/{world.employees['pegawai'].id}").status_code == 200
    assert client.get(f"/organisasi/pegawai/{world.employees['disdik'].id}").status_code == 404
    assert "Siti Aminah" in client.get("/dasbor").get_data(as_text=True)


def test_unit_create_and_move_keeps_paths(app, client, world) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/unit/baru")
    response = client.post(
        "/organisasi/unit/baru",
        data={
            "csrf_token": token,
            "code": "dinkes-p2p",
            "name": "Bidang P2P",
            "kind": "bidang",
            "parent_id": world.units["dinkes"].id,
            "siasn_id": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "DINKES-P2P"))
        assert unit.path.startswith(db.session.get(Unit, world.units["dinkes"].id).path)
        uid = unit.id
    # A duplicate code is refused with a message on the field.
    page = client.post(
        "/organisasi/unit/baru",
        data={
            "csrf_token": token,
            "code": "DINKES",
            "name": "X",
            "kind": "bidang",
            "parent_id": 0,
            "siasn_id": "",
        },
    )
    assert "Kode unit DINKES sudah dipakai" in page.get_data(as_text=True)
    # Moving a unit under its own child is refused.
    page = client.post(
        f"/organisasi/unit/{world.units['dinkes'].id}/ubah",
        data={
            "csrf_token": token,
            "code": "DINKES",
            "name": "Dinas Kesehatan",
            "kind": "opd",
            "parent_id": uid,
            "siasn_id": "",
        },
    )
    assert page.status_code == 200


def _unit_options(page: str) -> str:
    return page.split('<select id="unit" name="unit">')[1].split("</select>")[0]


def test_unit_filter_lists_the_scope_marks_the_choice_and_follows_edits(app, client, world) -> None:
    """The unit choices are kept between searches: a rename or a new unit shows at once."""
    opd = app.test_client()
    login(opd, "opd.dinkes")
    options = _unit_options(opd.get("/organisasi/pegawai").get_data(as_text=True))
    assert "Dinas Kesehatan" in options and "Dinas Pendidikan" not in options

    login(client, "bkpsdm")
    chosen = world.units["disdik"].id
    options = _unit_options(client.get(f"/organisasi/pegawai?unit={chosen}").get_data(True))
    assert f'<option selected value="{chosen}">' in options and options.count("selected") == 1
    assert "Dinas Kesehatan" in options  # BKPSDM chooses among every unit
    assert "selected" not in _unit_options(client.get("/organisasi/pegawai").get_data(True))

    with app.app_context():
        db.session.get(Unit, chosen).name = "Dinas Pendidikan & Kebudayaan"
        db.session.commit()
    options = _unit_options(client.get("/organisasi/pegawai").get_data(as_text=True))
    assert "Dinas Pendidikan &amp; Kebudayaan" in options  # renamed, and escaped

    token = csrf_token(client, "/organisasi/unit/baru")
    form = {"csrf_token": token, "code": "DISDIK-X", "name": "Bidang Baru", "kind": "bidang"}
    form |= {"parent_id": chosen, "siasn_id": ""}
    assert client.post("/organisasi/unit/baru", data=form).status_code == 302
    options = _unit_options(client.get("/organisasi/pegawai").get_data(as_text=True))
    assert "— Bidang Baru</option>" in options


def test_the_organisations_size_is_kept_for_the_city_figures_seconds(
    app, world, monkeypatch
) -> None:
    """BKPSDM's organisation figures count every employee: kept for ``DASHBOARD_CITY_SECONDS``
    (no statement on the next visits), counted afresh on every visit when it is 0."""
    from lms.auth.models import User
    from lms.extensions import cache
    from lms.org import queries
    from tests.test_query_counts import count_queries

    with app.app_context():
        bkpsdm = db.session.get(User, world.users["admin_bkpsdm"].id)
        cache.delete("org:stats")
        monkeypatch.setitem(app.config, "DASHBOARD_CITY_SECONDS", 60)
        first = queries.dashboard_context(bkpsdm)["org_stats"]
        assert first["employees"] == db.session.scalar(select(func.count(Employee.id)))
        with count_queries(app) as counted:
            assert queries._org_stats() == first
        assert counted["n"] == 0
        monkeypatch.setitem(app.config, "DASHBOARD_CITY_SECONDS", 0)
        cache.delete("org:stats")
        with count_queries(app) as counted:
            assert queries._org_stats() == queries._org_stats() == first
        assert counted["n"] == 2 and cache.get("org:stats") is None
