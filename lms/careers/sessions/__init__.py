"""Non-classroom learning sessions (coaching, mentoring, on-the-job learning, secondment,
benchmarking, ...; Perlan 10/2018, SIASN jenis diklat 14-25) and coaching plans.

- ``rules.py``: the recognition rules per form, kept as data
  (``content/reference/nonclassroom_rules.yaml``), and the pure function that turns a session's
  minutes into recognised JP (minutes per JP, rounding, caps per day and per year).
- ``models.py``: sessions, coaching plans and their follow-up notes.
- ``services.py``: logging (by the employee or the coach), confirming or returning per the
  form's rule; a confirmed session becomes one verified learning record, so the JP ledger and
  the SIASN export count it like any verified learning (no second ledger).
- ``queries.py``: the employee's sessions, the review list (scope in SQL), coaches and coachees.
- ``coaching/``: the supervisor's coaching plans after a low SKP predikat.
"""
