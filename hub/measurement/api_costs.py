"""What real APIs charge per million characters of each language.

An API bills tokens; per character it costs tokens per character (measured on the language's
evaluation set by `hub premium`) times its price per token (`data/api_prices.csv`). Which
tokenizer an API counts with comes from `data/api_tokenizers.csv`, with how certain that is:

- `documented`: the vendor's own code maps the model to that file (tiktoken's model map,
  mistral-common's model map);
- `probable`: same family and vocabulary, not documented for that model;
- `none`: no public tokenizer; the row is kept, its money left empty, rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from hub.measurement.production_tokenizers import PRODUCTION
from hub.prices import load_api_prices
from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table

CERTAINTIES = ("documented", "probable", "none")
PER_MILLION = 1e6

API_COST_SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("api_model", pa.string()),
        ("tokenizer", pa.string()),  # null where no public tokenizer exists
        ("certainty", pa.string()),
        ("lang", pa.string()),
        ("price_date", pa.string()),
        ("input_usd_per_1m_tokens", pa.float64()),
        ("output_usd_per_1m_tokens", pa.float64()),
        ("tokens_per_char", pa.float64()),
        ("input_usd_per_1m_chars", pa.float64()),
        ("input_usd_per_1m_chars_low", pa.float64()),
        ("input_usd_per_1m_chars_high", pa.float64()),
        ("output_usd_per_1m_chars", pa.float64()),
        ("output_usd_per_1m_chars_low", pa.float64()),
        ("output_usd_per_1m_chars_high", pa.float64()),
        ("premium_vs_en", pa.float64()),
        ("eval_set_sha256", pa.string()),
        ("tokenizer_sha256", pa.string()),
        ("mapping_note", pa.string()),
        ("mapping_source", pa.string()),
    ]
)


@dataclass(frozen=True)
class ApiTokenizer:
    """Which tokenizer an API model bills with, and how sure that is."""

    api_model: str
    tokenizer: str | None
    certainty: str
    note: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        if row["certainty"] not in CERTAINTIES:
            return [("certainty", f"expected one of {', '.join(CERTAINTIES)}")]
        if (row["tokenizer"] is None) != (row["certainty"] == "none"):
            return [("tokenizer", "expected empty exactly where certainty is none")]
        if row["tokenizer"] is not None and row["tokenizer"] not in PRODUCTION:
            return [("tokenizer", f"expected one of {', '.join(PRODUCTION)}")]
        return []


@cache
def load_api_tokenizers() -> dict[str, ApiTokenizer]:
    """The mapping (data/api_tokenizers.csv), checked to cover every priced API model.

    Raises:
        InputError: a bad row, a model listed twice, or a priced model without a mapping.
    """
    path = shipped_path("api_tokenizers.csv")
    rows = read_table(path, ApiTokenizer)
    mapping = {row.api_model: row for row in rows}
    listed = Counter(row.api_model for row in rows)
    twice = sorted(model for model, times in listed.items() if times > 1)
    unmapped = [price.model for price in load_api_prices() if price.model not in mapping]
    if twice or unmapped:
        raise InputError(
            f"{path}: expected one row per model of api_prices.csv; "
            f"listed twice: {twice or 'none'}, missing: {unmapped or 'none'}"
        )
    return mapping


def api_cost_table(premium: pa.Table) -> pa.Table:
    """Money per million characters per API model and language (API_COST_SCHEMA).

    `premium` is `hub premium`'s table (PREMIUM_SCHEMA); the intervals follow from its
    tokens-per-character intervals. A model whose tokenizer is not public, or was not
    measured in `premium`, gets its rows with the money left empty.
    """
    mapping = load_api_tokenizers()
    measured = {(row["tokenizer"], row["lang"]): row for row in premium.to_pylist()}
    langs = sorted({row["lang"] for row in measured.values()})
    rows = []
    for price in load_api_prices():
        link = mapping[price.model]
        for lang in langs:
            found = measured.get((link.tokenizer, lang))
            row = {
                "provider": price.provider,
                "api_model": price.model,
                "tokenizer": link.tokenizer,
                "certainty": link.certainty,
                "lang": lang,
                "price_date": price.price_date,
                "input_usd_per_1m_tokens": price.input_usd_per_1m,
                "output_usd_per_1m_tokens": price.output_usd_per_1m,
                "mapping_note": link.note,
                "mapping_source": f"{link.source_publisher}, {link.source_title}, {link.year}",
            }
            if found is not None:
                row |= _money(found, price.input_usd_per_1m, price.output_usd_per_1m)
            elif link.tokenizer is not None:
                row["mapping_note"] = f"{link.tokenizer} not measured in this run; {link.note}"
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=API_COST_SCHEMA)


def _money(measured: dict, input_price: float, output_price: float) -> dict:
    # usd per 1M chars = tokens/char x 1M chars x usd per token (= usd per 1M tokens / 1M)
    money = {
        "tokens_per_char": measured["tokens_per_char"],
        "premium_vs_en": measured["premium_vs_en"],
        "eval_set_sha256": measured["eval_set_sha256"],
        "tokenizer_sha256": measured["tokenizer_sha256"],
    }
    for side, usd_per_1m_tokens in (("input", input_price), ("output", output_price)):
        for suffix, column in (
            ("", "tokens_per_char"),
            ("_low", "tokens_per_char_low"),
            ("_high", "tokens_per_char_high"),
        ):
            tokens = measured[column] * PER_MILLION
            money[f"{side}_usd_per_1m_chars{suffix}"] = tokens * usd_per_1m_tokens / PER_MILLION
    return money
