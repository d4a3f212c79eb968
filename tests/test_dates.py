"""resolve_date: the event date of a sentence, against the article's publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.extract.dates import resolve_date

WED = dt.date(2022, 3, 30)  # a Wednesday
FRI = dt.date(2022, 4, 1)  # a Friday


def d(month, day, year=2022):
    return dt.date(year, month, day)


def test_on_tuesday_in_a_wednesday_article():
    s = ("On Tuesday, a Russian air strike hit a government building in the southern Ukrainian port city of "
         "Mykolaiv, destroying much of the building and leaving people trapped under the rubble.")
    assert resolve_date(s, WED) == (d(3, 29), "day")


def test_weekday_variants():
    s = "The intensity of shelling declined in Chernihiv and Kharkiv, although a missile hit the center of Kharkiv Thursday night"
    assert resolve_date(s, FRI) == (d(3, 31), "day")
    assert resolve_date("Russia said on Monday morning it would pull back.", WED) == (d(3, 28), "day")
    assert resolve_date("Russia said on Tuesday it would scale down operations in the Chernihiv and Kiev regions.", FRI) == (
        d(3, 29), "day")


def test_same_weekday_is_publication_day():
    s = ("On Friday Russian Foreign Minister Sergei Lavrov said Moscow is preparing a response to Ukraine's prior "
         "proposals issued in Istanbul early this week on reaching a ceasefire.")
    assert resolve_date(s, FRI) == (FRI, "day")
    assert resolve_date("The strike happened last Friday.", FRI) == (d(3, 25), "day")


def test_relative_days():
    assert resolve_date("The President of Ukraine is working on this, he spoke about it yesterday.", WED) == (d(3, 29), "day")
    assert resolve_date("Today we expect the arrival of a record number of Mariupol residents.", FRI) == (FRI, "day")
    assert resolve_date('"Irpin was freed last night.', d(3, 28)) == (d(3, 27), "day")
    assert resolve_date("Chernihiv was shelled overnight.", WED) == (WED, "day")
    assert resolve_date("The convoy left two days ago.", WED) == (d(3, 28), "day")
    assert resolve_date("It happened the day before yesterday.", WED) == (d(3, 28), "day")


@pytest.mark.parametrize(
    "text",
    ["Talks resumed on March 29.", "Talks resumed on 29 March.", "Talks resumed on March 29, 2022.",
     "Talks resumed on Mar. 29.", "Talks resumed on the 29th of March.", "Talks resumed Tuesday, March 29, 2022.",
     "Reproduction: social networks/IG montage – 03/29/2022 Moment when building in Mykolaiv is hit",
     "19:33 29.03.2022 Nine killed, 28 wounded over missile attack in Mykolaiv"],
)
def test_explicit_dates(text):
    assert resolve_date(text, WED) == (d(3, 29), "day")


def test_weekday_followed_by_explicit_date_uses_the_date():
    s = '"The Ukrainian-Russian negotiations may begin on Tuesday, March 29, from 10 am," wrote Yulia Paliychuk.'
    assert resolve_date(s, d(3, 28)) == (d(3, 29), "day")
    s = "Ukrainian officials reported shelling around the capital Kyiv on Wednesday (Mar 30)."
    assert resolve_date(s, WED) == (WED, "day")


def test_explicit_date_with_year_needs_no_publication_date():
    assert resolve_date("On February 24, 2022, the Russian Federation launched a large-scale invasion.", None) == (
        d(2, 24), "day")
    assert resolve_date("Russia launched its invasion of Ukraine on February 24.", None) == (None, "")
    assert resolve_date("On Tuesday, a Russian air strike hit Mykolaiv.", None) == (None, "")


def test_missing_year_rolls_back_when_it_would_be_future():
    assert resolve_date("The attack on December 30 killed four.", dt.date(2022, 1, 3)) == (dt.date(2021, 12, 30), "day")


def test_weeks():
    s = "The city has been in Russian hands since early this week, but Ukrainian civilians still remain."
    # "since" bounds a period: not an event date
    assert resolve_date(s, FRI) == (None, "")
    assert resolve_date("Ukraine's proposals were issued in Istanbul early this week.", FRI) == (d(3, 28), "week")
    assert resolve_date("Officials met earlier this week.", WED) == (d(3, 28), "week")
    assert resolve_date("Officials met this week.", WED) == (d(3, 28), "week")
    s = ('Pentagon spokesperson John Kirby said last week that Ukrainian forces appeared to be "going a bit more on '
         'the offense."')
    assert resolve_date(s, d(3, 28)) == (d(3, 21), "week")


def test_tweet_signature_and_datelines_are_ignored():
    s = ("Russia is trying to extinguish fire at Belgorod oil depot using a helicopter. "
         "pic.twitter.com/6cUPyB9YqA — Aldin (@tinso_ww) April 1, 2022")
    assert resolve_date(s, FRI) == (None, "")
    assert resolve_date("Updated 12:02 a.m. ET, March 31, 2022", WED) == (None, "")
    assert resolve_date("Reuters | Lviv | Updated: 28-03-2022 19:32 IST | Created: 28-03-2022 19:32 IST", d(3, 28)) == (
        None, "")


def test_bounds_and_future_are_not_event_dates():
    s = "The talks held in Istanbul on Tuesday were the first face-to-face meeting between the sides since March 10."
    assert resolve_date(s, WED) == (d(3, 29), "day")
    assert resolve_date("The city has been besieged by Russian forces since March 1st.", d(3, 28)) == (None, "")
    assert resolve_date("Japan will ban the export of luxury goods to Russia from April 5.", d(3, 29)) == (None, "")
    assert resolve_date("Ukraine and Russia will continue to hold peace talks on April 1.", WED) == (None, "")
    assert resolve_date("The talks will resume on Monday.", WED) == (None, "")
    assert resolve_date("Talks could resume next Monday.", WED) == (None, "")
    # publication + 1 day is allowed (time zones, late copy)
    assert resolve_date("Talks resumed on March 31.", WED) == (d(3, 31), "day")


def test_no_date():
    assert resolve_date("", WED) == (None, "")
    assert resolve_date("In 2014, Russia started a hybrid war in the Donbas and Crimea.", WED) == (None, "")
    assert resolve_date("Day 34 of the Invasion of Ukraine: Victims in Mariupol", WED) == (None, "")
    assert resolve_date("The two leaders will speak at 4:30 p.m. local time.", WED) == (None, "")
    assert resolve_date("Russia may attack again, officials warned.", WED) == (None, "")
