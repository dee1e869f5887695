"""Articles for the copy-detection tests: one wire story, its copies as outlets make
them, and a distinct story on the same topic."""

from __future__ import annotations

from datetime import datetime

from newsearch import Article

WIRE = (
    "VIENNA, March 2 - The Organization of Petroleum Exporting Countries kept its output "
    "within the agreed ceiling of 15.8 million barrels a day in February, the group said.",
    "Ministers meeting in Vienna said prices had firmed since the December accord and saw "
    "no need for an emergency session before the regular June conference.",
    "Saudi Arabia pumped about 3.5 million barrels a day, below its quota, according to "
    "figures compiled by the group's secretariat from member states.",
    "Analysts said the cartel's discipline was being tested by weak demand in the northern "
    "spring and by discounting from some of the smaller producers.",
    "Nigeria and Gabon were said to be pressing for higher quotas, arguing that their "
    "budgets depended on oil revenue more than those of the Gulf members.",
)

# The same topic, a different day's story: shares vocabulary, not text.
OTHER_DAY = (
    "VIENNA, March 9 - OPEC oil ministers will meet in Geneva next week to review the "
    "price accord, a spokesman for the group's president said on Monday.",
    "The spokesman said no change to the ceiling of 15.8 million barrels a day was "
    "expected, but Ecuador has asked for a larger share after its pipeline was repaired.",
    "Prices of North Sea Brent crude eased 20 cents in thin trading as dealers waited for "
    "news from the meeting and for the weekly American inventory report.",
    "Kuwait's oil minister told a newspaper that members were respecting their quotas and "
    "that the market would tighten in the second half of the year.",
)


def article(aid: str, body: tuple[str, ...], when: datetime, source: str, title: str) -> Article:
    return Article(title=title, body=body, id=aid, date=when, source=source)


def copy_of(body: tuple[str, ...]) -> tuple[str, ...]:
    """What an outlet does: new dateline and credit, quote style, last paragraph dropped,
    a paragraph of its own inserted."""
    first = body[0].replace("VIENNA, March 2 - ", "(AP) ").replace("'", "\u2019")
    inserted = "Our correspondent in the Gulf contributed to this report."
    return (first, body[1], inserted, *body[2:-1])


WIRE_ARTICLE = article(
    "wire", WIRE, datetime(1987, 3, 2, 8), "Reuters", "OPEC says output within ceiling"
)
GULF_COPY = article(
    "gulf", copy_of(WIRE), datetime(1987, 3, 2, 14), "Gulf News", "Cartel kept to its quota"
)
ARAB_COPY = article(
    "arab", copy_of(WIRE), datetime(1987, 3, 3, 6), "Al Arabiya", "OPEC output steady"
)
OTHER_STORY = article(
    "other", OTHER_DAY, datetime(1987, 3, 9, 8), "Reuters", "OPEC to review price accord"
)
