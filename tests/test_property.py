"""Random text through the whole pipeline: it never crashes and the Markdown stays well-formed."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from briefing.config import Config, HistoryConfig, PdfConfig
from briefing.errors import NoInputError
from briefing.pipeline import run

DAY = dt.date(2022, 4, 1)

WORDS = ("the of and to in a is that for on with as was by said at from has have are be this were which an not "
         "but his her their they will been after who officials president minister troops forces shelling talks "
         "ceasefire civilians killed injured evacuated sanctions oil gas Kyiv Moscow Mariupol Russia Ukraine "
         "Monday Tuesday yesterday 12 2,000 $5bn at least around more than").split()
HOSTILE = ("|", "||", "\\|", "<script>alert(1)</script>", "<SCRIPT src=x>", "`", "```", "*", "**", "_", "[", "]",
           "[x](javascript:alert(1))", "#", "## Heading", ">", "-", "1.", "&amp;", "&#60;script&#62;", "\\", "~~~",
           "<!--", "-->", "\u201c", "\u201d", "\u2014", "\t", "\n", "\n\n", "---", "===", "<", ">", "{{ x }}",
           "{% if %}", "\u200b", "\u202e")


def _sentences():
    token = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(HOSTILE),
                      st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12))
    sentence = st.lists(token, min_size=6, max_size=24).map(lambda ts: " ".join(ts).strip() + ".")
    return st.lists(sentence, min_size=1, max_size=8).map(" ".join)


articles = st.lists(st.one_of(_sentences(), _sentences(), st.text(max_size=300)), min_size=1, max_size=3)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", line))


def check_markdown(markdown: str) -> None:
    assert "<script" not in markdown.lower()
    assert not re.search(r"(?<!\\)\]\(\s*javascript:", markdown, re.IGNORECASE)
    table: list[str] = []
    for line in markdown.split("\n") + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            counts = {unescaped_pipes(row) for row in table}
            assert len(counts) == 1, table
            table = []
    assert markdown.count("```") % 2 == 0
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=articles)
def test_random_text_never_crashes_the_pipeline_and_the_markdown_stays_well_formed(texts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for n, text in enumerate(texts):
            (folder / f"a{n}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
        config = Config(output=Path(tmp) / "out", pdf=PdfConfig(enabled=False), history=HistoryConfig(enabled=False))
        try:
            result = run(config, inputs=[folder], date=DAY)
        except NoInputError:
            event("no usable article")
            return  # nothing usable in that draw: a clean, expected outcome
        event("briefing made")
        markdown = (result.out_dir / "briefing.md").read_text(encoding="utf-8")
        check_markdown(markdown)
        json.loads((result.out_dir / "briefing.json").read_text(encoding="utf-8"))
        check_markdown((Path(tmp) / "out" / "index.md").read_text(encoding="utf-8"))


def test_the_checker_itself():
    check_markdown("| a | b \\| c |\n|---|---|\n| 1 | 2 |\n")
    try:
        check_markdown("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n")
    except AssertionError:
        pass
    else:
        raise AssertionError("a ragged table was not caught")
