"""A programme's cohort as completion sees it (issue 17): each participant's progress through the
phases (courses completed, the organiser's marks, the workplace project's assessment), and the
organiser's closing, the only way a programme completes: every phase met and, when the kind
requires a workplace project, its assessment passed."""
