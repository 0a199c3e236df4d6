import shutil

import numpy as np
import onnxruntime as ort
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.cli import main
from hub.serving import bundle
from hub.serving.runtime import Generator, Sampling, choose_tokens, session_options
from plumbing.errors import InputError
from tests.cli_text import shows

# The shared tiny export (tests/conftest.py) is built once for the modules of this group.
pytestmark = pytest.mark.xdist_group("tiny-export")


@pytest.fixture(scope="module")
def hub_bundle(tiny_export):
    """The shared CLI export, a tar, safely extracted: (home, tar, folder)."""
    version, tar, folder = tiny_export
    return version.home, tar, folder


@pytest.fixture(scope="module")
def generator(hub_bundle):
    return Generator(hub_bundle[2], threads=1)


def flat(output):
    """CLI output without rich's box drawing and line wrapping."""
    return "".join(output.replace("│", "").split())


def plain_greedy(folder, ids, steps):
    """Greedy decoding of one unpadded prompt with nothing but onnxruntime and numpy.

    The cache grows by concatenation (a new present each step), not the shared buffer.
    """
    session = ort.InferenceSession(
        str(folder / bundle.MODEL_FP32), providers=["CPUExecutionProvider"]
    )
    past = {i.name: np.zeros((1, 2, 0, 32), np.float32) for i in session.get_inputs()[2:]}
    names = [o.name for o in session.get_outputs()]
    ids, x, out = list(ids), np.array([ids]), []
    for _ in range(steps):
        mask = np.ones((1, len(ids)), np.int64)
        logits, *present = session.run(names, {"input_ids": x, "attention_mask": mask, **past})
        token = int(logits[0, -1].argmax())
        ids.append(token)
        out.append(token)
        pairs = zip(names[1:], present, strict=True)
        past = {n.replace("present", "past_key_values"): v for n, v in pairs}
        x = np.array([[token]])
    return out


def test_batched_greedy_equals_plain_onnxruntime_per_prompt(hub_bundle):
    runner = Generator(hub_bundle[2], threads=1)
    prompts = runner.encode(["Guten Tag", "Bonjour, comment allez-vous", "Good"], "de")
    assert len({len(p) for p in prompts}) == 3  # different lengths, so rows are padded
    runner.special = {**runner.special, "eos": -1}  # random weights: run every step
    batched = runner.generate_ids(prompts, max_new_tokens=12)
    for prompt, row in zip(prompts, batched, strict=True):
        assert row == plain_greedy(hub_bundle[2], prompt, 12)


def test_sleeping_threads_give_the_same_greedy_tokens(hub_bundle):
    """`hub eval`'s sessions (idle threads sleep) compute what the default ones compute."""
    options = session_options(2, spin=False)
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    spinning, sleeping = Generator(hub_bundle[2]), Generator(hub_bundle[2], spin=False)
    prompts = spinning.encode(["Guten Tag", "Bonjour"], "de")
    assert sleeping.generate_ids(prompts, 8) == spinning.generate_ids(prompts, 8)


def test_rows_stop_at_their_own_end_of_sequence(hub_bundle):
    runner = Generator(hub_bundle[2], threads=1)
    prompts = runner.encode(["Guten Tag", "Good morning, how"], "en")
    runner.special = {**runner.special, "eos": -1}
    free = runner.generate_ids(prompts, max_new_tokens=8)
    # Make row 0's fourth token the end of sequence: row 0 stops, row 1 runs on unchanged.
    runner.special["eos"] = free[0][3]
    stopped = runner.generate_ids(prompts, max_new_tokens=8)
    assert stopped[0] == free[0][: free[0].index(free[0][3])]
    if free[0][3] not in free[1]:
        assert stopped[1] == free[1]


def test_sampling_is_reproducible_with_a_seed(generator):
    options = dict(lang="fr", max_new_tokens=16, temperature=1.0, top_k=50, top_p=0.95)
    first = generator.generate(["Bonjour", "Le chat"], seed=7, **options)
    again = generator.generate(["Bonjour", "Le chat"], seed=7, **options)
    other = generator.generate(["Bonjour", "Le chat"], seed=8, **options)
    assert first == again
    assert first != other


@pytest.mark.parametrize("precision", ["int8", "int4"])
def test_quantised_graphs_generate_what_onnxruntime_genai_generates(hub_bundle, precision):
    og = pytest.importorskip("onnxruntime_genai")
    ours = Generator(hub_bundle[2], precision=precision, threads=1)
    prompt = ours.encode(["Guten Tag"], "de")[0]
    ours.special = {**ours.special, "eos": -1}  # random weights: run every step
    mine = ours.generate_ids([prompt], max_new_tokens=10)[0]
    model = og.Model(str(hub_bundle[2] / f"genai-{precision}"))
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=len(prompt) + 10, do_sample=False)
    runner = og.Generator(model, params)
    runner.append_tokens(np.array([prompt], dtype=np.int32))
    while not runner.is_done():
        runner.generate_next_token()
    theirs = [int(t) for t in runner.get_sequence(0)[len(prompt) :]]
    assert len(mine) == 10 and mine[: len(theirs)] == theirs  # genai stops at <eos>


