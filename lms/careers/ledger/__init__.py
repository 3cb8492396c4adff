"""The one JP ledger: targets per kind of employee, JP sums, team and OPD tables."""
