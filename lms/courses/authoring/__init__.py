"""Course authoring: drafts, modules, lessons, files, review and publication, categories."""
