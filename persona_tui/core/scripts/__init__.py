"""Character cards: made from personas, exported for role-play front ends, audited for
privacy leaks against the research data they came from."""
