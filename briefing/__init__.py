"""briefing: turn a day's news articles into a concise daily briefing (Markdown, PDF, JSON).

Heavy libraries (spaCy, onnxruntime, weasyprint) are imported lazily, inside the stages that need them,
so ``briefing --help`` starts fast.
"""

__version__ = "0.1.0"
