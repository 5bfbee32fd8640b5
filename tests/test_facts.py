"""Facts read right on small invented passages: figures pair within their own sentence and with
their own kind and counted thing, pronoun speakers resolve, quotations that keep their words
are edited, and names are people, organisations and places, not any capitalised run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.compare.classify import compare
from tracker.compare.facts import changed_figures, document_quotes, entities, number_kind, numbers
from tracker.snapshot import Snapshot


def snap(*paras: str, **meta: str | None) -> Snapshot:
    return Snapshot.build(list(paras), **meta)


def of_kind(old: Snapshot, new: Snapshot, kind: str) -> list[dict]:
    return [c.to_dict() for c in compare(old, new).changes if c.kind == kind]


def figures(old: Snapshot, new: Snapshot) -> list[tuple[str, str]]:
    return [(c["before"], c["after"]) for c in of_kind(old, new, "number_changed")]


# --- figures ------------------------------------------------------------------------------

def test_two_corrected_years_pair_each_within_its_own_sentence() -> None:
    # The later year moved into the other sentence: cancelling "2005" against "2005" across
    # the paragraph once reported 2003 -> 2004 and missed the second correction.
    old = ("Both are mature. The Alder framework first shipped in 2005, and its latest major "
           "version came out in 2019. The Birch toolkit first shipped in 2003, and its latest "
           "major version also came out in 2019.")
    new = old.replace("in 2005,", "in 2004,").replace("in 2003,", "in 2005,")
    found = of_kind(snap("Intro.", old), snap("Intro.", new), "number_changed")
    assert [(c["before"], c["after"]) for c in found] == [("2005", "2004"), ("2003", "2005")]
    assert "Alder" in found[0]["context"] and "Birch" not in found[0]["context"]
    assert "Birch" in found[1]["context"] and "Alder" not in found[1]["context"]


def test_a_rewritten_summary_pairs_no_unrelated_figures() -> None:
    head = "Civilians trapped as shelling hits port town"
    old = snap("x", headline=head,
               deck="Dunmore, a town of 45,000 people, has lost power after heavy shelling.")
    new = snap("x", headline=head, deck="The governor insists the relief effort is on track, "
               "despite reaching only one major town.")
    assert figures(old, new) == []


def test_a_number_word_pairs_only_where_its_noun_matches() -> None:
    old = "Stretching for 20 miles, the column includes hundreds of tanks and artillery."
    to_soldiers = "The region mourns 70 soldiers as a column stretching for 20 miles advances."
    assert figures(snap("A.", old), snap("A.", to_soldiers)) == []
    assert figures(snap("Two ministers resigned on Monday."),
                   snap("Three ministers resigned on Monday.")) == [("Two", "Three")]
    assert figures(snap(old), snap(old.replace("20 miles", "40 miles"))) == [("20", "40")]


def test_a_year_never_pairs_with_a_count() -> None:
    assert figures(snap("The council hired 20 inspectors, officials said."),
                   snap("The council hired inspectors in 2019, officials said.")) == []


def test_several_figures_of_one_paragraph_each_carry_their_own_sentence() -> None:
    # The two figures traded places: across the paragraph they cancel out, sentence by
    # sentence both changed.
    old = "Floods killed 40 people in Rize. Another 12 homes were destroyed in Artvin."
    new = "Floods killed 12 people in Rize. Another 40 homes were destroyed in Artvin."
    found = of_kind(snap(old), snap(new), "number_changed")
    assert [(c["before"], c["after"], c["context"]) for c in found] == [
        ("40", "12", "Floods killed 12 people in Rize."),
        ("12", "40", "Another 40 homes were destroyed in Artvin.")]


def test_figures_in_links_and_code_names_are_no_figures() -> None:
    old = snap("Read [part two](https://example.org/2022/08/02/part-two/) of the COVID-19 series.")
    new = snap("Read [part two](https://example.org/2022/08/11/part-two/) of the COVID-19 series.")
    assert figures(old, new) == []
    assert [m.text for m in numbers("See /2022/08/02/ and report_2019.pdf and COVID-19.")] == []


def test_runs_for_wickets_are_one_score() -> None:
    assert figures(snap("x", headline="Stokes and Root put on 50 stand as England pass 100-4"),
                   snap("x", headline="Stokes bowled by Seales as England slip to 115-5")
                   ) == [("100-4", "115-5")]


def test_a_score_in_a_reworded_headline_pairs_inside_its_own_clause() -> None:
    # The sentences share one word of ten: not one sentence. Their clauses about Dunmore's
    # score are one clause, and the score in it changed.
    old = "Marsh takes stunning catch to dismiss Reed as Dunmore slump to 31-2"
    new = "Okafor run out as careless Dunmore crash to 44-3 against Rovers"
    assert figures(snap("x", headline=old), snap("x", headline=new)) == [("31-2", "44-3")]
    # Scores in clauses that share nothing are no pair.
    assert figures(snap("x", headline="Rovers lead 2-0 as rain stops play at Dunmore"),
                   snap("x", headline="Fans queue for tickets after 3-1 cup upset")) == []


def test_clauses_break_at_punctuation_and_conjunctions_not_inside_figures() -> None:
    from tracker.compare.clauses import clause_spans
    text = "Dunmore, a town of 45,000 people, lost power at 3:45 as storms hit - officials said"
    assert [text[a:b] for a, b in clause_spans(text, (0, len(text)))] == [
        "Dunmore", "a town of 45,000 people", "lost power at 3:45", "as storms hit",
        "officials said"]


TEAMS = ["Dunmore", "Rovers", "Athletic", "Harbour", "Wanderers", "United"]
VERBS = ["slump to", "reach", "crash to", "close on", "recover to", "limp to"]
OPENERS = ["Marsh run out", "Reed takes catch", "Rain stops play", "Okafor bowled", "Fans despair"]


@given(st.permutations(OPENERS), st.permutations(VERBS), st.sampled_from(TEAMS),
       st.sampled_from(TEAMS), st.tuples(st.integers(10, 199), st.integers(0, 4)),
       st.tuples(st.integers(200, 400), st.integers(5, 9)), st.booleans())
def test_a_score_in_a_reworded_headline_pairs_only_with_the_same_side_s_score(
        openers: list[str], verbs: list[str], team_old: str, team_new: str,
        score_old: tuple[int, int], score_new: tuple[int, int], overs: bool) -> None:
    """Two headlines too unlike to be one sentence (they share at most the team): the score
    pairs when its clause is about the same team, never across teams, and a figure added
    ("in 40 overs") pairs with nothing."""
    old, new = "{}-{}".format(*score_old), "{}-{}".format(*score_new)
    before = f"{openers[0]} as {team_old} {verbs[0]} {old}" + " in 40 overs" * overs
    after = f"{openers[1]} as {team_new} {verbs[1]} {new}"
    pairs = [(x.text, y.text) for x, y in
             changed_figures(before, after, [(0, len(before), 0, len(after))])]
    assert pairs == ([(old, new)] if team_old == team_new else [])


def test_a_figure_the_diff_keeps_is_unchanged_whatever_stands_beside_it() -> None:
    # "two" stays before "crews"; the "two" that came is the sailings' count, not the crews'.
    assert figures(snap("The ferry needs two crews for 10 sailings on Monday."),
                   snap("The ferry needs two crews for two sailings on Monday.")
                   ) == [("10", "two")]


TOPICS = [("harbour", "ferries"), ("council", "seats"), ("museum", "visitors"),
          ("airport", "flights"), ("factory", "workers"), ("school", "pupils")]


@given(st.lists(st.tuples(st.integers(2, 999), st.integers(2, 999), st.booleans()),
                min_size=1, max_size=len(TOPICS)),
       st.permutations(range(len(TOPICS))))
def test_figures_pair_only_inside_their_own_sentence(values: list[tuple[int, int, bool]],
                                                     order: list[int]) -> None:
    """Whatever the figures, a pair never crosses sentences, never crosses kinds, and takes
    each mention once."""
    chosen = [TOPICS[k] for k in order[:len(values)]]
    old_s = [f"The {place} reported {a} {thing} this week." for (place, thing), (a, _, _) in
             zip(chosen, values)]
    new_s = [f"The {place} reported {b if change else a} {thing} this week."
             for (place, thing), (a, b, change) in zip(chosen, values)]
    before, after = " ".join(old_s), " ".join(new_s)
    pairs = changed_figures(before, after, [(0, len(before), 0, len(after))])
    starts_old = [before.index(s) for s in old_s]
    starts_new = [after.index(s) for s in new_s]
    for x, y in pairs:
        i = max(k for k, at in enumerate(starts_old) if at <= x.start)
        j = max(k for k, at in enumerate(starts_new) if at <= y.start)
        assert i == j and number_kind(x) == number_kind(y)
    assert len({id(x) for x, _ in pairs}) == len(pairs) == len({id(y) for _, y in pairs})
    assert len(pairs) == sum(1 for a, b, change in values if change and a != b)
    assert changed_figures(before, before, [(0, len(before), 0, len(before))]) == []


# --- speakers and quotations ---------------------------------------------------------------

CAMPAIGN = [
    "Former governor Lena Marsh entered the race for the senate on Sunday.",
    "In a video, Ms Marsh declared: “I am running for the senate.”",
    "“Families have fought their way back from hard times,” she said, “but the deck is still "
    "stacked against them.”",
    "“Working people need a champion and I want to be that champion,” she added.",
    "Rival candidate Tomas Reed, a former mayor of Dunmore and brother of Piet Reed who is also "
    "weighing a run, tweeted: “We must do better than this plan.”",
    "Party officials were cautious. “We will look at every candidate closely,” they told "
    "reporters.",
]


def test_pronoun_speakers_resolve_to_the_person_named_before() -> None:
    found = document_quotes(CAMPAIGN, range(len(CAMPAIGN)))
    assert [q.speaker for q in found] == ["Marsh", "Marsh", "Marsh", "Marsh", "Tomas Reed", None]
    changes = of_kind(snap(*CAMPAIGN[:1]), snap(*CAMPAIGN), "quote_added")
    assert [c["speaker"] for c in changes][1:5] == ["Marsh", "Marsh", "Marsh", "Tomas Reed"]


def test_named_attributions() -> None:
    cases = {
        "“The bridge will reopen by the end of May,” Ali Veli, the regional governor, said.":
            "Ali Veli",
        "Ali Veli wrote: “The bridge will reopen by the end of May.”": "Ali Veli",
        "“The bridge will reopen by the end of May,” Ali Veli told reporters on Monday.":
            "Ali Veli",
        "The Dunmore Rowing Club said in a statement: “The regatta will go ahead as planned.”":
            "Dunmore Rowing Club",
        "“The bridge will reopen by the end of May,” he said.": None,  # no name to go back to
    }
    for text, speaker in cases.items():
        assert [q.speaker for q in document_quotes([text], [0])] == [speaker], text


def test_a_quote_that_keeps_its_words_is_edited() -> None:
    old = snap("“We will not stop the search tonight,” said Mayor Ayşe Demir.")
    new = snap("“We will not stop the search tonight, whatever the weather, until every missing "
               "person has been found,” said Mayor Ayşe Demir.")
    changes = compare(old, new).changes
    quoted = [c for c in changes if c.kind.value.startswith("quote_")]
    assert [(c.kind, c.before, c.speaker) for c in quoted] == [
        ("quote_edited", "We will not stop the search tonight", "Ayşe Demir")]
    assert quoted[0].after.startswith("We will not stop the search tonight, whatever")


def test_a_quote_that_keeps_one_word_is_another_quote() -> None:
    old = snap("The agency warned the fighting “could lead to catastrophe” at the plant.")
    new = snap("The agency said the plant “narrowly averted a nuclear catastrophe” overnight.")
    kinds = [c.kind for c in compare(old, new).changes if c.kind.value.startswith("quote_")]
    assert kinds == ["quote_added", "quote_removed"]


def test_a_quote_of_exactly_four_words_counts() -> None:
    """The contract's threshold: four words are a quotation, three are not."""
    lede = "The minister spoke to reporters in Ankara on Monday about the floods."
    four = "“We will rebuild everything,” the minister said."
    three = "“We will rebuild,” the minister said."
    assert [(c["kind"], c["text"]) for c in of_kind(snap(lede, four), snap(lede), "quote_removed")
            ] == [("quote_removed", "We will rebuild everything")]
    assert of_kind(snap(lede, three), snap(lede), "quote_removed") == []


