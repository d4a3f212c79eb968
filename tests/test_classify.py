"""The classify stage: themes for sentences, user-defined themes, explanations, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefing.classify import ThemeClassifier, classify, get_classifier, load_shipped_examples
from briefing.config import DEFAULT_THEMES, ClassifyConfig, Config, Theme
from briefing.models import Fact

ROOT = Path(__file__).resolve().parent.parent
SHARED_LABELS = ROOT.parent / "shared" / "labels" / "dev_labels.jsonl"

CLEAR = {
    # from the sample articles shipped in samples/
    "negotiations": [
        "On Friday Russian Foreign Minister Sergei Lavrov said Moscow is preparing a response to Ukraine’s prior "
        "proposals issued in Istanbul early this week on reaching a ceasefire, as the next round of dialogue is "
        "currently underway via remote link.",
        "The Ukrainian delegation proposed neutrality in exchange for security guarantees from several countries.",
    ],
    "battlefield": [
        "Russian Deputy Defense Minister Alexander Fomin said Moscow would “radically reduce its military activity "
        "in the direction of Kyiv and Chernihiv.”",
        "Ukrainian troops recaptured two villages east of the capital after heavy artillery fire.",
    ],
    "humanitarian": [
        "Thousands of civilians were evacuated from the besieged city through a humanitarian corridor on Sunday.",
        "A shell hit a children's hospital, killing three patients and injuring eleven, the mayor said.",
    ],
    "sanctions": [
        "The European Union agreed a new package of sanctions including a ban on imports of Russian coal.",
        "Several Western companies have suspended their operations in Russia and frozen new investment.",
    ],
    None: [
        "Image via The Guardian/Shutterstock",
        "Sign up for our morning newsletter and get the news delivered to your inbox.",
        "Read more",
    ],
}

ENERGY = Theme(
    key="energy",
    title="Energy",
    description="Energy supply and infrastructure: power plants, electricity grids, blackouts, fuel and gas supply "
    "to homes and industry, nuclear power plant safety.",
    terms=("power plant*", "grid", "blackout*", "electricity"),
    examples=(
        "Rolling blackouts were announced after strikes damaged three power plants.",
        "The grid operator said electricity imports from neighbouring countries would be increased.",
        "The nuclear plant lost external power for the second time this month.",
        "Engineers restored electricity to 400,000 homes after repairs to substations.",
        "The energy ministry asked households to limit their use of electricity during peak hours.",
        "A fire broke out at the thermal power station after it was hit, the utility said.",
    ),
)


@pytest.fixture(scope="module")
def clf() -> ThemeClassifier:
    return get_classifier(Config())


def test_shipped_examples_cover_every_label():
    shipped = load_shipped_examples()
    for key in [t.key for t in DEFAULT_THEMES] + ["none"]:
        assert len(shipped.get(key, ())) >= 80, key


@pytest.mark.parametrize("expected,text", [(k, t) for k, texts in CLEAR.items() for t in texts])
def test_clear_sentences(clf, expected, text):
    theme, scores = clf.predict([text])[0]
    assert theme == expected, (text, scores)
    assert set(scores) == {t.key for t in DEFAULT_THEMES}
    assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_guideline_hard_cases(clf):
    cases = {
        "A missile strike on a residential block killed 14 civilians, including three children.": "humanitarian",
        "The United States announced a new shipment of anti-tank weapons and drones to the Ukrainian army.":
            "battlefield",
        "Russia and Ukraine agreed at the talks to exchange prisoners of war.": "negotiations",
        "The fast-food chain said it would close all its restaurants in Russia and sell the business.": "sanctions",
    }
    got = clf.predict(list(cases))
    for (text, expected), (theme, _) in zip(cases.items(), got):
        assert theme == expected, text


def test_classify_sets_theme_and_sorted_scores():
    facts = [Fact(id="a#0", article_id="a", index=0, text=CLEAR["sanctions"][0]),
             Fact(id="a#1", article_id="a", index=1, text="Image via The Guardian/Shutterstock")]
    out = classify(facts, Config())
    assert out[0].theme == "sanctions" and out[1].theme is None
    assert out[0].scores[0][0] == "sanctions"
    values = [v for _, v in out[0].scores]
    assert values == sorted(values, reverse=True)
    assert classify([], Config()) == []


def test_user_defined_theme_wins_its_sentences():
    config = Config(themes=DEFAULT_THEMES + (ENERGY,))
    clf = get_classifier(config)
    texts = ["Large parts of the country were left without electricity after a strike on a power plant.",
             "The power grid operator warned of emergency blackouts in the capital this winter."]
    for theme, scores in clf.predict(texts):
        assert theme == "energy", scores
        assert "energy" in scores and scores["energy"] == max(scores.values())
    # the old themes still work next to it
    assert clf.predict([CLEAR["humanitarian"][0]])[0][0] == "humanitarian"


def test_theme_with_only_a_description_and_examples():
    bare = Theme(key="energy", description=ENERGY.description, examples=ENERGY.examples)
    clf = ThemeClassifier(DEFAULT_THEMES + (bare,))
    theme, scores = clf.predict(["Engineers are working to reconnect the nuclear power plant to the electricity grid."])[0]
    assert theme == "energy", scores


def test_explain_lists_terms_and_examples(clf):
    text = "The EU imposed new sanctions and an embargo on Russian coal."
    info = clf.explain(text)
    assert info["text"] == text and info["theme"] == "sanctions"
    assert "sanctions" in info["terms"]["sanctions"] and "embargo" in info["terms"]["sanctions"]
    assert info["terms"]["battlefield"] == []
    near = info["examples"]["sanctions"]
    assert 1 <= len(near) <= 3 and all(isinstance(s, str) and -1 <= sim <= 1 for sim, s in near)
    assert [sim for sim, _ in near] == sorted((sim for sim, _ in near), reverse=True)
    assert "sanctions" in info["decided_by"]
    assert set(info["scores"]) == {t.key for t in DEFAULT_THEMES}
    json.dumps(info)  # the CLI prints it as JSON


def test_deterministic():
    texts = [t for group in CLEAR.values() for t in group]
    a = ThemeClassifier(DEFAULT_THEMES).predict(texts)
    b = ThemeClassifier(DEFAULT_THEMES).predict(texts)
    assert a == b


def test_min_score_leaves_weak_facts_unthemed():
    strict = ThemeClassifier(DEFAULT_THEMES, ClassifyConfig(min_score=0.999))
    theme, scores = strict.predict(["Officials discussed several issues on Tuesday."])[0]
    assert theme is None and scores


def test_without_shipped_examples_config_alone_works():
    clf = ThemeClassifier((ENERGY,) + DEFAULT_THEMES, ClassifyConfig(use_shipped_examples=False))
    theme, _ = clf.predict(["Strikes on power plants caused blackouts across the region."])[0]
    assert theme == "energy"


def test_get_classifier_is_cached():
    assert get_classifier(Config()) is get_classifier(Config())


def test_bench_on_dev_labels():
    if not SHARED_LABELS.exists():
        pytest.skip("../shared/labels is absent")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "themes.py"), "--json"], capture_output=True,
                         text=True, check=True, timeout=600)
    result = json.loads(out.stdout)["dev"]
    assert result["n"] == 260
    assert result["macro_f1"] >= 0.70


def test_bench_without_labels_exits_cleanly(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "themes.py"), "--labels",
                          str(tmp_path / "missing.jsonl")], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0
    assert "no labelled sentences" in out.stderr


# -- classify.examples_file ------------------------------------------------------------------------------------

DESK_ENERGY = [
    "The grid operator ordered rolling blackouts in four regions.",
    "Engineers reconnected the power station to the grid overnight.",
    "Households were asked to save electricity during the evening peak.",
    "A strike on the thermal power plant left the city without heating.",
    "Electricity exports were halted to keep the grid stable.",
    "Repair crews restored power to most of the substations.",
]


def test_load_labelled_file_formats(tmp_path):
    from briefing.classify import load_labelled_file

    jsonl = tmp_path / "desk.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in [
        {"text": "Talks resumed in Istanbul.", "label": "negotiations"},
        {"text": "Read more", "label": "none"},
        {"text": "Both annotators: first wins.", "label": None, "labels": ["battlefield", "humanitarian"]},
        {"text": "Disagreed, first said none.", "label": None, "labels": [None, "sanctions"]},
        {"text": "  ", "label": "battlefield"},
    ]) + "\n\n", encoding="utf-8")
    assert load_labelled_file(jsonl) == [("Talks resumed in Istanbul.", "negotiations"), ("Read more", "none"),
                                         ("Both annotators: first wins.", "battlefield"),
                                         ("Disagreed, first said none.", "none")]
    listed = tmp_path / "desk.yaml"
    listed.write_text("- {text: A new round of talks, label: negotiations}\n- text: Getty Images\n  label: none\n",
                      encoding="utf-8")
    assert load_labelled_file(listed) == [("A new round of talks", "negotiations"), ("Getty Images", "none")]
    mapping = tmp_path / "desk2.yml"
    mapping.write_text("sanctions:\n  - The EU froze the bank's assets.\nnone:\n  - Share this article\n",
                       encoding="utf-8")
    assert load_labelled_file(mapping) == [("The EU froze the bank's assets.", "sanctions"),
                                           ("Share this article", "none")]


def test_load_labelled_file_errors(tmp_path):
    from briefing.classify import load_labelled_file
    from briefing.errors import ConfigError

    with pytest.raises(ConfigError, match="not found"):
        load_labelled_file(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "none"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        load_labelled_file(bad)


def test_examples_file_from_config_is_learnt(tmp_path):
    from briefing.config import load_config

    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "desk.jsonl").write_text(
        "\n".join(json.dumps({"text": t, "label": "energy"}) for t in DESK_ENERGY)
        + "\n" + json.dumps({"text": "Weather: sunny spells", "label": "weather"}) + "\n", encoding="utf-8")
    themes = [{"key": t.key, "description": t.description, "terms": list(t.terms)} for t in DEFAULT_THEMES]
    themes.append({"key": "energy", "description": "Power and heating."})
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump({"classify": {"examples_file": "labels/desk.jsonl"}, "themes": themes}), encoding="utf-8")
    config, _ = load_config(tmp_path / "config.yaml")
    assert config.classify.examples_file == tmp_path / "labels" / "desk.jsonl"
    clf = ThemeClassifier(config.themes, config.classify)
    assert sum(k == "desk" for k in clf.kinds) == len(DESK_ENERGY)  # the unknown "weather" row is ignored
    theme, _ = clf.predict(["Power cuts hit the capital after the grid operator lost two power stations."])[0]
    assert theme == "energy"
    info = clf.explain("Blackouts are expected after the strike on the power plant.")
    assert info["theme"] == "energy" and any(s in DESK_ENERGY for _, s in info["examples"]["energy"])
    # without the file, the "energy" theme has only its description to learn from
    plain = ThemeClassifier(config.themes, ClassifyConfig())
    assert "desk" not in plain.kinds


def test_explain_shows_word_model_and_cues(clf):
    info = clf.explain("The town was liberated after Ukrainian forces pushed the Russian troops back.")
    assert info["theme"] == "battlefield"
    assert "liberat" in " ".join(info["cues"].get("battlefield", []))
    assert info["words"]["battlefield"] and all(isinstance(w, str) and v > 0 for w, v in info["words"]["battlefield"])
    assert "word model said" in info["decided_by"]
    caption = clf.explain("A man walks past a damaged building in Kharkiv, Ukraine, March 28, 2022. (AP Photo)")
    assert caption["theme"] is None and caption["boilerplate"]


# -- labelling-guideline conventions (sentences written for these tests, not in the shipped examples) ----------

CONVENTIONS = [
    # advice to residents about safety is humanitarian even when troops or the military are named
    ("humanitarian", "Officials told residents to stay in basements because Russian troops were still shelling "
                     "the district."),
    ("humanitarian", "The military urged people not to use their phones near checkpoints and to stay off the roads "
                     "after dark."),
    # the Red Cross's work is humanitarian even when worded like an agreement
    ("humanitarian", "The Red Cross said the warring sides had agreed to let its convoy bring medicine into the city."),
    # payment disputes and economic countermeasures are sanctions
    ("sanctions", "Moscow said foreign buyers who refuse to pay in roubles would have their gas supplies cut."),
    ("sanctions", "Russia responded to the sanctions by banning the export of timber to unfriendly countries."),
    # captions are none even when they show soldiers; a general statement of support is none
    (None, "Ukrainian soldiers patrol a street in the capital, March 29, 2022. (AP Photo)"),
    (None, "The president said the nation stands united with Ukraine in these dark days."),
    # prisoner exchanges agreed between the sides are negotiations; withdrawals are battlefield
    ("negotiations", "The two delegations agreed to exchange 30 prisoners of war on Friday."),
    ("battlefield", "Enemy troops withdrew from the airfield and blew up the runway behind them."),
]


def test_shipped_examples_carry_the_guideline_conventions():
    text = (ROOT / "briefing" / "data" / "theme_examples.yaml").read_text(encoding="utf-8")
    for convention in ("Advice to residents about safety", "Red Cross / UN agencies' humanitarian work",
                       "Payment-in-roubles disputes", "Captions and credits are none",
                       "Prisoner exchanges agreed between the sides", "general statement of support"):
        assert convention in text, convention


@pytest.mark.parametrize("expected,text", CONVENTIONS)
def test_guideline_conventions(clf, expected, text):
    theme, scores = clf.predict([text])[0]
    assert theme == expected, (text, scores)


def test_terms_cannot_override_the_examples():
    """Three battlefield terms ("troops", "forces", "military") add no more than max_boost: the sentence about
    residents' safety stays humanitarian; with unbounded boosts the terms would win."""
    from dataclasses import replace

    from briefing.classify import DEFAULT_PARAMS

    text = "Residents were told by the military to stay indoors while troops and forces searched the area for mines."
    shipped = load_shipped_examples()
    capped = ThemeClassifier.with_examples(DEFAULT_THEMES, shipped)
    assert capped.predict([text])[0][0] == "humanitarian"
    unbounded = ThemeClassifier.with_examples(DEFAULT_THEMES, shipped,
                                              params=replace(DEFAULT_PARAMS, max_boost=99.0, term_boost=3.0))
    assert unbounded.predict([text])[0][0] == "battlefield"


