"""The three HTML reports rendered in headless Chromium at 1280 px: nothing overflows, every
chart has titled axes whose labels stay inside it, ticks are round and months are dates.

The pages come from real small runs: an advice on one firm alone in India (tests'
realistic profile), a Sobol batch of two strategies, a backtest of the twin calibration.
Chromium is Debian's package, installed by `.ci/run`; where it is missing the rendering
tests skip and say so. Set HTML_SCREENSHOTS=DIR to keep a full-page PNG of each page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from batch_sweeps import tiny_sweep
from calibration_cases import HOLDOUT, twin_case
from test_advise import case

from simulator.advice.advise import advise
from simulator.advice.report import render as render_advice
from simulator.batch import run_batch
from simulator.calibration.backtest import backtest
from simulator.calibration.backtest_html import render_backtest
from simulator.calibration.calibrate import Settings, calibrate
from simulator.reports import analysis
from simulator.reports.html import render as render_batch

WINDOW = 1280
# Runs in the page once it is laid out; what it finds goes into the DOM Chromium dumps.
PROBE = """<script>
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const titles = (cls) => [...svg.querySelectorAll("." + cls)]
      .filter((t) => t.textContent.trim() && t.getBBox().width > 0).length;
    const outside = [...svg.querySelectorAll("text")].filter((t) => {
      const b = t.getBoundingClientRect();
      return b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1
        || b.bottom > box.bottom + 1;
    }).map((t) => t.textContent);
    return {title: svg.querySelector("title").textContent, x: titles("x-title"),
            y: titles("y-title"), outside: outside};
  });
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({width: document.documentElement.scrollWidth,
                                      charts: charts});
  document.body.appendChild(probe);
});
</script>"""


def chromium() -> str | None:
    """The Chromium binary Debian's package installs, if there is one."""
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser() -> str:
    """Chromium's path; the rendering tests skip, saying why, where it is not installed."""
    binary = chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (`apt-get install chromium`, as .ci/run does); "
                    "the pages cannot be rendered here")
    return binary


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The three pages, written from real small runs."""
    folder = tmp_path_factory.mktemp("pages")
    advice = advise(case(folder / "advice", "IN"), "Solo", folder / "advice" / "out", samples=3,
                    workers=2)
    uncertain = ('[uncertain]\n"compute.gpu_usd_per_hour" = [1.5, 4.0]\n'
                 "beta_localised = [0.0, 2.0]\n")
    sweep = tiny_sweep(folder / "batch", design='{ kind = "sobol", samples = 4 }', seeds=1,
                       broken=False, uncertain=uncertain, months=24)
    run_batch(sweep, folder / "batch" / "out", workers=2)
    batch = analysis.Batch(folder / "batch" / "out")
    tables = {"kpis": analysis.kpi_distributions(batch), "regions": analysis.best_by_region(batch),
              "sobol": analysis.sobol_indices(batch)}
    strategy = batch.strategies[0]
    boxes = analysis.discover(batch, strategy, "revenue_total")
    scenario, observations = twin_case(folder / "twin")
    settings = Settings(until="2023-10", runs=32, waves=1, replicates=2, seed=5,
                        discrepancy_scale=0.0)
    calibrate(scenario, observations, folder / "twin" / "cal", settings, workers=2)
    result = backtest(folder / "twin" / "cal", HOLDOUT, out=folder / "twin" / "bt", workers=2)
    written = {"advice": render_advice(advice),
               "batch": render_batch(batch, tables, boxes, strategy, "revenue_total"),
               "backtest": render_backtest(result)}
    for name, page in written.items():
        (folder / f"{name}.html").write_text(page, encoding="utf-8")
    (folder / "advice.json").write_text(advice.summary()["best_expected"], encoding="utf-8")
    return {name: folder / f"{name}.html" for name in written}


def rendered(page: Path, binary: str) -> dict:
    """What the probe measured in Chromium at 1280 px (and a screenshot, if asked for)."""
    probed = page.with_suffix(".probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    flags = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--window-size={WINDOW},900"]
    dom = subprocess.run([*flags, "--dump-dom", probed.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run in {page.name}: {dom[-500:]}"
    if shots := os.environ.get("HTML_SCREENSHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        subprocess.run([*flags[:-1], f"--window-size={WINDOW},4000",
                        f"--screenshot={Path(shots) / (page.stem + '.png')}", page.as_uri()],
                       capture_output=True, timeout=120, check=True)
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                      .replace("&lt;", "<").replace("&gt;", ">"))


@pytest.mark.parametrize("name", ["advice", "batch", "backtest"])
def test_page_fits_1280_px_and_every_chart_has_labelled_axes(browser, pages, name):
    probe = rendered(pages[name], browser)
    assert probe["width"] <= WINDOW, f"{name}: the page is {probe['width']} px wide"
    assert probe["charts"], f"{name}: no chart"
    for chart in probe["charts"]:
        assert chart["x"] == 1 and chart["y"] == 1, f"{name}: {chart['title']}: axis titles"
        assert chart["outside"] == [], f"{name}: {chart['title']}: labels cut off"


@pytest.mark.slow
def test_the_advice_page_leads_with_the_answer_in_human_terms(pages):
    page = pages["advice"].read_text(encoding="utf-8")
    answer = re.search(r"<p class='answer'>(.*?)</p>", page).group(1)
    assert page.index("class='answer'") < page.index("<table")
    best = pages["advice"].with_suffix(".json").read_text(encoding="utf-8")
    if best == "status-quo":
        assert answer.startswith("<b>Stay the course.</b>")
    else:
        assert f"({best})" in answer and "of NPV to the status quo and beats it in" in answer
    for code in ("npv_p10", "p_beats_status_quo", "max_regret", "nan%"):
        assert code not in page, code
    assert not re.search(r"\bmonth \d", page), "model months shown instead of dates"
    for words in ("NPV, pessimistic (p10), $M", "chance of beating the status quo",
                  "largest regret, $M", "reference", "<details open>"):
        assert words in page, words


def test_ticks_are_round_and_months_are_dates(pages):
    for name, path in pages.items():
        page = path.read_text(encoding="utf-8")
        labels = re.findall(r'text-anchor="(?:middle|end)">([^<]+)</text>', page)
        numbers = [label for label in labels if re.fullmatch(r"-?\$?[\d.]+[KMB%]?", label)]
        assert numbers, name
        for label in numbers:  # 1-2-5 ticks: at most two significant digits
            digits = re.sub(r"[^\d]", "", label).strip("0")
            assert len(digits) <= 2, f"{name}: tick {label}"
        dates = [label for label in labels if re.fullmatch(r"\d{4}-\d{2}", label)]
        assert dates, name


@pytest.fixture(scope="module")
def countries_page(tmp_path_factory) -> Path:
    """Every country of the shipped default scenario for its first firm (one table)."""
    from plumbing.shipped import shipped_path
    from simulator.reports.attractiveness import country_table
    from simulator.reports.attractiveness_html import render as render_countries
    from simulator.run import load_scenario

    scenario = load_scenario(shipped_path("scenarios", "default.toml"))
    page = tmp_path_factory.mktemp("countries") / "countries.html"
    page.write_text(render_countries(country_table(scenario, scenario.firms[0].name)),
                    encoding="utf-8")
    return page


def test_the_countries_page_fits_1280_px(browser, countries_page):
    probe = rendered(countries_page, browser)
    assert probe["width"] <= WINDOW, f"countries: the page is {probe['width']} px wide"
    page = countries_page.read_text(encoding="utf-8")
    assert page.count("<tr>") > 150  # every country of the default scenario, one row each
