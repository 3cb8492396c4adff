"""Post-training evaluation (evaluasi pascapelatihan, Kirkpatrick level 3): months after a
completion the alumnus and their direct supervisor each answer a short questionnaire (applied at
work? what changed? what got in the way?), with reminders. It learns of completions through the
completion outbox (``lms.completion.followups`` hands over the facts: evaluations sits below
completion and never imports it); the reports and the SKP pages above read its data. Routes are
on the evaluations blueprint."""
