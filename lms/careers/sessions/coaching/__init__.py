"""Coaching plans: a supervisor's answer to a low SKP predikat, followed session by session."""
