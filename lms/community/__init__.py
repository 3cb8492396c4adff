"""Communities of practice (komunitas belajar) and discussion forums (issue 18, point 2).

A community gathers employees across OPDs around a practice (public service, procurement, ...):
members who join an open community or accept an invitation, an owner, and moderators (a trainer or
a named employee) whom BKPSDM or the owner sets. Forums (``forums``) belong to a community (one or
more), to a course (its enrolled learners and its trainers) or to a cohort (its participants and
the organiser's staff): threads, replies in Markdown sanitised on write, checked attachments,
subscriptions with in-app and e-mail notifications, and moderation (``forums.moderation``: pin,
lock, move, hide, reports), every moderator action written to the audit log.

Sits beside learning and quizzes: it reads courses, enrolments and cohorts, and nothing above.

Not built here: JP for active participation in a community (issue 18 point 2's last sentence)
follows the recognition rules of non-classroom learning (point 1: minutes per JP, caps, who
confirms, SIASN code 14-25 "community of practice"), which another change builds. When those
rules exist, participation can be read from ``forums.queries.participation`` (posts per person
per community and period) and logged as a non-classroom session to be confirmed; nothing in the
forum itself writes JP.
"""

from flask import Blueprint

bp = Blueprint("community", __name__)
