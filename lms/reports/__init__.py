"""HR reports: completions, JP compliance, cohorts, quizzes, evaluations, certificates, trainers."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