# -- article context -------------------------------------------------------------------------------------------

def test_in_context_mixes_neighbours_of_the_same_article_only():
    import numpy as np

    from briefing.classify import DEFAULT_PARAMS, in_context

    rows = np.array([[0.9, 0.1], [0.4, 0.6], [0.9, 0.1], [0.0, 1.0]])
    out = in_context(rows, ["a", "a", "a", "b"], [0, 1, 2, 1], DEFAULT_PARAMS)
    w = DEFAULT_PARAMS.context_weight
    assert out[1] == pytest.approx((1 - w) * rows[1] + w * np.array([0.9, 0.1]))  # both neighbours at distance 1
    assert out[3] == pytest.approx(rows[3])  # alone in its article: unchanged
    assert out.sum(axis=1) == pytest.approx(rows.sum(axis=1))
    # two sentences away counts half as much as one away; beyond context_reach nothing
    far = in_context(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]), ["a"] * 3, [0, 2, 9], DEFAULT_PARAMS)
    assert far[0] == pytest.approx((1 - w) * np.array([1.0, 0.0]) + w * np.array([0.0, 1.0]))
    assert far[2] == pytest.approx([0.0, 1.0])
    # the order the facts come in does not matter
    rng = np.random.default_rng(0)
    many = rng.dirichlet(np.ones(5), 60)
    arts, pos = [f"art{i % 7}" for i in range(60)], [i // 7 for i in range(60)]
    perm = rng.permutation(60)
    shuffled = in_context(many[perm], [arts[i] for i in perm], [pos[i] for i in perm], DEFAULT_PARAMS)
    assert shuffled == pytest.approx(in_context(many, arts, pos, DEFAULT_PARAMS)[perm])


def test_a_fragment_takes_its_theme_from_the_article():
    fragment = "Most of them are women, children and elderly people, it added."
    texts = ["More than 10,000 people fled the city on Sunday through a corridor opened by the authorities.",
             fragment, "Buses took them to reception centres in the west, where volunteers handed out food."]
    config = Config()
    assert get_classifier(config).predict([fragment])[0][0] is None  # judged alone: no theme
    together = classify([Fact(id=f"a#{i}", article_id="a", index=i, text=t) for i, t in enumerate(texts)], config)
    assert [f.theme for f in together] == ["humanitarian"] * 3
    assert together[1].scores[0][0] == "humanitarian"  # the context-adjusted scores are what the fact carries
    apart = classify([Fact(id=f"a{i}#0", article_id=f"a{i}", index=0, text=t) for i, t in enumerate(texts)], config)
    assert apart[1].theme is None


def test_the_article_title_votes():
    import datetime as dt

    from briefing.models import Article

    fragment = Fact(id="a#5", article_id="a", index=5, text="Most of them are women, children and elderly people, it added.")
    article = Article(id="a", title="Thousands of civilians flee the besieged city as evacuation corridors open",
                      outlet="Example News", url="", published=dt.date(2022, 4, 1), text="", path="a.txt")
    assert classify([fragment], Config())[0].theme is None  # no neighbour, no title: judged alone
    assert classify([fragment], Config(), [article])[0].theme == "humanitarian"
