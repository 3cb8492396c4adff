"""The employee list's rows, built in Python (lms.org.listing): the same HTML as the template's
loop wrote, every value escaped, an inactive employee marked in the reader's language."""

from __future__ import annotations

from flask_babel import force_locale

from lms.extensions import db
from lms.org import listing
from lms.org.models import Unit
from lms.org.nip import format_nip
from lms.org.search import EmployeeRow
from tests.conftest import login
from tests.factories import make_employee

#: The loop templates/org/employees.html had before its rows were built in Python.
FORMER_LOOP = """
  {%- for e in rows %}
    <tr>
      <td><a href="{{ employee_href }}{{ e.id }}">{{ e.display_name }}</a>{% if not e.is_active %} <span class="chip muted">{{ _('nonaktif') }}</span>{% endif %}</td>
      <td class="nowrap">{{ e.nip_display }}</td>
      <td>{{ e.golongan_code or '—' }}</td>
      <td>{{ e.position_name }}</td>
      <td>{{ e.unit_name }}</td>
    </tr>
  {% endfor %}"""

ROWS = [
    EmployeeRow(7, "dr. Sari <b>Dewi</b>, M.Kes.", "19880517 201503 2 001", "III/a", "Analis", True, "Dinas"),
    EmployeeRow(8, "O'Neil & \"Co\"", "1988", None, "Analis <Mutu> & 'Data'", False, "Bidang <1>"),
    EmployeeRow(9, "Budi", "19880517 201503 1 002", "IV/e", "", False, ""),
    EmployeeRow(10, "Tab\x1fName <x>", "1", "I/a", "Analis\x1f", True, "&"),  # the separator
]  # fmt: skip


def test_the_rows_are_what_the_templates_loop_wrote(app) -> None:
    for language in ("id", "en"):
        with app.test_request_context(), force_locale(language):
            former = app.jinja_env.from_string(FORMER_LOOP).render(
                rows=ROWS, employee_href="/organisasi/pegawai/"
            )
            built = listing.employee_rows(ROWS, "/organisasi/pegawai/")
            assert str(built) == former
            assert ("inactive" if language == "en" else "nonaktif") in built
    with app.test_request_context():
        assert listing.employee_rows([], "/x/") == ""
        assert "chip" not in listing.employee_rows(ROWS[:1], "/x/")


def test_the_list_escapes_every_value_and_marks_the_inactive(app, client, world) -> None:
    with app.app_context():
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        emp = make_employee(
            seksi,
            'Uji <b>"O\'Neil" & Co</b>',
            golongan_code=None,
            position_name="Analis <Kebijakan>",
            is_active=False,
        )
        db.session.commit()
        eid, nip, unit = emp.id, format_nip(emp.nip), seksi.name
    login(client, "bkpsdm")
    page = client.get("/organisasi/pegawai?q=neil").get_data(as_text=True)
    assert (
        f'<tr>\n      <td><a href="/organisasi/pegawai/{eid}">'
        "Uji &lt;b&gt;&#34;O&#39;Neil&#34; &amp; Co&lt;/b&gt;</a>"
        ' <span class="chip muted">nonaktif</span></td>\n'
        f'      <td class="nowrap">{nip}</td>\n      <td>—</td>\n'
        f"      <td>Analis &lt;Kebijakan&gt;</td>\n      <td>{unit}</td>\n    </tr>"
    ) in page
    empty = client.get("/organisasi/pegawai?q=tidak-ada-siapa-pun").get_data(as_text=True)
    assert '<tbody>\n  \n    <tr><td colspan="5">Tidak ada pegawai yang cocok.</td></tr>' in empty


def test_the_fixed_words_are_kept_per_language(client, world) -> None:
    login(client, "bkpsdm")
    for language, title, heading, nobody in (
        ("id", "<h1>Pegawai</h1>", '<th scope="col">Nama</th>', "Tidak ada pegawai yang cocok."),
        ("en", "<h1>Employee</h1>", '<th scope="col">Name</th>', "No matching employees."),
        ("id", "<h1>Pegawai</h1>", '<th scope="col">Nama</th>', "Tidak ada pegawai yang cocok."),
    ):
        with client.session_transaction() as session:
            session["lang"] = language
        page = client.get("/organisasi/pegawai?q=tidak-ada-siapa-pun").get_data(as_text=True)
        assert title in page and heading in page and nobody in page, language
