"""briefing: turn a day's news articles into a concise daily briefing (Markdown, PDF, JSON).

Heavy libraries (spaCy, onnxruntime, weasyprint) are imported lazily, inside the stages that need them,
so ``briefing --help`` starts fast.
"""

import os as _os

# spaCy's matrix maths run faster on one BLAS thread than on two fighting each other and the embedding model,
# which works on the other core meanwhile (bench/throughput.py: 100 articles 67 s -> 54 s wall). Set before
# numpy is first imported; a value the user set wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Offline means no phone-home attempt: onnxruntime's telemetry is off before anything can import it (it would
# otherwise write a usage database under HOME, or warn on stderr where HOME is not writable).
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
