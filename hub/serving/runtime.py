"""Text generation with onnxruntime: batches, greedy or seeded sampling, a reused KV cache.

The loop keeps per-token Python work to choosing the next token: the cache
tensors ORT returns (OrtValues, on the device under CUDA) are bound straight
back as the next step's inputs through I/O binding, never copied or
re-allocated by us; only the last position's logits come back to numpy.
Prompts are LEFT padded so every row's next token sits in the last column, and
rows stop independently at end-of-sequence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hub.errors import InputError
from hub.serving import bundle

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


def session_options(threads: int | None):
    """ORT session options: all graph optimisations, `threads` intra-op threads (None = ORT's)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
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
    """The folder to run for `--bundle` or `--region [--version]` (exactly one of them).

    A tar bundle is extracted safely into `workdir` (which the caller deletes after use).
    """
    from hub import registry
    from hub.names import check_name

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
    so a tampered or truncated model is refused by name), and the model's external
    data must stay inside the folder, before any onnxruntime session is created.

    Args:
        folder: Holds model.onnx (and model.int8.onnx), tokenizer.json, config.json
            and manifest.json.
        int8: Use the int8 model.
        device: "cpu" or "cuda".
        threads: intra_op_num_threads (None: onnxruntime's default).
    """

    def __init__(
        self, folder: Path, *, int8: bool = False, device: str = "cpu", threads: int | None = None
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from hub.tokenizer import lang_tag, special_ids

        self.folder = Path(folder)
        bundle.require_valid(self.folder)
        model_path = self.folder / (bundle.MODEL_INT8 if int8 else bundle.MODEL_FP32)
        if not model_path.is_file():
            hint = " (export without --no-int8)" if int8 else ""
            raise InputError(f"{model_path}: missing; run `hub export` first{hint}")
        bundle.check_external_data(model_path, self.folder)
        self.device = device
        self.session = ort.InferenceSession(
            str(model_path), session_options(threads), providers=providers_for(device)
        )
        self.tokenizer = Tokenizer.from_file(str(self.folder / bundle.TOKENIZER))
        self.special = special_ids(self.tokenizer)
        self._lang_tag = lang_tag
        config = json.loads((self.folder / bundle.CONFIG).read_text(encoding="utf-8"))
        self.config = config
        model = config["model"]
        self.cache_shape = (model["n_head"], model["d_model"] // model["n_head"])
        self.past_names = [i.name for i in self.session.get_inputs()][2:]
        self.output_names = [o.name for o in self.session.get_outputs()]

    def encode(self, prompts: Sequence[str], lang: str | None) -> list[list[int]]:
        """Token ids per prompt: beginning of sequence, the language tag if given, the text."""
        prefix = [self.special["bos"]]
        if lang:
            tag = self._lang_tag(lang)
            tag_id = self.tokenizer.token_to_id(tag)
            if tag_id is None:
                raise InputError(f"--lang {lang!r}: this model's tokenizer has no {tag} token")
            prefix.append(tag_id)
        return [prefix + e.ids for e in self.tokenizer.encode_batch(list(prompts))]

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
        rows = self.generate_ids(
            self.encode(prompts, lang),
            max_new_tokens,
            Sampling(temperature, top_k, top_p),
            seed,
            None if stream_callback is None else self._streamer(len(prompts), stream_callback),
        )
        return self.tokenizer.decode_batch(rows)

    def _streamer(self, batch: int, callback: StreamCallback) -> Callable[[np.ndarray], None]:
        # Decode each row's whole continuation and emit only what is new, so multi-token
        # characters and word-initial spaces come out right.
        tokens: list[list[int]] = [[] for _ in range(batch)]
        shown = [""] * batch

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

    def generate_ids(
        self,
        prompt_ids: Sequence[Sequence[int]],
        max_new_tokens: int,
        sampling: Sampling | None = None,
        seed: int | None = None,
        on_step: Callable[[np.ndarray], None] | None = None,
        stop_at_eos: bool = True,
    ) -> list[list[int]]:
        """Generate token ids for left-padded prompts; each row stops at its end of sequence.

        `on_step` receives the tokens chosen at each step (-1 for rows already done).
        `stop_at_eos=False` always generates `max_new_tokens` (benchmarks need fixed work).
        """
        sampling = sampling or Sampling()
        if not prompt_ids or any(len(p) == 0 for p in prompt_ids):
            raise InputError("every prompt needs at least one token")
        rng = np.random.default_rng(seed)
        eos, pad = self.special["eos"], self.special["pad"]
        batch, width = len(prompt_ids), max(len(p) for p in prompt_ids)
        ids = np.full((batch, width), pad, dtype=np.int64)
        mask = np.zeros((batch, width + max_new_tokens), dtype=np.int64)
        for row, prompt in enumerate(prompt_ids):
            ids[row, width - len(prompt) :] = prompt
            mask[row, width - len(prompt) :] = 1
        mask[:, width:] = 1  # generated positions are always attended
        empty = np.zeros((batch, self.cache_shape[0], 0, self.cache_shape[1]), dtype=np.float32)
        binding = self.session.io_binding()
        for name in self.past_names:
            binding.bind_cpu_input(name, empty)
        out = np.full((batch, max_new_tokens), -1, dtype=np.int64)
        done = np.zeros(batch, dtype=bool)
        length = width
        for step in range(max_new_tokens):
            binding.bind_cpu_input("input_ids", ids)
            binding.bind_cpu_input("attention_mask", np.ascontiguousarray(mask[:, :length]))
            for name in self.output_names:
                # Re-bound each step: a binding keeps its last outputs (now this step's
                # cache inputs), so ORT must be told to allocate new ones of the new size.
                binding.bind_output(name, self.device)
            self.session.run_with_iobinding(binding)
            outputs = binding.get_outputs()
            logits = outputs[0].numpy()[:, -1, :]
            chosen = choose_tokens(logits, sampling, rng)
            chosen[done] = -1
            out[:, step] = chosen
            if on_step is not None:
                on_step(chosen)
            if stop_at_eos:
                done |= chosen == eos
            if done.all():
                break
            for name, value in zip(self.past_names, outputs[1:], strict=True):
                binding.bind_ortvalue_input(name, value)
            # Finished rows keep running (the batch shape is fixed) on a harmless token.
            ids = np.where(done, pad, chosen)[:, None].astype(np.int64)
            length += 1
        return [[t for t in row if t >= 0 and t != eos] for row in out.tolist()]
