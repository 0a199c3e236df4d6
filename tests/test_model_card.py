"""The model card, parsed back by `huggingface_hub`: Hub-schema keys only, ISO 639 `language`
and BCP 47 `language_bcp47`, a linked licence, metrics as eval results."""

import re

import pyarrow.parquet as pq
import pycountry
from huggingface_hub import ModelCard

from hub.metrics import Metric, metrics_table
from hub.registry_config import VersionConfig
from hub.serving import card_data, model_card

# Model card metadata keys of the Hub (hub-docs modelcard.md), plus `language_bcp47` for
# full BCP 47 tags (the Hub's dataset card key).
HUB_KEYS = {
    "language", "license", "license_name", "license_link", "library_name", "tags", "datasets",
    "metrics", "base_model", "model-index", "pipeline_tag", "thumbnail", "new_version",
    "language_bcp47",
}
CONFIG = VersionConfig(
    region="eu",
    model={
        "n_layer": 2, "n_head": 2, "n_kv_head": 2, "d_model": 64, "intermediate_size": 192,
        "context_length": 64, "vocab_size": 320,
    },
    languages=("en", "en-Dsrt", "pt-BR", "zh-Hant", "sr-Latn"),
    training={"size": "tiny", "params": 1234},
)
SPECIAL = {"bos": 1, "eos": 2, "pad": 0}
SOURCES = [{"source": "cldr", "version": "48", "licence": "Unicode-3.0"}]


def card(metrics_path=None) -> ModelCard:
    return ModelCard(model_card.render("eu/v1", CONFIG, SPECIAL, metrics_path, SOURCES))


def is_iso639(code: str) -> bool:
    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return found is not None


def is_bcp47(tag: str) -> bool:
    """language[-Script][-REGION]: ISO 639, ISO 15924 and ISO 3166-1 subtags (pycountry)."""
    language, *rest = tag.split("-")
    if not is_iso639(language):
        return False
    for subtag in rest:
        if re.fullmatch(r"[A-Z][a-z]{3}", subtag):
            ok = pycountry.scripts.get(alpha_4=subtag) is not None
        else:
            ok = re.fullmatch(r"[A-Z]{2}", subtag) and pycountry.countries.get(alpha_2=subtag)
        if not ok:
            return False
    return True


def test_front_matter_has_hub_keys_only_and_valid_language_codes():
    parsed = card()
    data = parsed.data.to_dict()
    assert set(data) <= HUB_KEYS, set(data) - HUB_KEYS
    assert data["language"] == ["en", "pt", "zh", "sr"]  # ISO 639, each once
    assert all(is_iso639(code) for code in data["language"])
    assert data["language_bcp47"] == list(CONFIG.languages)
    assert all(is_bcp47(tag) for tag in data["language_bcp47"])
    assert not is_bcp47("en-Xyzw") and not is_iso639("en-Dsrt")  # the checks can fail
    assert (data["license"], data["license_link"]) == ("other", card_data.LICENCE_FILE)
    assert data["license_name"] == "training-data-terms"
    assert data["library_name"] == "transformers" and data["pipeline_tag"] == "text-generation"


def test_a_card_without_metrics_lists_no_metrics_file_and_no_eval_results():
    parsed = card()
    assert "model-index" not in parsed.data.to_dict() and not parsed.data.eval_results
    assert "metrics.parquet" not in parsed.text
    assert "Not measured yet" in parsed.text


def test_metrics_become_eval_results_with_the_measured_values(tmp_path):
    rows = [
        Metric("eu/v1", "eu", "en", "bits_per_byte", 1.234567891, "bits/byte"),
        Metric("eu/v1", "eu", "pt-BR", "bits_per_byte", 1.5, "bits/byte"),
        Metric("eu/v1", "eu", "pt-BR", "tokens_per_char", 0.31, "tokens/char", precision="n/a"),
    ]
    path = tmp_path / "metrics.parquet"
    pq.write_table(metrics_table(rows), path)
    parsed = card(path)
    results = parsed.data.eval_results
    assert parsed.data.model_name == "eu/v1"
    found = {(r.dataset_config, r.metric_type): r.metric_value for r in results}
    assert found == {
        ("en", "bits_per_byte"): 1.234567891,
        ("pt-BR", "bits_per_byte"): 1.5,
        ("pt-BR", "tokens_per_char"): 0.31,
    }
    assert {(r.task_type, r.dataset_split) for r in results} == {("text-generation", "test")}
    assert "`metrics.parquet`" in parsed.text
