"""TypedDict views of the domain, for code that works with plain dicts (JSON, templates)."""
