"""The World screen's view for one firm: country attractiveness.

The figures are `simulator.reports.attractiveness`'s.

Columns, their cells in the UI's language and units, and the chosen country's detail; the
screen (`tui.screens.world`) owns the table, the sorting and the filter.
"""

from __future__ import annotations

from tui import i18n
from tui.i18n import N_, _

# (CountryRow field, or "name", heading)
FIRM_COLUMNS = (
    ("iso2", N_("Code")), ("name", N_("Country")), ("status", N_("For the firm")),
    ("addressable", N_("Market, people")), ("revenue_potential", N_("Potential, $/yr")),
    ("growth", N_("Growth/yr")), ("rivals", N_("Rivals")),
    ("token_premium", N_("Token premium")), ("language_quality", N_("Quality vs EN")),
    ("compliance_usd", N_("Entry cost")), ("delay_months", N_("Delay, months")),
    ("residency", N_("Data residency")), ("distance", N_("CAGE distance")),
    ("advice_gain", N_("Advice: best move")),
)
DESCENDING = ("addressable", "revenue_potential", "growth", "rivals", "language_quality",
              "advice_gain")  # largest first when chosen

STATUS = {"present": N_("present"), "forbidden": N_("forbidden"), "open": N_("open"),
          "not a market": N_("not a market"), "enters": N_("enters {month}")}


def status_text(row) -> str:
    """The firm's status in the country, in words."""
    return _(STATUS[row.status]).format(month=row.why)


def cells(row) -> tuple[str, ...]:
    """One country's cells, in the order of FIRM_COLUMNS."""
    missing = "—"
    advice = missing if row.advice_move is None else (
        f"{row.advice_move} {'+' if row.advice_gain > 0 else ''}"
        f"{i18n.fmt_money(row.advice_gain, compact=True)}")
    residency = {"yes": _("yes"), "": ""}.get(row.residency, row.residency)
    return (row.iso2, i18n.territory_name(row.iso2), status_text(row),
            i18n.fmt_compact(row.addressable),
            i18n.fmt_money(row.revenue_potential, compact=True),
            missing if row.growth is None else i18n.fmt_percent(row.growth, 0),
            ", ".join(row.rivals), i18n.fmt_number(row.token_premium, 2),
            i18n.fmt_number(row.language_quality, 2),
            i18n.fmt_money(row.compliance_usd, compact=True),
            i18n.fmt_number(row.delay_months), residency,
            i18n.fmt_number(row.distance, 2), advice)


def detail(row, table) -> list[str]:
    """The chosen country's lines for the side panel (Rich markup escaped by the caller)."""
    lines = [f"{i18n.territory_name(row.iso2)} ({row.iso2}): {status_text(row)}"]
    if row.status == "forbidden":
        lines.append(_("Why: {why}").format(why=row.why))
    lines += [
        _("Rivals present at the end of the status quo: {rivals}").format(
            rivals=", ".join(row.rivals) or _("none")),
        _("Entry: {cost} compliance, {months} months' delay").format(
            cost=i18n.fmt_money(row.compliance_usd, compact=True),
            months=i18n.fmt_number(row.delay_months)),
    ]
    if row.advice_move is not None:
        lines.append(_("Advice: {move}, median gain {gain} over the status quo").format(
            move=row.advice_move, gain=i18n.fmt_money(row.advice_gain, compact=True)))
    elif table.advice is None:
        lines.append(_("Advice: — (none for {firm} on this scenario: press a on the Advice "
                       "screen)").format(firm=table.firm))
    else:
        lines.append(_("Advice: — (no move of the advice is about this country)"))
    return lines
