"""Reports tests: the ExportJob table must be known before the session's ``create_all``; the
generated data set (``data``) that the report tests read."""

import pytest

import lms.reports.models  # noqa: F401
from lms.extensions import db
from tests.reports.data import generate


@pytest.fixture
def data(app, world):
    with app.app_context():
        generated = generate()
        db.session.remove()
    return generated
