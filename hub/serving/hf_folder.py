"""The Hugging Face folder of a bundle: what `LlamaForCausalLM` and `AutoTokenizer` load as is.

`config.json` is a Llama config (every field of `hub.model.ModelConfig` has its Llama
name), `model.safetensors` carries the model's own state dict (already Llama's names; the
tied `lm_head` is absent, as `tie_word_embeddings` tells loaders), and the tokenizer
files declare `<bos>`, `<eos>` and `<pad>`, right padding, the context length and the
prompt formats. Nothing here imports transformers: the files are plain JSON.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.languages import normalize_lang
from hub.model_config import ModelConfig
from hub.tokenizer import PROMPT_FORMATS, SPECIALS, add_serving_rules, special_ids
from plumbing.atomic import write_text

CONFIG = "config.json"
GENERATION_CONFIG = "generation_config.json"
WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
SPECIAL_TOKENS_MAP = "special_tokens_map.json"
TOKENIZER_FILES = (TOKENIZER, TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)

# Standard chat messages (`role`, `content` as a string or a list of text parts) rendered as
# the hub's prompt formats. The model continues text and follows no instructions, so system
# messages are dropped and each other message is one language-tagged text. Extensions: a
# message's `lang` key tags its text (default: the bundle's default language); `target_lang`
# (a message key, or a template argument with add_generation_prompt) asks for a translation
# into that language. Rendered with bos included, so it is tokenised without adding special
# tokens (as apply_chat_template does).
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages if message['role'] != 'system' %}"
    "<{{ message['lang'] if message['lang'] is defined and message['lang'] else '@LANG@' }}>"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] if part['type'] == 'text' %}{{ part['text'] }}"
    "{% endfor %}{% endif %}"
    "{% if message['target_lang'] is defined %}<{{ message['target_lang'] }}>{% endif %}"
    "{% endfor %}{% if add_generation_prompt and target_lang is defined %}<{{ target_lang }}>"
    "{% endif %}"
)


def default_lang(languages) -> str:
    """The language of chat messages without `lang`: English if the model has it, else its first."""
    tags = [normalize_lang(lang) for lang in languages]
    return "en" if "en" in tags or not tags else tags[0]


def chat_template(languages) -> str:
    """The bundle's chat template (`CHAT_TEMPLATE` with its default language filled in)."""
    return CHAT_TEMPLATE.replace("@LANG@", default_lang(languages))


def llama_config(config: ModelConfig, special: dict[str, int]) -> dict:
    """The `config.json` of `LlamaForCausalLM` for a model of this shape."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": config.vocab_size,
        "hidden_size": config.d_model,
        "intermediate_size": config.intermediate_size,
        "num_hidden_layers": config.n_layer,
        "num_attention_heads": config.n_head,
        "num_key_value_heads": config.n_kv_head,
        "head_dim": config.head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": config.context_length,
        "rms_norm_eps": config.rms_norm_eps,
        # Both spellings: transformers < 5 reads rope_theta, 5.x rope_parameters.
        "rope_theta": config.rope_base,
        "rope_parameters": {"rope_type": "default", "rope_theta": config.rope_base},
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "use_cache": True,
        "bos_token_id": special["bos"],
        "eos_token_id": special["eos"],
        "pad_token_id": special["pad"],
        "torch_dtype": "float32",
    }


def generation_config(special: dict[str, int]) -> dict:
    """Greedy decoding stopping at `<eos>`.

    No length: callers give `max_new_tokens`, and a `max_length` here would make transformers
    warn on every such call (the context length is in config.json and tokenizer_config.json).
    """
    return {
        "bos_token_id": special["bos"],
        "eos_token_id": special["eos"],
        "pad_token_id": special["pad"],
        "do_sample": False,
    }


def special_tokens_map() -> dict:
    """The special tokens by role."""
    pad, bos, eos = SPECIALS
    return {"bos_token": bos, "eos_token": eos, "pad_token": pad}


def tokenizer_config(context_length: int, languages: list[str]) -> dict:
    """`tokenizer_config.json`: specials, right padding, context, prompt formats."""
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special_tokens_map(),
        "add_bos_token": True,
        "add_eos_token": False,
        "padding_side": "right",
        "model_max_length": context_length,
        "clean_up_tokenization_spaces": False,
        "chat_template": chat_template(languages),
        "prompt_formats": PROMPT_FORMATS,
        "languages": languages,
    }


def write_tokenizer_files(tokenizer_json: Path, folder: Path, context_length: int, languages):
    """tokenizer.json (NFC, bos post-processor), tokenizer_config.json and the specials map."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    add_serving_rules(tokenizer)
    tokenizer.save(str(folder / TOKENIZER))
    _write_json(folder / TOKENIZER_CONFIG, tokenizer_config(context_length, list(languages)))
    _write_json(folder / SPECIAL_TOKENS_MAP, special_tokens_map())


def copy_tokenizer_files(source: Path, target: Path) -> None:
    """The three tokenizer files of one folder into another (replacing what is there)."""
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, target / name)


def write_hf_folder(model, tokenizer_json: Path, folder: Path, languages) -> None:
    """Write the Hugging Face files of `model` (a hub.model.DecoderLM) into `folder`."""
    from safetensors.torch import save_file
    from tokenizers import Tokenizer

    config = model.config
    write_tokenizer_files(tokenizer_json, folder, config.context_length, languages)
    special = special_ids(Tokenizer.from_file(str(folder / TOKENIZER)))
    _write_json(folder / CONFIG, llama_config(config, special))
    _write_json(folder / GENERATION_CONFIG, generation_config(special))
    tensors = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    save_file(tensors, folder / WEIGHTS, metadata={"format": "pt"})


def _write_json(path: Path, value: dict) -> None:
    write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")
