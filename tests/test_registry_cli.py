import pytest
from click.testing import CliRunner

from hub import registry, registry_catalog
from hub.cli import main
from hub.metrics import Metric, metrics_table
from plumbing.atomic import write_parquet
from tests.cli_text import flat, shows
from tests.tiny_hub import register_tiny


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    eu = register_tiny(home, "eu")
    register_tiny(home, "eu", seed=1)
    register_tiny(home, "global")
    rows = [
        Metric("eu/v1", "eu", lang, "bits_per_byte", value, "bits")
        for lang, value in (("de", 2.5), ("fr", 3.5))
    ] + [Metric("eu/v1", "eu", "de", "tokens_per_s", 1234.0, "tokens/s")]
    registry.attach(eu, "metrics.parquet", lambda tmp: write_parquet(metrics_table(rows), tmp))
    return home


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_list_shows_every_version_with_headline_metrics(home):
    result = invoke("list", "--home", home)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "euv1tiny" in text and "euv2tiny" in text and "globalv1tiny" in text
    assert "deenfr" in text
    assert "3" in text and "1.23e+03" in text  # mean bits/byte (2.5, 3.5) and tokens/s


def test_show_prints_config_files_and_per_language_metrics(home):
    result = invoke("show", "eu@v1", "--home", home)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    for expected in ("eu/v1", "n_layer", "model.safetensors", "metrics.parquet", "bits_per_byte"):
        assert expected in text
    assert "de" in text and "2.5" in text and "3.5" in text
    latest = invoke("show", "eu", "--home", home)
    assert latest.exit_code == 0 and "eu/v2" in flat(latest.output)
    assert shows(latest.output, "no metrics yet")


def test_verify_names_each_changed_file_and_exits_1(home):
    result = invoke("verify", "--home", home)
    assert result.exit_code == 0, result.output
    assert shows(result.output, "3 versions checked, 0 failed")
    weights = home / "eu" / "v2" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4])
    result = invoke("verify", "--home", home)
    assert result.exit_code == 1
    assert shows(result.output, "FAILED eu/v2") and shows(result.output, "model.safetensors")
    assert shows(result.output, "1 failed")
    assert invoke("verify", "global", "--home", home).exit_code == 0


def test_rm_asks_first(home):
    refused = CliRunner().invoke(main, ["rm", "eu@v1", "--home", str(home)], input="n\n")
    assert refused.exit_code == 1
    assert (home / "eu" / "v1").is_dir()
    confirmed = CliRunner().invoke(main, ["rm", "eu@v1", "--home", str(home)], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert not (home / "eu" / "v1").exists()
    assert invoke("rm", "eu@v2", "--yes", "--home", home).exit_code == 0
    assert registry_catalog.catalog(home).column("model_id").to_pylist() == ["global/v1"]
    assert invoke("rm", "global", "--yes", "--home", home).exit_code == 2  # version required


@pytest.mark.parametrize("ref", ["../x", "/abs", "", "eu\x00", "eu@../v1", "eu@/v1", ".hidden"])
@pytest.mark.parametrize("command", ["show", "rm", "verify"])
def test_names_that_would_become_paths_are_refused(home, tmp_path, command, ref):
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = (
        invoke(command, ref, "--yes", "--home", home)
        if command == "rm"
        else invoke(command, ref, "--home", home)
    )
    assert result.exit_code == 2, result.output
    assert shows(result.output, "not allowed")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_empty_home_says_how_to_make_a_model(tmp_path):
    result = invoke("list", "--home", tmp_path / "nothing")
    assert result.exit_code == 2 and shows(result.output, "hub train")
