"""Learning record: completions and outside learning, evidence, HR's verification queue."""
