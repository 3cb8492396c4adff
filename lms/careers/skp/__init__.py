"""SKP: performance periods, targets, evaluations, the predikat matrix, appraisal import."""
