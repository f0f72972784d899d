"""From loaded data to parsed, evidence-checked personas."""
