"""Widgets that render what they are given; none of them does I/O."""
