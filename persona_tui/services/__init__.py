"""One async service per concern for the TUI; owns I/O, caching and persistence and knows
nothing of Textual."""
