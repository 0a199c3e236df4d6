"""`hub premium`'s results as tables that fit the terminal: premiums, identities, money."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

LANG_COLUMN, TOKENIZER_COLUMN = 10, 11  # characters, with the space between columns


def premium_grids(table: pa.Table, width: int) -> list:
    """Per language and tokenizer: premium vs English, its 95% interval, tokens per character.

    As many tables as it takes to fit `width` columns of terminal, each with some of the
    tokenizers (six fit in 80 columns).
    """
    from rich import box
    from rich.table import Table

    rows = table.to_pylist()
    names = list(dict.fromkeys(row["tokenizer"] for row in rows))
    cells = {(row["lang"], row["tokenizer"]): row for row in rows}
    langs = sorted({row["lang"] for row in rows}, key=lambda lang: (lang != "en", lang))
    per_table = max(1, (width - LANG_COLUMN) // TOKENIZER_COLUMN)
    tables = []
    for start in range(0, len(names), per_table):
        shown = names[start : start + per_table]
        view = Table(
            title="token premium vs English / 95% interval / tokens per character",
            caption="pairs: the language's parallel rows in the evaluation set",
            box=box.SIMPLE_HEAD,  # no column rules and one space between columns
            padding=(0, 0, 0, 1),
        )
        view.add_column("lang\npairs")
        for name in shown:
            # fold, not "…": a narrow terminal wraps a figure rather than cutting its digits
            view.add_column(name, justify="right", overflow="fold", min_width=9)
        for lang in langs:
            pairs = next(cells[(lang, n)]["n_pairs"] for n in names if (lang, n) in cells)
            view.add_row(f"{lang}\n{pairs}", *(_premium_cell(cells.get((lang, n))) for n in shown))
        tables.append(view)
    return tables


def _premium_cell(row: dict | None) -> str:
    if row is None:
        return ""
    per_char = f"{row['tokens_per_char']:.3f}"
    if row["premium_vs_en"] is None:
        return f"-\n\n{per_char}"
    return (
        f"{row['premium_vs_en']:.2f}\n{row['premium_low']:.2f}-{row['premium_high']:.2f}\n"
        f"{per_char}"
    )


def identities(tokenizers: Sequence):
    """Each tokenizer's identity: vendor, vocabulary, file sha256, package and version."""
    from rich.table import Table

    view = Table(title="tokenizers")
    for heading in ("name", "vendor", "vocab", "file sha256", "package"):
        view.add_column(heading, justify="right" if heading == "vocab" else "left")
    for tokenizer in tokenizers:
        identity = tokenizer.identity
        view.add_row(
            identity.name,
            identity.vendor,
            f"{identity.vocab_size:,}",
            identity.file_sha256[:16] + "…",
            f"{identity.package} {identity.package_version}",
        )
    return view


def api_mapping(costs: pa.Table):
    """Each API model's list prices and the tokenizer it is counted with, how surely."""
    from rich.table import Table

    view = Table(title="API models: list price per million tokens, tokenizer")
    for heading in ("API model", "input $", "output $", "tokenizer", "certainty"):
        view.add_column(heading, justify="right" if "$" in heading else "left")
    seen = set()
    for row in costs.to_pylist():
        if row["api_model"] not in seen:
            seen.add(row["api_model"])
            view.add_row(
                row["api_model"],
                f"{row['input_usd_per_1m_tokens']:g}",
                f"{row['output_usd_per_1m_tokens']:g}",
                row["tokenizer"] or "-",
                row["certainty"],
            )
    return view


MODEL_WIDTH, LANG_WIDTH = 24, 8  # characters of the model column and of a language column


def cost_grids(costs: pa.Table, width: int) -> list:
    """USD per million characters (input over output) per API model and language.

    As many tables as it takes to fit `width` columns of terminal, each with some of the
    languages; models without a public (or a measured) tokenizer are left out.
    """
    from rich.table import Table

    rows = costs.to_pylist()
    langs = sorted({row["lang"] for row in rows}, key=lambda lang: (lang != "en", lang))
    cells = {(row["api_model"], row["lang"]): row for row in rows}
    # Models with no public (or no measured) tokenizer have no figure: the mapping says why.
    models = [
        model
        for model in dict.fromkeys(row["api_model"] for row in rows)
        if any(cells[(model, lang)]["input_usd_per_1m_chars"] is not None for lang in langs)
    ]
    per_table = max(1, (width - MODEL_WIDTH) // LANG_WIDTH)
    tables = []
    for start in range(0, len(langs), per_table):
        shown = langs[start : start + per_table]
        view = Table(
            title="USD per million characters: input / output",
            caption="models without a tokenizer figure are not estimated (see above)",
        )
        view.add_column("API model", max_width=MODEL_WIDTH - 4, overflow="fold")
        for lang in shown:
            view.add_column(lang, justify="right")
        for model in models:
            view.add_row(model, *(_money_cell(cells[(model, lang)]) for lang in shown))
        tables.append(view)
    return tables


def _money_cell(row: dict) -> str:
    if row["input_usd_per_1m_chars"] is None:
        return "-"
    return f"{row['input_usd_per_1m_chars']:.3g}\n{row['output_usd_per_1m_chars']:.3g}"


def extension_grids(results: Sequence, width: int) -> list:
    """Per tokenizer and region: each language's premium before and after each extension.

    Cells are the premium, its 95% interval and (after) the change against before; as many
    tables as it takes to fit `width` columns, each with some of the extension sizes.
    """
    from rich import box
    from rich.table import Table

    groups: dict[tuple[str, str], dict] = {}
    for r in results:
        group = groups.setdefault((r.before.identity.name, r.region), {})
        group.setdefault(r.before.lang, {})[r.added_tokens] = r
    per_table = max(1, (width - LANG_COLUMN) // TOKENIZER_COLUMN - 1)
    tables = []
    for (name, region), by_lang in groups.items():
        sizes = sorted({size for cells in by_lang.values() for size in cells})
        langs = sorted(by_lang, key=lambda lang: (lang != "en", lang))
        for start in range(0, len(sizes), per_table):
            shown = sizes[start : start + per_table]
            view = Table(
                title=f"{name} extended for {region}: premium vs English / 95% interval",
                caption="+N: N tokens learned on the region's training split",
                box=box.SIMPLE_HEAD,
                padding=(0, 0, 0, 1),
            )
            view.add_column("lang\npairs")
            view.add_column("before", justify="right", overflow="fold", min_width=9)
            for size in shown:
                view.add_column(f"+{size:,}", justify="right", overflow="fold", min_width=9)
            for lang in langs:
                cells = by_lang[lang]
                before = next(iter(cells.values())).before
                # English is the reference (premium 1): its own tokens per character show
                # what the region's tokens do to it.
                figure = "tokens_per_char" if before.premium is None or lang == "en" else "premium"
                view.add_row(
                    f"{lang}\n{before.n_pairs}" + ("\ntok/char" if figure != "premium" else ""),
                    _interval_cell(getattr(before, figure), None, figure),
                    *(_interval_cell(getattr(cells[s].after, figure), getattr(before, figure),
                                     figure) if s in cells else "" for s in shown),
                )
            tables.append(view)
    return tables


def _interval_cell(premium, before, figure: str) -> str:
    """A figure, its interval and, given the figure before, the relative change."""
    if premium is None:
        return "-"
    digits = 3 if figure == "tokens_per_char" else 2  # as premium_grids shows them
    cell = f"{premium.value:.{digits}f}\n{premium.low:.{digits}f}-{premium.high:.{digits}f}"
    if before is not None:
        cell += f"\n{premium.value / before.value - 1:+.1%}"
    return cell
