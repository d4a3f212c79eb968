"""find_figures: numbers tied to what they count (sentences from samples/ or written in news style)."""

from __future__ import annotations


import pytest

from briefing.extract.figures import find_figures, parse_number_words
from briefing.models import Figure


def _vu(text):
    return [(f.value, f.unit) for f in find_figures(text)]


def test_killed_and_injured_take_their_own_verbs():
    figs = find_figures("At least 12 people were killed and 22 were injured, the Ukrainian Emergency Situations Agency said.")
    assert figs == (
        Figure(12.0, "killed", "At least 12 people were killed", "at least", "killed"),
        Figure(22.0, "injured", "22 were injured", "", "injured"),
    )


def test_evacuation_context_gives_category():
    figs = find_figures('"Around 2,000 civilians are on evacuation buses heading from the coastal city of Berdyansk to '
                        'the Ukrainian government-held city of Zaporizhzhia," CNN reports.')
    assert figs == (Figure(2000.0, "civilians", "Around 2,000 civilians", "around", "evacuated"),)


def test_buses():
    figs = find_figures("Many private vehicles have joined the 42 buses escorted by Red Cross and SES (State Emergency "
                        "Service) vehicles.")
    assert [(f.value, f.unit, f.text) for f in figs] == [(42.0, "buses", "42 buses")]


def test_word_number_villages():
    figs = find_figures("Eleven villages in the southern Kherson region and several others in the Chernihiv region "
                        "northeast of Kyiv have been returned to Ukrainian control, according to the military's General Staff.")
    assert [(f.value, f.unit, f.text) for f in figs] == [(11.0, "villages", "Eleven villages")]


def test_two_figures_in_one_clause():
    s = ("Shelling of towns and villages along the contact line in the east continued overnight, with civilian "
         "casualties reported after nine apartment buildings and nine private houses were shelled.")
    assert [(f.value, f.unit, f.text) for f in find_figures(s)] == [
        (9.0, "buildings", "nine apartment buildings"),
        (9.0, "houses", "nine private houses"),
    ]


def test_ten_more_villages():
    s = ("East of #Kyiv, Russian forces aren't withdrawing, they are more clearly being routed, with Ukrainian "
         "forces taking Nova Basan, and 10 more villages, likely leaving some Russian units stranded.")
    assert _vu(s) == [(10.0, "villages")]


@pytest.mark.parametrize(
    "text",
    [
        "CNN global affairs analyst @KimDozier explains the attack. pic.twitter.com/mhEdPCmmW5 — CNN (@CNN) April 1, 2022",
        "Day 34 of the Invasion of Ukraine: Victims in Mariupol, Battles around Kyiv, Aid from the US",
        "Ukraine has called for an “international security guarantee mechanism”, similar to Article 5 of the NATO Treaty.",
        "As a sign that Moscow may be moving to more limited targets in the first month of the war, Shoigu spoke.",
        "In 2014, Russia started a hybrid war in the Donbas and Crimea.",
        "The two leaders will speak at 4:30 p.m. local time (2:30 p.m. GMT), the Elysee said.",
        "A 45-year-old man was detained in the 3rd district at 10 p.m. on March 29, 2022.",
        "Irpin, located a 30-minute drive from the city center of Kyiv, is one of the most contested suburbs.",
        "Call +380 44 256 7890 or see https://example.com/2022/03/29/story-123 for details.",
        "Hundreds of religious figures signed an open letter; thousands have been killed.",
        "Reuters | Lviv | Updated: 28-03-2022 19:32 IST | Created: 28-03-2022 19:32 IST",
        '"That is why we cannot go back to Kharkiv," refugee Nikolay Nazarov, 23, told the Associated Press.',
        "The proposals include a 15-year consultation period on the status of Crimea, the report said.",
        "Russia has passed laws threatening jail sentences of up to 15 years for spreading fake news.",
        "The two sides met for the first time in two weeks; one of the negotiators left.",
        "19 Posts",
        "+ ↺ − 16 px",
        "Mi-8 helicopters and Su-34 jets were seen near the G7 summit venue.",
    ],
)
def test_not_figures(text):
    assert find_figures(text) == ()


