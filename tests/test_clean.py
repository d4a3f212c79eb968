from pathlib import Path

from briefing.ingest.clean import clean

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> str:
    return clean((SAMPLES / name).read_text(encoding="utf-8")).text


def test_embedded_tweets_and_their_text_are_removed():
    text = sample("004_d52130d6b5804202.txt")
    assert "pic.twitter.com" not in text
    assert "t.co/" not in text
    assert "@CNN" not in text
    assert "One of the Biden administration's worst nightmares" not in text
    assert "East of #Kyiv" not in text
    assert "Video from Nova Basan" not in text


def test_image_credit_lead_in_and_cut_teaser_are_removed():
    text = sample("004_d52130d6b5804202.txt")
    assert "Image via The Guardian/Shutterstock" not in text
    assert "And Bloomberg also observes:" not in text
    assert "the governor assessed..." not in text


def test_related_headlines_between_paragraphs_are_removed():
    text = sample("000_986f4cd8ed297f09.txt")
    for headline in (
        "Day 34 of the Invasion of Ukraine: Victims in Mariupol, Battles around Kyiv, Aid from the US",
        "Ukraine – Russia Talks: Limiting Hostilities, Possible Meeting between Putin and Zelensky",
        "Zelensky: The Signals from the Talks in Turkey are Positive",
        "Ukraine: Rocket Hit the Building of the Regional Administration in Mykolaiv",
    ):
        assert headline not in text


def test_article_sentences_are_kept():
    text = sample("000_986f4cd8ed297f09.txt")
    assert "At least 12 people were killed and 22 were injured, the Ukrainian Emergency Situations Agency said." in text
    text = sample("004_d52130d6b5804202.txt")
    assert "Eleven villages in the southern Kherson region" in text
    assert '"The evacuation convoy left Berdyansk for Zaporizhzhia," the city of Mariupol announced' in text


def test_page_furniture_lines_are_removed():
    raw = (
        "Skip to main content\n\nOfficials said the bridge was destroyed overnight by shelling.\n\n"
        "Read more: Five things to know about the war\n\nWe use cookies to improve your experience.\n\n"
        "Sign up for our newsletter\n\nPhoto: AFP via Getty Images\n\nAdvertisement\n\n"
        "Rescue teams reached the area on Monday, the mayor said."
    )
    result = clean(raw)
    assert result.text == (
        "Officials said the bridge was destroyed overnight by shelling.\n\n"
        "Rescue teams reached the area on Monday, the mayor said."
    )
    assert result.dropped == 6


def test_lines_broken_mid_sentence_are_joined():
    result = clean("The convoy left the city\nin the morning, officials said.\nIt carried 300 people.")
    assert result.text == "The convoy left the city in the morning, officials said.\n\nIt carried 300 people."


def test_a_quote_opening_a_line_after_a_line_with_no_full_stop_starts_a_paragraph():
    text = ("The mayor said thousands remain in the city.\nOver the last week, 26,477 residents were evacuated to "
            "Zaporizhzhia\n\"Our main mission today is to save lives,\" the mayor continued.")
    assert clean(text).text.split("\n\n") == [
        "The mayor said thousands remain in the city.",
        "Over the last week, 26,477 residents were evacuated to Zaporizhzhia.",
        "\"Our main mission today is to save lives,\" the mayor continued."]
    # A line that leads into the quote keeps it.
    assert clean("The mayor of the besieged city told reporters\n\"We will not give up.\"").text == \
        "The mayor of the besieged city told reporters \"We will not give up.\""


def test_key_point_bullets_are_sentences_of_their_own():
    text = ("Talks to resume in Turkey\n\n  • The two sides are expected to meet in the city on Tuesday, officials say\n"
            "  • The government has paused evacuations after warnings of attacks on the routes\n\nAgency")
    paragraphs = clean(text).text.split("\n\n")
    assert "The two sides are expected to meet in the city on Tuesday, officials say." in paragraphs
    assert "The government has paused evacuations after warnings of attacks on the routes." in paragraphs


def test_a_caption_block_closed_by_a_slashed_photo_credit_is_removed():
    text = ("A woman with her son, who fled by an aid bus, arrives at a refugee centre in a church in the city, "
            "28 March 2022. EFE/EPA/JOHN SMITH\n\n"
            "More than 4 million people have fled the country, the UN refugee agency said on Wednesday.\n\n"
            "Officials said the count was taken at the border, according to UN/OCHA.")
    kept = clean(text).text
    assert "EFE/EPA" not in kept and "refugee centre" not in kept
    assert "More than 4 million people have fled" in kept
    assert "according to UN/OCHA." in kept  # a sentence that ends with a full stop is no credit


def test_page_furniture_above_the_headline_line_goes_with_it():
    title = "Talks to resume in Istanbul next week"
    page = ("Smoke rises over the port after an overnight strike. Photo: Reuters\nWorld news\n"
            "Talks to resume in Istanbul next week\n\n"
            "Delegations will meet in Istanbul on Tuesday, the mediator's office said.")
    assert clean(page, title).text == "Delegations will meet in Istanbul on Tuesday, the mediator's office said."
    # A sentence of the article that happens to repeat the headline far down the page is no headline line.
    body = " ".join(["The mediator's office confirmed the dates of the meeting on Sunday evening."] * 8)
    late = f"{body}\nTalks to resume in Istanbul next week\n\nDelegations will meet on Tuesday."
    assert clean(late, title).text.startswith("The mediator's office confirmed")
    # The headline as the first line of the page's first block.
    top = "Talks to resume in Istanbul next week\nDelegations will meet in Istanbul on Tuesday, the office said."
    assert clean(top, title).text == "Delegations will meet in Istanbul on Tuesday, the office said."
    # Without a title nothing is taken for a headline.
    assert "World news Talks to resume in Istanbul next week" in clean(page).text