def test_markup_values_and_links_are_no_quotations() -> None:
    page = ('<img src="/assets/blog/team/photo-of-the-team.jpg" alt="The whole team at the '
            'offsite in June"> and a caption.')
    assert document_quotes([page], [0]) == []


# --- names -------------------------------------------------------------------------------

def test_names_are_people_organisations_and_places_not_capitalised_runs() -> None:
    text = ("Versions of Node\nThis release fixes CVE-2018-7160 in the Uint8Array code path, "
            "rated MEDIUM by the Security Working Group of Node.js. Do NOT upgrade over HTTP "
            "before June-2018. So I'm told the patch came from Ayşe Demir and NATO.")
    assert entities(text) == ["Security Working Group", "Ayşe Demir", "NATO"]


def test_a_technical_abbreviation_inside_a_name_does_not_cut_it_in_two() -> None:
    text = "Our team at 18F, the Eligibility APIs Initiative, wrote about HTTP and APIs."
    assert entities(text) == ["Eligibility APIs Initiative"]  # not "Eligibility", "Initiative"
    assert entities("Read the HTTP notes.") == []  # alone, still no name


def test_runs_glued_across_a_boundary_are_cut() -> None:
    assert entities("He grew up near the Sun Valley Gun Club in Calif.He said no.") == [
        "Sun Valley Gun Club", "Calif"]
    assert entities("Read the notes on Versions of Node This release is small.") == []


