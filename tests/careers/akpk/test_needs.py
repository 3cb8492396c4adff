"""The needs analysis rules, pure: aggregation per OPD, competency and position level; when a
record covers a competency; which competencies an SKP result speaks of."""

from __future__ import annotations

import pytest

from lms.careers.akpk.needs import (
    Learned,
    Need,
    aggregate,
    best_matches,
    competency_key,
    covers,
    is_planned,
    share_needed,
    summary,
    totals,
)
from lms.careers.plans.suggestions import stems

DINKES, DISDIK = (1, "Dinas Kesehatan"), (2, "Dinas Pendidikan")


def need(
    source: str,
    employee: int,
    competency: str,
    kind: str = "teknis",
    opd: tuple[int, str] = DINKES,
    level: tuple[str, str] = ("pelaksana", "Pelaksana"),
    required: int | None = None,
) -> Need:
    return Need(source, employee, opd[0], opd[1], competency, kind, level[0], level[1], required)


def test_competency_key_joins_spellings_by_stem() -> None:
    assert competency_key("Pelayanan Publik") == competency_key("layanan publik")
    assert competency_key("Kepemimpinan") == competency_key("pemimpin")
    assert competency_key("Pelayanan Publik") != competency_key("Analisis Kebijakan")
    # No meaningful word: the text itself, lower-cased and with single spaces.
    assert competency_key("TI  ") == "ti"


def test_an_employee_counts_once_per_group_however_many_sources_name_the_need() -> None:
    groups = aggregate(
        [
            need("plan", 10, "Pelayanan Publik"),
            need("position", 10, "Layanan publik", required=1),
            need("skp", 10, "Pelayanan publik"),
            need("position", 11, "Pelayanan Publik", required=2),
        ]
    )
    assert len(groups) == 1
    (g,) = groups
    assert g.count == 2
    assert g.by_source == {"plan": 1, "skp": 1, "position": 2}
    assert g.competency == "Pelayanan Publik"  # the most frequent spelling
    assert g.required_level == 2  # the highest level asked


def test_groups_split_by_opd_kind_and_level_and_sort_by_size() -> None:
    groups = aggregate(
        [
            need("position", 1, "Pelayanan Publik"),
            need("position", 2, "Pelayanan Publik"),
            need("position", 3, "Pelayanan Publik", opd=DISDIK),
            need("position", 4, "Pelayanan Publik", kind="manajerial"),
            need("position", 5, "Pelayanan Publik", level=("pengawas", "Pengawas")),
        ]
    )
    assert [(g.opd_name, g.kind, g.level_code, g.count) for g in groups] == [
        ("Dinas Kesehatan", "teknis", "pelaksana", 2),
        ("Dinas Kesehatan", "manajerial", "pelaksana", 1),
        ("Dinas Kesehatan", "teknis", "pengawas", 1),
        ("Dinas Pendidikan", "teknis", "pelaksana", 1),
    ]


def test_totals_per_dimension_count_an_employee_once_per_line() -> None:
    groups = aggregate(
        [
            need("position", 1, "Pelayanan Publik"),
            need("position", 1, "Literasi Digital"),
            need("plan", 2, "Literasi Digital"),
            need("position", 3, "Literasi Digital", opd=DISDIK, level=("pengawas", "Pengawas")),
        ]
    )
    by_opd = {t.label: (t.count, t.needs, len(t.spread)) for t in totals(groups, "opd")}
    assert by_opd == {"Dinas Kesehatan": (2, 3, 2), "Dinas Pendidikan": (1, 1, 1)}
    by_competency = [
        (t.label, t.kind, t.count, len(t.spread)) for t in totals(groups, "competency")
    ]
    assert by_competency == [
        ("Literasi Digital", "teknis", 3, 2),
        ("Pelayanan Publik", "teknis", 1, 1),
    ]
    by_level = {t.label: t.count for t in totals(groups, "level")}
    assert by_level == {"Pelaksana": 2, "Pengawas": 1}
    with pytest.raises(ValueError):
        totals(groups, "golongan")


def test_summary_counts_employees_needs_and_employees_per_source() -> None:
    groups = aggregate(
        [
            need("position", 1, "Pelayanan Publik"),
            need("position", 1, "Literasi Digital"),
            need("plan", 2, "Literasi Digital"),
            need("skp", 2, "Pelayanan Publik"),
        ]
    )
    assert summary(groups) == {"employees": 2, "needs": 4, "plan": 1, "skp": 1, "position": 1}
    assert summary([]) == {"employees": 0, "needs": 0, "plan": 0, "skp": 0, "position": 0}


def test_a_record_covers_a_competency_of_its_kind_sharing_half_the_stems() -> None:
    course = Learned("teknis", stems("Standar Pelayanan dan Peningkatan Kualitas Pelayanan Publik"))
    assert covers(stems("Pelayanan Publik"), "teknis", [course])
    assert not covers(stems("Pelayanan Publik"), "manajerial", [course])  # another kind
    # Three stems need two in common: "kelola" alone is not enough.
    archive = Learned("teknis", stems("Pelatihan Pengelolaan Arsip"))
    assert not covers(stems("Pengelolaan Keuangan Daerah"), "teknis", [archive])
    finance = Learned("teknis", stems("Penatausahaan Keuangan Daerah"))
    assert covers(stems("Pengelolaan Keuangan Daerah"), "teknis", [archive, finance])
    assert not covers(frozenset(), "teknis", [course])  # nothing to compare
    assert [share_needed(range(n)) for n in (0, 1, 2, 3, 4, 5)] == [1, 1, 1, 2, 2, 3]


def test_tags_cover_a_competency_the_title_does_not_name() -> None:
    lead = Learned(
        "manajerial",
        stems("Kepemimpinan Pengawas: Memimpin Tim melalui Coaching kepemimpinan-situasional"),
    )
    assert covers(stems("Kepemimpinan dan Pembinaan Tim"), "manajerial", [lead])


def test_best_matches_picks_the_position_competencies_an_skp_note_speaks_of() -> None:
    standards = [
        ("Pelayanan Publik", "teknis"),
        ("Literasi Digital", "teknis"),
        ("Pengelolaan Arsip Dinamis", "teknis"),
    ]
    note = "Pelayanan di loket lambat; arsip surat masuk tidak dikelola"
    assert best_matches(note, standards) == [2, 0]
    assert best_matches(note, standards, limit=1) == [2]
    assert best_matches("Sering terlambat hadir", standards) == []


def test_is_planned_matches_an_item_for_the_opd_or_for_every_opd() -> None:
    (g,) = aggregate([need("position", 1, "Pelayanan Publik")])
    key = competency_key("pelayanan publik")
    assert is_planned(g, [(1, key, "teknis", None)])
    assert is_planned(g, [(None, key, "teknis", "pelaksana")])
    assert not is_planned(g, [(2, key, "teknis", None)])  # another OPD
    assert not is_planned(g, [(1, key, "manajerial", None)])
    assert not is_planned(g, [(1, key, "teknis", "pengawas")])
    assert not is_planned(g, [])
