"""The report registry. Each report is one module of this package (its status labels, its
query and its entry: key, title, description, filters); the web, the CLI, exports and scheduled
deliveries all find reports here, in ``REPORTS``."""

from __future__ import annotations

from lms.indonesian import local_today
from lms.reports.definitions import (
    certificates,
    cohort,
    completions,
    enrolments,
    evaluations,
    jp_compliance,
    post_training,
    post_training_answers,
    quiz_results,
    scorm_results,
    trainers,
)
from lms.reports.definitions.base import Report
from lms.reports.definitions.helpers import KIND_LABELS

__all__ = ["KIND_LABELS", "REPORTS", "Report", "default_year"]

REPORTS: dict[str, Report] = {
    r.key: r
    for r in (
        completions.REPORT,
        enrolments.REPORT,
        jp_compliance.REPORT,
        cohort.REPORT,
        quiz_results.REPORT,
        evaluations.REPORT,
        certificates.REPORT,
        trainers.REPORT,
        scorm_results.REPORT,
        post_training.REPORT,
        post_training.TRAINERS_REPORT,
        post_training_answers.REPORT,
    )
}


def default_year(report: Report) -> int | None:
    """JP compliance always concerns one year (this one unless asked)."""
    return local_today().year if report.key == "jp-compliance" else None
