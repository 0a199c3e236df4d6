"""The Hub screen charts production tokenizers' premiums beside the hub's models.

The profile's production rows are real `hub premium` measurements (cl100k_base and
o200k_base on a CLDR corpus), added to the tiny test profile's hub rows.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    write_workspace,
)
from textual.widgets import DataTable

from hub.corpus.records import Source, Unit
from hub.corpus.store import build_corpus
from hub.measurement.eval_set import evaluation_sets
from hub.measurement.premium import measure
from hub.measurement.production_tokenizers import load_tokenizer
from tests.train_home import LANGS, cldr_names
from tui.app import StrategyApp
from tui.data.hub_figures import premium_bars, production_premiums, profile_figures
from tui.widgets.chart import BarChart

pytestmark = pytest.mark.usefixtures("one_simulation_process")


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub-premium") / "home"
    build_corpus(home, [Source("cldr-names", "test", [Unit("names", cldr_names)])])
    tokenizers = [load_tokenizer(name) for name in ("cl100k_base", "o200k_base")]
    return measure(tokenizers, evaluation_sets(home, LANGS))


@pytest.fixture()
def workspace(tmp_path, measured):
    workspace = write_workspace(tmp_path)
    hub_rows = pq.read_table(workspace["profile"])
    production = [
        {
            "kind": "production",
            "tokenizer": result.identity.name,
            "lang": result.lang,
            "token_premium_vs_en": result.premium.value,
            "premium_low": result.premium.low,
            "premium_high": result.premium.high,
        }
        for result in measured
    ]
    schema = hub_rows.schema
    if "kind" not in schema.names:  # a profile schema from before production rows
        schema = schema.append(pa.field("kind", pa.string()))
        for name in ("tokenizer", "premium_low", "premium_high"):
            schema = schema.append(pa.field(name, pa.float64() if "premium" in name
                                            else pa.string()))
    rows = [*hub_rows.to_pylist(), *production]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), workspace["profile"])
    return workspace


def test_profile_figures_keep_the_hub_rows_and_premiums_the_production_ones(workspace):
    figures, _ = profile_figures(workspace["profile"])
    assert set(figures["region"]) == {"global", "eu"}
    production = production_premiums(workspace["profile"])
    assert set(production["tokenizer"]) == {"cl100k_base", "o200k_base"}
    bars = premium_bars(figures, production, "eu", "de")
    assert [label for label, *_ in bars] == ["eu/v1", "global/v1", "cl100k_base", "o200k_base"]
    assert bars[0][1:] == (1.08, None, None)  # the tiny profile's eu premium for de
    assert all(low <= value <= high for _, value, low, high in bars[2:])


def test_a_profile_without_production_rows_gives_none(tmp_path):
    assert production_premiums(write_workspace(tmp_path)["profile"]).empty


async def test_the_premium_chart_follows_the_highlighted_language(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        chart = app.screen.query_one("#hub-vs-global", BarChart)
        assert chart.labels == ["de", "en", "es", "fr"]  # bits per byte first: eu vs global
        await pilot.press("m")  # the token premium
        labels = ["eu/v1", "global/v1", "cl100k_base", "o200k_base"]
        assert app.screen.premium_labels == labels and chart.labels == []
        table = app.screen.query_one("#hub-table", DataTable)
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        lang = table.get_row_at(table.cursor_row)[1]
        assert app.screen.hub_lang == lang != "de"
        expected = premium_bars(app.screen.figures, app.screen.production, "eu", lang)
        assert app.screen.premium_labels == [label for label, *_ in expected]
        await pilot.press("m")  # the next figure (cost): eu vs global again, framed
        assert chart.labels == ["de", "en", "es", "fr"] and "┌" in chart.plt.build()
