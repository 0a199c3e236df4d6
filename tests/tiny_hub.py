"""A registered tiny model (random weights, a real BPE tokenizer) for export and runtime tests."""

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from hub import registry
from hub.model import DecoderLM, count_parameters
from hub.model_config import config_for
from hub.tokenizer import SPECIALS

LANGS = ["de", "en", "fr"]
TEXT = [
    "Guten Tag, wie geht es Ihnen heute?",
    "Good morning, how are you today?",
    "Bonjour, comment allez-vous aujourd'hui ?",
    "Die Katze schläft auf dem Sofa. Le chat dort sur le canapé.",
]


def make_tokenizer(path: Path) -> Path:
    """A byte-level BPE tokenizer with the hub's special tokens and language tags."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=[*SPECIALS, *(f"<{lang}>" for lang in LANGS)],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TEXT * 5, trainer)
    tok.save(str(path))
    return path


def register_tiny(
    home: Path, region: str = "eu", seed: int = 0, weight_std: float | None = None
) -> registry.ModelVersion:
    """Register a tiny DecoderLM with random weights (seeded) under `home`.

    `weight_std` redraws every matrix with that spread: at the 0.02 of a fresh model, greedy
    decoding repeats one token forever, which would hide a wrong position or cache; at ~0.3
    each step's choice depends on the whole prefix and the top two logits are far apart.
    """
    home.mkdir(parents=True, exist_ok=True)
    tokenizer = make_tokenizer(home.parent / f"tokenizer-{region}-{seed}.json")
    vocab = Tokenizer.from_file(str(tokenizer)).get_vocab_size()
    torch.manual_seed(seed)
    model = DecoderLM(config_for("tiny", vocab))
    if weight_std is not None:
        with torch.no_grad():
            for param in model.parameters():
                if param.dim() == 2:
                    param.normal_(0.0, weight_std)
    meta = {
        "model": model.config.to_dict(),
        "languages": LANGS,
        "training": {"size": "tiny", "params": count_parameters(model), "sources": ["test text"]},
    }
    return registry.register(home, region, meta, model.state_dict(), tokenizer)
