"""Pure rules of the evaluation: which items are asked, the aggregation, the index and its band."""

from __future__ import annotations

import pytest

from lms.evaluations.questions import SECTIONS, applicable_sections
from lms.evaluations.services import aggregate, band_of, mean_of, prune, scale_to_100


def keys(sections) -> set[str]:
    return {item.key for section in sections for item in section.items}


def test_questionnaire_keys_are_unique_and_cover_the_three_parts() -> None:
    all_keys = [item.key for section in SECTIONS for item in section.items]
    assert len(all_keys) == len(set(all_keys)) == 13
    assert [s.key for s in SECTIONS] == ["course", "trainer", "organisation"]


def test_trainer_items_only_when_the_course_has_a_trainer() -> None:
    without = applicable_sections(has_trainer=False, delivery_mode="classroom")
    assert [s.key for s in without] == ["course", "organisation"]
    assert not any(k.startswith("trainer_") for k in keys(without))


def test_punctuality_only_with_face_to_face_sessions() -> None:
    online = keys(applicable_sections(has_trainer=True, delivery_mode="e-learning"))
    classroom = keys(applicable_sections(has_trainer=True, delivery_mode="classroom"))
    blended = keys(applicable_sections(has_trainer=True, delivery_mode="blended"))
    assert "trainer_punctuality" not in online
    assert "trainer_mastery" in online
    assert classroom - online == blended - online == {"trainer_punctuality"}


def test_aggregate_counts_means_and_distribution() -> None:
    sections = applicable_sections(has_trainer=True, delivery_mode="e-learning")
    answers = [
        ({"course_relevance": 5, "org_platform": 4}, {"course": "Bagus"}),
        ({"course_relevance": 4, "org_platform": 2}, {}),
        ({"course_relevance": 3}, {"course": "  ", "organisation": "Aplikasi lambat"}),
    ]
    summary = aggregate(sections, answers)
    assert summary.responses == 3
    items = {i.key: i for i in summary.items}
    relevance = items["course_relevance"]
    assert relevance.n == 3
    assert relevance.mean == pytest.approx(4.0)
    assert relevance.counts == [0, 0, 1, 1, 1]
    assert relevance.percents == pytest.approx([0, 0, 100 / 3, 100 / 3, 100 / 3])
    assert items["org_platform"].n == 2
    assert items["org_platform"].mean == pytest.approx(3.0)
    assert items["course_clarity"].n == 0 and items["course_clarity"].mean is None
    # The section mean is the mean of its item means; items without answers do not count.
    course = next(s for s in summary.sections if s.key == "course")
    assert course.mean == pytest.approx(4.0)
    assert summary.mean == pytest.approx((4.0 + 3.0) / 2)
    assert summary.comments == {
        "course": ["Bagus"],
        "trainer": [],
        "organisation": ["Aplikasi lambat"],
    }


def test_aggregate_ignores_unknown_keys_off_scale_values_and_non_integers() -> None:
    sections = applicable_sections(has_trainer=False, delivery_mode="e-learning")
    answers = [
        ({"course_relevance": 6, "old_item": 5, "trainer_mastery": 5}, {"trainer": "x"}),
        ({"course_relevance": 0, "course_clarity": "5", "course_time": True}, None),
        ({"course_relevance": 2}, {}),
    ]
    summary = aggregate(sections, answers)
    items = {i.key: i for i in summary.items}
    assert "trainer_mastery" not in items and "old_item" not in items
    assert items["course_relevance"].counts == [0, 1, 0, 0, 0]
    assert items["course_clarity"].n == 0
    assert items["course_time"].n == 0
    assert "trainer" not in summary.comments


def test_comments_are_sorted_so_order_reveals_nobody() -> None:
    sections = applicable_sections(has_trainer=False, delivery_mode="e-learning")
    answers = [({}, {"course": t}) for t in ("zebra", "Apel", "mangga")]
    assert aggregate(sections, answers).comments["course"] == ["Apel", "mangga", "zebra"]
    assert aggregate(sections, answers, with_comments=False).comments["course"] == []


def test_empty_aggregate() -> None:
    summary = aggregate(list(SECTIONS), [])
    assert summary.responses == 0
    assert summary.mean is None and summary.index is None and summary.band is None


@pytest.mark.parametrize(
    ("mean", "index", "band"),
    [
        (5.0, 100.0, "sangat_baik"),
        (4.4, 88.0, "sangat_baik"),
        (4.39, 87.8, "baik"),
        (3.8, 76.0, "baik"),
        (3.79, 75.8, "cukup"),
        (3.0, 60.0, "cukup"),
        (2.99, 59.8, "kurang"),
        (1.0, 20.0, "kurang"),
    ],
)
def test_index_scaled_to_100_and_ikm_style_band(app, mean: float, index: float, band: str) -> None:
    assert scale_to_100(mean) == pytest.approx(index)
    with app.test_request_context():
        key, label = band_of(scale_to_100(mean))
    assert key == band
    assert label in {"Sangat Baik", "Baik", "Cukup", "Kurang"}


def test_mean_of_skips_missing() -> None:
    assert mean_of([None, 2.0, 4.0]) == 3.0
    assert mean_of([None]) is None


def test_prune_keeps_asked_items_and_answered_old_ones() -> None:
    answers = [({"trainer_mastery": 4, "course_relevance": 5}, {})]
    summary = prune(aggregate(list(SECTIONS), answers), {"course_relevance", "org_platform"})
    kept = {i.key for i in summary.items}
    assert kept == {"course_relevance", "org_platform", "trainer_mastery"}
    assert [s.key for s in summary.sections] == ["course", "trainer", "organisation"]
    summary = prune(aggregate(list(SECTIONS), []), {"course_relevance"})
    assert [s.key for s in summary.sections] == ["course"]
