"""File plumbing every part of the product stands on.

Errors and exit codes, atomic writes, staged folders, locks, output ownership, checked
numbers and files, typed curated tables, shipped data, terminal tables and the lazy command
group. The bottom layer (pyproject's import-linter contracts): it imports no other package
of the product, so the simulator and the TUI depend on the model hub only where they use
models.
"""
