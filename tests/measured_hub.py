"""A tiny hub home for measurement tests: a corpus of real CLDR text, a registered, exported model.

The corpus is CLDR's territory and language names in German and French (each with its
English original, so the rows are parallel) and in English, read through babel and fed
to `hub corpus build` as a JSONL file. The model is `tests.tiny_hub`'s (random weights).
"""

import json
from pathlib import Path

from babel import Locale
from click.testing import CliRunner

from hub import registry
from hub.cli import main
from hub.corpus.files import added_source
from hub.corpus.store import build_corpus
from tests.tiny_hub import register_tiny


def cldr_jsonl(path: Path) -> Path:
    """CLDR names in de, fr (with English originals) and en, one JSON object per line."""
    english = Locale("en")
    lines = []
    for table in ("territories", "languages"):
        originals = getattr(english, table)
        for lang in ("de", "fr"):
            names = getattr(Locale(lang), table)
            for key, text in sorted(names.items()):
                if key in originals:
                    lines.append({"lang": lang, "text": text, "en": originals[key]})
        lines += [{"lang": "en", "text": text} for _, text in sorted(originals.items())]
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    return path


REGION = "global"  # the simulator's loader needs a global model


def measured_home(root: Path):
    """(home, registry version, bundle folder): corpus built, model registered and exported.

    Built once per test session under `root` (a marker file says it is complete), so the
    eval, bench and profile tests share one export.
    """
    home, out = root / "home", root / "bundle"
    if (root / "ready").is_file():
        return home, registry.resolve(home, REGION), out
    version = register_tiny(home, REGION)
    build_corpus(home, [added_source([str(cldr_jsonl(root / "cldr.jsonl"))])])
    result = CliRunner().invoke(
        main, ["export", "--region", REGION, "--out", str(out), "--home", str(home)]
    )
    assert result.exit_code == 0, result.output
    (root / "ready").touch()
    return home, version, out
