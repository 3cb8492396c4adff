"""Career requirements: programmes a position needs, the employee's career view, HR's gaps."""
