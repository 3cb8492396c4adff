"""Careers: learning record, JP ledger, development plans, SKP periods and evaluations."""

from flask import Blueprint

bp = Blueprint("careers", __name__)
