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