def test_money():
    assert _vu("The EU pledged $5bn, Germany €2 billion and Japan 300 million dollars.") == [
        (5e9, "usd"), (2e9, "eur"), (3e8, "usd")
    ]
    figs = find_figures("Biden told Zelenskyy during a 55-minute conversation that another $500 million in direct aid "
                        "for Ukraine was on the way.")
    assert figs == (Figure(5e8, "usd", "$500 million", "", "money"),)


def test_percent():
    figs = find_figures("He estimated that 90% of the city's 2,600 residential structures have been destroyed and "
                        "nearly 40% of the residential buildings are now unusable.")
    assert [(f.value, f.unit, f.qualifier) for f in figs] == [
        (90.0, "%", ""), (2600.0, "structures", ""), (40.0, "%", "nearly")
    ]
    assert _vu("Around 90 percent of them are women and children, it added.") == [(90.0, "%")]


def test_refugees_and_millions():
    figs = find_figures("The United Nations said Wednesday over 4 million refugees have fled from Ukraine.")
    assert figs == (Figure(4e6, "refugees", "over 4 million refugees", "over", "refugees"),)
    figs = find_figures("Nearly 3.9 million people have fled Ukraine since Russia's invasion a month ago.")
    assert figs == (Figure(3.9e6, "fled", "Nearly 3.9 million people have fled", "nearly", "refugees"),)


def test_six_and_a_half_million_displaced():
    figs = find_figures("About six and a half million others have been internally displaced.")
    assert [(f.value, f.unit, f.qualifier, f.category) for f in figs] == [(6.5e6, "displaced", "about", "refugees")]


def test_headline_casualties():
    assert _vu("Nine killed, 28 wounded over missile attack in Mykolaiv") == [(9.0, "killed"), (28.0, "injured")]
    assert _vu("A Russian attack left at least seven dead and 22 injured on Tuesday (29).") == [
        (7.0, "killed"), (22.0, "injured")
    ]
    assert _vu("Twenty-five people have been wounded and are now in hospitals.") == [(25.0, "injured")]
    assert _vu("The strike killed at least 12, officials said.") == [(12.0, "killed")]


def test_death_toll_and_population():
    assert _vu("The death toll rose to 15 on Wednesday.") == [(15.0, "killed")]
    assert _vu("Mariupol had a pre-war population of more than 430,000.") == [(430000.0, "population")]


def test_of_the_residents():
    figs = find_figures("Over the last week, 26,477 of the city's residents were evacuated to Zaporizhzhia.")
    assert [(f.value, f.unit, f.category) for f in figs] == [(26477.0, "residents", "evacuated")]


def test_range_and_x_of_y():
    assert _vu("Between 20,000 and 30,000 people were forcibly deported.") == [(20000.0, "deported"), (30000.0, "deported")]
    assert _vu("Only 10 of the 11 humanitarian corridors were operational.") == [(10.0, "corridors"), (11.0, "corridors")]


def test_qualifiers():
    quals = [f.qualifier for f in find_figures(
        "More than 2.3 million have arrived in Poland, over 608,000 entered Romania, up to 5,000 soldiers "
        "were captured, almost 300 priests signed and some 40 tanks were destroyed."
    )]
    assert quals == ["more than", "over", "up to", "almost", "some"]


def test_military_category():
    assert [f.category for f in find_figures("Ukraine said it had destroyed 40 tanks and killed 300 soldiers.")] == [
        "military", "military"
    ]


def test_word_numbers():
    assert parse_number_words("eleven") == 11
    assert parse_number_words("twenty-five") == 25
    assert parse_number_words("six and a half million") == 6.5e6
    assert parse_number_words("half a million") == 5e5
    assert parse_number_words("a dozen") == 12
    assert parse_number_words("one hundred and twenty") == 120
    assert parse_number_words("dozens") is None
    figs = find_figures("A dozen civilians were evacuated.")
    assert [(f.value, f.unit, f.text, f.category) for f in figs] == [(12.0, "civilians", "A dozen civilians", "evacuated")]


def test_indian_grouping_and_decimal():
    assert _vu("Ukraine claims that around 1,60,000 inhabitants in Mariupol are still trapped.") == [(160000.0, "inhabitants")]


def test_empty_and_plain():
    assert find_figures("") == ()
    assert find_figures("Russia said on Tuesday it would scale down operations.") == ()
