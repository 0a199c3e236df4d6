"""What the terminal UI shows, without Textual: folders, jobs, forms, labels and figures.

Import-linter keeps it free of Textual and of the screens (pyproject.toml), so it is tested
and used headless (the advice and country jobs run it in child processes).
"""