def test_a_sentence_initial_word_is_a_name_only_where_the_text_says_so_elsewhere() -> None:
    assert entities("Besieged Kharkiv was hit again. Wood removes Brathwaite for 55.") == [
        "Kharkiv", "Brathwaite"]
    assert entities("Wood removes Brathwaite for 55. Brathwaite was caught off Wood.") == [
        "Wood", "Brathwaite"]
    assert entities("Vladimir Putin said so. Calling Buffer With a Number is unsafe.") == [
        "Vladimir Putin"]
    assert entities("Voters backed the “Build Back Better” plan in Ohio.") == ["Ohio"]


def test_a_name_spelled_one_letter_off_is_a_copyedit() -> None:
    old = snap("The festival opens in Octoboer in Zelenksy Square, organisers said.")
    new = snap("The festival opens in October in Zelensky Square, organisers said.")
    assert [c.kind for c in compare(old, new).changes
            if c.kind.value.startswith("entity_")] == []
    moved = snap("The festival now opens in November on Freedom Square by the river, "
                 "organisers said.")
    assert [(c.kind, c.text) for c in compare(new, moved).changes
            if c.kind.value.startswith("entity_")] == [
        ("entity_added", "Freedom Square"), ("entity_removed", "Zelensky Square")]


# --- editor's-note claims -----------------------------------------------------------------

