"""The workplace project: proposal, review by coach and mentor, logbook with evidence, seminar,
rubric assessment by coach, mentor and examiner, and its outcome."""
