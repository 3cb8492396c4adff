"""The career structure and the next-step rule, pure (no database): the files of
``content/reference`` read as they are, and ``structure.parse_tracks`` / ``next_targets``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lms.careers.career import structure
from lms.careers.career.structure import Step, Target, TracksInvalid

REFERENCE = Path(__file__).resolve().parents[3] / "content" / "reference"


def _yaml(name: str):
    return yaml.safe_load((REFERENCE / name).read_text(encoding="utf-8"))


def _levels() -> dict[str, list[str]]:
    """Level codes per position type, as jabatan.yaml lists them."""
    return {
        t["code"]: [lv["code"] for lv in t.get("levels", [])]
        for t in _yaml("jabatan.yaml")["types"]
    }


LEVELS = _levels()
ALL_LEVELS = {code for codes in LEVELS.values() for code in codes}
STEPS = structure.parse_tracks(_yaml("career_tracks.yaml"), ALL_LEVELS)


def _next(level: str | None, kind: str = "pns") -> list[tuple[str | None, str | None, bool]]:
    """(level or status, track, crossing) of every next step from ``level``."""
    return [
        (t.level or t.status, t.step.track if t.step else None, bool(t.step and t.step.crossing))
        for t in structure.next_targets(kind, level, STEPS)
    ]


def test_a_pelaksana_may_go_to_pengawas_or_to_a_functional_position() -> None:
    """The functional track is parallel: a pelaksana sees pengawas (PKP) AND the functional
    entries, the structural rung first."""
    assert _next("pelaksana") == [
        ("pengawas", "struktural", False),
        ("ahli_pertama", "fungsional", True),
        ("terampil", "fungsional", True),
    ]


def test_the_structural_ladder_runs_pengawas_administrator_jpt_pratama_madya_utama() -> None:
    assert _next("pengawas") == [("administrator", "struktural", False)]
    assert _next("administrator") == [("jpt_pratama", "struktural", False)]
    assert _next("jpt_pratama") == [("jpt_madya", "struktural", False)]
    assert _next("jpt_madya") == [("jpt_utama", "struktural", False)]
    assert _next("jpt_utama") == []


def test_no_functional_level_is_a_rung_of_the_structural_ladder() -> None:
    structural = [s for s in STEPS if s.track == "struktural" and not s.crossing]
    on_ladder = {s.from_level for s in structural} | {s.to_level for s in structural}
    assert on_ladder == {
        "pelaksana",
        "pengawas",
        "administrator",
        "jpt_pratama",
        "jpt_madya",
        "jpt_utama",
    }
    assert not on_ladder & set(LEVELS["fungsional"])


def test_a_fungsional_goes_up_their_own_ladder_first_then_the_structural_post_the_data_allows():
    assert _next("ahli_pertama") == [
        ("ahli_muda", "fungsional", False),
        ("pengawas", "struktural", True),
    ]
    assert _next("ahli_muda") == [
        ("ahli_madya", "fungsional", False),
        ("administrator", "struktural", True),
    ]
    assert _next("ahli_madya")[0] == ("ahli_utama", "fungsional", False)
    assert _next("ahli_utama") == []
    assert _next("terampil") == [("mahir", "fungsional", False)]
    assert _next("mahir") == [("penyelia", "fungsional", False)]
    assert _next("pemula") == [("terampil", "fungsional", False)]


def test_functional_to_structural_crossings_are_marked_as_examples_where_the_law_is_vague() -> None:
    crossings = {(s.from_level, s.to_level): s for s in STEPS if s.crossing}
    assert crossings[("ahli_pertama", "pengawas")].example
    assert crossings[("ahli_muda", "administrator")].example
    assert not crossings[("pelaksana", "ahli_pertama")].example
    assert all(s.note for s in crossings.values())


def test_a_cpns_is_first_appointed_pns_then_the_position_steps_follow() -> None:
    assert _next("pelaksana", kind="cpns")[0] == ("pns", None, False)
    assert [t[0] for t in _next("pelaksana", kind="cpns")[1:]] == [
        "pengawas",
        "ahli_pertama",
        "terampil",
    ]
    assert _next(None, kind="cpns") == [("pns", None, False)]
    assert _next(None) == []
    assert _next("pelaksana", kind="pppk")[0][0] == "pengawas"


def test_standing_is_the_recorded_level_or_the_only_level_of_the_type() -> None:
    assert structure.standing("pengawas", None, LEVELS) == "pengawas"
    assert structure.standing("pelaksana", None, LEVELS) == "pelaksana"
    assert structure.standing("fungsional", None, LEVELS) is None  # which jenjang? unknown
    assert structure.standing("jpt", None, LEVELS) is None
    assert structure.standing("fungsional", "ahli_muda", LEVELS) == "ahli_muda"
    assert structure.standing(None, None, LEVELS) is None


def test_next_targets_keeps_the_files_order_inside_each_group() -> None:
    steps = [
        Step("a", "x", "fungsional", crossing=True),
        Step("a", "b", "struktural"),
        Step("a", "y", "fungsional", crossing=True),
    ]
    assert structure.next_targets(None, "a", steps) == [
        Target("b", steps[1]),
        Target("x", steps[0]),
        Target("y", steps[2]),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "daftar 'tracks'"),
        ({"tracks": [{"code": "raja", "ladder": ["a", "b"]}]}, "jalur ke-1: 'code'"),
        ({"tracks": [{"code": "struktural", "ladder": ["a"]}]}, "paling sedikit dua"),
        ({"tracks": [{"code": "struktural", "ladder": ["a", "zz"]}]}, "tidak dikenal: zz"),
        (
            {
                "tracks": [
                    {"code": "struktural", "ladder": ["a", "b"]},
                    {"code": "fungsional", "ladder": ["b", "c"]},
                ]
            },
            "jalur ke-2: jenjang b sudah ada",
        ),
        (
            {
                "tracks": [{"code": "struktural", "ladder": ["a", "b"]}],
                "crossings": [{"from": "a", "to": "c"}],
            },
            "perpindahan ke-1: 'to' c tidak ada pada jalur",
        ),
        (
            {
                "tracks": [{"code": "struktural", "ladder": ["a", "b"]}],
                "crossings": [{"from": "a", "to": "b"}],
            },
            "ganda",
        ),
    ],
)
def test_a_bad_tracks_file_is_refused_naming_the_entry(data, message) -> None:
    with pytest.raises(TracksInvalid, match=message) as caught:
        structure.parse_tracks(data, {"a", "b", "c"}, "jalur.yaml")
    assert str(caught.value).startswith("jalur.yaml")


def test_the_requirements_file_names_the_leadership_programme_of_each_structural_level() -> None:
    """Pengawas PKP, administrator PKA, JPT Pratama PKN II, JPT Madya PKN I (not II), a CPNS
    Latsar; the functional requirements are labelled examples asked only on moving in."""
    kinds = {k["code"] for k in _yaml("programme_kinds.yaml")["kinds"]}
    by_subject = {}
    for rule in _yaml("career_requirements.yaml")["requirements"]:
        subject = rule.get("jabatan_type") or rule.get("jabatan_level") or rule.get("employee_kind")
        by_subject.setdefault(subject, []).append(rule)
    structural = {
        "pengawas": "PKP",
        "administrator": "PKA",
        "jpt_pratama": "PKN2",
        "jpt_madya": "PKN1",
        "cpns": "LATSAR",
    }
    for subject, code in structural.items():
        assert [r["programme"] for r in by_subject[subject]] == [code], subject
        assert code in kinds
        assert not by_subject[subject][0].get("example")
    for level in LEVELS["fungsional"]:
        for rule in by_subject.get(level, []):
            assert rule["example"] is True and rule["for_holders"] is False, rule
            assert rule["programme"] not in kinds
