"""The bundle's chat template and generation config, through transformers: standard `role` /
`content` messages render the hub's prompt formats, and generation takes `max_new_tokens`
without warnings."""

import json
import logging
import warnings

import pytest
import torch
import transformers
from tokenizers import Tokenizer

# The shared tiny export (tests/conftest.py) is built once for the modules of this group.
pytestmark = pytest.mark.xdist_group("tiny-export")


@pytest.fixture(scope="module")
def bundle(tiny_export):
    """The tiny model's bundle folder (languages de, en, fr)."""
    return tiny_export[2]


@pytest.fixture(scope="module")
def tokenizer(bundle):
    return transformers.AutoTokenizer.from_pretrained(bundle)


def render(tokenizer, messages, **kwargs) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, **kwargs)


def test_a_standard_user_message_renders_a_well_formed_prompt(tokenizer):
    prompt = render(tokenizer, [{"role": "user", "content": "Hi"}], add_generation_prompt=True)
    # English is one of the bundle's languages, so untagged text is tagged as English.
    assert prompt == "<bos><en>Hi"
    ids = tokenizer(prompt, add_special_tokens=False).input_ids
    assert ids[:2] == [tokenizer.bos_token_id, tokenizer.convert_tokens_to_ids("<en>")]
    # The same ids as the prompt format the product itself uses.
    assert ids == tokenizer("<en>Hi").input_ids


def test_language_and_translation_extensions_and_dropped_system_messages(tokenizer):
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Guten Tag", "lang": "de"},
    ]
    assert render(tokenizer, messages) == "<bos><de>Guten Tag"
    translate = render(tokenizer, messages, add_generation_prompt=True, target_lang="fr")
    assert translate == "<bos><de>Guten Tag<fr>"
    as_key = [{"role": "user", "content": "Guten Tag", "lang": "de", "target_lang": "fr"}]
    assert render(tokenizer, as_key) == translate
    parts = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert render(tokenizer, parts) == "<bos><en>Hi"
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": " there"}]
    assert render(tokenizer, turns) == "<bos><en>Hi<en> there"


def test_a_chat_style_pipeline_call_returns_text(bundle, tokenizer):
    model = transformers.AutoModelForCausalLM.from_pretrained(bundle).eval()
    chat = transformers.pipeline("text-generation", model=model, tokenizer=tokenizer)
    reply = chat([{"role": "user", "content": "Guten Tag", "lang": "de"}], max_new_tokens=8)
    turns = reply[0]["generated_text"]
    assert turns[-1]["role"] == "assistant" and turns[-1]["content"].strip()
    # The reply is the greedy continuation of the rendered prompt.
    prompt = tokenizer("<de>Guten Tag", return_tensors="pt").input_ids
    with torch.no_grad():
        greedy = model.generate(prompt, max_new_tokens=8)[0, prompt.shape[1] :]
    assert turns[-1]["content"] == tokenizer.decode(greedy, skip_special_tokens=True)


class Collected(logging.Handler):
    """Records of the transformers logger, which does not propagate to the root logger."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_generate_with_max_new_tokens_warns_nothing(bundle):
    generation = json.loads((bundle / "generation_config.json").read_text())
    assert "max_length" not in generation and generation["do_sample"] is False
    model = transformers.AutoModelForCausalLM.from_pretrained(bundle).eval()
    tok = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    prompt = torch.tensor([tok.encode("<de>Guten Tag").ids])
    collected = Collected()
    logger = logging.getLogger("transformers")
    logger.addHandler(collected)
    try:
        with warnings.catch_warnings(record=True) as caught, torch.no_grad():
            warnings.simplefilter("always")
            out = model.generate(prompt, max_new_tokens=8)
    finally:
        logger.removeHandler(collected)
    assert out.shape[1] <= prompt.shape[1] + 8
    assert [str(w.message) for w in caught] == [] and collected.messages == []
