"""A registry version's `config.json`, typed: which model, for which languages, how trained.

The same file travels in an export bundle as `intl_config.json`. Written once by
`registry.register` (from the training run's facts), read by the registry, the exporter,
the model card, `hub show`, `hub profile` and the measurements, always through
`VersionConfig.read`, which names the file and the field that is wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from plumbing.checked_files import read_json
from plumbing.errors import InputError


@dataclass(frozen=True)
class VersionConfig:
    """What a registered model is.

    Attributes:
        region: The region it was trained for (its folder under the hub home).
        model: The architecture, `ModelConfig.to_dict()` (`hub.model` checks its fields).
        languages: BCP 47 tags it was trained on, in training order.
        tokenizer: The tokenizer's facts (vocab size, special and language-tag ids, sha256);
            empty for a version registered without them.
        training: Facts of the run (size, params, steps, tokens, device, seed, corpus
            sha256, sources, ...): free-form, shown as they are.
    """

    region: str
    model: dict
    languages: tuple[str, ...] = ()
    tokenizer: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, document: dict, where: str, fix: str) -> VersionConfig:
        """A config from its parsed JSON; InputError naming `where`, the key and `fix`."""
        def wrong(key: str, expected: str) -> InputError:
            return InputError(f"{where}: `{key}` is {type(document.get(key)).__name__}, "
                              f"expected {expected}; {fix}")

        unknown = sorted(set(document) - {f for f in cls.__dataclass_fields__})
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}; expected region, "
                             f"model, languages, tokenizer, training; {fix}")
        if not isinstance(document.get("region"), str):
            raise wrong("region", "the region's name")
        if not isinstance(document.get("model"), dict):
            raise wrong("model", "a `model` section (the architecture)")
        languages = document.get("languages", [])
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            raise wrong("languages", "a list of language tags")
        for key in ("tokenizer", "training"):
            if not isinstance(document.get(key, {}), dict):
                raise wrong(key, "an object")
        return cls(document["region"], document["model"], tuple(languages),
                   document.get("tokenizer", {}), document.get("training", {}))

    @classmethod
    def read(cls, path: str | os.PathLike, fix: str) -> VersionConfig:
        """The config in the JSON file `path`; InputError naming it, with `fix`."""
        try:
            document = read_json(path, "model config")
        except InputError as error:
            raise InputError(f"{error.message}; {fix}") from None
        return cls.from_dict(document, str(Path(path)), fix)
