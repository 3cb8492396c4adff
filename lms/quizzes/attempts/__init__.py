"""Quiz attempts: taking a quiz, saving and submitting answers, review, grading and statistics."""
