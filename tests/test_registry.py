import dataclasses
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers

from hub import registry, registry_catalog
from hub.model import DecoderLM
from hub.model_config import ModelConfig
from plumbing.errors import InputError


@pytest.fixture
def tokenizer_file(tmp_path):
    vocab = {"<pad>": 0, "a": 1, "b": 2, "[UNK]": 3}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    return path


def trained(seed=0):
    torch.manual_seed(seed)
    config = ModelConfig(vocab_size=4, n_layer=1, n_head=2, d_model=8, context_length=8)
    return DecoderLM(config), config


def register(home, tokenizer_file, seed=0, seconds=1.0, region="eu"):
    model, config = trained(seed)
    curve = home.parent / f"curve{seed}.parquet"
    pq.write_table(pa.table({"step": [1], "loss": [2.0]}), curve)
    meta = {
        "model": config.to_dict(),
        "languages": ["de", "fr"],
        "training": {"size": "tiny", "params": 123, "train_seconds": seconds},
    }
    return registry.register(
        home, region, meta, model.state_dict(), tokenizer_file, {"training_curve.parquet": curve}
    )


def test_register_resolve_load_round_trip(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    version = register(home, tokenizer_file)
    assert version.path == home / "eu" / "v1"
    assert sorted(p.name for p in version.path.iterdir()) == [
        "config.json",
        "manifest.json",
        "model.safetensors",
        "tokenizer.json",
        "training_curve.parquet",
    ]
    assert registry.verify(version) == []
    model, config, tok = registry.load_model(registry.resolve(home, "eu"))
    original, _ = trained(0)
    for name, tensor in original.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor)
    assert config.d_model == 8 and tok.get_vocab_size() == 4
    table = registry_catalog.catalog(home)
    assert table.column("model_id").to_pylist() == ["eu/v1"]
    assert table.column("languages").to_pylist() == [["de", "fr"]]


def test_identical_content_returns_the_existing_version(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    first = register(home, tokenizer_file, seconds=1.0)
    again = register(home, tokenizer_file, seconds=2.0)  # same weights, other timing
    other = register(home, tokenizer_file, seed=1)
    assert again == first
    assert other.version == 2
    assert registry.resolve(home, "eu").version == 2
    assert registry.resolve(home, "eu", "v1") == first
    assert registry.resolve(home, "eu", 1) == first
    assert registry_catalog.catalog(home).num_rows == 2


def test_unknown_region_or_version_lists_what_exists(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    register(home, tokenizer_file)
    with pytest.raises(InputError, match=r"regions with models: eu.*hub train --region na"):
        registry.resolve(home, "na")
    with pytest.raises(InputError, match="has v1"):
        registry.resolve(home, "eu", 7)
    with pytest.raises(InputError, match="not allowed"):
        registry.resolve(home, "../etc")


def test_a_changed_file_is_named_and_load_refuses(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    version = register(home, tokenizer_file)
    weights = version.file("model.safetensors")
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    version.file("stray.txt").write_text("x")
    problems = registry.verify(version)
    assert any("model.safetensors" in p and "differs" in p for p in problems)
    assert any("stray.txt" in p for p in problems)
    with pytest.raises(InputError, match="model.safetensors"):
        registry.load_model(version)


def test_attach_adds_derived_files_but_never_replaces_training_files(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    version = register(home, tokenizer_file)
    registry.attach(version, "README.md", lambda p: p.write_text("# card"))
    registry.attach(version, "README.md", lambda p: p.write_text("# card v2"))
    assert version.file("README.md").read_text() == "# card v2"
    assert version.manifest()["derived"] == ["README.md"]
    assert registry.verify(version) == []
    for name in ("model.safetensors", "config.json", "manifest.json"):
        with pytest.raises(InputError, match="immutable"):
            registry.attach(version, name, lambda p: p.write_text("x"))

    def failing(path):
        path.write_text("half")
        raise RuntimeError("export crashed")

    with pytest.raises(RuntimeError):
        registry.attach(version, "model.onnx", failing)
    assert not version.file("model.onnx").exists()
    assert registry.verify(version) == []


def test_remove_updates_the_catalog(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    register(home, tokenizer_file)
    register(home, tokenizer_file, seed=1, region="na")
    registry.remove(home, "eu", 1)
    assert registry_catalog.catalog(home).column("region").to_pylist() == ["na"]
    assert registry.versions(home, "eu") == []
    config = json.loads((home / "na" / "v1" / "config.json").read_text())
    assert config["region"] == "na"


def test_staging_leftovers_are_not_versions(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    (home / "eu" / ".staging-abc").mkdir(parents=True)
    (home / "eu" / "v9").mkdir()  # no manifest: a crash mid-way, never a version
    assert registry.versions(home, "eu") == []
    assert register(home, tokenizer_file).version == 1


def test_config_is_read_typed_and_a_damaged_one_names_its_field(tmp_path, tokenizer_file):
    home = tmp_path / "home"
    version = register(home, tokenizer_file)
    config = version.config()
    assert (config.region, config.languages, config.training["size"]) == ("eu", ("de", "fr"),
                                                                            "tiny")
    assert config.model == json.loads(version.file("config.json").read_text())["model"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.region = "na"
    for document, message in (
            ({"region": "eu", "model": [], "languages": []}, "`model` is list, expected"),
            ({"region": "eu", "model": {}, "languages": "de"}, "`languages` is str, expected"),
            ({"region": "eu", "model": {}, "colour": 1}, "unknown key(s) colour")):
        version.file("config.json").write_text(json.dumps(document))
        with pytest.raises(InputError) as refused:
            version.config()
        assert refused.value.message.startswith(f"{version.file('config.json')}: ")
        assert message in refused.value.message and "`hub verify`" in refused.value.message
    with pytest.raises(InputError, match="unknown key"):  # refused before anything is written
        registry.register(home, "eu", {"model": {}, "colour": 1}, {}, tokenizer_file)
    assert [v.version for v in registry.versions(home, "eu")] == [1]
