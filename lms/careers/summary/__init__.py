"""Summary tables (issue 19 point 3): the figures dashboards and HR reports read, kept current.

``employee_year_summary`` holds, per employee and year, the JP ledger's figures (JP counted once,
by competency kind), the valid completions, the development plan's status and the day the
general JP target was reached; ``unit_period_summary`` holds, per OPD at completion and local
month, the valid completions and the JP they count.

One function per table computes rows from the source rows (``services.employee_rows``,
``services.unit_rows``): the incremental path recomputes the touched employee-years and
unit-months with it, and ``flask summary rebuild`` recomputes whole years with the same
statement, so a rebuild and the incremental result cannot drift apart by construction (and
``tests/careers/summary`` checks they are equal after a random mix of changes).

Which rows are touched is found where the ledger's inputs change: ``tracking`` watches the ORM
unit of work for learning records (the outbox consumer's, verified outside learning, imports,
confirmed sessions), completions (created, revoked, imported), development plans, and the
cohort facts the JP-once rule reads (membership, results, dates, programme courses), and
recomputes before the transaction commits: the summaries change in the same transaction as
the rows they follow, whichever path wrote them.
"""
