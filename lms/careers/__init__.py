"""Careers: learning record, JP ledger, development plans, SKP periods and evaluations.

One blueprint (``careers``); each sub-feature registers its views on it, so endpoint names and
URLs do not show the layout:

- ``records/``: the learning record (completions and outside learning with evidence), HR's
  verification queue, and the outbox consumer that turns completions into records.
- ``ledger/``: the one JP ledger (targets per kind of employee, JP sums) with the JP tables,
  charts and dashboard sections every other screen reads from.
- ``plans/``: development plans (needs, activities, the supervisor's decision), the consumer
  that ticks activities off, course suggestions.
- ``skp/``: SKP periods, targets, the evaluation schedule, evaluations and the predikat matrix,
  the appraisal import.
- ``career/``: the career structure (tracks and steps) and what positions require, the career
  view with every next step, HR's list of gaps.

Shared by them: ``errors.py`` (the two refusals), ``scope.py`` (whose employees HR sees),
``forms.py`` (number and date fields), ``view_helpers.py``.
"""

from flask import Blueprint

bp = Blueprint("careers", __name__)
