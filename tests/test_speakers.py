"""Who said a quotation, on small invented passages: the attributions of issue 11 (a verb of
speech and the clause leading into the quotation, roles and bodies, papers that speak for their
issuer, "He told the BBC:"), pronouns resolved to the nearest person named before them (never a
place, a title, a name in quotation marks, or someone acted on), quotations that go on in the
voice before them, and single quotation marks as BBC headlines use them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.compare.classify import compare
from tracker.compare.facts import Evidence, document_quotes, quotes
from tracker.snapshot import Snapshot


def speakers(*paragraphs: str) -> list[str | None]:
    """The speakers of a document's quotations, read as ``compare`` reads them."""
    ev = Evidence.of(paragraphs)
    return [q.speaker for q in document_quotes(list(paragraphs), range(len(paragraphs)), 4, ev)]


# --- attributions ------------------------------------------------------------------------------

def test_a_speech_verb_with_a_reported_clause_before_the_quotation() -> None:
    assert speakers("Judge Mara Quint said she was “deeply moved by this great trust” on "
                    "her appointment.") == ["Mara Quint"]
    assert speakers("The Daily Courier noted that the video “was filmed by a local "
                    "farmer.” The Evening Post reported that the footage “reached the city "
                    "within two days.”") == ["Daily Courier", "Evening Post"]


def test_a_body_or_a_role_speaks_when_no_person_is_named() -> None:
    assert speakers("Although the dam holds, Ruritania's government says the flooding "
                    "upstream “may still sweep the valley away”.") == ["Ruritania's government"]
    assert speakers("Freedonia's ambassador to the UN says the world “came within hours of a "
                    "famine” after the blockade.") == ["Freedonia's ambassador to the UN"]
    assert speakers("A UN official pleads for “the convoys to pass freely” so food can "
                    "reach the city.") == ["UN official"]
    assert speakers("The Varga family issued a statement saying they were “satisfied with the "
                    "outcome of the hearing”.") == ["Varga family"]


def test_a_paper_speaks_for_its_issuer() -> None:
    assert speakers("Of the tax plan, an IFS note said: “Most of the relief will reach the "
                    "wealthiest households first.”") == ["IFS"]


def test_the_one_spoken_to_or_of_is_not_the_speaker() -> None:
    assert speakers("Paul Brand, director of the Harbour Institute, called the debate bleak.",
                    "He told the BBC: “No party has offered a serious plan for "
                    "the tax system.”") == ["Paul Brand"]
    assert speakers("Sir Rupert Vale, the bank's chairman, said on Thursday: “The board set his "
                    "pay long before the crisis.”") == ["Rupert Vale"]
    assert speakers("Also speaking in Davos, the chancellor, George Mabry, said: “Such pay cannot "
                    "be defended this year.”") == ["George Mabry"]
    assert speakers("Prof Ada Lind, who leads the Harbour Health Study said: “We must not "
                    "forget the patients who never recover.”") == ["Ada Lind"]


def test_only_a_name_speaks_in_the_colon_form() -> None:
    assert speakers("Examples: “I need a short break on Tuesdays to fetch my kids.”") == [None]
    assert speakers("Kovac to warn Ilves: “Dictators will answer for this”") == [None]
    assert speakers("Asked about the plan, Labour MP Jane Doe: “It will not work in time.”") == [
        "Jane Doe"]


# --- pronouns ----------------------------------------------------------------------------------

def test_a_pronoun_is_never_a_place_a_title_or_someone_acted_on() -> None:
    assert speakers("As Tom Baxter toured the docks in Port Ellis, he promised to return.",
                    "“We have run out of money and out of road,” he told supporters "
                    "in Port Ellis.") == ["Tom Baxter"]
    assert speakers("The union leader, Ana Ruiz, described Hal Brook as the best-paid servant of "
                    "the state. “Nobody on a nurse's wage will accept that bonus,” she said.") == [
        "Ana Ruiz"]
    assert speakers("In 1987 Edward Gale wrote in his memoir “Notes from the Long Winter” of the "
                    "feud. “Only one of us,” he wrote, “could stay in that chamber.”") == [
        "Edward Gale", "Edward Gale", "Edward Gale"]


def test_a_surname_alone_names_the_person_named_in_full_before() -> None:
    assert speakers("On Friday Beto Ruiz left the race.",
                    "Aides said he would not run against Senator John Corwin. As Ruiz comforted "
                    "supporters, he promised to keep fighting.",
                    "“We will keep knocking on doors until the vote,” he said.") == ["Ruiz"]


# --- a voice that goes on ----------------------------------------------------------------------

def test_a_quotation_with_no_attribution_goes_on_in_the_voice_before_it() -> None:
    assert speakers("“We will rebuild the bridge by May,” Mayor Ayla Demir said. “Nobody will be "
                    "left behind this time.”") == ["Ayla Demir", "Ayla Demir"]
    # Someone else named between the two: no longer the same voice.
    assert speakers("“We will rebuild the bridge by May,” Mayor Ayla Demir said. Her rival Tomas "
                    "Reed scoffed. “Nobody believes a word of that.”") == ["Ayla Demir", None]
    # "I said" is the writer: attributed, to no one named.
    assert speakers("“Great night out, wasn't it,” said Ken Marlow. “But we didn't do a thing,” "
                    "I said. “We never even danced at all.”") == ["Ken Marlow", None, None]


