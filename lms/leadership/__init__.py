"""Leadership and basic training beyond the course list (issue 17): the workplace change project
(aktualisasi for Latsar, aksi perubahan for PKP/PKA/PKN) of a cohort participant, and the cohort's
coach, mentor and examiner. Sits beside learning and quizzes: it reads enrolments' cohorts and is
read by completion (a programme completes only with its project assessed)."""

from flask import Blueprint

bp = Blueprint("leadership", __name__)
