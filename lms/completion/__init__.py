"""Completion: the rules that decide a course is done, completion records and their outbox events."""

from flask import Blueprint

bp = Blueprint("completion", __name__)
