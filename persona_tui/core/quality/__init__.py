"""Quality metrics for persona sets, behind a registry users can extend."""