def test_a_claimed_source_is_matched_as_a_word_not_a_prefix() -> None:
    old = snap("Officials said 12 people died in the floods.", "The ministry sent help.")
    body = ["Officials said 12 people died in the floods.", "The ministry sent help.",
            "“The response was far too slow,” said Dr Ayla Kurt, an expert in Kremlinology."]
    new = Snapshot.build(body, editor_note="ADDS KREMLIN COMMENT")
    assert [(c["claim"], c["status"]) for c in compare(old, new).claims] == [
        ("ADDS KREMLIN COMMENT", "not_found")]
    inflected = Snapshot.build(body[:2] + ["“We are watching,” a Kremlin spokesman said, "
                                           "according to the Kremlin’s website."],
                               editor_note="ADDS KREMLIN COMMENT")
    assert [c["status"] for c in compare(old, inflected).claims] == ["confirmed"]


def test_an_abbreviation_standing_alone_is_a_name_wherever_it_stands() -> None:
    # After "The", at a sentence start, before a title run: its capitals are not the
    # position's. Beside unproved capitalised words it may be initials: nothing is claimed.
    assert entities("The UK is phasing out coal, and the EU is cutting gas imports.") == [
        "UK", "EU"]
    assert entities("Lena Marsh told ABC's This Week programme she would run.") == [
        "Lena Marsh", "ABC"]
    assert entities("See Why Towns Flood, by TJ Harrop.") == []
    assert entities("WHAT WE LEARNED") == []


def test_a_sentence_opener_is_proved_a_name_only_by_a_name_it_ends() -> None:
    # "Standards" opens a long title elsewhere: no proof that it names anything alone. A
    # surname is the end of the full name: "Putin" at a sentence start is proved.
    assert entities("Standards for grading reports vary. The rules are in FIPS 199, Standards "
                    "for Security Categorization of Federal Information.") == [
        "FIPS", "Standards for Security Categorization of Federal Information"]
    assert entities("Putin spoke first. Later the Russian leader Vladimir Putin left.") == [
        "Putin", "Vladimir Putin"]
