"""Leak detection for character cards: verbatim and near-verbatim reuse of source text,
personal data, and names. The public entry point is
:class:`persona_tui.core.scripts.privacy.PrivacyAuditor`."""
