"""Headless commands behind the CLI; each module runs one command and returns an exit status."""
