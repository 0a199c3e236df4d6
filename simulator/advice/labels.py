"""The advice ranking's columns in a reader's words, and the status quo's name.

Shared by the HTML page's table, the tornado and the TUI's Advice screen; its own module,
free of imports, so the UI reads them without the generator's or the report's imports (an
import in the UI's process holds the interpreter while the screen waits).
"""

STATUS_QUO = "status-quo"  # the move that changes nothing

LABELS = {
    "description": "what it does",
    "npv_p10": "NPV, pessimistic (p10)",
    "npv_p50": "NPV, median (p50)",
    "npv_p90": "NPV, optimistic (p90)",
    "gain_p50": "median gain over the status quo",
    "p_beats_status_quo": "chance of beating the status quo",
    "max_regret": "largest regret",
}
