"""Access expectations for the question bank.

The URL's ``course_id`` comes from tests/courses/access.py: a course taught by `pengajar`, so
its trainer and BKPSDM may use the bank and everyone else gets 403.
"""

from __future__ import annotations

AUTHORS = {"pengajar", "admin_bkpsdm"}

EXPECTED = {
    ("quizzes.bank", "GET"): AUTHORS,
    ("quizzes.bank_import", "GET"): AUTHORS,
    ("quizzes.bank_import", "POST"): AUTHORS,
    ("quizzes.bank_import_confirm", "POST"): AUTHORS,
    ("quizzes.bank_export", "GET"): AUTHORS,
}
