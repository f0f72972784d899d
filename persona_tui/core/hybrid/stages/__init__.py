"""Stages of a hybrid pipeline; each takes and returns a :class:`StageData`."""
