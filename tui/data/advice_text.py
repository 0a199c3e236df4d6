"""An advice row in the UI's language: what the move does and why, from the ranking's columns.

`simulator advise` writes each move's description and drivers as English sentences and,
beside them, the figures they are made of (advice.parquet: kind, place, overrides, language,
token premiums, market, rivals, regulation delay, differences from the status quo). The TUI
says the same from those figures through the catalogs, so the advice reads in Chinese too;
a move a user wrote (`custom`) keeps its own description. Model months are calendar months.
"""

from __future__ import annotations

import json
import math

from tui import i18n
from tui.i18n import N_, _

# The ranking's column names of the HTML report (simulator.advice.report.LABELS), which the
# Advice screen shows through `_`: listed here so the catalogs carry them (the simulator
# does not import the UI). tests/test_tui_advice_text.py keeps the two in step.
RANKING_LABELS = (
    N_("what it does"), N_("NPV, pessimistic (p10)"), N_("NPV, median (p50)"),
    N_("NPV, optimistic (p90)"), N_("median gain over the status quo"),
    N_("chance of beating the status quo"), N_("largest regret"),
)


def _place(code: str | None) -> str:
    """A country in the UI's language (CLDR); a region's name as the product spells it."""
    if not code:
        return ""
    return i18n.territory_name(code) if len(code) == 2 and code.isupper() else code


def _month(start: str, month: int) -> str:
    from simulator.reports.chart_axes import month_label

    return month_label(start, month)


def _edit(row: dict, suffix: str) -> object:
    """The value the move's scenario edits give the firm's key ending in `suffix`."""
    edits = json.loads(row.get("overrides") or "{}")
    return next((value for key, value in edits.items() if key.endswith(suffix)), None)


def describe(row: dict, start: str, decided: int = 1) -> str:
    """What the move does, e.g. 'localise for eu from 2023-10', in the UI's language.

    `decided` is the advice's decision month (advice.json's `decision_month`): a plan
    starting then or before is "now".
    """
    kind, place = row.get("kind"), _place(row.get("place"))
    if kind == "status_quo":
        return _("the scenario as written")
    if kind == "enter":
        return _("serve {place} (no longer excluded)").format(place=place)
    if kind == "skip":
        return _("serve {place} no more").format(place=place)
    if kind == "tokenizer" and (changes := _edit(row, ".model.tokenizer_changes")):
        return _("serve with the {tokenizer} tokenizer from {date}").format(
            tokenizer=changes[-1]["tokenizer"], date=changes[-1]["month"])
    if kind == "hire":
        return _("also hire in {place}").format(place=place)
    if kind == "localise":
        plans = [p for p in _edit(row, ".strategy.localise") or []  # a region's or a country's
                 if row.get("place") in (p.get("region"), *(p.get("countries") or []))]
        if not plans:
            return _("never localise for {region}").format(region=place)
        month, tokens = int(plans[0].get("start_month", 0)), plans[0].get("vocab_tokens", 0)
        text = (_("localise for {region} now").format(region=place) if month <= decided else
                _("localise for {region} from {date}").format(region=place,
                                                              date=_month(start, month)))
        if tokens:  # the tokenizer extended as well (simulator.vocab_extension)
            text += _(", adding {tokens} tokens to the tokenizer").format(
                tokens=i18n.fmt_compact(tokens))
        return text
    if kind in ("office", "lab") and place:
        text = (_("open a regional office in {place} once the firm serves it") if kind == "office"
                else _("open a research lab in {place} once the firm serves it"))
        return text.format(place=place)
    if kind == "office" and (offices := _edit(row, ".strategy.offices")) is not None:
        text = _("regional offices allowed: {count}, opened where the revenue pays for them")
        return text.format(count=i18n.fmt_number(offices))
    if kind == "price":
        if (price := _edit(row, ".strategy.pricing.usd_per_month")) is not None:
            return _("charge {price} a month").format(price=i18n.fmt_money(price, digits=2))
        if _edit(row, ".strategy.pricing.ppp_adjusted"):
            return _("scale the price to local purchasing power")
    if kind == "data_region":
        via = next((r.get("via") for r in _edit(row, ".strategy.data_regions") or []
                    if r.get("country") == row.get("place")), "cloud")
        text = (_("serve organisations in {place} from its own data centre there; their data "
                  "stays there") if via == "own" else
                _("serve organisations in {place} from a cloud partner's region there; their "
                  "data stays there"))
        return text.format(place=place)
    if kind == "channel":
        product = next((c.get("name") for c in _edit(row, ".channels") or []
                        if row.get("place") in (c.get("countries") or [])), "")
        return _("reach users through {product} in {place}").format(product=product,
                                                                   place=place)
    if kind == "price_tier" and (tiers := _edit(row, ".strategy.pricing.tiers")):
        price = tiers.get(row.get("place"))
        if price is not None:
            return _("charge {price} a month in {place}, its median willingness to "
                     "pay").format(price=i18n.fmt_money(price, digits=2), place=place)
    if kind == "lite_tier" and (lite := _edit(row, ".strategy.pricing.lite")):
        price = lite.get(row.get("place"))
        if price is not None:
            return _("sell a lite tier at {price} a month in {place}, beside the "
                     "price").format(price=i18n.fmt_money(price, digits=2), place=place)
    return str(row.get("description") or row.get("move") or "")


