"""Greedy decoding with llama.cpp (llama-cpp-python) on the hub's GGUF file, which the
product's own writer makes (`hub.serving.gguf_file.write_gguf`)."""

from __future__ import annotations

from pathlib import Path


class LlamaCpp:
    """Batch-1 greedy decoding of token ids with llama-cpp-python on `threads` threads."""

    def __init__(self, gguf_path: Path, threads: int, context: int):
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=str(gguf_path),
            n_ctx=context,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=context,
            verbose=False,
        )

    def greedy(self, prompt: list[int], new: int) -> list[int]:
        """Exactly `new` greedy tokens after `prompt` (a fresh cache each call)."""
        out = []
        for token in self.llm.generate(prompt, temp=0.0, top_k=1, reset=True):
            out.append(int(token))
            if len(out) == new:
                break
        return out

    def close(self) -> None:
        """Free the model before the interpreter's exit (llama-cpp-python's own finaliser fails
        when it runs after the library is unloaded)."""
        self.llm.close()
