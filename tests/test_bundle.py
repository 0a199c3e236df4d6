import io
import json
import os
import posixpath
import tarfile

import numpy as np
import onnx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from hub import manifest
from hub.serving import bundle
from hub.serving.runtime import Generator
from plumbing.errors import InputError


def make_bundle(folder):
    (folder / "genai-fp32").mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"weights" * 100)
    (folder / "tokenizer.json").write_text("{}")
    (folder / "genai-fp32" / "genai_config.json").write_text("{}")
    manifest.write_manifest(folder)
    return folder


def test_manifest_round_trip_and_every_kind_of_damage(tmp_path):
    folder = make_bundle(tmp_path / "b")
    assert bundle.verify_bundle(folder) == []
    (folder / "tokenizer.json").write_text("[]")
    (folder / "model.onnx").write_bytes(b"weights" * 50)
    (folder / "extra.onnx.data").write_bytes(b"x")
    problems = "\n".join(bundle.verify_bundle(folder))
    assert "tokenizer.json: sha256" in problems and "differs from manifest" in problems
    assert "model.onnx: 350 bytes, manifest expects 700" in problems
    assert "extra.onnx.data: not listed" in problems
    (folder / "genai-fp32" / "genai_config.json").write_text("[]")
    (folder / "genai-fp32" / "stray.onnx").write_text("")
    problems = "\n".join(bundle.verify_bundle(folder))
    assert "genai-fp32/genai_config.json: sha256" in problems
    assert "genai-fp32/stray.onnx: not listed" in problems
    (folder / "model.onnx").unlink()
    assert any("model.onnx: missing" in p for p in bundle.verify_bundle(folder))
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="manifest.json: not a readable JSON manifest"):
        bundle.verify_bundle(folder)
    for name in ("../outside.txt", "/etc/passwd", "genai-fp32/../../x", "a/b/c", "", "./x"):
        (folder / "manifest.json").write_text(json.dumps({"files": {name: "0" * 64}}))
        with pytest.raises(InputError, match="not a plain name inside the bundle"):
            bundle.verify_bundle(folder)


def tar_with(path, member, data=b"", **fields):
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo(member)
        for key, value in fields.items():
            setattr(info, key, value)
        info.size = len(data) if info.isfile() else 0
        archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


@pytest.mark.parametrize(
    ("member", "fields", "message"),
    [
        ("../escape.txt", {}, "outside the target"),
        ("a/../../escape.txt", {}, "outside the target"),
        ("/tmp/absolute.txt", {}, "absolute path"),
        ("link", {"type": tarfile.SYMTYPE, "linkname": "../../etc/passwd"}, "leading outside"),
        ("link", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, "leading outside"),
        ("hard", {"type": tarfile.LNKTYPE, "linkname": "../outside"}, "leading outside"),
        ("dev", {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}, "device"),
    ],
)
def test_unsafe_tar_members_are_refused_and_nothing_is_written(tmp_path, member, fields, message):
    tar = tar_with(tmp_path / "bad.tar", member, b"evil", **fields)
    target = tmp_path / "out" / "bundle"
    with pytest.raises(InputError, match=message):
        bundle.extract_tar(tar, target)
    assert not target.exists()
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_tar_round_trip_verifies_and_a_tampered_tar_leaves_nothing(tmp_path):
    folder = make_bundle(tmp_path / "b")
    bundle.write_tar(folder, tmp_path / "b.tar")
    extracted = bundle.extract_tar(tmp_path / "b.tar", tmp_path / "x")
    assert manifest.listed_files(extracted) == manifest.listed_files(folder)
    assert "genai-fp32/genai_config.json" in manifest.listed_files(extracted)
    (folder / "model.onnx").write_bytes(b"changed")
    with tarfile.open(tmp_path / "t.tar", "w") as archive:
        for path in folder.iterdir():
            archive.add(path, arcname=path.name)
    with pytest.raises(InputError, match="model.onnx"):
        bundle.extract_tar(tmp_path / "t.tar", tmp_path / "y")
    assert not (tmp_path / "y").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@given(st.lists(st.sampled_from(["a", "..", ".", "", "b.onnx", "/"]), min_size=1, max_size=6))
def test_no_accepted_member_name_escapes_the_target(parts):
    name = "/".join(parts)
    info = tarfile.TarInfo(name)
    if bundle._member_problem(info) is None:
        normal = posixpath.normpath(name)
        assert not normal.startswith(("..", "/"))


def onnx_with_external_data(folder, location, in_constant=False):
    """A one-node graph whose weight (an initializer or a Constant) lives at `location`."""
    weight = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
    weight.data_location = TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", location
    length = weight.external_data.add()
    length.key, length.value = "length", "16"
    weight.ClearField("raw_data")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
    if in_constant:
        nodes.insert(0, helper.make_node("Constant", [], ["w"], value=weight))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
        [] if in_constant else [weight],
    )
    path = folder / "model.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path


