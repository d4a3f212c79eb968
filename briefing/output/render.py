"""Render a Briefing as Markdown (for a git host), PDF (through weasyprint, for email) and JSON (for tools).

Templates are jinja2, looked up first in the user's folder (``config.templates``) and then in the packaged
``templates/`` folder at the top of the repository. The top-level templates (``briefing.md.j2``,
``briefing.html.j2``) only extend ``base.md.j2`` / ``base.html.j2``, whose blocks (header, takeaways,
key_figures, themes, since_yesterday, quotes, sources, footer) each include one partial under ``md/`` or
``html/``. A user can therefore

* replace one partial: put ``md/takeaways.md.j2`` in their folder, or
* replace one block: write a ``briefing.md.j2`` that ``{% extends "base.md.j2" %}`` and overrides it, or
* start over from the packaged file: ``{% extends "builtin/briefing.md.j2" %}`` always reaches the packaged
  template, even when the user's folder holds a file of the same name.

Article text is data. In Markdown every ``{{ expression }}`` is escaped automatically (the environment's
``finalize``) unless a filter marked it as already-safe Markdown; in HTML jinja's autoescape does the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
import traceback
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from ..config import Config
from ..errors import RenderError
from ..extract.dates import MONTH_NAMES, WEEKDAY_NAMES
from ..models import Briefing, Fact, Figure, Item, KeyFigure, cited_ids
from ..util import atomic
from ..util.urls import is_http_url



def _packaged_templates() -> Path:
    """Installed (pip, wheel): ``briefing/templates`` inside the package (pyproject maps the checkout's top-level
    ``templates/`` there). In a checkout or an editable install: the top-level ``templates/`` itself."""
    here = Path(__file__).resolve().parent.parent  # briefing/
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


PACKAGED_TEMPLATES = _packaged_templates()



@dataclass(frozen=True)
class Rendered:
    markdown: Path
    pdf: Path | None
    json: Path


# --------------------------------------------------------------------------------------------------- public API


def render(briefing: Briefing, out_dir: Path, config: Config) -> Rendered:
    """Write briefing.md, briefing.pdf (if config.pdf.enabled) and briefing.json into out_dir, each atomically
    (briefing.util.atomic.write_bytes/write_text)."""
    out_dir = Path(out_dir)
    # Render everything first, so a broken template leaves no half-updated set of files behind.
    md_text = render_markdown(briefing, config)
    pdf_bytes = render_pdf(briefing, config) if config.pdf.enabled else None
    json_text = json_text_of(briefing)
    try:  # one unit: the three files together or the old set, never a mix (a PDF of another run included)
        paths = atomic.write_set(out_dir, {"briefing.md": md_text.encode("utf-8"), "briefing.pdf": pdf_bytes,
                                           "briefing.json": json_text.encode("utf-8")})
    except OSError as exc:
        from ..errors import OutputError

        raise OutputError(f"cannot write the briefing into {out_dir}: {exc.strerror or exc}; the previous files "
                          "are unchanged") from exc
    return Rendered(markdown=paths["briefing.md"], pdf=paths.get("briefing.pdf"), json=paths["briefing.json"])


def render_markdown(briefing: Briefing, config: Config) -> str:
    """The briefing as GitHub/GitLab-flavoured Markdown. Byte-identical for the same Briefing (no timestamps)."""
    env = _environment(config, "md")
    text = _render_template(env, "briefing.md.j2", _context(briefing, config, "md"))
    return _tidy_markdown(text)


def render_html(briefing: Briefing, config: Config, template: str = "briefing.html.j2", **extra: Any) -> str:
    """The standalone HTML document weasyprint prints (CSS inlined from ``briefing.css``); another ``template``
    (the web archive's) gets the same context plus ``extra``."""
    return render_html_page(config, template, {**_context(briefing, config, "html"), **extra})


def render_html_page(config: Config, template: str, context: dict) -> str:
    """An HTML template (autoescaped) with ``css``, the inlined ``briefing.css``, added to ``context``."""
    env = _environment(config, "html")
    css = Markup(_load_css(env).replace("</", "<\\/"))
    return _render_template(env, template, {"css": css, **context})


def render_pdf(briefing: Briefing, config: Config) -> bytes:
    """The briefing as PDF bytes. weasyprint may read files inside the template folders and nothing else."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - weasyprint is a dependency
        raise RenderError(f"weasyprint is not installed: {exc}") from exc
    document = render_html(briefing, config)
    roots = _template_dirs(config)
    fetcher = SafeURLFetcher(roots)
    try:
        page_size = _css_page_size(config.pdf.page_size)
        extra = weasyprint.CSS(string=f"@page {{ size: {page_size}; }}", url_fetcher=fetcher)
        pdf = weasyprint.HTML(string=document, base_url=roots[0].as_uri() + "/", url_fetcher=fetcher).write_pdf(
            stylesheets=[extra])
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    return bytes(pdf)


def to_json(briefing: Briefing) -> dict:
    """The JSON contract other tools read. Keys may be added over time, never removed."""
    ids = [s.id for s in briefing.sources]
    return {
        "date": _iso(briefing.date),
        "generated_at": briefing.generated_at,
        "title": briefing.title,
        "takeaways": [_item_json(i) for i in briefing.takeaways],
        "themes": [{"key": s.key, "title": s.title, "items": [_item_json(i) for i in s.items]}
                   for s in briefing.sections],
        "key_figures": [_key_figure_json(k) for k in briefing.key_figures],
        "quotes": [{"speaker": q.speaker, "text": q.text, "sources": list(q.sources)} for q in briefing.quotes],
        "sources": [{"id": s.id, "number": s.number, "title": s.title, "outlet": s.outlet, "url": s.url,
                     "published": _iso(s.published), "path": s.path} for s in briefing.sources],
        "since_yesterday": [{"id": i.id, "text": i.text, "theme": i.theme, "novelty": i.novelty,
                             "sources": list(i.sources)} for i in briefing.since_yesterday],
        "events": _events_json(briefing.events),
        "stats": asdict(briefing.stats),
        "warnings": list(briefing.warnings),
        "source_ids": ids,
    }


def json_text_of(briefing: Briefing) -> str:
    """``to_json`` serialised the way ``briefing.json`` is written."""
    return json.dumps(to_json(briefing), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def markdown_to_email_html(markdown_text: str) -> str:
    """The Markdown rendered to a standalone HTML email body (python-markdown, with tables), safe: raw HTML in
    the Markdown is shown as text, links and images are kept only for http(s)/mailto/#fragment targets.

    Made for mail clients: every style is inlined on its element (many clients strip ``<style>`` blocks), and a
    source reference ``[n]`` links to the article itself (clients do not follow ``#sources`` inside a message);
    a source without a URL is plain text."""
    import markdown as md_lib

    converter = md_lib.Markdown(extensions=["tables", "sane_lists", "toc", _SafeHtmlExtension()],
                                output_format="html")
    body = converter.convert(_refs_to_articles(markdown_text))
    match = re.search(r"^#\s+(.+)$", markdown_text, flags=re.M)
    title = html.escape(_unescape_md(match.group(1)).strip() if match else "Briefing", quote=True)
    return _inline_styles(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n</head>\n<body>\n"
        f"<div class=\"briefing\">\n{body}\n</div>\n</body>\n</html>\n"
    )


_SOURCE_LINE = re.compile(r"^(\d+)\. .*?\]\((https?://[^)\s]+)\)", re.M)
_REF = re.compile(r"\[\[(\d+)\]\]\(#sources\)")


def _refs_to_articles(markdown_text: str) -> str:
    """``[[n]](#sources)`` -> ``[[n]](<article URL>)`` from the Markdown's own numbered sources list."""
    head, sep, sources = markdown_text.rpartition("\n## Sources\n")
    if not sep:
        return markdown_text
    urls = {m.group(1): m.group(2) for m in _SOURCE_LINE.finditer(sources)}

    def link(m: re.Match) -> str:
        url = urls.get(m.group(1))
        return f"[[{m.group(1)}]]({url})" if url else f"\\[{m.group(1)}\\]"

    return _REF.sub(link, head) + sep + sources


_EMAIL_STYLES = {
    "body": "margin:0;padding:0;background:#f4f5f7;",
    "div": "max-width:720px;margin:0 auto;padding:24px 28px;background:#ffffff;"
           "font-family:-apple-system,'Segoe UI','DejaVu Sans',Arial,sans-serif;font-size:15px;line-height:1.5;"
           "color:#1f2933;",
    "h1": "font-size:22px;margin:0 0 4px;color:#102a43;border-bottom:3px solid #1c5d99;padding-bottom:6px;",
    "h2": "font-size:17px;margin:24px 0 8px;color:#1c5d99;",
    "a": "color:#1c5d99;",
    "table": "border-collapse:collapse;width:100%;font-size:14px;",
    "th": "border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top;background:#f0f4f8;",
    "td": "border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top;",
    "blockquote": "margin:8px 0;padding:2px 12px;border-left:3px solid #9fb3c8;color:#334e68;",
    "code": "font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:13px;",
}
_OPEN_TAG = re.compile(r"<(%s)(?=[\s>])([^>]*)>" % "|".join(_EMAIL_STYLES))


def _inline_styles(document: str) -> str:
    """A ``style`` attribute on every element the email styles (python-markdown writes no style of its own)."""
    return _OPEN_TAG.sub(lambda m: f'<{m.group(1)} style="{_EMAIL_STYLES[m.group(1)]}"{m.group(2)}>', document)


# ------------------------------------------------------------------------------------------- Markdown escaping


class MdSafe(str):
    """A string that is already valid, safe Markdown: the Markdown environment prints it as is."""

    __slots__ = ()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#>])")
_MD_LEADING = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md_escape(value: Any) -> MdSafe:
    """Escape text for Markdown: backslash-escape ``\\ ` * _ [ ] | # >``, turn ``<`` into ``&lt;`` (python-
    markdown has no ``\\<``), neutralise entity-like ``&...;``, escape a leading ``-``/``+``/``=``/``1.`` and
    turn newlines into spaces. The result reads as the same text on GitHub, GitLab and python-markdown."""
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return MdSafe("")
    text = " ".join(str(value).split()) if ("\n" in str(value) or "\r" in str(value)) else str(value)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("<", "&lt;")
    m = _MD_LEADING.match(text)
    if m:
        lead, token = m.group(1), m.group(2)
        rest = text[m.end():]
        if token.isdigit():  # "1." -> "1\."
            text = f"{lead}{token}\\{rest}"
        else:
            text = f"{lead}\\{token}{rest}"
    return MdSafe(text)


def _unescape_md(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)
    return html.unescape(text)


def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (javascript:, data:, file:, relative...)."""
    if not url:
        return None
    url = "".join(str(url).split())  # browsers ignore whitespace inside schemes: "java\tscript:"
    return url if is_http_url(url) else None


def md_url(url: Any) -> MdSafe:
    """An http(s) URL ready for a Markdown link destination ``(...)``; empty for anything else."""
    good = safe_url(url)
    if good is None:
        return MdSafe("")
    quoted = urllib.parse.quote(good, safe="/:?#[]@!$&'*+,;=%~-._")
    quoted = quoted.replace("(", "%28").replace(")", "%29").replace("*", "%2A").replace("[", "%5B") \
        .replace("]", "%5D").replace("'", "%27")
    return MdSafe(quoted)


def md_code(value: Any) -> MdSafe:
    """Text as an inline code span, with a fence longer than any backtick run inside it."""
    text = " ".join(str(value or "").split())
    if not text:
        return MdSafe("")
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return MdSafe(f"{fence}{pad}{text}{pad}{fence}")


def _md_finalize(value: Any) -> Any:
    if isinstance(value, MdSafe):
        return value
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return md_escape(value)


# ---------------------------------------------------------------------------------------------- environments


def _template_dirs(config: Config) -> list[Path]:
    dirs: list[Path] = []
    user = config.templates
    if user is not None:
        user = Path(user)
        if not user.is_absolute():
            user = Path(config.base_dir) / user
        if user.is_dir():
            dirs.append(user.resolve())
    dirs.append(PACKAGED_TEMPLATES)
    return dirs


def _environment(config: Config, kind: str) -> jinja2.Environment:
    return _cached_environment(tuple(_template_dirs(config)), kind)


@functools.lru_cache(maxsize=16)
def _cached_environment(dirs: tuple[Path, ...], kind: str) -> jinja2.Environment:
    """One environment per template folders and kind, so each template is compiled once per process (the web
    archive renders hundreds of pages); jinja still reloads a template whose file changed on disk."""
    loader = jinja2.ChoiceLoader([
        *(jinja2.FileSystemLoader(str(d)) for d in dirs),
        jinja2.PrefixLoader({"builtin": jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES))}),
    ])
    if kind == "md":
        env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                                 finalize=_md_finalize, trim_blocks=True, lstrip_blocks=True,
                                 keep_trailing_newline=True)
        env.filters.update(md=md_escape, mdurl=md_url, mdcode=md_code, raw_md=lambda v: MdSafe(str(v)))
    else:
        env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True,
                                 trim_blocks=True, lstrip_blocks=True)
        env.filters.update(safe_url=safe_url)
    env.filters.update(longdate=long_date, shortdate=_short_date_filter, isodate=_iso)
    return env


def _render_template(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise RenderError(f"template {where}, line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name} (looked in {', '.join(map(str, _search(env)))})") \
            from exc
    except Exception as exc:
        where = _template_frame(exc) or (name, None)
        line = f", line {where[1]}" if where[1] else ""
        raise RenderError(f"template {where[0]}{line}: {type(exc).__name__}: {exc}") from exc


def _search(env: jinja2.Environment) -> list[str]:
    out = []
    for sub in getattr(env.loader, "loaders", []):
        out.extend(getattr(sub, "searchpath", []))
    return out


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line of an error raised while rendering (jinja rewrites tracebacks)."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".j2", ".jinja", ".html", ".md", ".css")) or "<template>" in frame.filename:
            found = (frame.filename, frame.lineno)
    return found


def _load_css(env: jinja2.Environment) -> str:
    try:
        source, _, _ = env.loader.get_source(env, "briefing.css")
    except jinja2.TemplateNotFound as exc:
        raise RenderError("template not found: briefing.css") from exc
    return source


def _css_page_size(size: str) -> str:
    size = (size or "A4").strip()
    if not re.fullmatch(r"[A-Za-z0-9. ]+", size):
        raise RenderError(f"pdf.page_size: not a CSS page size: {size!r}")
    return size


# ---------------------------------------------------------------------------------------------- context


def long_date(d: dt.date | None) -> str:
    """``Friday 1 April 2022`` (English whatever the locale)."""
    if d is None:
        return ""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def short_date(d: dt.date | None, reference: dt.date | None = None) -> str:
    """``29 Mar``, with the year when it differs from the reference date's."""
    if d is None:
        return ""
    text = f"{d.day} {MONTH_NAMES[d.month - 1][:3]}"
    if reference is None or d.year != reference.year:
        text += f" {d.year}"
    return text


def _short_date_filter(d: dt.date | None, reference: dt.date | None = None) -> str:
    return short_date(d, reference)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _context(briefing: Briefing, config: Config, kind: str) -> dict:
    """What every template sees: the briefing's parts, counts, and helpers (references, support labels, an
    item's date, the date a `new` item was first reported)."""
    numbers = {s.id: s.number for s in briefing.sources}

    def ref_numbers(ids: Iterable[str]) -> list[int]:
        out: list[int] = []
        for i in ids:
            n = numbers.get(i)
            if n is not None and n not in out:
                out.append(n)
        return sorted(out)

    if kind == "md":
        def refs(ids: Iterable[str]) -> MdSafe:
            return MdSafe("".join(f"[[{n}]](#sources)" for n in ref_numbers(ids)))
    else:
        def refs(ids: Iterable[str]) -> Markup:
            nums = ref_numbers(ids)
            if not nums:
                return Markup("")
            links = ",".join(f'<a href="#source-{n}">{n}</a>' for n in nums)
            return Markup(f'<sup class="refs">{links}</sup>')

    sections = tuple(s for s in briefing.sections if s.items)
    # Every event the reader sees once: the takeaways and the sections' items.
    item_ids: set[str] = {t.id for t in briefing.takeaways}
    for s in sections:
        item_ids.update(i.id for i in s.items)
    outlets = sorted({s.outlet.strip() for s in briefing.sources if s.outlet.strip()})
    cited = _cited(briefing)
    stats = briefing.stats
    return {
        "briefing": briefing,
        "config": config,
        "title": briefing.title,
        "date": briefing.date,
        "date_long": long_date(briefing.date),
        "generated_at": briefing.generated_at,
        "takeaways": briefing.takeaways,
        "sections": sections,
        "key_figures": briefing.key_figures,
        "quotes": briefing.quotes,
        "sources": briefing.sources,
        "cited_sources": tuple(s for s in briefing.sources if s.id in cited),
        "uncited_sources": tuple(s for s in briefing.sources if s.id not in cited),
        "since_yesterday": briefing.since_yesterday,
        "stats": stats,
        "counts": {
            "articles": stats.articles or len(briefing.sources),
            "outlets": len(outlets),
            "sentences": stats.sentences,
            "kept": len(item_ids),
            "sources": len(briefing.sources),
        },
        "refs": refs,
        "ref_numbers": ref_numbers,
        "support_label": support_label,
        "speaker_line": speaker_line,
        "item_date": lambda item: (short_date(item.date, briefing.date)
                                   if item.date is not None and item.date != briefing.date else ""),
        # A `new` event earlier days' articles already had (no earlier briefing showed it): "29 Mar".
        "first_reported": lambda item: (short_date(item.first_reported, briefing.date)
                                        if item.novelty == "new" and item.first_reported is not None
                                        and item.first_reported < briefing.date else ""),
        "plural": lambda n, one, many=None: one if n == 1 else (many or one + "s"),
    }


def _cited(briefing: Briefing) -> set[str]:
    """Ids of the articles that some line of the briefing refers to."""
    items = (*briefing.takeaways, *(it for s in briefing.sections for it in s.items), *briefing.since_yesterday)
    return set(cited_ids(items, briefing.key_figures, briefing.quotes))


def support_label(item: Item) -> str:
    """Compact support note: "3 outlets", "single source" or "claim by X, unconfirmed" ("unconfirmed claim" when
    the line itself names X) (plain text)."""
    kind = item.support.kind
    if kind == "claim":
        if (item.speaker and not speaker_line(item)) or _SAYS_WHO.search(item.text):
            # The line names who claims it (the speaker, or another party it quotes: "…, the White House said."):
            # a second name after it would contradict the line.
            return "unconfirmed claim"
        who = item.speaker or "one party"
        return f"claim by {who}, unconfirmed"
    if kind == "corroborated" or item.support.outlets >= 2:
        return f"{item.support.outlets} outlets"
    return "single source"


# A line that ends on its own attribution: ", the White House said." / ", Kremlin spokesman Dmitry Peskov told
# reporters."
_SAYS_WHO = re.compile(r",[\"”’]? (?:the |[A-Z])[\w .'’-]{2,60} (?:said|says|told [\w ]{2,30}|stated|added)\.$")


def speaker_line(item: Item) -> str:
    """The speaker to show after the item's text, or "" when the text already names them ("Medinsky said ..."
    needs no "— Vladimir Medinsky" after it): a person by their last name, anyone else by the whole name."""
    speaker = (item.speaker or "").strip()
    if not speaker:
        return ""
    name = re.sub(r"^(?:the|The)\s+", "", speaker)
    if re.search(rf"\b{re.escape(name)}\b", item.text, re.IGNORECASE):
        return ""
    words = speaker.split()
    if sum(w[:1].isupper() for w in words) >= 2 and words[-1][:1].isupper():
        # A person ("Russian Deputy Defense Minister Alexander Fomin"): their last name is enough.
        last = words[-1].strip(".,;:'’").removesuffix("'s").removesuffix("’s")
        if len(last) > 2 and last.upper() != last and re.search(rf"\b{re.escape(last)}\b", item.text):
            return ""
    return speaker


# ---------------------------------------------------------------------------------------------- JSON parts


def _figure_json(f: Figure) -> dict:
    return {"value": f.value, "unit": f.unit, "text": f.text, "qualifier": f.qualifier, "category": f.category}


def fact_json(fact: Fact) -> dict:
    """One fact as JSON (``briefing extract``), with the keys an item's JSON has where both have them."""
    return {
        "id": fact.id,
        "text": fact.text,
        "theme": fact.theme,
        "scores": dict(fact.scores),
        "sources": [fact.article_id],
        "speaker": fact.speaker,
        "quotes": list(fact.quotes),
        "figures": [_figure_json(f) for f in fact.figures],
        "date": _iso(fact.date),
        "hedged": fact.hedged,
        "entities": [{"text": e.text, "label": e.label} for e in fact.entities],
    }


def _item_json(item: Item) -> dict:
    return {
        "id": item.id,
        "text": item.text,
        "theme": item.theme,
        "sources": list(item.sources),
        "speaker": item.speaker,
        "figures": [_figure_json(f) for f in item.figures],
        "date": _iso(item.date),
        "support": {"outlets": item.support.outlets, "kind": item.support.kind},
        "novelty": item.novelty,
        "first_reported": _iso(item.first_reported),
        "previous": [{"category": c, "value": v} for c, v in item.previous] if item.novelty == "updated" else [],
        "changes": list(item.changes),
        "change_figures": [{"measure": m, "now": now, "before": before or None,
                            "before_date": since if since[:1].isdigit() else None, "detail": since == "detail"}
                           for m, now, before, since in item.change_figures],
        "hedged": item.hedged,
        "disputed_by": [_item_json(d) for d in item.disputed_by],
        "score": round(float(item.score), 4),
    }


def _events_json(events) -> list[dict]:
    """The day's events, shown or not, with each fact's anchors as the history keeps them (``fact_anchors``,
    aligned with ``facts``): what ``briefing history rebuild`` needs to rebuild the store as it was."""
    from ..history import fact_records

    records = fact_records(list(events))
    return [dict(_event_json(i), fact_anchors=records[i.id]) for i in events]


def _event_json(item: Item) -> dict:
    """One event of the day, shown or not, compact: what ``briefing history rebuild`` needs."""
    from ..events import anchors_of, pool

    return {
        "id": item.id,
        "text": item.text,
        "theme": item.theme,
        "sources": list(item.sources),
        "support": {"outlets": item.support.outlets, "kind": item.support.kind},
        "figures": [{"value": f.value, "category": f.category or f.unit} for f in item.figures],
        "novelty": item.novelty,
        "first_reported": _iso(item.first_reported),
        "anchors": pool(anchors_of(f) for f in item.facts).to_json(),
        "facts": list(dict.fromkeys(f.text for f in item.facts)),
    }


def _key_figure_json(k: KeyFigure) -> dict:
    return {
        "category": k.category,
        "label": k.label,
        "values": [{"text": text, "sources": list(ids)} for text, ids in k.values],
        "context": k.context,
        "sources": list(k.sources),
        "where": k.where,
        "rising": k.rising,
    }


# ---------------------------------------------------------------------------------------------- PDF fetcher


def _make_fetcher_base() -> type:
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # pragma: no cover - older weasyprint: a plain callable is enough
        return object
    return URLFetcher


class SafeURLFetcher(_make_fetcher_base()):  # type: ignore[misc]
    """weasyprint URL fetcher that reads only ``file:`` URLs inside the given folders and refuses everything
    else (http, https, data, ftp, files elsewhere on disk). Callable like weasyprint's default fetcher."""

    def __init__(self, roots: Iterable[Path]):
        try:
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        except TypeError:  # pragma: no cover
            super().__init__()
        self.roots = [Path(r).resolve() for r in roots]
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(urllib.request.url2pathname(urllib.parse.unquote(parts.path))).resolve()
        for root in self.roots:
            if path == root or root in path.parents:
                return path if path.is_file() else None
        return None

    def fetch(self, url: str, headers: Any = None):  # noqa: D401 - weasyprint API
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: only files inside the template folders are allowed")
        from weasyprint.urls import URLFetcherResponse

        data = path.read_bytes()
        mime = {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
                ".otf": "font/otf"}.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})

    def open(self, url, data=None, timeout=None):  # never let urllib's opener machinery reach the network
        full = url.full_url if hasattr(url, "full_url") else url
        return self.fetch(full)

    def __call__(self, url: str):
        return self.fetch(url)


# ---------------------------------------------------------------------------------------------- email HTML


def _safe_html_extension() -> type:
    import xml.etree.ElementTree as etree

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class _Scrub(Treeprocessor):
        def run(self, root):
            for parent in list(root.iter()):
                for child in list(parent):
                    if child.tag == "a":
                        href = child.get("href", "")
                        if not (href.startswith("#") or safe_url(href) or href.lower().startswith("mailto:")):
                            child.attrib.pop("href", None)
                        for attr in list(child.attrib):
                            if attr not in ("href", "title"):
                                child.attrib.pop(attr)
                    elif child.tag == "img":
                        src = child.get("src", "")
                        if not safe_url(src):
                            index = list(parent).index(child)
                            span = etree.Element("span")
                            span.text = child.get("alt", "")
                            span.tail = child.tail
                            parent.remove(child)
                            parent.insert(index, span)
            return None

    class SafeHtml(Extension):
        def extendMarkdown(self, md):  # noqa: N802 - python-markdown API
            for name in ("html_block",):
                if name in md.preprocessors:
                    md.preprocessors.deregister(name)
            for name in ("html",):
                if name in md.inlinePatterns:
                    md.inlinePatterns.deregister(name)
            md.treeprocessors.register(_Scrub(md), "briefing_scrub", 1)

    return SafeHtml


def _SafeHtmlExtension():  # noqa: N802
    return _safe_html_extension()()




# ---------------------------------------------------------------------------------------------- tidy


def _tidy_markdown(text: str) -> str:
    """Strip trailing spaces, collapse runs of blank lines, end with exactly one newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


__all__ = [
    "Rendered", "render", "render_markdown", "render_html", "render_html_page", "render_pdf", "to_json", "markdown_to_email_html",
    "md_escape", "safe_url", "SafeURLFetcher", "RenderError", "long_date",
]
