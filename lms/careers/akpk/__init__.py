"""The agency's needs analysis and yearly development plan (AKPK, analisis kebutuhan
pengembangan kompetensi).

BKPSDM gathers development needs from three places: the employees' development plans (the needs
no done activity has met), SKP results below expectations, and the gaps between what a position
requires (``content/reference/position_competencies.yaml``) and the employee's learning record.
It sees them per OPD, competency and position level (``needs``: pure), turns them into a yearly
plan of courses and cohorts with participants, JP, schedule and budget (``services``), follows
the plan against the enrolments and completions of the year (``realisation``) and exports it
(``exports``: XLSX and PDF). An Admin OPD sees the needs of their OPD and proposes plan items for
it; BKPSDM accepts or declines them.

- ``models.py``: position competencies, the plan of a year, its items and named participants.
- ``competencies.py``: loads the position competencies with the reference data.
- ``needs.py``: the pure needs rules (matching a record to a competency, the aggregation).
- ``gathering.py``: reads the three sources into needs for a user's scope.
- ``rupiah.py``: Rupiah amounts written and read the Indonesian way.
"""
