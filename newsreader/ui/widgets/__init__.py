"""Widgets: they render what they are given and never do I/O."""