def test_a_quotation_runs_on_into_the_next_paragraph() -> None:
    left_open = ["Former governor Lena Marsh said: “The plan is dead and buried now.",
                 "“We will start again from nothing next spring.”"]
    assert speakers(*left_open) == ["Lena Marsh", "Lena Marsh"]
    attributed = ["“The plan is dead and buried now,” said Lena Marsh.",
                  "“We will start again from nothing next spring.”"]
    assert speakers(*attributed) == ["Lena Marsh", "Lena Marsh"]
    # A paragraph that ends on narration hands no voice on.
    narrated = ["“The plan is dead and buried now,” said Lena Marsh. The hall fell silent as "
                "the lights went out across the town.",
                "“We will start again from nothing next spring.”"]
    assert speakers(*narrated) == ["Lena Marsh", None]


def test_a_long_interview_is_read_without_recursion() -> None:
    """Three thousand paragraphs of "“...,” he said", asked only for the last one: the pronoun
    goes back one paragraph at a time, read in order, not by recursion (which overflowed)."""
    story = ["Mayor Ayla Demir spoke to reporters for an hour on Monday."]
    story += ["“We will rebuild every bridge in the county,” she said."] * 3000
    found = document_quotes(story, [3000])
    assert [(q.text, q.speaker) for q in found] == [
        ("We will rebuild every bridge in the county", "Ayla Demir")]


def test_a_new_speaker_in_an_added_paragraph_is_reported() -> None:
    lede = "Paul Brand, director of the Harbour Institute, called the debate bleak."
    new = Snapshot.build([lede, "He told the BBC: “No party has offered a serious plan for "
                                "the tax system.”"])
    added = [c for c in compare(Snapshot.build([lede]), new).changes if c.kind == "quote_added"]
    assert [(c.text, c.speaker) for c in added] == [
        ("No party has offered a serious plan for the tax system.", "Paul Brand")]


# --- single quotation marks ----------------------------------------------------------------------

def test_single_quotation_marks_are_quotation_marks() -> None:
    assert [(q.text, q.speaker) for q in quotes(
        "Port Ellis fighting 'like thunder above your head'")] == [
        ("like thunder above your head", None)]
    assert [q.text for q in quotes("Ruiz vows ‘the harbour will open again by spring’")] == [
        "the harbour will open again by spring"]
    # Apostrophes open nothing, and a quotation inside a quotation is part of it.
    assert quotes("The players' union said it won't strike over the Smiths' plan.") == []
    assert [q.text for q in quotes("“He told me ‘we will win this war very soon’ and left,” "
                                   "she said.")] == ["He told me ‘we will win this war very "
                                                     "soon’ and left"]


def test_a_removed_single_quoted_headline_quotation_is_reported() -> None:
    body = ["Shelling went on through the night in the east of the city."]
    old = Snapshot.build(body, headline="Port Ellis fighting 'like thunder above your head'")
    new = Snapshot.build(body, headline="Port Ellis residents describe the battle for the city")
    removed = [c for c in compare(old, new).changes if c.kind == "quote_removed"]
    assert [(c.text, c.speaker) for c in removed] == [("like thunder above your head", None)]


# --- invariants ----------------------------------------------------------------------------------

FIRST = ["Mara", "Tomas", "Ayla", "Rupert", "Lena", "Kemal", "Ines", "Jonah"]
LAST = ["Quint", "Reed", "Demir", "Vale", "Marsh", "Okafor", "Lindqvist", "Baxter"]
CLAUSES = ["", "that", "the plan was", "she was", "he had been", "the ministry's report was",
           "in a statement that the plan was"]
VERBS = ["said", "added", "wrote", "warned", "told reporters", "argued"]


@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.sampled_from(VERBS),
       st.sampled_from(CLAUSES), st.booleans())
def test_the_subject_of_the_verb_of_speech_is_the_speaker(first: str, last: str, verb: str,
                                                          clause: str, colon: bool) -> None:
    """Whatever reported clause (no quotation marks) stands between the verb and the quotation,
    and whether a colon or nothing leads into it, the person before the verb said it."""
    lead = f"{first} {last} {verb} {clause}".strip() + (":" if colon and not clause else "")
    text = f"{lead} “the bridge will reopen by the end of May”."
    assert [q.speaker for q in quotes(text)] == [f"{first} {last}"], text


@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.sampled_from(["he", "she"]),
       st.sampled_from(["said", "added", "told the BBC", "wrote"]), st.integers(0, 3))
def test_a_pronoun_goes_back_to_the_person_named_before(first: str, last: str, pronoun: str,
                                                        verb: str, between: int) -> None:
    """"..., she said" and "She told the BBC: ..." in a paragraph after the one naming a
    person, past paragraphs that go on quoting that person, are that person."""
    paras = [f"{first} {last} spoke to reporters in Port Ellis on Monday."]
    paras += ["“We will rebuild the whole bridge,” " f"{pronoun} said."] * between
    paras += [f"{pronoun.capitalize()} {verb}: “Nobody will be left behind this time.”"]
    assert set(speakers(*paras)) == {f"{first} {last}"}
