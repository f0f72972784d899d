"""Small helpers shared across the core: JSON extraction from model output, async bridges."""
