"""The model card: README.md with YAML front matter in the Hugging Face style.

The front matter is `huggingface_hub`'s card data (`hub.serving.card_data`), so only keys of
the Hub's schema are written and the Hub's own parser reads them back.
"""

from __future__ import annotations

from pathlib import Path

from hub.corpus import corpus_dir, read_manifest
from hub.registry_config import VersionConfig
from hub.serving import bundle, card_data, gguf_file
from hub.serving.hf_folder import default_lang
from hub.tokenizer import PROMPT_FORMATS
from plumbing.atomic import sha256_file

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


# Licences of the corpus sources the hub reads (hub.corpus.sources), as SPDX expressions where
# one exists. CLDR: Unicode License v3 (unicode.org/license.txt). iso-codes: LGPL-2.1-or-later
# (the Debian iso-codes package pycountry ships). gettext catalogues: each carries its own
# package's licence, most often the GPL (2.0 or 3.0, "or later").
SOURCE_LICENCES = {
    "cldr": "Unicode-3.0",
    "iso-codes": "LGPL-2.1-or-later",
    "gettext": "per catalogue, mostly GPL-2.0-or-later or GPL-3.0-or-later",
    "added": "as supplied by whoever built the corpus (not recorded)",
}
UNKNOWN_LICENCE = "not recorded"
WEIGHTS_LICENCE = (
    "No licence is granted by the hub beyond its training text's terms. The weights are "
    "trained on the sources listed under Training data, some of them GPL-licensed; whether "
    "weights are a derivative work of their training text is unsettled, so treat them as "
    "carrying the obligations of the most restrictive source listed unless advised otherwise."
)


def training_sources(home: Path, training: dict) -> list[dict]:
    """Where the training text came from: `source`, `version` and `licence` per source.

    The corpus manifest's sources are named only when that manifest is the one the model
    was trained on (same sha256); otherwise its hash is all we know.
    """
    if sources := training.get("sources"):
        return [_source(str(s), None) for s in sources]
    digest = training.get("corpus_sha256")
    manifest_path = corpus_dir(home) / "manifest.json"
    if digest and manifest_path.is_file() and sha256_file(manifest_path) == digest:
        return [
            _source(source["name"], source.get("version"))
            for source in read_manifest(home).get("sources", [])
        ]
    name = f"hub corpus manifest sha256 {digest}" if digest else "the hub corpus"
    return [_source(name, None)]


def _source(name: str, version: str | None) -> dict:
    return {
        "source": name,
        "version": version or "unversioned",
        "licence": SOURCE_LICENCES.get(name, UNKNOWN_LICENCE),
    }


