"""Three real days, run in order into one output folder, scored against a hand-made gold of key events.

    python bench/days.py [--days D1,D2,...] [--output DIR] [--keep] [--json] [--audit N]

The corpus is ``../shared/corpora/ukraine_news_2022-03-28_to_30.jsonl`` (``id, outlet, date, title, url, text``);
the gold is ``bench/days_gold.yaml`` (per day: key events, the articles reporting each, a keyword matcher, sentence
references by article id, offset and sha1, copy groups, and which events were already reported the day before).
No corpus text is stored in the project.

For each day, in order, that day's articles are written to a temporary ``.jsonl`` and the pipeline is called as
the command line does (``briefing run --input F --date D --output OUT --no-pdf``), so history carries across days.
Then ``OUT/D/briefing.json`` and ``briefing.md`` are read and scored:

* recall — a gold event counts when a shown item (takeaway or section item) matches its matcher and is filed
  under one of the event's acceptable themes (also printed ignoring the theme). Events carried over from the day
  before with no real update are left out of recall (a briefing may rightly mark them ``reported`` and drop them);
* split — events matched by 2+ different shown items (a takeaway and a section item with the same id or text
  count once, and show up as repeated text instead);
* sources joined — for each recalled event, the best item's articles ∩ the gold articles / the gold articles;
* noise — shown items that are headlines, boilerplate or captions, or cut-off lines;
* repeated pairs — two shown texts (takeaways, items, quotes, "since yesterday") sharing an 8-word run or
  ≥ 80 % of the shorter one's words;
* words shown — Markdown minus the sources list;
* lead and LexRank baselines at the briefing's word count, scored with the same matchers (no themes);
* history (issue 12) — events carried over from the day before that are shown as ``new``, ``updated`` items and
  whether the gold knows a real change, real updates caught; and over every event of the day, shown or not
  (``briefing.json`` ``events``, tied to the gold by its facts): repeats marked ``new``, new events marked
  ``reported`` (hidden as known) or ``updated`` (false matches).

``--audit N`` prints N merged items (2+ sources) with each source's sentence, for reading by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine_news_2022-03-28_to_30.jsonl"
DEFAULT_GOLD = ROOT / "bench" / "days_gold.yaml"
DEFAULT_MULTINEWS = ROOT.parent / "shared" / "corpora" / "multinews_validation_sample.jsonl"
MULTINEWS_DAY = "2000-01-01"
"""The date the Multi-News clusters of ``--audit-multinews`` are run under (a separate output folder)."""
_WORD = re.compile(r"[a-z0-9]+(?:['’.-][a-z0-9]+)*")


# --------------------------------------------------------------------------------------------------- matching

def normalize(text: str) -> str:
    """Lower case, plain quotes and dashes, no thousands separators ("5,000" -> "5000")."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    return re.sub(r"(?<=\d)[,\u202f](?=\d{3}\b)", "", text)


def _stem_re(stem: str) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])" + re.escape(normalize(stem)))


@dataclass(frozen=True)
class Matcher:
    """Any alternative matches when every one of its keyword groups has a stem at a word start; no excluded stem."""

    alternatives: tuple[tuple[tuple[re.Pattern, ...], ...], ...]
    exclude: tuple[re.Pattern, ...] = ()

    @classmethod
    def from_gold(cls, match: list, exclude: list | None = None) -> "Matcher":
        alts = tuple(tuple(tuple(_stem_re(s) for s in group) for group in alt) for alt in match)
        return cls(alts, tuple(_stem_re(s) for s in exclude or ()))

    def __call__(self, text: str) -> bool:
        norm = normalize(text)
        if any(p.search(norm) for p in self.exclude):
            return False
        return any(all(any(p.search(norm) for p in group) for group in alt) for alt in self.alternatives)


@dataclass(frozen=True)
class Event:
    id: str
    day: str
    description: str
    themes: tuple[str, ...]
    articles: tuple[str, ...]
    matcher: Matcher
    sentences: tuple[dict, ...] = ()
    carried_over: str | None = None
    update: str | None = None

    @property
    def scored(self) -> bool:
        """In the day's recall: new today, or known with a real update."""
        return self.carried_over is None or self.update is not None


@dataclass
class Gold:
    days: dict[str, list[Event]] = field(default_factory=dict)
    copy_groups: dict[str, list[list[str]]] = field(default_factory=dict)


def load_gold(path: Path = DEFAULT_GOLD) -> Gold:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    gold = Gold()
    for day, spec in raw["days"].items():
        day = str(day)
        gold.copy_groups[day] = [list(g["articles"]) for g in spec.get("copy_groups") or []]
        gold.days[day] = [
            Event(id=e["id"], day=day, description=e["description"], themes=tuple(e["themes"]),
                  articles=tuple(e["articles"]), matcher=Matcher.from_gold(e["match"], e.get("exclude")),
                  sentences=tuple(e.get("sentences") or ()), carried_over=e.get("carried_over"),
                  update=e.get("update"))
            for e in spec["events"]
        ]
    return gold


