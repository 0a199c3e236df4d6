"""Checks on command output that hold at any terminal width and any path length.

rich wraps long lines and draws error panels with box characters, so a message with a long
temporary path can be split anywhere, even inside a word. `flat` removes both the drawing and
every whitespace, so a needle passed through it is found wherever the terminal broke it.
"""

BOX_DRAWING = "│╭╮╰╯─┃━┏┓┗┛"


def flat(output: str) -> str:
    """Output without box drawing and without any whitespace (line breaks included)."""
    return "".join(output.translate({ord(c): None for c in BOX_DRAWING}).split())


def shows(output: str, message: str) -> bool:
    """Whether `message` appears in `output`, however the terminal wrapped it."""
    return flat(message) in flat(output)