@pytest.mark.parametrize("in_constant", [False, True])
@pytest.mark.parametrize("location", ["../../outside.bin", "/etc/passwd", "missing.bin"])
def test_external_data_outside_the_bundle_is_refused_before_any_session(
    tmp_path, location, in_constant
):
    (tmp_path / "outside.bin").write_bytes(np.ones(4, np.float32).tobytes())
    folder = tmp_path / "bundle"
    (folder / "genai-fp32").mkdir(parents=True)
    (folder / "genai-fp32" / "genai_config.json").write_text("{}")
    path = onnx_with_external_data(folder / "genai-fp32", location, in_constant)
    with pytest.raises(InputError, match="not a file inside the bundle"):
        bundle.check_external_data(path, folder)
    # The runtime checks before it creates a session (or even reads the tokenizer), even
    # when the manifest vouches for the ONNX file itself.
    manifest.write_manifest(folder)
    with pytest.raises(InputError, match="not a file inside the bundle"):
        Generator(folder)


def test_external_data_inside_the_bundle_is_accepted(tmp_path):
    (tmp_path / "inside.bin").write_bytes(np.ones(4, np.float32).tobytes())
    bundle.check_external_data(onnx_with_external_data(tmp_path, "inside.bin"), tmp_path)


def test_an_entry_through_a_link_is_refused_without_reading_what_it_points_at(tmp_path):
    folder = make_bundle(tmp_path / "b")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "pipe")  # hashing it (or reading it at all) would block this test
    (folder / "genai-int8").symlink_to(outside, target_is_directory=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["genai-int8/pipe"] = "0" * 64
    manifest["bytes"]["genai-int8/pipe"] = 0
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="'genai-int8/pipe' is not a plain name"):
        bundle.verify_bundle(folder)


def test_a_truncated_tar_is_named_and_leaves_nothing(tmp_path):
    folder = make_bundle(tmp_path / "b")
    bundle.write_tar(folder, tmp_path / "b.tar")
    data = (tmp_path / "b.tar").read_bytes()
    with tarfile.open(tmp_path / "b.tar") as archive:  # cut inside each file's data
        cuts = [m.offset_data + m.size // 2 for m in archive.getmembers() if m.size > 1]
    assert len(cuts) >= 3
    for cut in cuts:
        (tmp_path / "cut.tar").write_bytes(data[:cut])
        with pytest.raises(InputError, match=r"cut.tar: (truncated or damaged tar|not a)"):
            bundle.extract_tar(tmp_path / "cut.tar", tmp_path / "out" / "x")
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_tar_limits_are_checked_before_extracting(tmp_path):
    many = tmp_path / "many.tar"
    with tarfile.open(many, "w") as archive:
        for i in range(bundle.MAX_TAR_MEMBERS + 1):
            archive.addfile(tarfile.TarInfo(f"f{i}"), io.BytesIO(b""))
    with pytest.raises(InputError, match=f"at most {bundle.MAX_TAR_MEMBERS:,}"):
        bundle.extract_tar(many, tmp_path / "out" / "x")
    # A member larger than the limit, in a sparse file (no disk used): refused from its
    # header, before a byte is extracted.
    bomb = tmp_path / "bomb.tar"
    info = tarfile.TarInfo("model.onnx")
    info.size = bundle.MAX_TAR_BYTES + 1
    header = info.tobuf(format=tarfile.PAX_FORMAT)
    bomb.write_bytes(header)
    os.truncate(bomb, len(header) + -(-info.size // 512) * 512 + 1024)
    with pytest.raises(InputError, match=f"at most {bundle.MAX_TAR_BYTES:,}"):
        bundle.extract_tar(bomb, tmp_path / "out" / "y")
    assert not (tmp_path / "out").exists()


def test_damaged_bundle_configs_are_named(tmp_path):
    folder = make_bundle(tmp_path / "b")
    (folder / "intl_config.json").write_text("{half", encoding="utf-8")
    with pytest.raises(InputError, match="intl_config.json: not a readable JSON model config"):
        bundle.read_product_config(folder)
    (folder / "intl_config.json").write_text('{"region": "eu"}', encoding="utf-8")
    with pytest.raises(InputError, match="intl_config.json: `model` is NoneType, expected a "
                       "`model` section.*export the bundle again"):
        bundle.read_product_config(folder)
    with pytest.raises(InputError, match="genai_config.json: config is list, expected a JSON "
                       "object; export the bundle again"):
        (folder / "genai-fp32" / "genai_config.json").write_text("[]")
        bundle.read_config(folder, "genai-fp32/genai_config.json")
