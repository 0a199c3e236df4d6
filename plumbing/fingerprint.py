"""What a folder's results were made from, so a resume never mixes outputs of other inputs.

A command that resumes into a folder (`simulator batch`, `calibrate`, `backtest`, `advise`)
records there, in `FINGERPRINT`, every part its results depend on, each as one short text:
an input file's sha256, a scenario's content digest, the arguments that change results
(a holdout window, a seed, a number of runs) and the model's code digest. Starting again,
it compares the parts it would record now with those recorded:

- the same: the folder's finished work is kept (a resume);
- different, in a folder whose last command finished: refused before any work (exit 2),
  the message naming each part that changed with its old and new value;
- different, in a folder whose last command never finished (killed or failed), where the
  command says so (`redo_unfinished`): its own work there is redone, so a failed command
  never poisons its folder.

`changes` is the comparison alone, for a check between two artefacts (a bundle against
the registry version it claims to be).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plumbing.atomic import sha256_file, write_text
from plumbing.errors import InputError

FINGERPRINT = ".inputs.json"
"""{"command": ..., "parts": {name: text}, "finished": bool} (hidden, like `.lock`)."""
SHOWN = 12  # characters of a digest a message shows: enough to tell two apart


def file_part(path: str | Path) -> str:
    """A file's part: its sha256 (what it holds, wherever it lies)."""
    return sha256_file(path)


def value_part(value: object) -> str:
    """An argument's part: itself when short, else the sha256 of its canonical JSON."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) <= 64:
        return text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Each part that differs as 'name OLD -> NEW' (digests shortened); [] when equal."""
    found = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before != after:
            found.append(f"{name} {_shown(before)} -> {_shown(after)}")
    return found


def _shown(text: str | None) -> str:
    if text is None:
        return "(not recorded)"
    digest = len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    return text[:SHOWN] if digest else repr(text)


def recorded(folder: Path) -> dict | None:
    """The folder's fingerprint, or None when it has none or it is not one of ours."""
    try:
        document = json.loads((Path(folder) / FINGERPRINT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    parts = document.get("parts") if isinstance(document, dict) else None
    if not (isinstance(parts, dict) and all(isinstance(k, str) and isinstance(v, str)
                                            for k, v in parts.items())):
        return None
    return {"command": document.get("command"), "parts": parts,
            "finished": document.get("finished") is True}


def check(folder: Path, command: str, parts: dict[str, str], has_results: bool,
          redo_unfinished: bool = False) -> bool:
    """Whether `folder`'s results may be kept for a run from `parts`; refuses what may not.

    Call it holding the folder's lock (`plumbing.locks.exclusive`), before any work.

    Args:
        folder: The command's output folder.
        command: The command, as messages name it ("simulator backtest").
        parts: What the results about to be made depend on.
        has_results: Whether the folder holds results of an earlier run.
        redo_unfinished: Redo (return False) rather than refuse when an unfinished run
            made the results from other inputs.

    Returns:
        True to keep (resume) the results there, False to make them again.

    Raises:
        InputError: the folder holds results made from other inputs (named), or results
            whose inputs were never recorded.
    """
    if not has_results:
        return True
    old = recorded(folder)
    if old is None:
        if redo_unfinished:
            return False
        raise InputError(f"{folder}: holds results of `{command}` whose inputs were not "
                         f"recorded ({FINGERPRINT} missing or damaged), so they cannot be "
                         "resumed safely: choose another --out or delete the folder")
    changed = changes(old["parts"], parts)
    if not changed:
        return True
    if redo_unfinished and not old["finished"]:
        return False
    raise InputError(f"{folder}: holds results of `{command}` made from other inputs "
                     f"({'; '.join(changed)}); they are not mixed with new ones nor "
                     "overwritten: choose another --out or delete the folder")


def record(folder: Path, command: str, parts: dict[str, str], finished: bool = False) -> None:
    """Write the fingerprint (atomically): unfinished when work begins, finished at its end."""
    write_text(Path(folder) / FINGERPRINT, json.dumps(
        {"command": command, "parts": parts, "finished": finished}, indent=1,
        sort_keys=True) + "\n")


@contextmanager
def resuming(folder: Path, command: str, parts: dict[str, str], has_results: bool,
             redo_unfinished: bool = False) -> Iterator[bool]:
    """`check`, then the fingerprint recorded unfinished for the block, finished after it.

    Yields whether the folder's results may be kept. Hold the folder's lock around it:

        with exclusive(out, "`simulator advise`"), resuming(out, COMMAND, parts, any(...)):
            ...
    """
    keep = check(folder, command, parts, has_results, redo_unfinished)
    record(folder, command, parts)
    yield keep
    record(folder, command, parts, finished=True)
