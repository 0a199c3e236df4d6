"""The advice ranking's columns in a reader's words.

Shared by the HTML page's table and the TUI's Advice screen; its own module, free of
imports, so the UI reads the words without the report's pandas.
"""

LABELS = {
    "description": "what it does",
    "npv_p10": "NPV, pessimistic (p10)",
    "npv_p50": "NPV, median (p50)",
    "npv_p90": "NPV, optimistic (p90)",
    "gain_p50": "median gain over the status quo",
    "p_beats_status_quo": "chance of beating the status quo",
    "max_regret": "largest regret",
}
