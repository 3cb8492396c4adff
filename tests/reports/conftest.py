"""Reports tests: the ExportJob table must be known before the session's ``create_all``."""

import lms.reports.models  # noqa: F401
