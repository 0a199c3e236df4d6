import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from batch_sweeps import tiny_sweep
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.batch import run_batch
from simulator.batch.store import BOOKKEEPING, METADATA
from simulator.cli import main
from simulator.reports import analysis
from simulator.reports.prim import peel
from tests.cli_text import shows


@pytest.fixture(scope="module")
def sobol_batch(tmp_path_factory):
    """A tiny Sobol sweep: 2 strategies x 4 x (2 + 2) points, one seed each, one worker."""
    folder = tmp_path_factory.mktemp("sobol")
    # Not in alphabetical order: the design's column order must survive metadata.json.
    uncertain = ('[uncertain]\n"compute.gpu_usd_per_hour" = [1.5, 4.0]\n'
                 "beta_localised = [0.0, 2.0]\n")
    sweep = tiny_sweep(folder, design='{ kind = "sobol", samples = 4 }', seeds=1, broken=False,
                       uncertain=uncertain)
    run_batch(sweep, folder / "out", workers=1)
    return folder / "out"


def test_kpi_distributions_are_ordered_percentiles(sobol_batch):
    batch = analysis.Batch(sobol_batch)
    table = analysis.kpi_distributions(batch)
    assert set(table["strategy"]) == {"eu-early", "eu-late"}
    assert (table["runs"] == 16).all()
    assert (table["p10"] <= table["median"]).all() and (table["median"] <= table["p90"]).all()
    users = batch.ok[batch.ok["strategy"] == "eu-early"]["users"]
    row = table[(table["strategy"] == "eu-early") & (table["kpi"] == "users")].iloc[0]
    assert row["median"] == pytest.approx(np.median(users))


def test_sobol_indices_for_every_parameter(sobol_batch):
    indices = analysis.sobol_indices(analysis.Batch(sobol_batch))
    assert set(indices["parameter"]) == {"compute.gpu_usd_per_hour", "beta_localised"}
    assert set(indices["strategy"]) == {"eu-early", "eu-late"}
    assert np.isfinite(indices[["S1", "ST"]].to_numpy()).all()
    # Users choose by utility, where a localised model counts; the GPU price moves serving,
    # training and localisation cost, so it moves cash. (N = 4 keeps the test fast but the
    # estimate rough: which parameter matters is what is checked.)
    early = indices[indices["strategy"] == "eu-early"]
    users = early[early["kpi"] == "users"].set_index("parameter")["ST"]
    cash = early[early["kpi"] == "cash"].set_index("parameter")["ST"]
    assert users["beta_localised"] > 0.05
    assert cash["compute.gpu_usd_per_hour"] > 0.05


def test_best_strategy_per_region_and_over_time(sobol_batch):
    batch = analysis.Batch(sobol_batch)
    best = analysis.best_by_region(batch)
    assert set(best["region"]) == {"eu", "na"}
    assert best.loc[best["region"] == "eu", "strategy"].item() == "eu-early"
    trend = analysis.over_time(batch)
    assert sorted(set(trend["month"])) == list(range(1, 13))
    assert (trend["share_p10"] <= trend["share_p90"]).all()


def test_report_prints_every_section(sobol_batch):
    result = CliRunner().invoke(main, ["report", str(sobol_batch)], terminal_width=160)
    assert result.exit_code == 0, result.output
    for heading in ("Final KPIs per strategy", "Best strategy per region", "Sobol' indices",
                    "Scenario discovery (PRIM)", "eu-early", "beta_localised"):
        assert heading in result.output


def test_report_refuses_what_is_not_a_batch(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a batch folder" in re.sub(r"[│\s]+", " ", result.output)  # rich-click's panel


def test_report_of_a_batch_with_no_finished_run(sobol_batch, tmp_path):
    (tmp_path / BOOKKEEPING).mkdir()
    (tmp_path / METADATA).write_text((sobol_batch / METADATA).read_text())
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 0 and shows(result.output, "no run finished ok: nothing to report")


def test_html_page_is_self_contained_with_charts(sobol_batch, tmp_path):
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(sobol_batch), "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"(src|href)=", html)
    assert set(re.findall(r"https?://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    titles = [ET.fromstring(svg).find("{http://www.w3.org/2000/svg}title").text for svg in svgs]
    assert "Share of users" in titles and "Revenue per month (USD)" in titles
    assert any(t.startswith("Sobol indices") for t in titles)
    assert html.count("<polygon") == 4  # a band per strategy in each of the two charts
    assert "<h2>Scenario discovery (PRIM)" in html


def test_prim_finds_the_box_that_holds_the_cases():
    rng = np.random.default_rng(0)
    x = rng.random((600, 3))
    y = (x[:, 0] > 0.6) & (x[:, 2] < 0.5)
    box = peel(x, y, ["a", "b", "c"])
    assert box.restricted == ("a", "c")
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.05)
    assert box.limits["c"][1] == pytest.approx(0.5, abs=0.05)
    assert box.density > 0.9 and box.coverage > 0.8 and box.base_density < 0.25


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), points=st.integers(8, 80), dims=st.integers(1, 4))
def test_prim_box_statistics_are_consistent(seed, points, dims):
    rng = np.random.default_rng(seed)
    x = rng.random((points, dims))
    y = rng.random(points) < 0.4
    box = peel(x, y, [f"p{i}" for i in range(dims)])
    low = np.array([lo for lo, _ in box.limits.values()])
    high = np.array([hi for _, hi in box.limits.values()])
    inside = np.all((x >= low) & (x <= high), axis=1)
    assert box.mass == pytest.approx(inside.mean())
    if y.any():
        assert box.coverage == pytest.approx((inside & y).sum() / y.sum())
    if inside.any():
        assert box.density == pytest.approx(y[inside].mean())
