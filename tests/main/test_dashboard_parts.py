"""Each role's dashboard opens with that role's work, the person's own learning after it (issue 15,
point 5): the section registry's parts and rows, and the order on each role's page."""

from __future__ import annotations

from lms.dashboard import Shown, rows
from tests.conftest import login


def test_narrow_sections_share_a_row_and_a_wide_one_stands_alone() -> None:
    a, b, c = (Shown(f"{n}.html", {}) for n in "abc")
    wide = Shown("wide.html", {}, wide=True)
    grouped = rows([a, b, wide, c])
    assert [(r.wide, [s.template for s in r.sections]) for r in grouped] == [
        (False, ["a.html", "b.html"]),
        (True, ["wide.html"]),
        (False, ["c.html"]),
    ]
    assert rows([]) == []


def _order(page: str, *texts: str) -> list[int]:
    page = page.split('id="konten"')[1]  # the content, not the menu
    positions = [page.find(t) for t in texts]
    assert all(p >= 0 for p in positions), dict(zip(texts, positions, strict=True))
    return positions


def test_bkpsdm_sees_queues_before_figures_and_own_learning(client, world) -> None:
    login(client, "bkpsdm")
    page = client.get("/dasbor").get_data(as_text=True)
    order = _order(
        page,
        ">Pekerjaan saya<",
        "Antrean telaah",
        "Persetujuan menunggu",
        "Angkatan berjalan",
        "Ringkasan pengembangan kompetensi",
        ">Pembelajaran saya<",
        "Profil kepegawaian",
        "JP tahun ini",
    )
    assert order == sorted(order)


def test_a_supervisor_sees_the_team_first(client, world) -> None:
    login(client, "atasan")
    page = client.get("/dasbor").get_data(as_text=True)
    order = _order(
        page,
        "Usulan menunggu persetujuan Anda",
        "Pendaftaran tim saya",
        ">Tim saya<",
        ">Pembelajaran saya<",
        "Profil kepegawaian",
        "Pelatihan saya",
    )
    assert order == sorted(order)


def test_an_employee_without_other_work_sees_no_part_headings(client, world) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor").get_data(as_text=True)
    assert "Pekerjaan saya" not in page and ">Pembelajaran saya<" not in page
    assert "Profil kepegawaian" in page and "Pelatihan saya" in page
