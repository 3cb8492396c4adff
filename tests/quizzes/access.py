"""Access expectations for the question bank.

The URL's ``course_id`` comes from tests/courses/access.py: a course taught by `pengajar`, so
its trainer and BKPSDM may use the bank and everyone else gets 403.
"""

from __future__ import annotations

AUTHORS = {"pengajar", "admin_bkpsdm"}
LEARNER = {"pegawai"}

EXPECTED = {
    ("quizzes.bank", "GET"): AUTHORS,
    ("quizzes.bank_import", "GET"): AUTHORS,
    ("quizzes.bank_import", "POST"): AUTHORS,
    ("quizzes.bank_import_confirm", "POST"): AUTHORS,
    # A confirmed import's progress: only whoever confirmed it (`pengajar`'s job of build_args).
    ("quizzes.bank_import_job", "GET"): {"pengajar"},
    ("quizzes.bank_import_status", "GET"): {"pengajar"},
    ("quizzes.bank_export", "GET"): AUTHORS,
    # The question editor: one question of the bank (the essay of build_args).
    ("quizzes.question_view", "GET"): AUTHORS,
    ("quizzes.question_new", "GET"): AUTHORS,
    ("quizzes.question_new", "POST"): AUTHORS,
    ("quizzes.question_edit", "GET"): AUTHORS,
    ("quizzes.question_edit", "POST"): AUTHORS,
    ("quizzes.question_preview", "POST"): AUTHORS,
    ("quizzes.question_duplicate", "POST"): AUTHORS,
    ("quizzes.question_move", "GET"): AUTHORS,
    ("quizzes.question_move", "POST"): AUTHORS,
    ("quizzes.question_bulk_move", "POST"): AUTHORS,
    ("quizzes.question_delete", "GET"): AUTHORS,
    ("quizzes.question_delete", "POST"): AUTHORS,
    # Quizzes: settings and essay grading for the course's trainers and BKPSDM.
    ("quizzes.quiz_list", "GET"): AUTHORS,
    ("quizzes.quiz_new", "GET"): AUTHORS,
    ("quizzes.quiz_new", "POST"): AUTHORS,
    ("quizzes.quiz_edit", "GET"): AUTHORS,
    ("quizzes.quiz_edit", "POST"): AUTHORS,
    ("quizzes.quiz_grading", "GET"): AUTHORS,
    ("quizzes.quiz_grade_answer", "POST"): AUTHORS,
    ("quizzes.quiz_regrade", "POST"): AUTHORS,
    ("quizzes.quiz_statistics", "GET"): AUTHORS,
    # Previewing a quiz as a learner (nothing stored): who may author or review the course.
    ("quizzes.quiz_preview", "GET"): AUTHORS,
    ("quizzes.quiz_preview_take", "GET"): AUTHORS,
    ("quizzes.quiz_preview_check", "POST"): AUTHORS,
    # Taking a quiz: only `pegawai`, enrolled in the course and owner of the attempt.
    ("quizzes.quiz", "GET"): LEARNER,
    ("quizzes.quiz_start", "POST"): LEARNER,
    ("quizzes.attempt", "GET"): LEARNER,
    ("quizzes.attempt_save", "POST"): LEARNER,
    ("quizzes.attempt_submit", "POST"): LEARNER,
    ("quizzes.attempt_confirm", "GET"): LEARNER,
    ("quizzes.attempt_result", "GET"): LEARNER,
}
# A quiz of a course one is not enrolled in, or another employee's attempt: like a missing one.
HIDDEN = {
    ("quizzes.bank_import_job", "GET"),
    ("quizzes.bank_import_status", "GET"),
    ("quizzes.quiz", "GET"),
    ("quizzes.quiz_start", "POST"),
    ("quizzes.attempt", "GET"),
    ("quizzes.attempt_save", "POST"),
    ("quizzes.attempt_submit", "POST"),
    ("quizzes.attempt_result", "GET"),
    ("quizzes.attempt_confirm", "GET"),
}


def build_args(world) -> dict:
    """A quiz in the course of tests/courses/access.py, `pegawai` enrolled, with one submitted
    attempt whose essay waits for a trainer."""
    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.enrolments.models import Enrolment
    from lms.extensions import db
    from lms.org.models import Employee
    from lms.quizzes.attempts import services as attempts
    from lms.quizzes.models import Question

    course = db.session.scalar(select(Course).where(Course.code == "OLAH-101"))
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    db.session.add(Enrolment(course_id=course.id, employee_id=employee.id, status="active"))
    essay = Question(course_id=course.id, type="essay", name="Esai", text="Jelaskan.", data={})
    db.session.add(essay)
    db.session.flush()
    quiz = attempts.save_quiz(
        course, None, {"title": "Kuis Akses", "attempts_allowed": 0, "question_ids": [essay.id]}
    )
    attempt = attempts.start_attempt(quiz, employee.id)
    answer_id = attempts.save_answer(attempt, essay.id, "Karena penting.")
    attempts.submit(attempt)
    from lms.auth.models import User
    from lms.quizzes.bank.jobs import QuestionImportJob

    trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
    job = QuestionImportJob(course_id=course.id, owner_id=trainer.id, format="gift")
    db.session.add(job)
    db.session.flush()
    return {
        "job_id": job.id,
        "quiz_id": quiz.id,
        "attempt_id": attempt.id,
        "answer_id": answer_id,
        "question_id": essay.id,
    }
