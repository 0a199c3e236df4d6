"""Textual terminal UI over the simulator and the hub."""