def test_streamed_pieces_add_up_to_the_text(generator):
    pieces: dict[int, str] = {0: "", 1: ""}

    def on_text(row, text):
        pieces[row] += text

    texts = generator.generate(
        ["Guten Tag", "Bonjour"], lang="de", max_new_tokens=12, stream_callback=on_text
    )
    assert [pieces[0], pieces[1]] == texts


def test_prompt_beyond_the_context_is_refused(generator):
    with pytest.raises(InputError, match="context of 64 tokens"):
        generator.generate_ids([[1] * 40], max_new_tokens=30)


@settings(max_examples=50, deadline=None)
@given(
    logits=st.lists(st.floats(-20, 20), min_size=3, max_size=30),
    top_k=st.integers(0, 5),
    top_p=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_sampled_tokens_stay_inside_top_k_and_top_p(logits, top_k, top_p, seed):
    row = np.array([logits], np.float32)
    token = int(choose_tokens(row, Sampling(1.0, top_k, top_p), np.random.default_rng(seed))[0])
    order = np.argsort(-row[0], kind="stable")
    if top_k:
        assert row[0, token] >= row[0, order[min(top_k, len(logits)) - 1]]
    probs = np.exp(row[0].astype(np.float64) - row[0].max())
    probs /= probs.sum()
    assert probs[probs > probs[token]].sum() < top_p + 1e-9  # inside the nucleus
    assert 0 <= token < len(logits)
    assert choose_tokens(row, Sampling(), None)[0] == row[0].argmax()


def test_generate_cli_streams_from_a_tar_bundle_and_from_the_registry(hub_bundle):
    home, tar, _ = hub_bundle
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "generate",
            "--bundle",
            str(tar),
            "--lang",
            "de",
            "--prompt",
            "Guten Tag",
            "--max-new-tokens",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Guten Tag") and len(result.output.strip()) > len("Guten Tag")
    result = runner.invoke(
        main,
        [
            "generate",
            "--region",
            "eu",
            "--home",
            str(home),
            "--prompt",
            "Hello",
            "--prompt",
            "Bonjour",
            "--int8",
            "--max-new-tokens",
            "4",
            "--temperature",
            "0.8",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Hello" in result.output and "Bonjour" in result.output


def test_prompts_file_and_unknown_language(hub_bundle, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Guten Tag\n\nBonjour\n", encoding="utf-8")
    args = ["generate", "--bundle", str(hub_bundle[2]), "--max-new-tokens", "3"]
    result = CliRunner().invoke(main, [*args, "--prompts", str(prompts)])
    assert result.exit_code == 0, result.output
    assert shows(result.output, "Guten Tag") and "Bonjour" in result.output
    result = CliRunner().invoke(main, [*args, "--prompt", "x", "--lang", "ja"])
    assert result.exit_code == 2 and "<ja>" in result.output
    assert not result.output.startswith("x")  # refused before anything is printed
    assert CliRunner().invoke(main, args).exit_code == 2  # no prompt at all


def test_cuda_is_refused_clearly_when_missing(hub_bundle):
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has CUDA")
    result = CliRunner().invoke(
        main, ["generate", "--bundle", str(hub_bundle[2]), "--prompt", "x", "--device", "cuda"]
    )
    assert result.exit_code == 2
    assert "CUDAExecutionProvider" in flat(result.output)


@pytest.mark.parametrize("damage", ["tamper", "truncate", "remove"])
def test_damaged_model_file_is_refused_naming_it(hub_bundle, tmp_path, damage):
    folder = tmp_path / "bundle"
    shutil.copytree(hub_bundle[2], folder)
    model = folder / bundle.MODEL_FP32
    data = model.read_bytes()
    if damage == "tamper":
        model.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "truncate":
        model.write_bytes(data[: len(data) // 2])
    else:
        model.unlink()
    with pytest.raises(InputError, match="model.onnx") as error:
        bundle.open_bundle(folder, tmp_path)
    expected = {"tamper": "differs from manifest", "truncate": "truncated", "remove": "missing"}
    assert expected[damage] in str(error.value)
    result = CliRunner().invoke(main, ["generate", "--bundle", str(folder), "--prompt", "x"])
    assert result.exit_code == 2 and "model.onnx" in flat(result.output)


def test_tampered_registry_model_is_refused(hub_bundle, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(hub_bundle[0], home)
    model = home / "eu" / "v1" / bundle.MODEL_INT8
    model.write_bytes(model.read_bytes()[:-10])
    result = CliRunner().invoke(
        main, ["generate", "--region", "eu", "--home", str(home), "--prompt", "x", "--int8"]
    )
    assert result.exit_code == 2
    # The manifest holds each file's size, so a cut file is named as such before hashing.
    assert bundle.MODEL_INT8 in flat(result.output) and "truncated" in result.output


def test_serving_never_imports_transformers(hub_bundle):
    import subprocess
    import sys

    # transformers is a test dependency: blocked here, generation must still work.
    code = (
        "import sys; sys.modules['transformers'] = None\n"
        "from hub.cli import main\n"
        f"main(['generate', '--bundle', {str(hub_bundle[2])!r}, '--prompt', 'Hallo',"
        " '--max-new-tokens', '3'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("Hallo")
