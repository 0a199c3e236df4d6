"""The model card's front matter through `huggingface_hub`'s card data, in the Hub's schema.

Keys are only those of the Hub's model card metadata (`language`, `license`, `license_name`,
`license_link`, `library_name`, `pipeline_tag`, `tags`, `model-index`) plus
`language_bcp47`, the Hub's key for full BCP 47 tags (its dataset card schema): `language`
holds ISO 639 codes only, as the Hub expects. Measurements are eval results
(`model-index`), one per language and metric. The licence is `other`, named and linked to
`LICENSE.md` inside the bundle, as the Hub asks for a licence outside its list.
"""

from __future__ import annotations

from huggingface_hub import EvalResult, ModelCardData

from hub.languages import base_language, normalize_lang

LICENCE_FILE = "LICENSE.md"
LICENCE_NAME = "training-data-terms"
# What the eval results measure: next-text prediction on the hub's held-out test split.
TASK = "text-generation"
DATASET_TYPE = "hub-eval-set"
DATASET_SPLIT = "test"


def iso639(languages) -> list[str]:
    """ISO 639 codes of BCP 47 tags, each once, in order (`en-Dsrt`, `en` -> `en`)."""
    return list(dict.fromkeys(base_language(lang) for lang in languages))


def eval_results(table: dict[str, dict[str, float]]) -> list[EvalResult]:
    """One eval result per language and metric of `metrics_by_lang`'s table."""
    return [
        EvalResult(
            task_type=TASK,
            dataset_type=DATASET_TYPE,
            dataset_name=f"hub evaluation set ({lang})",
            dataset_config=lang,
            dataset_split=DATASET_SPLIT,
            metric_type=metric,
            metric_value=float(value),
        )
        for lang in sorted(table)
        for metric, value in sorted(table[lang].items())
    ]


def card_data(model_id: str, languages, region: str, table) -> ModelCardData:
    """The card's metadata: languages, licence, library, tags and eval results."""
    results = eval_results(table)
    return ModelCardData(
        language=iso639(languages),
        language_bcp47=[normalize_lang(lang) for lang in languages],
        license="other",
        license_name=LICENCE_NAME,
        license_link=LICENCE_FILE,
        library_name="transformers",
        pipeline_tag=TASK,
        tags=["llama", "gguf", "onnx", "onnxruntime-genai", f"region-{region}"],
        model_name=model_id if results else None,
        eval_results=results or None,
    )


def licence_text(weights_licence: str, sources: list[dict]) -> str:
    """LICENSE.md: the terms of the weights and the licence of each training source."""
    rows = "\n".join(f"| {s['source']} | {s['version']} | {s['licence']} |" for s in sources)
    return (
        f"# Licence: {LICENCE_NAME}\n\n{weights_licence}\n\n## Training sources\n\n"
        f"| source | version | licence |\n|---|---|---|\n{rows}\n"
    )
