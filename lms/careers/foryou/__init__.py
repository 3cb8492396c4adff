"""Suggestions that follow the person: the dashboard's "Saran untuk Anda" from the employee's
SKP result below expectations and the open needs of their development plan, each explained
("karena ..."), instead of the newest courses."""