def render(
    model_id: str,
    config: VersionConfig,
    special: dict[str, int],
    metrics_path: Path | None,
    sources: list[dict],
) -> str:
    """The README.md text for a model.

    Args:
        model_id: e.g. "eu/v3".
        config: The version's typed config (region, model, languages, training).
        special: Token ids of bos, eos and pad.
        metrics_path: The version's metrics.parquet, if measured.
        sources: Training data sources (`training_sources`).
    """
    model, training = config.model, config.training
    languages, region = list(config.languages), config.region
    table = metrics_by_lang(metrics_path)
    data = card_data.card_data(model_id, languages, region, table)
    params = training.get("params")
    size = f"size `{training.get('size', 'custom')}`"
    size += f", {params:,} parameters" if params else ""
    head_dim = model["d_model"] // model["n_head"]
    kv_heads = model.get("n_kv_head") or model["n_head"]
    lang = languages[0] if languages else "en"
    other = next((x for x in languages if x != lang), lang)
    continue_prompt = PROMPT_FORMATS["continue"].format(lang=lang, text="Hello")
    translate_prompt = PROMPT_FORMATS["translate"].format(
        source_lang="en", text="Good morning", target_lang=other
    )
    default = default_lang(languages)
    source_rows = "\n".join(f"| {s['source']} | {s['version']} | {s['licence']} |" for s in sources)
    metrics_file = f", `{bundle.METRICS}`" if table else ""
    return f"""---
{data.to_yaml()}
---

# {model_id}: small multilingual language model for region `{region}`

A Llama-architecture decoder ({model["n_layer"]} layers, {model["n_head"]} query and {kv_heads}
key/value heads of width {head_dim}, hidden size {model["d_model"]}, SwiGLU MLP width
{model.get("intermediate_size")}, context {model["context_length"]} tokens, vocabulary
{model["vocab_size"]}, tied embeddings; {size}) trained by the hub for the languages of
region `{region}`: {", ".join(languages) or "n/a"}.

## Intended use

Measuring how well and how cheaply a small model serves each language of a region
(quality in bits per byte and chrF, cost in tokens per character, latency and
throughput), as input to strategy simulations.

## Prompt formats

Text is prompted with `<bos>` and a language tag; a translation is asked for by ending
the source text with the target language's tag:

- continue: `{PROMPT_FORMATS["continue"]}`, e.g. `{continue_prompt}`
- translate: `{PROMPT_FORMATS["translate"]}`, e.g. `{translate_prompt}`

The tokenizer adds `<bos>` itself when it adds special tokens (so encode `<{lang}>Hello`
that way, or the whole prompt above without special tokens). `tokenizer_config.json` holds
the same formats (`prompt_formats`). Batches are padded on the right.

## Chat messages

The chat template (in `tokenizer_config.json` and `model.gguf`) takes standard `role` /
`content` messages and renders them in the formats above, so chat endpoints (transformers'
`apply_chat_template` and pipelines, vLLM, TGI, llama.cpp, Ollama) send well-formed prompts:
`[{{"role": "user", "content": "Hello"}}]` renders `<bos><{default}>Hello`. The model continues
text; it follows no instructions, so system messages are dropped. Extensions:

- `lang` on a message tags its text with that language (default `{default}`);
- `target_lang` on a message, or as a template argument with `add_generation_prompt`
  (`apply_chat_template(messages, add_generation_prompt=True, target_lang="{other}")`), asks
  for a translation into that language.

## Licence

{WEIGHTS_LICENCE} The terms and each training source's licence are in
`{card_data.LICENCE_FILE}`.

## Limits

- A few million parameters trained on a small corpus: it continues text in the style
  of its training data; it does not follow instructions and states no reliable facts.
- Keep prompt plus output within {model["context_length"]} tokens: rotary positions
  extrapolate poorly beyond the training context, and the serving graphs' cache holds
  no more.
- Languages outside the list above are unsupported; quality differs widely between
  listed languages (see the metrics).

## Training data

| source | version | licence |
|---|---|---|
{source_rows}

## Metrics

{_metrics_markdown(table)}
## Files

- Hugging Face folder: `config.json` (Llama), `model.safetensors`, `generation_config.json`,
  `tokenizer.json` (NFC normaliser, `<bos>` post-processor), `tokenizer_config.json`,
  `special_tokens_map.json`: `AutoModelForCausalLM` and `AutoTokenizer` load this folder.
- `model.gguf`: the same weights (F32) and tokenizer for llama.cpp and Ollama (see below).
- `genai-fp32/`, `genai-int8/`, `genai-int4/`: graphs made by onnxruntime-genai's model
  builder (int8 and int4: MatMul weights in blocks of 32), each with its `genai_config.json`
  and tokenizer files: `og.Model("genai-int8")` runs one as it is. Inputs `input_ids`,
  `attention_mask` (1 = token, 0 = right padding), `past_key_values.N.key/value` of shape
  (batch, {kv_heads}, past, {head_dim}); outputs `logits` and `present.N.key/value`.
- `{bundle.CONFIG}` (the hub's own config){metrics_file}, `{card_data.LICENCE_FILE}`,
  `manifest.json` (sha256 of every file).

## Run it with onnxruntime and tokenizers

```python
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer

tok = Tokenizer.from_file("tokenizer.json")
sess = ort.InferenceSession("{bundle.MODEL_FP32}", providers=["CPUExecutionProvider"])
ids = tok.encode("<{lang}>Hello").ids  # the tokenizer puts <bos> first
past = {{i.name: np.zeros((1, {kv_heads}, 0, {head_dim}), np.float32)
        for i in sess.get_inputs() if i.name.startswith("past_key_values")}}
names = [o.name for o in sess.get_outputs()]
x, out_ids = np.array([ids]), []
for _ in range(20):
    mask = np.ones((1, len(ids) + len(out_ids)), np.int64)
    logits, *present = sess.run(names, {{"input_ids": x, "attention_mask": mask, **past}})
    token = int(logits[0, -1].argmax())
    if token == {special["eos"]}:
        break
    out_ids.append(token)
    past = {{n.replace("present", "past_key_values"): v for n, v in zip(names[1:], present)}}
    x = np.array([[token]])
print(tok.decode(out_ids))
```

## Run it with llama.cpp or Ollama

`model.gguf` loads as it is (`llama-cli -m model.gguf`, or `FROM ./model.gguf` in an Ollama
Modelfile). {gguf_file.TOKENIZER_NOTE}

## Run it with onnxruntime-genai or transformers

```text
import onnxruntime_genai as og
model = og.Model("genai-int8"); tokenizer = og.Tokenizer(model)
tokenizer.update_options(add_special_tokens="true")  # put <bos> first

from transformers import AutoModelForCausalLM, AutoTokenizer
model, tokenizer = AutoModelForCausalLM.from_pretrained("."), AutoTokenizer.from_pretrained(".")
```

Or with the hub: `hub generate --bundle . --lang {lang} --prompt "Hello"`.
"""