# --------------------------------------------------------------------------------------------------- corpus

def load_corpus(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_SEGMENTER = None


def sentences_with_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for every sentence of ``text``: paragraphs (line breaks) split further by pysbd."""
    global _SEGMENTER
    if _SEGMENTER is None:
        import pysbd

        _SEGMENTER = pysbd.Segmenter(language="en", clean=False)
    out = []
    pos = 0
    for para in text.split("\n"):
        start = pos
        pos += len(para) + 1
        if not para.strip():
            continue
        cursor = start
        for sent in _SEGMENTER.segment(para):
            s = sent.strip()
            if not s:
                continue
            off = text.find(s, cursor)
            if off < 0:
                continue
            out.append((off, s))
            cursor = off + len(s)
    return out


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def check_refs(gold: Gold, corpus: list[dict]) -> list[str]:
    """Problems with the gold's sentence references (offset/hash no longer pointing at a matching sentence)."""
    texts = {r["id"]: r["text"] for r in corpus}
    problems = []
    for day, events in gold.days.items():
        for ev in events:
            for ref in ev.sentences:
                text = texts.get(ref["article"])
                if text is None:
                    problems.append(f"{ev.id}: unknown article {ref['article']}")
                    continue
                sent = text[ref["offset"]:ref["offset"] + ref["length"]]
                if sha1(sent) != ref["sha1"]:
                    problems.append(f"{ev.id}: sentence at {ref['article']}:{ref['offset']} changed")
    return problems


# --------------------------------------------------------------------------------------------------- running

@dataclass
class DayRun:
    day: str
    briefing: dict
    markdown: str
    result: object = None
    """The pipeline's RunResult when it could be captured (items with their facts), else None."""
    seconds: float = 0.0


def run_days(corpus: list[dict], days: list[str], out_dir: Path, config: Path | None = None) -> list[DayRun]:
    """Each day's articles into a temporary .jsonl, then ``briefing run`` as the CLI does, in date order."""
    import briefing.pipeline as pipeline
    from briefing.cli import main as cli_main

    captured: dict = {}
    original = pipeline.run

    def keep_result(*args, **kwargs):
        captured["result"] = result = original(*args, **kwargs)
        return result

    runs = []
    with tempfile.TemporaryDirectory(prefix="briefing-days-") as tmp:
        for day in days:
            rows = [r for r in corpus if r.get("date") == day]
            path = Path(tmp) / f"{day}.jsonl"
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            argv = ["run", "--input", str(path), "--date", day, "--output", str(out_dir), "--no-pdf", "--quiet"]
            if config:
                argv[1:1] = ["--config", str(config)]
            captured.clear()
            start = time.perf_counter()
            pipeline.run = keep_result
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    code = cli_main(argv)
            finally:
                pipeline.run = original
            if code != 0:
                raise SystemExit(f"briefing run failed for {day} (exit {code})")
            run = read_day(out_dir, day)
            run.result, run.seconds = captured.get("result"), time.perf_counter() - start
            runs.append(run)
    return runs


def read_day(out_dir: Path, day: str) -> DayRun:
    day_dir = out_dir / day
    return DayRun(day, json.loads((day_dir / "briefing.json").read_text(encoding="utf-8")),
                  (day_dir / "briefing.md").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------- shown text

@dataclass
class Unit:
    """One shown item: a takeaway and a section item with the same id or text are one unit."""

    key: str
    text: str
    themes: set[str]
    sources: list[str]
    novelty: str | None
    places: list[str]
    raw: dict

    @property
    def line(self) -> str:
        speaker = self.raw.get("speaker") or ""
        return f"{self.text} {speaker}".strip()


def _tokens(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def _norm_key(text: str) -> str:
    return " ".join(_tokens(text))


def shown_units(briefing: dict) -> list[Unit]:
    units: dict[str, Unit] = {}
    by_text: dict[str, str] = {}

    def add(item: dict, theme: str | None, place: str) -> None:
        key = item.get("id") or _norm_key(item.get("text", ""))
        key = by_text.get(_norm_key(item.get("text", "")), key)
        if key in units:
            u = units[key]
            if theme:
                u.themes.add(theme)
            u.places.append(place)
            u.sources = sorted(set(u.sources) | set(item.get("sources") or []))
            return
        units[key] = Unit(key, item.get("text", ""), {theme} if theme else set(), list(item.get("sources") or []),
                          item.get("novelty"), [place], item)
        by_text[_norm_key(item.get("text", ""))] = key

    for t in briefing.get("takeaways") or []:
        add(t, t.get("theme"), "takeaway")
    for section in briefing.get("themes") or []:
        for it in section.get("items") or []:
            add(it, section.get("key") or it.get("theme"), f"section:{section.get('key')}")
    return list(units.values())


def shown_texts(briefing: dict) -> list[tuple[str, str]]:
    """(where, text) of every piece of text shown: takeaways, items, disputing claims, quotes, since yesterday."""
    out = []
    for t in briefing.get("takeaways") or []:
        out.append(("takeaway", t.get("text", "")))
    for section in briefing.get("themes") or []:
        for it in section.get("items") or []:
            out.append((f"{section.get('key')}", it.get("text", "")))
            for d in it.get("disputed_by") or []:
                out.append((f"{section.get('key')}/disputed", d.get("text", "") if isinstance(d, dict) else str(d)))
    for q in briefing.get("quotes") or []:
        out.append(("quote", q.get("text", "")))
    for s in briefing.get("since_yesterday") or []:
        out.append(("since", s.get("text", "") if isinstance(s, dict) else str(s)))
    return [(w, t) for w, t in out if t]


def words_shown(markdown: str) -> int:
    """Words of the Markdown before the sources list, reference markers and link targets left out."""
    body = re.split(r"^## Sources\b", markdown, maxsplit=1, flags=re.M)[0]
    body = re.sub(r"\[\[\d+\]\]\(#[^)]*\)", " ", body)
    body = re.sub(r"\]\([^)]*\)", "]", body)
    return sum(1 for w in body.split() if re.search(r"[A-Za-z0-9]", w))


# --------------------------------------------------------------------------------------------------- noise

_BOILERPLATE = re.compile(
    r"may not be (?:published|reproduced)|rewritten or redistributed|all rights reserved|\bmin(?:ute)? read\b|"
    r"\((?:reuters|afp|ap|ians)\)\s*[-–—]|^\s*details:|click here|read more|subscribe|sign up|cookies?\b|"
    r"skip to (?:main )?content|newsletter|follow us|share this|advertisement|this post can'?t be displayed|"
    r"pic\.twitter|https?://|\bupdated:? \d|^\s*(?:photo|image|video|source)s?:|getty images|stock photo|"
    r"file photo|/ ?afp\b|\| ?anadolu|\bphotograph:|\bcaption\b|©", re.I)


_SMALL_WORDS = set("a an and as at but by for from in into of on or the to with vs".split())


def _is_headline(text: str, titles: list[str]) -> bool:
    from difflib import SequenceMatcher

    # Set in title case, whatever the page's title says ("Putin-Zelensky Meeting Possible Only After ...").
    content = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w.lower() not in _SMALL_WORDS]
    if 4 <= len(content) <= 14 and all(w[0].isupper() for w in content):
        return True
    toks = _tokens(text)
    for title in titles:
        tt = _tokens(title)
        if not tt:
            continue
        if toks == tt or SequenceMatcher(None, toks, tt).ratio() >= 0.85:
            return True
        joined, tj = " ".join(toks), " ".join(tt)
        if tj in joined and (len(toks) - len(tt) <= 3 or len(tt) >= 0.5 * len(toks)):
            return True
    return False


def _is_cut(text: str) -> str | None:
    t = text.strip()
    if not t:
        return "empty"
    if t.endswith(("...", "…")):
        return "ends in an ellipsis"
    if not re.search(r"[.!?][\"'”’)\]]*$", t):
        return "no sentence end"
    if t[0].islower():
        return "starts mid-sentence"
    if t.count('"') % 2 or t.count("“") != t.count("”"):
        return "unbalanced quotes"
    return None


def noise_reasons(text: str, titles: list[str], since: bool = False) -> list[str]:
    """Why a shown line is noise. A since-yesterday line tells an event by one of its articles' headlines on
    purpose ("New: <headline>."), so a headline is no noise there; cut-offs and boilerplate still are."""
    reasons = []
    if not since and _is_headline(text, titles):
        reasons.append("headline")
    if _BOILERPLATE.search(text):
        reasons.append("boilerplate/caption")
    cut = _is_cut(text)
    if cut:
        reasons.append(f"cut-off ({cut})")
    return reasons


# --------------------------------------------------------------------------------------------------- repeats

_STOP = set("a an the of to in on at for and or but is are was were be been by with from that this it its as has "
            "have had he she they we i you his her their our not no will would said says say".split())


def repeated(a: str, b: str, run: int = 8, overlap: float = 0.8) -> str | None:
    ta, tb = _tokens(a), _tokens(b)
    if ta and ta == tb:
        return "same text"
    short, long_ = sorted((" ".join(ta), " ".join(tb)), key=len)
    if len(short.split()) >= 4 and f" {short} " in f" {long_} ":
        return "one contains the other"
    grams = {tuple(ta[i:i + run]) for i in range(len(ta) - run + 1)}
    if any(tuple(tb[i:i + run]) in grams for i in range(len(tb) - run + 1)):
        return f"shares {run} words in a row"
    ca, cb = {w for w in ta if w not in _STOP}, {w for w in tb if w not in _STOP}
    if min(len(ca), len(cb)) >= 4 and len(ca & cb) / min(len(ca), len(cb)) >= overlap:
        return f"{len(ca & cb)}/{min(len(ca), len(cb))} words shared"
    return None


def repeated_pairs(texts: list[tuple[str, str]]) -> list[tuple[str, str, str, str, str]]:
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            why = repeated(texts[i][1], texts[j][1])
            if why:
                out.append((texts[i][0], texts[i][1], texts[j][0], texts[j][1], why))
    return out


# --------------------------------------------------------------------------------------------------- baselines

_END = "\u2063"  # an invisible separator glued to each sentence's last word: not a word, survives truncation


class _ParagraphTokenizer:
    """rouge.py's pysbd tokenizer, but a line break always ends a sentence (headlines, captions, list items), and
    each sentence ends with ``_END`` so that the summary can be split back into the sentences picked."""

    def __init__(self) -> None:
        from rouge import SentenceTokenizer

        self._inner = SentenceTokenizer()
        self.language = self._inner.language

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s + _END for line in paragraph.split("\n") if line.strip() for s in self._inner.to_sentences(line)]

    def to_words(self, sentence: str) -> list[str]:
        return self._inner.to_words(sentence)


def baseline_sentences(kind: str, documents: list[str], budget: int) -> list[str]:
    """The lead or LexRank summary at ``budget`` words, split back into sentences for the matchers."""
    from rouge import lead_summary, sumy_summary

    tokenizer = _ParagraphTokenizer()
    docs = [re.sub(r"\n\s*\n+", "\n", d).strip() for d in documents if d.strip()]
    if kind == "lead":  # lead_summary turns blank lines into spaces: lines stay lines
        text = lead_summary(docs, budget, tokenizer)
    else:  # sumy joins the lines of a paragraph: every line becomes a paragraph
        text = sumy_summary(kind, [d.replace("\n", "\n\n") for d in docs], budget, tokenizer)
    return [part.strip() for part in text.split(_END) if part.strip()]


# --------------------------------------------------------------------------------------------------- scoring

def score_day(run: DayRun, events: list[Event], articles: list[dict], previous: list[Event] | None,
              baselines: bool = True, shown_before: set[str] | None = None) -> dict:
    """One day's figures. ``shown_before``: the previous day's gold events its briefing showed (an item matched
    them), to tell carried-over events the reader saw from those only the articles had."""
    briefing = run.briefing
    units = shown_units(briefing)
    titles = [r.get("title") or "" for r in articles]
    scored = [e for e in events if e.scored]
    per_event = []
    for ev in events:
        hits = [u for u in units if ev.matcher(u.line)]
        themed = [u for u in hits if u.themes & set(ev.themes)]
        best = max(hits, key=lambda u: (len(set(u.sources) & set(ev.articles)), -units.index(u)), default=None)
        joined = len(set(best.sources) & set(ev.articles)) if best else 0
        since = [s for s in briefing.get("since_yesterday") or [] if isinstance(s, dict) and ev.matcher(
            f"{s.get('text', '')} {s.get('speaker') or ''}")]
        per_event.append({
            "id": ev.id, "scored": ev.scored, "carried_over": ev.carried_over, "update": ev.update,
            "recalled": bool(themed), "recalled_any_theme": bool(hits), "items": len(hits),
            "item_texts": [f"[{'/'.join(sorted(u.themes))}|{u.novelty}] {u.text}" for u in hits],
            "joined": joined, "gold_articles": len(ev.articles),
            "novelty": sorted({u.novelty or "?" for u in hits} | {s.get("novelty") or "?" for s in since}),
        })
    rec = [p for p in per_event if p["scored"]]
    noise = []
    for u in units + [Unit("since", s.get("text", ""), set(), [], s.get("novelty"), ["since"], s)
                      for s in briefing.get("since_yesterday") or [] if isinstance(s, dict)]:
        why = noise_reasons(u.text, titles, since=u.places == ["since"])
        if why:
            noise.append({"where": ",".join(u.places), "text": u.text, "why": why})
    unmatched = [f"[{'/'.join(sorted(u.themes))}] {u.text}" for u in units if not any(e.matcher(u.line) for e in events)]
    pairs = repeated_pairs(shown_texts(briefing))
    words = words_shown(run.markdown)
    out = {
        "day": run.day, "seconds": round(run.seconds, 1), "events": len(events), "scored": len(scored),
        "recall": sum(p["recalled"] for p in rec), "recall_any_theme": sum(p["recalled_any_theme"] for p in rec),
        "split": [p["id"] for p in rec if p["items"] >= 2],
        "joined": sum(p["joined"] for p in rec if p["recalled_any_theme"]),
        "joined_of": sum(p["gold_articles"] for p in rec if p["recalled_any_theme"]),
        "joined_ratios": [p["joined"] / p["gold_articles"] for p in rec if p["recalled_any_theme"]],
        "noise": noise, "repeated": [dict(zip(("where_a", "a", "where_b", "b", "why"), p)) for p in pairs],
        "words": words, "items_shown": len(units), "unmatched_items": unmatched, "since_yesterday": len(briefing.get("since_yesterday") or []),
        "events_detail": per_event,
    }
    if baselines:
        docs = [r["text"] for r in articles]
        for kind in ("lead", "lexrank"):
            sents = baseline_sentences(kind, docs, words)
            hit = [e.id for e in scored if any(e.matcher(s) for s in sents)]
            out[kind], out[f"{kind}_events"] = len(hit), hit
    out.update(history_marks(briefing, units, events, per_event, shown_before or set())
               if previous is not None else {})
    out.update(history_events(briefing, events, articles, shown_before) if previous is not None else {})
    return out


def history_marks(briefing: dict, units: list[Unit], events: list[Event], per_event: list[dict],
                  shown_before: set[str] = frozenset()) -> dict:
    """Issue 12: carried-over events shown as new — split by whether the previous briefing showed them (must be
    0: the reader saw it) or only its articles had them (`new` is then right: the reader never saw it) —,
    `updated` items and whether the gold knows a real change."""
    carried_new = [p for p in per_event if p["carried_over"] and "new" in p["novelty"]]
    repeated_new = [p["id"] for p in carried_new if p["carried_over"] in shown_before]
    articles_new = [p["id"] for p in carried_new if p["carried_over"] not in shown_before]
    caught = [p["id"] for p in per_event if p["carried_over"] and p["update"] and "updated" in p["novelty"]]
    updates_due = [p["id"] for p in per_event if p["carried_over"] and p["update"]]
    updated = []
    pool = [(u.text, u.raw) for u in units if u.novelty == "updated"]
    pool += [(s.get("text", ""), s) for s in briefing.get("since_yesterday") or []
             if isinstance(s, dict) and s.get("novelty") == "updated"]
    seen = set()
    for text, raw in pool:
        if _norm_key(text) in seen:
            continue
        seen.add(_norm_key(text))
        line = f"{text} {raw.get('speaker') or ''}"
        matched = [e for e in events if e.matcher(line)]
        if any(e.carried_over and e.update for e in matched):
            verdict = "real change"
        elif any(e.carried_over for e in matched):
            verdict = "FALSE: no change since the day before"
        elif matched:
            verdict = "FALSE: not reported the day before"
        else:
            verdict = "no gold event: review"
        updated.append({"text": text, "events": [e.id for e in matched], "verdict": verdict,
                        "previous": raw.get("previous"), "first_reported": raw.get("first_reported")})
    return {"carried_shown_new": repeated_new, "carried_articles_new": articles_new, "updates_caught": caught,
            "updates_due": updates_due,
            "updated_items": updated,
            "false_updated": sum(1 for u in updated if u["verdict"].startswith("FALSE"))}


def _event_gold(record: dict, events: list[Event], texts: dict[str, str]) -> list[Event]:
    """The gold events one of the day's events (``briefing.json`` ``events``, shown or not) reports: one of its
    facts is (most of) a gold sentence of an article among its sources, or its text matches the gold's matcher
    and it cites one of the gold's articles."""
    sources = set(record.get("sources") or [])
    facts = [set(_tokens(t)) for t in record.get("facts") or [] if isinstance(t, str)]
    out = []
    for ev in events:
        hit = False
        for ref in ev.sentences:
            if ref["article"] not in sources or ref["article"] not in texts:
                continue
            sent = set(_tokens(texts[ref["article"]][ref["offset"]:ref["offset"] + ref["length"]]))
            if any(f and sent and len(f & sent) >= 0.6 * min(len(f), len(sent)) for f in facts):
                hit = True
                break
        if hit or (ev.matcher(record.get("text", "")) and sources & set(ev.articles)):
            out.append(ev)
    return out


def history_events(briefing: dict, events: list[Event], articles: list[dict],
                   shown_before: set[str] | None = None) -> dict:
    """Issue 12, over every event of the day (``briefing.json`` ``events``, shown or not): events reporting only
    gold events already reported the day before yet marked `new` (repeats), and events reporting only gold
    events new that day yet marked `reported` (a new event hidden as known: the worst mistake) or `updated`
    (a false match). With ``shown_before``, repeats of events the previous briefing did not show are listed apart
    (``events_repeated_new_articles``: `new` is right for them)."""
    texts = {r["id"]: r.get("text") or "" for r in articles}
    repeats, repeats_articles, hidden, false_updated = [], [], [], []
    for record in briefing.get("events") or []:
        gold = _event_gold(record, events, texts)
        if not gold:
            continue
        carried = all(e.carried_over for e in gold)
        fresh = not any(e.carried_over for e in gold)
        line = f"{','.join(e.id for e in gold)}: {record.get('text', '')[:120]}"
        if carried and record.get("novelty") == "new":
            seen = shown_before is None or any(e.carried_over in shown_before for e in gold)
            (repeats if seen else repeats_articles).append(line)
        elif fresh and record.get("novelty") == "reported":
            hidden.append(line)
        elif fresh and record.get("novelty") == "updated":
            false_updated.append(line)
    return {"events_repeated_new": repeats, "events_repeated_new_articles": repeats_articles,
            "events_hidden_new": hidden, "events_false_updated": false_updated}


# --------------------------------------------------------------------------------------------------- audit

def merged_items(runs: list[DayRun], corpus: list[dict]) -> list[dict]:
    """Events with 2+ sources, shown items first, then the day's other events (``events`` in briefing.json), each
    source with the fact that put it there (or, when the facts are not at hand, its closest sentence)."""
    texts = {r["id"]: r for r in corpus}
    out = []
    for run in runs:
        facts_by_item: dict[str, list[tuple[str, str]]] = {}
        if run.result is not None:
            b = run.result.briefing
            for it in (*getattr(b, "events", ()), *b.takeaways, *(i for s in b.sections for i in s.items)):
                facts_by_item[it.id] = [(f.article_id, f.text) for f in it.facts]
        candidates = [(u.key, u.text, u.sources, u.places) for u in shown_units(run.briefing)]
        shown_ids = {c[0] for c in candidates}
        candidates += [(e.get("id"), e.get("text", ""), list(e.get("sources") or []), ["not shown"])
                       for e in run.briefing.get("events") or [] if e.get("id") not in shown_ids]
        for key, text, sources, places in candidates:
            if len(set(sources)) < 2:
                continue
            facts = facts_by_item.get(key, [])
            rows = []
            for src in dict.fromkeys(sources):
                own = [t for a, t in facts if a == src]
                if own:
                    rows.append((src, own[0], "fact"))
                    continue
                sents = [s for _, s in sentences_with_offsets(texts.get(src, {}).get("text", ""))]
                best = max(sents, key=lambda s: len(set(_tokens(s)) & set(_tokens(text))), default="")
                rows.append((src, best, "closest sentence"))
            out.append({"day": run.day, "id": key, "text": text, "where": places, "sources": rows})
    return out


def multinews_rows(path: Path, clusters: int, day: str) -> list[dict]:
    """The first ``clusters`` Multi-News clusters as one day's articles (ids ``<cluster>-<k>``), for the audit:
    a merge across two clusters is a false merge for sure; merges inside a cluster still need reading."""
    from rouge import clean_document, load

    return [{"id": f"{c['id']}-{k}", "outlet": f"{c['id']} source {k}", "date": day, "title": "", "url": "",
             "text": clean_document(doc)}
            for c in load(path, clusters) for k, doc in enumerate(c["documents"]) if doc.strip()]


def print_audit(items: list[dict], n: int, corpus: list[dict]) -> None:
    outlets = {r["id"]: r.get("outlet") or "?" for r in corpus}
    print(f"{min(n, len(items))} of {len(items)} merged items (2+ sources); does each source report the same event?")
    for k, it in enumerate(items[:n], 1):
        flag = ""
        if it["day"] == MULTINEWS_DAY and len({src.rsplit("-", 1)[0] for src, _, _ in it["sources"]}) > 1:
            flag = "  ** sources from 2+ Multi-News clusters: a false merge **"
        print(f"\n[{k}] {it['day']} {it['id']} ({', '.join(it['where'])}){flag}\n    ITEM: {it['text']}")
        for src, sent, how in it["sources"]:
            print(f"    - {src} ({outlets.get(src, '?')}, {how}): {sent[:300]}")


# --------------------------------------------------------------------------------------------------- report

def _pct(a: int, b: int) -> str:
    return f"{a}/{b}" + (f" {100 * a / b:.0f}%" if b else "")


def totals(days: list[dict]) -> dict:
    t = {k: sum(d[k] for d in days) for k in ("events", "scored", "recall", "recall_any_theme", "joined",
                                                "joined_of", "words", "items_shown")}
    for k in ("lead", "lexrank"):
        if all(k in d for d in days):
            t[k] = sum(d[k] for d in days)
    t["split"] = sum(len(d["split"]) for d in days)
    t["noise"] = sum(len(d["noise"]) for d in days)
    t["repeated"] = sum(len(d["repeated"]) for d in days)
    ratios = [r for d in days for r in d["joined_ratios"]]
    t["joined_mean"] = round(sum(ratios) / len(ratios), 3) if ratios else 0.0
    hist = [d for d in days if "carried_shown_new" in d]
    t["carried_shown_new"] = sum(len(d["carried_shown_new"]) for d in hist)
    t["carried_articles_new"] = sum(len(d.get("carried_articles_new") or []) for d in hist)
    t["false_updated"] = sum(d["false_updated"] for d in hist)
    t["updates_caught"] = sum(len(d["updates_caught"]) for d in hist)
    t["updates_due"] = sum(len(d["updates_due"]) for d in hist)
    for k in ("events_repeated_new", "events_repeated_new_articles", "events_hidden_new", "events_false_updated"):
        t[k] = sum(len(d.get(k) or []) for d in hist)
    return t


def print_report(days: list[dict], total: dict) -> None:
    cols = ("day", "events", "recall", "any-theme", "split", "joined", "noise", "repeat", "words", "lead", "lexrank",
            "new!", "new(art)", "upd ok/F/due")
    rows = []
    for d in days + [dict(total, day="total")]:
        count = (lambda k: d[k] if isinstance(d[k], int) else len(d[k]))
        hist = "carried_shown_new" in d and (d is not days[0])
        rows.append((
            d["day"], str(d["events"]), _pct(d["recall"], d["scored"]), _pct(d["recall_any_theme"], d["scored"]),
            str(count("split")), _pct(d["joined"], d["joined_of"]), str(count("noise")), str(count("repeated")),
            str(d["words"]), str(d.get("lead", "-")), str(d.get("lexrank", "-")),
            str(count("carried_shown_new")) if hist else "-",
            str(count("carried_articles_new")) if hist and "carried_articles_new" in d else "-",
            f"{count('updates_caught')}/{d['false_updated']}/{count('updates_due')}" if hist else "-"))
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cols, widths))))
    for r in rows:
        print("  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
    print(f"\nrecall: gold events (new that day, or known with a real update) shown under an acceptable theme;"
          f" any-theme ignores the theme.\nsplit: events shown as 2+ items. joined: best item's articles within the "
          f"gold articles, summed (mean per event {total['joined_mean']:.2f}).\nlead, lexrank: events those baselines "
          f"recall at the same word count (no themes). new!: events the day before's briefing showed, shown as `new`"
          f" (must be 0);\nnew(art): events only the day before's articles had, shown as `new` (right: never shown).\n"
          f"upd: real updates caught / false `updated` items / real updates in the gold.\n"
          f"all events (shown or not), history: {total['events_repeated_new']} repeats of shown events marked `new` "
          f"({total['events_repeated_new_articles']} more of events only the articles had), "
          f"{total['events_hidden_new']} new events marked `reported` (hidden), {total['events_false_updated']} new "
          f"events marked `updated`.")


def print_details(days: list[dict]) -> None:
    for d in days:
        print(f"\n=== {d['day']} ({d['items_shown']} items, {d['since_yesterday']} since-yesterday lines, "
              f"{d['seconds']}s)")
        for p in d["events_detail"]:
            if not p["scored"] and not p["items"]:
                continue
            mark = "ok " if p["recalled"] else ("thm" if p["recalled_any_theme"] else "-- ")
            if not p["scored"]:
                mark = "old"
            extra = f" carried from {p['carried_over']}" if p["carried_over"] else ""
            print(f"  {mark} {p['id']}: {p['items']} item(s), joined {p['joined']}/{p['gold_articles']}"
                  f", novelty {','.join(p['novelty']) or '-'}{extra}")
            if p["items"] >= 2 or (p["carried_over"] and "new" in p["novelty"]):
                for t in p["item_texts"]:
                    print(f"        · {t[:160]}")
        for kind in ("lead", "lexrank"):
            if f"{kind}_events" in d:
                missed = [p["id"] for p in d["events_detail"] if p["scored"] and p["id"] not in d[f"{kind}_events"]]
                print(f"  {kind} misses: {', '.join(missed) or '-'}")
        for t in d.get("unmatched_items", []):
            print(f"  no gold event: {t[:150]}")
        for n in d["noise"]:
            print(f"  NOISE [{n['where']}] {', '.join(n['why'])}: {n['text'][:150]}")
        for r in d["repeated"]:
            print(f"  REPEAT {r['why']}: [{r['where_a']}] {r['a'][:70]!r} ~ [{r['where_b']}] {r['b'][:70]!r}")
        for u in d.get("updated_items", []):
            prev = f" previous={u['previous']}" if u.get("previous") else ""
            print(f"  UPDATED {u['verdict']} {u['events']}: {u['text'][:140]}{prev}")
        if d.get("carried_shown_new"):
            print(f"  CARRIED-OVER (SHOWN THE DAY BEFORE) SHOWN AS NEW: {', '.join(d['carried_shown_new'])}")
        if d.get("carried_articles_new"):
            print(f"  carried-over (articles only the day before) shown as new: {', '.join(d['carried_articles_new'])}")
        for key, label in (("events_repeated_new", "EVENT REPEAT MARKED NEW"),
                           ("events_repeated_new_articles", "event repeat (articles only before) marked new"),
                           ("events_hidden_new", "NEW EVENT MARKED REPORTED (hidden)"),
                           ("events_false_updated", "NEW EVENT MARKED UPDATED")):
            for line in d.get(key) or []:
                print(f"  {label}: {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON lines: id, outlet, date, title, url, text")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="the gold events (YAML)")
    parser.add_argument("--days", default=None, help="comma-separated dates, in order (default: all the gold's days)")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary output folder and print its path")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml", help="briefing config file")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-baselines", action="store_true", help="skip the lead and LexRank baselines")
    parser.add_argument("--score-only", action="store_true",
                        help="score the briefings already in --output (no run; the audit then shows closest sentences)")
    parser.add_argument("--audit", type=int, metavar="N", default=0,
                        help="print N merged items with each source's sentence (false-merge audit) instead of scores")
    parser.add_argument("--audit-multinews", type=int, metavar="K", default=0,
                        help="with --audit: also run the first K Multi-News clusters as one day and audit its merges")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH); nothing to benchmark", file=sys.stderr)
        return 0
    gold = load_gold(args.gold)
    corpus = load_corpus(args.corpus)
    problems = check_refs(gold, corpus)
    for p in problems:
        print(f"warning: gold sentence reference: {p}", file=sys.stderr)
    days = args.days.split(",") if args.days else sorted(gold.days)
    unknown = [d for d in days if d not in gold.days]
    if unknown:
        print(f"no gold for {', '.join(unknown)} (gold days: {', '.join(sorted(gold.days))})", file=sys.stderr)
        return 2
    if args.score_only and not args.output:
        print("--score-only needs --output DIR", file=sys.stderr)
        return 2
    if args.output:
        if not args.score_only and ((args.output / days[0]).exists() or (args.output / "history.sqlite").exists()):
            print(f"note: {args.output} already holds briefings; history from earlier runs may count", file=sys.stderr)
        out_dir, temporary = args.output, False
    else:
        out_dir, temporary = Path(tempfile.mkdtemp(prefix="briefing-days-out-")), True
    config = args.config if args.config and args.config.is_file() else None
    try:
        start = time.perf_counter()
        if args.score_only:
            runs = [read_day(out_dir, day) for day in days]
        else:
            runs = run_days(corpus, days, out_dir, config)
        if args.audit:
            items, pool = merged_items(runs, corpus), list(corpus)
            if args.audit_multinews and DEFAULT_MULTINEWS.is_file():
                rows = multinews_rows(DEFAULT_MULTINEWS, args.audit_multinews, MULTINEWS_DAY)
                mn_out = out_dir / "multinews"
                mn_runs = (run_days(rows, [MULTINEWS_DAY], mn_out, config) if not args.score_only
                           else [read_day(mn_out, MULTINEWS_DAY)])
                items, pool = items + merged_items(mn_runs, rows), pool + rows
            print_audit(items, args.audit, pool)
            return 0
        results = []
        for k, run in enumerate(runs):
            articles = [r for r in corpus if r.get("date") == run.day]
            previous = gold.days.get(runs[k - 1].day) if k else None
            shown_before = {p["id"] for p in results[-1]["events_detail"] if p["items"]} if results else set()
            results.append(score_day(run, gold.days[run.day], articles, previous, not args.no_baselines,
                                     shown_before))
        total = totals(results)
        if args.json:
            print(json.dumps({"days": results, "total": total}, ensure_ascii=False))
        else:
            print(f"bench/days.py: {len(days)} day(s), {sum(len(gold.days[d]) for d in days)} gold events, "
                  f"{sum(1 for r in corpus if r.get('date') in days)} articles, {time.perf_counter() - start:.0f}s")
            print_report(results, total)
            print_details(results)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)
        elif temporary:
            print(f"output kept in {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
