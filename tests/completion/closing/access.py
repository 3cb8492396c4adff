"""Routes of the organiser's cohort pages and the participant's own view, for the access matrix
(tests/test_access_matrix.py). The cohort in the URL (``UJIAKSES-I``, built by
tests/enrolments/cohorts/access.py) is organised by `mitra`'s partner institution and `pegawai`
is one of its active participants."""

from __future__ import annotations

ORGANISERS = {"admin_bkpsdm", "mitra"}

EXPECTED: dict[tuple[str, str], object] = {
    ("completion.organised_cohorts", "GET"): ORGANISERS,
    ("completion.cohort_organiser", "GET"): ORGANISERS,
    ("completion.cohort_marks", "POST"): ORGANISERS,
    ("completion.cohort_close", "POST"): ORGANISERS,
    # Only a participant sees their own phases and result.
    ("completion.my_cohort", "GET"): {"pegawai"},
}
# Another partner's cohort, or a cohort one is not in, answers like a missing one.
HIDDEN = {
    ("completion.cohort_organiser", "GET"),
    ("completion.cohort_marks", "POST"),
    ("completion.cohort_close", "POST"),
    ("completion.my_cohort", "GET"),
}
