import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from click.testing import CliRunner

from hub import registry
from hub.atomic import sha256_file
from hub.cli import main
from hub.model import DecoderLM
from hub.serving import bundle, model_card
from hub.serving.export import (
    INT8_BLOCK,
    ExportError,
    export_fp32,
    input_names,
    int8_agreement,
    validate_fp32,
)
from tests.tiny_hub import LANGS, register_tiny


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One CLI export per module: (registry version, bundle folder)."""
    root = tmp_path_factory.mktemp("export")
    version = register_tiny(root / "home")
    out = root / "bundle"
    result = CliRunner().invoke(
        main, ["export", "--region", "eu", "--out", str(out), "--home", str(root / "home")]
    )
    assert result.exit_code == 0, result.output
    return version, out


def left_padded(rows):
    width = max(map(len, rows))
    ids = np.zeros((len(rows), width), np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :], mask[i, width - len(row) :] = row, 1
    return ids, mask


def test_bundle_holds_every_file_and_verifies(exported):
    version, out = exported
    names = {p.name for p in out.iterdir()}
    assert names == {
        "model.onnx",
        "model.int8.onnx",
        "tokenizer.json",
        "config.json",
        "README.md",
        "genai_config.json",
        "manifest.json",
    }
    assert bundle.verify_bundle(out) == []
    for name in ("model.onnx", "model.int8.onnx"):
        onnx.checker.check_model(str(out / name), full_check=True)
    # The export is attached to the registry version too, and the version still verifies.
    assert {"model.onnx", "model.int8.onnx", "README.md"} <= set(version.manifest()["files"])
    assert registry.verify(version) == []


def test_graph_names_and_dynamic_axes(exported):
    _, out = exported
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    inputs = {i.name: i.shape for i in session.get_inputs()}
    outputs = {o.name: o.shape for o in session.get_outputs()}
    assert list(inputs) == input_names(2)
    assert list(outputs)[:3] == ["logits", "present.0.key", "present.0.value"]
    assert all(isinstance(d, str) for d in inputs["input_ids"] + inputs["attention_mask"])
    batch, heads, past, head_dim = inputs["past_key_values.1.value"]
    assert isinstance(batch, str) and isinstance(past, str) and (heads, head_dim) == (2, 32)


def test_onnx_logits_equal_pytorch_with_and_without_cache(exported):
    version, out = exported
    model, config, _ = registry.load_model(version)
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    ids, mask = left_padded([[5, 6, 7, 8, 9, 10], [11, 12, 13], [14]])
    empty = np.zeros((3, config.n_head, 0, config.head_dim), np.float32)
    names = input_names(config.n_layer)
    onnx_out = session.run(None, {names[0]: ids, names[1]: mask, **dict.fromkeys(names[2:], empty)})
    with torch.no_grad():
        logits, past = model(torch.from_numpy(ids), torch.from_numpy(mask))
    assert np.abs(onnx_out[0] - logits.numpy()).max() <= 1e-4
    # One decoding step on ONNX's own cache against PyTorch's step on its cache.
    step_ids, step_mask = np.array([[20], [21], [22]]), np.ones((3, 7), np.int64)
    step_mask[:, :6] = mask
    feed = {
        names[0]: step_ids,
        names[1]: step_mask,
        **dict(zip(names[2:], onnx_out[1:], strict=True)),
    }
    step_logits = session.run(["logits"], feed)[0]
    with torch.no_grad():
        expected, _ = model(torch.from_numpy(step_ids), torch.from_numpy(step_mask), past)
    assert np.abs(step_logits - expected.numpy()).max() <= 1e-4
    assert validate_fp32(model, out / "model.onnx") <= 1e-4


def test_validation_refuses_a_graph_of_other_weights(exported, tmp_path):
    version, out = exported
    _, config, _ = registry.load_model(version)
    torch.manual_seed(123)
    other = DecoderLM(config).eval()
    with pytest.raises(ExportError, match="differs from PyTorch"):
        validate_fp32(other, out / "model.onnx")


def test_large_exports_write_external_data_that_stays_inside(exported, tmp_path, monkeypatch):
    version, _ = exported
    model, _, _ = registry.load_model(version)
    monkeypatch.setattr("hub.serving.export.SINGLE_FILE_LIMIT_BYTES", 0)
    export_fp32(model, tmp_path / "model.onnx")
    data_files = [p for p in tmp_path.iterdir() if p.name != "model.onnx"]
    assert data_files, "weights should have gone to an external data file"
    onnx.checker.check_model(str(tmp_path / "model.onnx"), full_check=True)
    bundle.check_external_data(tmp_path / "model.onnx", tmp_path)
    assert validate_fp32(model, tmp_path / "model.onnx") <= 1e-4


def test_model_card_front_matter_and_its_snippet_runs(exported, capsys):
    _, out = exported
    card = (out / "README.md").read_text(encoding="utf-8")
    front = model_card.front_matter(card)
    assert front["language"] == LANGS
    assert front["model_id"] == "eu/v1"
    assert front["training_data"] == ["test text"]
    for heading in ("## Intended use", "## Limits", "## Training data", "## Metrics"):
        assert heading in card
    snippet = card.split("```python\n", 1)[1].split("```", 1)[0]
    cwd = os.getcwd()
    os.chdir(out)
    try:
        exec(compile(snippet, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip() != ""


def test_genai_config_describes_the_graph(exported):
    _, out = exported
    genai = json.loads((out / "genai_config.json").read_text())["model"]
    assert genai["decoder"]["num_hidden_layers"] == 2
    assert genai["decoder"]["filename"] == "model.onnx"


def test_export_refuses_bad_names_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    runner = CliRunner()
    for args in (
        ["--region", "../x"],
        ["--region", "/abs"],
        ["--region", ""],
        ["--region", "eu\x00"],
        ["--region", "eu", "--version", "../v1"],
    ):
        result = runner.invoke(
            main, ["export", *args, "--home", str(home), "--out", str(tmp_path / "b")]
        )
        assert result.exit_code == 2, (args, result.output)
        assert "not allowed" in result.output
    assert not (tmp_path / "b").exists() and not home.exists()


def test_export_refuses_to_overwrite_what_is_not_a_bundle(exported, tmp_path):
    version, _ = exported
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(
        main,
        ["export", "--region", "eu", "--out", str(tmp_path / "notes"), "--home", str(version.home)],
    )
    assert result.exit_code == 2 and "not a bundle" in result.output
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_card_names_corpus_sources_only_for_the_corpus_trained_on(tmp_path):
    corpus = tmp_path / "_corpus"
    corpus.mkdir()
    sources = [{"name": "cldr", "version": "babel 2.19"}, {"name": "gettext"}]
    (corpus / "manifest.json").write_text(json.dumps({"sources": sources, "languages": {}}))
    digest = sha256_file(corpus / "manifest.json")
    lines = model_card.training_sources(tmp_path, {"corpus_sha256": digest})
    assert lines[:2] == ["cldr (babel 2.19)", "gettext (unversioned)"]
    rebuilt = model_card.training_sources(tmp_path, {"corpus_sha256": "0" * 64})
    assert rebuilt == ["hub corpus manifest sha256 " + "0" * 64]


def test_int8_quantises_block_weights_and_keeps_the_embedding_fp32(exported):
    version, out = exported
    n_layer = version.config()["model"]["n_layer"]
    graph = onnx.load(str(out / "model.int8.onnx")).graph
    ops = [node.op_type for node in graph.node]
    # qkv, attention output, MLP up and down per block; the tied output projection stays fp32.
    assert ops.count("MatMulNBits") == 4 * n_layer
    quantised = [n for n in graph.node if n.op_type == "MatMulNBits"]
    attributes = {a.name: a.i for a in quantised[0].attribute}
    assert (attributes["bits"], attributes["block_size"]) == (8, INT8_BLOCK)
    embed = next(i for i in graph.initializer if i.name.endswith("embed.weight"))
    assert embed.data_type == onnx.TensorProto.FLOAT
    # Same next token as fp32 on a real padded batch of the tiny model.
    model, _, _ = registry.load_model(version)
    assert int8_agreement(out / "model.onnx", out / "model.int8.onnx", model) >= 0.9
