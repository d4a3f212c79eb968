"""Stage 7, output: a :class:`~briefing.models.Briefing` out to its readers.

* ``render``  — Markdown, PDF and JSON (the one Fact/Item -> JSON), with user templates before the packaged ones.
* ``archive`` and ``feed`` — the web archive (a page per date, an index) and the Atom feed.
* ``publish`` — ``index.md``/``latest.md`` and an optional commit for readers of a git repository.
* ``deliver`` and ``notify`` — email (with a retry queue) and chat/webhook posts.
* ``monitor`` — the ping to a monitoring service after every run.
"""
