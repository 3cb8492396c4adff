"""The baseline for ``bench/run.py``: a Flask app with one trivial route, no extensions.

Served by gunicorn with the same settings as the LMS, it measures what the machine, gunicorn and
Flask cost on their own, so each LMS page can be reported as a ratio to it.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "ok"
