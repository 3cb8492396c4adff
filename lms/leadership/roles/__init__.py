"""A cohort participant's coach, mentor and examiner(s): who they are, who assigns them, and what
each may see and do (``access``)."""
