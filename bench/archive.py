"""Web archive, feed and search at a year of history: fabricates 365 dates of briefing.json (the size of a real
briefing: 5 takeaways, 4 themes of 6 items, 40 sources) in a temporary folder and prints how long it takes to

* build the whole archive from scratch (365 pages, index.html, feed.xml): ``archive.rebuild``;
* update it after one more day's run (that day's page, index.html, feed.xml, the day's search rows):
  ``archive.update``, what every ``briefing run`` pays;
* rebuild the search index over 365 dates, and answer a query.

Run: ``python bench/archive.py [DAYS]``. Nothing is read from or written to the project's output folder.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing import search
from briefing.output import archive  # noqa: E402
from briefing.config import Config  # noqa: E402
from briefing.models import Briefing, Item, Section, Source, Stats, Support  # noqa: E402
from briefing.output.render import json_text_of  # noqa: E402

THEMES = ("negotiations", "battlefield", "humanitarian", "sanctions")
WORDS = ("talks ceasefire delegation officials said forces city region shelling convoy civilians evacuated "
         "sanctions oil exports ministry reported killed injured aid corridor bridge port grain frontline "
         "drone attack agreement minister spokesman statement village council power station hospital").split()
OUTLETS = ("Wire Desk", "Desk Monitor", "Evening Post", "Radio East", "Daily Courier", "Metro News")


def fabricate(day: dt.date, rng: random.Random) -> Briefing:
    sources = tuple(Source(number=n + 1, id=f"{day}-a{n}", title=_sentence(rng, 9).rstrip("."),
                           outlet=rng.choice(OUTLETS), url=f"https://news.example.com/{day}/a{n}", published=day,
                           path=f"https://news.example.com/{day}/a{n}") for n in range(40))
    sections = []
    for theme in THEMES:
        items = tuple(Item(id=f"{day}-{theme}-{k}", text=_sentence(rng, rng.randint(18, 40)), theme=theme, facts=(),
                           sources=tuple(rng.sample([s.id for s in sources], rng.randint(1, 3))),
                           speaker=rng.choice((None, "the ministry", "a spokesman", "the governor")), figures=(),
                           date=day, hedged=rng.random() < 0.1, support=Support(rng.randint(1, 3), "single"),
                           novelty=rng.choice(("new", "new", "updated"))) for k in range(6))
        sections.append(Section(theme, theme.capitalize(), items))
    takeaways = tuple(s.items[0] for s in sections) + (sections[0].items[1],)
    return Briefing(date=day, title="Daily briefing", generated_at=f"{day}T06:30:00Z", takeaways=takeaways,
                    sections=tuple(sections), sources=sources, key_figures=(), quotes=(),
                    stats=Stats(articles=40, sentences=2400, facts=600))


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label:58} {seconds:8.2f} s")
    return seconds


def main(days: int = 365) -> None:
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(output=Path(tmp) / "out")
        last = dt.date(2022, 4, 1)
        briefings = [fabricate(last - dt.timedelta(days=n), rng) for n in range(days, -1, -1)]
        for b in briefings[:-1]:
            folder = config.output / b.date.isoformat()
            folder.mkdir(parents=True)
            (folder / "briefing.json").write_text(json_text_of(b), encoding="utf-8")
        print(f"{days} dates of history, 24 items and 40 sources each; archive.feed_entries = "
              f"{config.archive.feed_entries}")
        full = timed(f"whole archive from scratch ({days} pages, index, feed)", lambda: archive.rebuild(config))
        print(f"{'  per page':58} {full / days * 1000:8.1f} ms")
        timed(f"search index rebuilt over {days} dates",
              lambda: search.rebuild(config.history_path, config.output))
        newest = briefings[-1]
        folder = config.output / newest.date.isoformat()
        folder.mkdir(parents=True)
        (folder / "briefing.json").write_text(json_text_of(newest), encoding="utf-8")
        timed("one more day's run: page, index, feed, search rows", lambda: archive.update(config, newest))
        timed("search 'ceasefire talks' across the year (50 newest hits)",
              lambda: search.search(config.history_path, "ceasefire talks"))
        size = sum(p.stat().st_size for p in config.output.rglob("briefing.html")) / 1e6
        print(f"{'pages on disk':58} {size:8.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 365)
