import json
import tomllib

import duckdb
import pytest
import tomlkit
from batch_sweeps import tables, tiny_sweep
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.batch import run_batch
from simulator.batch.runs import SweepPlan
from simulator.batch.store import MANIFEST, METADATA
from simulator.batch.sweep import apply, flatten_overrides, load_sweep, parse_sweep
from simulator.cli import main
from simulator.reports.schema import TABLES
from tests.cli_text import shows


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A tiny sweep run once with two local workers: (sweep file, output folder, counts)."""
    folder = tmp_path_factory.mktemp("sweep")
    sweep = tiny_sweep(folder)
    out = folder / "out"
    counts = run_batch(sweep, out, workers=2)
    return sweep, out, counts


def test_every_run_has_its_row_and_failures_are_recorded(finished):
    _, out, counts = finished
    runs = tables(out)["runs"].to_pylist()
    assert len(runs) == 3 * 3 * 2 == counts["ok"] + counts["error"]
    assert [r["run_index"] for r in runs] == list(range(18))
    broken = [r for r in runs if r["strategy"] == "broken"]
    assert counts["error"] == len(broken) == 6
    assert all(r["status"] == "error" and "no-such-profile.parquet" in r["error"] for r in broken)
    ok = [r for r in runs if r["strategy"] != "broken"]
    assert all(r["status"] == "ok" and r["error"] is None and r["users"] > 0 for r in ok)
    assert all(r["firm"] == "Euro" and r["months"] == 12 for r in ok)
    assert all(1.5 <= dict(r["parameters"])["compute.gpu_usd_per_hour"] <= 4.0 for r in runs)
    # Common random numbers: every strategy and point uses the same two seeds.
    seeds = {r["replicate"]: set() for r in runs}
    for r in runs:
        seeds[r["replicate"]].add(r["seed"])
    assert len(seeds) == 2 and all(len(s) == 1 for s in seeds.values())
    assert len({r["seed"] for r in runs}) == 2


def test_early_localisation_actually_changes_the_outcome(finished):
    runs = tables(finished[1])["runs"].to_pandas()
    by_strategy = runs[runs["status"] == "ok"].set_index(["point", "replicate", "strategy"])
    users = by_strategy["users"].unstack("strategy")
    assert (users["eu-early"] != users["eu-late"]).all()


def test_duckdb_reads_the_dataset(finished):
    _, out, _ = finished
    rows = duckdb.sql(
        f"SELECT r.strategy, count(DISTINCT t.run_id) AS runs, max(t.month) AS months "
        f"FROM '{out}/table_name=timeseries/*.parquet' t "
        f"JOIN '{out}/table_name=runs/*.parquet' r USING (run_id) "
        "GROUP BY r.strategy ORDER BY r.strategy").fetchall()
    assert rows == [("eu-early", 6, 12), ("eu-late", 6, 12)]
    columns = duckdb.sql(f"DESCRIBE SELECT * FROM '{out}/table_name=timeseries/*.parquet'")
    names = [c[0] for c in columns.fetchall()]
    for name in ("run_id", "month", "firm", "country", "users", "share", "revenue",
                 "serving_cost", "localisation_spend", "talent_headcount"):
        assert name in names


def test_manifest_and_metadata_describe_the_batch(finished):
    sweep, out, _ = finished
    metadata = json.loads((out / METADATA).read_text())
    manifest = json.loads((out / MANIFEST).read_text())
    from plumbing.atomic import sha256_file

    assert metadata["sweep"]["sha256"] == sha256_file(sweep) == manifest["sweep_sha256"]
    assert metadata["sweep"]["text"] == sweep.read_text()
    assert metadata["ended"] >= metadata["started"] and metadata["product_version"]
    assert metadata["runs"] == len(manifest["runs"]) == 18
    assert not list(out.rglob("*.tmp"))


def test_one_worker_gives_the_same_rows_and_rerun_skips_everything(finished, tmp_path):
    sweep, out, _ = finished
    run_batch(sweep, tmp_path / "one", workers=1)
    ours, theirs = tables(tmp_path / "one"), tables(out)
    for name in TABLES:
        assert ours[name].equals(theirs[name]), name
    again = run_batch(sweep, tmp_path / "one", workers=1)
    assert again["skipped"] == 18 and again["ok"] == again["error"] == 0


def test_a_folder_of_another_sweep_is_refused(finished, tmp_path):
    sweep, out, _ = finished
    other = tmp_path / "other.toml"
    other.write_text(sweep.read_text().replace("seeds = 2", "seeds = 1"))
    (tmp_path / "scenario.toml").write_text((sweep.parent / "scenario.toml").read_text())
    before = sorted(p.name for p in out.rglob("*"))
    with pytest.raises(InputError, match=r"made from other inputs \(sweep [0-9a-f]{12} -> "):
        run_batch(other, out, workers=1)
    assert sorted(p.name for p in out.rglob("*")) == before
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a batch folder"):
        run_batch(other, stranger, workers=1)


def test_bad_sweep_file_names_file_key_and_expectation(tmp_path):
    sweep = tiny_sweep(tmp_path, broken=False)
    text = sweep.read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('kind = "latin"', 'kind = "halton"')
                   .replace("seeds = 2", "seeds = 0\ncolour = 'red'")
                   .replace('name = "eu-late"', 'name = "eu-late"\nweight = 2'))
    result = CliRunner().invoke(main, ["batch", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, "bad sweep") and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
    with pytest.raises(InputError) as error:
        load_sweep(bad)
    lines = str(error.value).splitlines()
    assert lines[0] == "bad sweep (4 problems):"
    assert f"{bad}: design.kind: expected 'grid', 'random', 'latin' or 'sobol'" in lines[1:]
    assert f"{bad}: seeds: expected greater than or equal to 1" in lines[1:]
    assert (f"{bad}: colour: unknown key; expected one of: name, description, scenario, months, "
            "seed, seeds, focus_firm, design, variants, uncertain") in lines[1:]
    assert (f"{bad}: variants[1].weight: unknown key; expected one of: name, description, "
            "overrides") in lines[1:]
    # The structure is right; the keys are checked against the scenario.
    late = "overrides.firms.Euro.strategy.localise"
    bad.write_text(text.replace("start_month = 0 }]", 'start_month = 0 }], '
                                '"firms.Euro.strategy.entry_rule" = "teleport"')
                   .replace(late, f"overrides.firms.Nobody.cash_usd = 1.0\n{late}")
                   .replace("token_premium_scale", "no_such = [0.0, 1.0]\ntoken_premium_scale")
                   .replace("[1.5, 4.0]", "[-1.0, 4.0]"))
    with pytest.raises(InputError) as error:
        load_sweep(bad)
    lines = str(error.value).splitlines()
    assert lines[0] == "bad sweep (4 problems):", lines
    assert (f"{bad}: variants[0].overrides.firms.Euro.strategy.entry_rule: expected 'digital', "
            "'uppsala', 'gravity' or 'explicit'") in lines
    assert (f"{bad}: variants[1].overrides.firms.Nobody.cash_usd: no list item named "
            "'Nobody'; expected one of: Frontier, Euro, or a position 0..1") in lines
    assert any(line.startswith(f"{bad}: uncertain.no_such: expected a parameter name")
               for line in lines)
    assert any(line.startswith(f"{bad}: uncertain.compute.gpu_usd_per_hour: -1.0 is out of "
                               "range: expected greater than or equal to 0.01") for line in lines)


def test_missing_scenario_and_bad_toml(tmp_path):
    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "x"\nscenario = "nowhere.toml"\n[[variants]]\nname = "a"\n')
    with pytest.raises(InputError, match=r"s.toml: scenario: expected a scenario file"):
        load_sweep(sweep)
    with pytest.raises(InputError, match="not valid TOML"):
        parse_sweep("name = ", "s.toml")



def test_repeated_variant_names_are_refused_by_name(tmp_path):
    scenario = shipped_path("scenarios/eu_localise_early.toml")
    sweep = tmp_path / "s.toml"
    variants = '[[variants]]\nname = "a"\n[[variants]]\nname = "b"\n[[variants]]\nname = "a"\n'
    sweep.write_text(f'name = "x"\nscenario = "{scenario}"\n{variants}')
    with pytest.raises(InputError, match="expected unique variant names, repeated: a"):
        load_sweep(sweep)


KEYS = st.sampled_from(["name", "scenario", "seeds", "seed", "months", "design", "variants",
                        "uncertain", "focus_firm", "extra"])
VALUES = st.recursive(st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["kind", "name", "samples", "x"]),
                                        inner, max_size=3), max_leaves=8)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_any_sweep_document_is_accepted_or_refused_cleanly(document):
    text = tomlkit.dumps(document)
    assert tomllib.loads(text) == document
    try:
        sweep = parse_sweep(text, "fuzz.toml")
    except InputError as exc:
        assert all(line.startswith("fuzz.toml: ") for line in str(exc).splitlines()[1:])
    else:
        assert sweep.variants


@pytest.mark.parametrize(("name", "runs"), [("localise-eu.toml", 3 * 8 * 3),
                                            ("localise-eu-sobol.toml", 2 * 32 * (4 + 2))])
def test_shipped_sweeps_are_valid(name, runs):
    sweep, base = load_sweep(shipped_path("sweeps", name))
    plan = SweepPlan.build(sweep, base)
    assert plan.size == runs and plan.focus_firm == "Euro Challenger"
    starts = {}
    for variant in sweep.variants:
        scenario = apply(base, flatten_overrides(variant.overrides))
        firm = next(f for f in scenario.firms if f.name == "Euro Challenger")
        starts[variant.name] = [p.start_month for p in firm.strategy.localise]
    assert starts["eu-early"] == [0] and starts["eu-late"] == [36]
    assert starts.get("no-localisation", []) == []
