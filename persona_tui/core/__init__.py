"""The domain: data, generation, providers, cost, cards, privacy. Never imports Textual,
``sdk``, ``services`` or ``tui``."""
