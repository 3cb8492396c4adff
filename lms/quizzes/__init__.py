"""Quizzes: the per-course question bank and its Moodle-compatible GIFT/Aiken exchange."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__)
