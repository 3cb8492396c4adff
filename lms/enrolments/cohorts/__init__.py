"""Programmes and their cohorts (angkatan): a sub-feature of enrolments, on its blueprint."""
