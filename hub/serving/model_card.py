"""The model card: README.md with YAML front matter in the Hugging Face style.

Front matter values are written as JSON, which is valid YAML, so no YAML library
is needed to write it and any YAML (or line-by-line JSON) reader can read it back.
"""

from __future__ import annotations

import json
from pathlib import Path

# Metrics shown per language in the card and `hub show`, in this order, when measured.
CARD_METRICS = (
    "bits_per_byte",
    "chrf",
    "tokens_per_char",
    "token_premium_vs_en",
    "tokens_per_s",
    "usd_per_1m_chars",
)


def metrics_by_lang(metrics_path: Path | None) -> dict[str, dict[str, float]]:
    """Values by language, then metric, from a metrics.parquet (fp32 on CPU where several exist)."""
    if metrics_path is None or not metrics_path.is_file():
        return {}
    import pyarrow.parquet as pq

    table: dict[str, dict[str, float]] = {}
    rows = pq.read_table(metrics_path).to_pylist()
    # int8 or GPU rows only fill gaps: the card's headline figures are fp32 on CPU.
    rows.sort(key=lambda r: (r.get("precision") == "fp32", r.get("device") == "cpu"))
    for row in rows:
        table.setdefault(row["lang"], {})[row["metric"]] = row["value"]
    return table


def _metrics_markdown(table: dict[str, dict[str, float]]) -> str:
    if not table:
        return "Not measured yet: run `hub eval` and `hub bench`, then export again.\n"
    shown = [m for m in CARD_METRICS if any(m in row for row in table.values())]
    lines = ["| lang | " + " | ".join(shown) + " |", "|---" * (len(shown) + 1) + "|"]
    for lang in sorted(table):
        cells = [f"{table[lang][m]:.4g}" if m in table[lang] else "" for m in shown]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def training_sources(home: Path, training: dict) -> list[str]:
    """Where the training text came from, as lines for the card.

    The corpus manifest's sources (name and version) are named only when that manifest
    is the one the model was trained on (same sha256); otherwise its hash is all we know.
    """
    from hub.atomic import sha256_file
    from hub.corpus import corpus_dir, read_manifest

    if sources := training.get("sources"):
        return [str(s) for s in sources]
    digest = training.get("corpus_sha256")
    manifest_path = corpus_dir(home) / "manifest.json"
    lines = []
    if digest and manifest_path.is_file() and sha256_file(manifest_path) == digest:
        lines = [
            f"{source['name']} ({source.get('version', 'unversioned')})"
            for source in read_manifest(home).get("sources", [])
        ]
    return [*lines, f"hub corpus manifest sha256 {digest}" if digest else "the hub corpus"]


def render(
    model_id: str,
    config: dict,
    special: dict[str, int],
    metrics_path: Path | None,
    sources: list[str],
) -> str:
    """The README.md text for a model.

    Args:
        model_id: e.g. "eu/v3".
        config: The registry's config.json (region, model, languages, training).
        special: Token ids of bos, eos and pad.
        metrics_path: The version's metrics.parquet, if measured.
        sources: Training data sources (`training_sources`).
    """
    model, training = config["model"], config.get("training", {})
    languages = list(config.get("languages", []))
    region = config.get("region", model_id.split("/")[0])
    table = metrics_by_lang(metrics_path)
    measured = sorted({m for row in table.values() for m in row})
    front = {
        "model_id": model_id,
        "language": languages,
        "library_name": "onnxruntime",
        "pipeline_tag": "text-generation",
        "tags": ["onnx", "decoder-only", "kv-cache", f"region-{region}"],
        "metrics": measured,
        "intended_use": "research and cost/quality measurement of multilingual serving",
        "training_data": sources,
        "parameters": training.get("params"),
        "size": training.get("size"),
    }
    head_dim = model["d_model"] // model["n_head"]
    example_lang = languages[0] if languages else "en"
    yaml = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()
    )
    return f"""---
{yaml}
---

# {model_id}: small multilingual language model for region `{region}`

A decoder-only Transformer ({model["n_layer"]} layers, {model["n_head"]} heads, width
{model["d_model"]}, context {model["context_length"]} tokens, vocabulary {model["vocab_size"]})
trained by the hub for the languages of region `{region}`: {", ".join(languages) or "n/a"}.

## Intended use

Measuring how well and how cheaply a small model serves each language of a region
(quality in bits per byte and chrF, cost in tokens per character, latency and
throughput), as input to strategy simulations. Prompt with `<bos>`, then a language
tag such as `<{example_lang}>`, then text.

## Limits

- A few million parameters trained on a small corpus: it continues text in the style
  of its training data; it does not follow instructions and states no reliable facts.
- Keep prompt plus output within {model["context_length"]} tokens: rotary positions
  extrapolate poorly beyond the training context.
- Languages outside the list above are unsupported; quality differs widely between
  listed languages (see the metrics).

## Training data

{chr(10).join(f"- {source}" for source in sources)}

## Metrics

{_metrics_markdown(table)}
## Files

`model.onnx` (fp32) and `model.int8.onnx` (8-bit MatMul weights in blocks of 16; the
embedding stays fp32) take
`input_ids`, `attention_mask` (1 = token, 0 = left padding) and
`past_key_values.N.key/value` of shape (batch, {model["n_head"]}, past, {head_dim});
they return `logits` and `present.N.key/value`. `manifest.json` lists every file's sha256.
`genai_config.json` lets onnxruntime-genai run `model.onnx` as it is.

## Run it with onnxruntime and tokenizers

```python
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer

tok = Tokenizer.from_file("tokenizer.json")
sess = ort.InferenceSession("model.onnx")
ids = [{special["bos"]}, tok.token_to_id("<{example_lang}>")] + tok.encode("Hello").ids
past = {{i.name: np.zeros((1, {model["n_head"]}, 0, {head_dim}), np.float32)
        for i in sess.get_inputs()[2:]}}
x, out_ids = np.array([ids]), []
for _ in range(20):
    logits, *present = sess.run(None, {{"input_ids": x, "attention_mask":
                                       np.ones((1, len(ids)), np.int64), **past}})
    token = int(logits[0, -1].argmax())
    if token == {special["eos"]}:
        break
    ids.append(token); out_ids.append(token)
    past, x = dict(zip(past, present)), np.array([[token]])
print(tok.decode(out_ids))
```

Or with the hub: `hub generate --bundle . --lang {example_lang} --prompt "Hello"`.
"""


def front_matter(card: str) -> dict:
    """Parse the card's front matter (one `key: json` per line)."""
    block = card.split("---\n", 2)[1]
    return {
        key: json.loads(value)
        for key, value in (line.split(": ", 1) for line in block.strip().splitlines())
    }
