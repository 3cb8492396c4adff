"""Pure completion rules: what is missing and JP split over subjects (the printed kualifikasi
is the certificates' rule, tested from its data in tests/certificates/test_kualifikasi.py)."""

from __future__ import annotations

from decimal import Decimal

from lms.completion.rules import (
    Progress,
    QuizResult,
    Rules,
    allocate_jp,
    course_score,
    judge,
    learner_state,
    still_missing,
)


def test_all_rules_met_is_complete_with_the_post_test_score() -> None:
    verdict = judge(Rules(), Progress(3, 3, (QuizResult("Post-test", True, 85.0),), True))
    assert verdict.complete and verdict.missing == [] and verdict.score == 85.0


def test_every_missing_rule_is_named() -> None:
    verdict = judge(Rules(), Progress(4, 1, (QuizResult("Post-test", False, 40.0),), False))
    assert not verdict.complete
    assert verdict.missing == [("lessons", "1/4"), ("posttest", "Post-test"), ("evaluation", "")]


def test_switched_off_rules_are_not_required() -> None:
    progress = Progress(4, 0, (QuizResult("Ujian", False, None),), False)
    assert judge(Rules(lessons=False, posttest=False, evaluation=False), progress).complete
    only_lessons = judge(Rules(posttest=False, evaluation=False), progress)
    assert only_lessons.missing == [("lessons", "0/4")]


def test_a_course_without_post_test_or_lessons_completes_on_the_evaluation() -> None:
    assert not judge(Rules(), Progress(0, 0, (), False)).complete
    assert judge(Rules(), Progress(0, 0, (), True)).complete


def test_the_lowest_post_test_score_is_the_course_score() -> None:
    results = (QuizResult("A", True, 90.0), QuizResult("B", True, 72.5))
    assert judge(Rules(), Progress(1, 1, results, True)).score == 72.5


def test_a_package_course_scores_the_mean_of_its_scored_scos() -> None:
    """No post-test: the packages' SCO scores (already percentages) are averaged."""
    progress = Progress(2, 2, (), True, (Decimal("90"), Decimal("75.5")))
    assert course_score(progress) == 82.75
    assert judge(Rules(), progress).score == 82.75
    assert course_score(Progress(1, 1, (), True, (Decimal("100"), Decimal("0"), Decimal("0")))) == (
        33.33
    )
    assert course_score(Progress(1, 1, (), True)) is None  # no scored SCO: no score


def test_the_courses_own_post_test_score_rules_over_the_packages() -> None:
    with_posttest = Progress(2, 2, (QuizResult("Post-test", True, 70.0),), True, (Decimal(95),))
    assert course_score(with_posttest) == 70.0
    # A post-test that was never taken (not required) has no score: the packages' rules.
    untaken = Progress(2, 2, (QuizResult("Post-test", False, None),), True, (Decimal(95),))
    assert course_score(untaken) == 95.0
    assert judge(Rules(posttest=False), untaken).score == 95.0


def test_jp_split_adds_up_to_the_total() -> None:
    parts = allocate_jp(Decimal(20), [90, 90, 45, 30])
    assert sum(parts) == 20 and parts[0] >= parts[2] >= parts[3]
    assert allocate_jp(Decimal(3), [0, 0, 0]) == [1, 1, 1]
    assert allocate_jp(Decimal("2.5"), [60, 30]) == [Decimal("1.5"), Decimal(1)]
    assert allocate_jp(Decimal(4), []) == []


# --- what is still missing, in words (dashboard, catalogue, course page); pure, no app --------


def test_still_missing_names_each_unmet_rule_once_in_order() -> None:
    failed = (QuizResult("Post-test A", False, 40.0), QuizResult("Post-test B", False, None))
    assert still_missing(Rules(), Progress(4, 1, failed, False)) == (
        "lessons",
        "posttest",
        "evaluation",
    )
    assert still_missing(Rules(), Progress(4, 4, failed, True)) == ("posttest",)
    passed = (QuizResult("Post-test", True, 80.0),)
    assert still_missing(Rules(), Progress(4, 4, passed, False)) == ("evaluation",)
    assert still_missing(Rules(), Progress(4, 4, passed, True)) == ()
    assert still_missing(Rules(posttest=False), Progress(4, 4, failed, True)) == ()


def test_a_finished_course_is_selesai_never_terdaftar() -> None:
    state = learner_state("completed", 100)
    assert state.done and state.badge == "Selesai" and state.label == "Selesai"
    assert learner_state("active", 0).badge == "Terdaftar"  # enrolled, nothing opened yet


def test_all_lessons_done_says_what_is_missing_instead_of_100_percent() -> None:
    failed = learner_state("active", 100, ("posttest", "evaluation"))
    assert failed.key == "missing"
    assert failed.badge == "Post-test belum lulus · Evaluasi belum diisi"
    assert failed.label == "Materi selesai · Post-test belum lulus · Evaluasi belum diisi"
    assert "100" not in failed.label
    assert learner_state("active", 100, ("evaluation",)).badge == "Evaluasi belum diisi"


def test_open_lessons_show_the_progress() -> None:
    learning = learner_state("active", 60, ("lessons", "posttest"))
    assert learning.key == "learning" and learning.label == "Kemajuan 60%"
    assert learning.badge == "Sedang belajar"
    # not judged yet (the list skips courses with open lessons): the progress says it
    assert learner_state("active", 60).label == "Kemajuan 60%"


def test_other_states_have_their_own_names() -> None:
    assert learner_state("nominated", 0).badge == "Menunggu persetujuan"
    assert learner_state("waitlisted", 0).badge == "Daftar tunggu"
    assert learner_state("rejected", 0).badge == "Ditolak"
    assert learner_state("withdrawn", 30).key == "withdrawn"