def _signed_money(value: float) -> str:
    if abs(value) < 0.5:  # rounding noise of sums of floats, not money
        return "+0"
    return ("+" if value >= 0 else "−") + i18n.fmt_money(abs(value), compact=True)


def _known(value: object) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


def explain(row: dict) -> list[str]:
    """The move's drivers, one sentence each, in the UI's language."""
    from babel import Locale, UnknownLocaleError

    kind, place, lines = row.get("kind"), _place(row.get("place")), []
    lang = row.get("language")
    if lang and lang != "en" and kind != "hire" and _known(row.get("token_premium")):
        try:
            name = Locale.parse(lang.replace("-", "_")).get_display_name(i18n.current_locale())
        except (ValueError, UnknownLocaleError):
            name = lang
        line = _("{language} costs {premium}× English in tokens on the firm's tokenizer").format(
            language=name, premium=i18n.fmt_number(row["token_premium"], 1))
        if kind == "localise" and _known(row.get("token_premium_localised")):
            line += _("; localising {region} brings it to {premium}×").format(
                region=place, premium=i18n.fmt_number(row["token_premium_localised"], 1))
        lines.append(line)
    if place and kind != "hire" and _known(row.get("market_users")):
        lines.append(_("{place}: {users} users at the end under the status quo, {rivals} rivals "
                       "present, entry delay {months} months").format(
            place=place, users=i18n.fmt_compact(row["market_users"]),
            rivals=i18n.fmt_number(row.get("rivals") or 0),
            months=i18n.fmt_number(row.get("regulation_delay_months") or 0)))
    money = [row.get(k) for k in ("d_revenue", "d_serving_cost", "d_localisation_spend",
                                  "d_other_costs", "d_users_end")]
    if kind != "status_quo" and all(_known(v) for v in money):
        if all(abs(v) < 0.5 for v in money):
            lines.append(_("changes nothing against the status quo in the median future"))
        else:
            revenue, serving, localisation, other, users = money
            lines.append(_("against the status quo (median): revenue {revenue}, serving "
                           "{serving}, localisation {localisation}, other costs {other}, users "
                           "at the end {users}").format(
                revenue=_signed_money(revenue), serving=_signed_money(serving),
                localisation=_signed_money(localisation), other=_signed_money(other),
                users=("+" if users >= 0 else "−") + i18n.fmt_compact(abs(users))))
    return lines
