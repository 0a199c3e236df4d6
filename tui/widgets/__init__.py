"""Reusable widgets (charts)."""
