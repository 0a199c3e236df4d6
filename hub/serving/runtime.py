"""Text generation with onnxruntime on the genai graphs: batches, greedy or sampled, streaming.

The graphs (made by onnxruntime-genai's model builder, `hub.serving.genai_build`) use
GroupQueryAttention with a shared cache: each layer's key and value are one buffer of the
whole generation's length, bound as both the `past` input and the `present` output, so
onnxruntime writes every new position in place and nothing is copied or re-allocated
between steps. Prompts are RIGHT padded; a row's length is the sum of its attention mask,
which is where GroupQueryAttention writes its next key/value and which rotary position it
uses. Per-token Python work is choosing the next token from the last real position's
logits; rows stop independently at end-of-sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hub import registry
from hub.names import check_name
from hub.serving import bundle
from hub.tokenizer import lang_tag, special_ids
from plumbing.errors import InputError

StreamCallback = Callable[[int, str], None]  # (row, new text)


@dataclass(frozen=True)
class Sampling:
    """How the next token is chosen.

    Attributes:
        temperature: 0 means greedy (argmax); otherwise logits are divided by it.
        top_k: Keep only the k most likely tokens (0 = all).
        top_p: Keep the smallest set of tokens whose probability reaches p (1 = all).
    """

    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if not self.temperature >= 0:
            raise InputError(f"--temperature must be >= 0, got {self.temperature}")
        if self.top_k < 0:
            raise InputError(f"--top-k must be >= 0, got {self.top_k}")
        if not 0 < self.top_p <= 1:
            raise InputError(f"--top-p must be in (0, 1], got {self.top_p}")


def choose_tokens(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> np.ndarray:
    """Next token id per row of `logits` (batch, vocab)."""
    if sampling.temperature == 0:
        return logits.argmax(axis=-1)
    scaled = logits.astype(np.float64) / sampling.temperature
    vocab = scaled.shape[-1]
    if 0 < sampling.top_k < vocab:
        kth = np.partition(scaled, vocab - sampling.top_k, axis=-1)[:, vocab - sampling.top_k]
        scaled = np.where(scaled < kth[:, None], -np.inf, scaled)
    probs = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    if sampling.top_p < 1:
        order = np.argsort(-probs, axis=-1, kind="stable")
        sorted_probs = np.take_along_axis(probs, order, axis=-1)
        # Drop a token when the ones before it already reach top_p (the first always stays).
        drop = np.cumsum(sorted_probs, axis=-1) - sorted_probs >= sampling.top_p
        sorted_probs[drop] = 0.0
        probs = np.zeros_like(probs)
        np.put_along_axis(probs, order, sorted_probs, axis=-1)
        probs /= probs.sum(axis=-1, keepdims=True)
    cumulative = np.cumsum(probs, axis=-1)
    draws = rng.random((probs.shape[0], 1)) * cumulative[:, -1:]
    return np.minimum((cumulative < draws).sum(axis=-1), vocab - 1)


def session_options(threads: int | None, spin: bool = True):
    """ORT session options: all graph optimisations, `threads` intra-op threads (None = ORT's).

    `spin=False` lets idle intra-op threads sleep: for long scoring runs on a shared CPU, where
    spinning threads steal the cores the working ones need (`hub eval`: benchmarks/RESULTS.md).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    return options


def providers_for(device: str) -> list[str]:
    """Execution providers for `device`; refuses CUDA clearly when it is not installed."""
    import onnxruntime as ort

    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device == "cuda":
        available = ort.get_available_providers()
        if "CUDAExecutionProvider" not in available:
            raise InputError(
                "--device cuda needs onnxruntime's CUDAExecutionProvider, which this install "
                f"lacks (available: {', '.join(available)}); install the gpu extra "
                "(pip install 'intl-strategy[gpu]') or use --device cpu"
            )
        return ["CUDAExecutionProvider"]
    raise InputError(f"--device must be cpu or cuda, got {device!r}")


def model_folder(
    workdir: Path,
    bundle_path: Path | None = None,
    home: str | None = None,
    region: str | None = None,
    version: str | None = None,
) -> Path:
    """The folder to run for `--bundle` or `--region [--model-version]` (exactly one of them).

    A tar bundle is extracted safely into `workdir` (which the caller deletes after use).
    """
    if (region is None) == (bundle_path is None):
        raise InputError("give exactly one of --region or --bundle")
    if bundle_path is not None:
        return bundle.open_bundle(Path(bundle_path), Path(workdir))
    if version is not None:
        check_name("version", version)
    return registry.resolve(home, region, version).path


class Generator:
    """Generate text with a bundle or registry version folder.

    The folder's files are checked against its manifest first (sha256 of every file,
    so a tampered or truncated model is refused by name), and the graph's external
    data must stay inside the folder, before any onnxruntime session is created.

    Args:
        folder: Holds the genai graph folders (genai-fp32/, ...), tokenizer.json and
            manifest.json.
        int8: Use the int8 graph (shorthand for precision="int8").
        precision: "fp32", "int8" or "int4" (overrides `int8`).
        device: "cpu" or "cuda".
        threads: intra_op_num_threads (None: onnxruntime's default).
        spin: Whether idle onnxruntime threads spin (see `session_options`).
    """

    def __init__(
        self,
        folder: Path,
        *,
        int8: bool = False,
        precision: str | None = None,
        device: str = "cpu",
        threads: int | None = None,
        spin: bool = True,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.precision = precision or ("int8" if int8 else "fp32")
        if self.precision not in bundle.MODEL_BY_PRECISION:
            raise InputError(f"precision must be one of {sorted(bundle.MODEL_BY_PRECISION)}")
        bundle.require_valid(self.folder)
        model_path = self.folder / bundle.MODEL_BY_PRECISION[self.precision]
        if not model_path.is_file():
            raise InputError(
                f"{model_path}: missing; run `hub export` (with --precision {self.precision})"
            )
        bundle.check_external_data(model_path, self.folder)
        self.device = device
        self.session = ort.InferenceSession(
            str(model_path), session_options(threads, spin), providers=providers_for(device)
        )
        self.tokenizer = Tokenizer.from_file(str(self.folder / bundle.TOKENIZER))
        self.special = special_ids(self.tokenizer)
        self._lang_tag = lang_tag
        genai = bundle.read_config(model_path.parent, bundle.GENAI_CONFIG)
        self.context_length = int(genai["model"]["context_length"])
        past = [i for i in self.session.get_inputs() if i.name.startswith("past_key_values")]
        self.past_names = [i.name for i in past]
        self.present_names = [n.replace("past_key_values", "present") for n in self.past_names]
        self.cache_shape = (int(past[0].shape[1]), int(past[0].shape[3]))  # kv heads, head size
        self.vocab_size = int(genai["model"]["vocab_size"])

    def encode(self, prompts: Sequence[str], lang: str | None) -> list[list[int]]:
        """Token ids per prompt: beginning of sequence, the language tag if given, the text."""
        prefix = [self.special["bos"]]
        if lang:
            tag = self._lang_tag(lang)
            tag_id = self.tokenizer.token_to_id(tag)
            if tag_id is None:
                raise InputError(f"--lang {lang!r}: this model's tokenizer has no {tag} token")
            prefix.append(tag_id)
        encoded = self.tokenizer.encode_batch(list(prompts), add_special_tokens=False)
        return [prefix + e.ids for e in encoded]

    def generate(
        self,
        prompts: Sequence[str],
        lang: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_k: int = 0,
        top_p: float = 1.0,
        seed: int | None = None,
        stream_callback: StreamCallback | None = None,
    ) -> list[str]:
        """Continue each prompt; returns the generated text per prompt (without the prompt)."""
        shown = [""] * len(prompts)
        rows = self.generate_ids(
            self.encode(prompts, lang),
            max_new_tokens,
            Sampling(temperature, top_k, top_p),
            seed,
            None if stream_callback is None else self._streamer(shown, stream_callback),
        )
        texts = self.tokenizer.decode_batch(rows)
        if stream_callback is not None:
            # What was held back (a character cut short by the last token) is emitted at the end.
            for row, text in enumerate(texts):
                if len(text) > len(shown[row]):
                    stream_callback(row, text[len(shown[row]) :])
        return texts

    def _streamer(self, shown: list[str], callback: StreamCallback) -> Callable[[np.ndarray], None]:
        # Decode each row's whole continuation and emit only what is new, so multi-token
        # characters and word-initial spaces come out right; `shown` records what was emitted.
        tokens: list[list[int]] = [[] for _ in shown]

        def on_step(step_tokens: np.ndarray) -> None:
            for row, token in enumerate(step_tokens.tolist()):
                if token < 0:
                    continue
                tokens[row].append(token)
                text = self.tokenizer.decode(tokens[row])
                if len(text) > len(shown[row]) and not text.endswith("\ufffd"):
                    callback(row, text[len(shown[row]) :])
                    shown[row] = text

        return on_step

    def _cache(self, batch: int, length: int) -> list:
        # One buffer per past input, (batch, kv heads, length, head size), on the device.
        import onnxruntime as ort

        shape = (batch, self.cache_shape[0], length, self.cache_shape[1])
        if self.device == "cpu":
            return [
                ort.OrtValue.ortvalue_from_numpy(np.zeros(shape, np.float32))
                for _ in self.past_names
            ]
        return [
            ort.OrtValue.ortvalue_from_shape_and_type(shape, np.float32, self.device, 0)
            for _ in self.past_names
        ]

    def generate_ids(
        self,
        prompt_ids: Sequence[Sequence[int]],
        max_new_tokens: int,
        sampling: Sampling | None = None,
        seed: int | None = None,
        on_step: Callable[[np.ndarray], None] | None = None,
        stop_at_eos: bool = True,
    ) -> list[list[int]]:
        """Generate token ids for right-padded prompts; each row stops at its end of sequence.

        `on_step` receives the tokens chosen at each step (-1 for rows already done).
        `stop_at_eos=False` always generates `max_new_tokens` (benchmarks need fixed work).

        Raises:
            InputError: an empty prompt, or prompt plus new tokens beyond the context length
                (the cache and the rotary tables hold no more).
        """
        import onnxruntime as ort

        sampling = sampling or Sampling()
        if not prompt_ids or any(len(p) == 0 for p in prompt_ids):
            raise InputError("every prompt needs at least one token")
        batch, width = len(prompt_ids), max(len(p) for p in prompt_ids)
        total = width + max_new_tokens
        if total > self.context_length:
            raise InputError(
                f"a {width}-token prompt plus {max_new_tokens} new tokens exceeds the model's "
                f"context of {self.context_length} tokens: shorten the prompt or --max-new-tokens"
            )
        rng = np.random.default_rng(seed)
        eos, pad = self.special["eos"], self.special["pad"]
        ids = np.full((batch, width), pad, dtype=np.int64)
        lengths = np.array([len(p) for p in prompt_ids], dtype=np.int64)
        for row, prompt in enumerate(prompt_ids):
            ids[row, : len(prompt)] = prompt
        positions = np.arange(total, dtype=np.int64)
        binding = self.session.io_binding()
        binding.bind_output("logits", "cpu")  # prefill: (batch, width, vocab), bound first
        for past, present, buffer in zip(
            self.past_names, self.present_names, self._cache(batch, total), strict=True
        ):
            binding.bind_ortvalue_input(past, buffer)
            binding.bind_ortvalue_output(present, buffer)
        out = np.full((batch, max_new_tokens), -1, dtype=np.int64)
        done = np.zeros(batch, dtype=bool)
        last = lengths - 1  # where each row's next-token logits are in the prefill output
        span = width
        # Decoding steps write their logits into one numpy array ORT shares (no per-step
        # allocation, and no wrapping of every output, cache included, to read them back).
        step_logits = np.empty((batch, 1, self.vocab_size), dtype=np.float32)
        for step in range(max_new_tokens):
            mask = (positions[:span] < lengths[:, None]).astype(np.int64)
            binding.bind_cpu_input("input_ids", ids)
            binding.bind_cpu_input("attention_mask", mask)
            self.session.run_with_iobinding(binding)
            if step == 0:
                logits = binding.get_outputs()[0].numpy()[np.arange(batch), last]
                binding.bind_ortvalue_output(
                    "logits", ort.OrtValue.ortvalue_from_numpy(step_logits)
                )
            else:
                logits = step_logits[:, -1]
            chosen = choose_tokens(logits, sampling, rng)
            chosen[done] = -1
            out[:, step] = chosen
            if on_step is not None:
                on_step(chosen)
            if stop_at_eos:
                done |= chosen == eos
            if done.all():
                break
            # Finished rows keep running (the batch shape is fixed) on a harmless token.
            ids = np.where(done, pad, chosen)[:, None].astype(np.int64)
            lengths += 1
            span += 1
        dropped = eos if stop_at_eos else -1  # a fixed-work run keeps every token it made
        return [[t for t in row if t >= 0 and t != dropped] for row in out.tolist()]
