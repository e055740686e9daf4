"""Event rules that hold on any wording: parties, observers, venues, names (our own texts)."""

from __future__ import annotations

from kg.article import read_article_text
from kg.extract import extract
from kg.records import Extraction


def _x(body: str, published: str = "2025-03-12") -> Extraction:
    raw = f"---\ntitle: t\npublished: {published}\n---\n{body}\n"
    return extract(read_article_text(raw, name="t", default_id="t"))


def _events(body: str) -> list[tuple[str, tuple[str, ...], str | None]]:
    return [(e.type, e.parties, e.name) for e in _x(body).events if e.type != "Statement"]


def test_an_event_with_one_side_is_left_out() -> None:
    """A meeting whose counterpart the text does not give is no bilateral relation."""
    assert _events("Chilean Defence Minister Tomás Araya attended a meeting on Monday.") == []


def test_teleconference_is_a_meeting() -> None:
    body = "Norwegian Defence Minister Ingrid Solberg held a video teleconference with Chile."
    assert _events(body) == [("Meeting", ("CHL", "NOR"), None)]


def test_observers_and_targets_are_not_parties() -> None:
    body = (
        "Amid growing Russian activity, Norway and Chile will hold exercise Polar Lantern 25-1, "
        "with the Peruvian Navy attending as an observer."
    )
    assert _events(body) == [("Exercise", ("CHL", "NOR"), "Polar Lantern 25-1")]


def test_a_venue_is_no_party_when_two_sides_are_named() -> None:
    body = "Norway and Chile recalled their earlier meeting in Doha, Qatar."
    assert _events(body) == [("Meeting", ("CHL", "NOR"), None)]


def test_a_venue_fills_a_missing_side() -> None:
    body = "Norwegian Defence Minister Ingrid Solberg held talks in Santiago, Chile, on Monday."
    assert _events(body) == [("Meeting", ("CHL", "NOR"), None)]


def test_hyphenated_states_before_a_meeting_are_its_parties() -> None:
    body = (
        "At the Japan-Fiji Defence Ministerial Meeting, the ministers condemned continued "
        "Chinese and Russian pressure on Palau."
    )
    assert _events(body) == [("Meeting", ("FJI", "JPN"), None)]


def test_agreement_name_stops_before_its_date_place_and_parties() -> None:
    body = (
        "Norway and Chile signed the Fjord Gate Agreement on Defence Co-operation in March in "
        "Oslo. Norway and Chile also signed the Polar Supply Arrangement between Norway and "
        "Chile in 2024."
    )
    names = [n for _t, _p, n in _events(body)]
    assert names == ["Fjord Gate Agreement on Defence Co-operation", "Polar Supply Arrangement"]


def test_exercise_names_are_no_verbs_dates_places_or_possessives() -> None:
    body = (
        "Modifying exercises is costly, Chile said. Norway and Chile held exercise Coral "
        "Lantern 24-2 near Tromsø. During Coral Lantern’s second week, troops from Norway and "
        "Chile trained together."
    )
    assert _events(body) == [("Exercise", ("CHL", "NOR"), "Coral Lantern 24-2")]


def test_a_name_after_the_word_exercise_is_no_person() -> None:
    body = "Norwegian and Chilean troops trained together on Exercise Winter Harbour, a drill."
    x = _x(body)
    assert [(e.type, e.parties, e.name) for e in x.events] == [
        ("Exercise", ("CHL", "NOR"), "Winter Harbour")
    ]
    assert [e.name for e in x.entities if e.type == "Official"] == []


def test_the_memorandum_after_a_named_one_is_the_same_agreement() -> None:
    body = (
        "Norway and Chile signed the Memorandum of Understanding on Polar Logistics on Monday. "
        "The memorandum, signed in Oslo, also covers search and rescue."
    )
    assert _events(body) == [
        ("Agreement", ("CHL", "NOR"), "Memorandum of Understanding on Polar Logistics")
    ]


def test_a_letter_signed_with_partners_from_states_has_them_as_parties() -> None:
    body = (
        "British Defence Secretary Tom Hale signed a letter of intent on a joint force. "
        "The letter of intent, signed with partners from Norway and Estonia, sets a 2027 goal."
    )
    assert _events(body) == [("Agreement", ("EST", "GBR", "NOR"), None)]


def _statuses(body: str) -> list[tuple[str, tuple[str, ...], str | None]]:
    return [(e.type, e.parties, e.status) for e in _x(body).events if e.type != "Statement"]


def test_status_and_modality() -> None:
    meeting, agreement = ("Meeting", ("CHL", "NOR")), ("Agreement", ("CHL", "NOR"))
    assert _statuses("Norway and Chile would not be meeting this week, officials said.") == []
    assert _statuses("Norway and Chile said they would sign a supply memorandum.") == [
        (*agreement, "planned")
    ]
    assert _statuses("Norway and Chile plan to sign a supply memorandum.") == [
        (*agreement, "planned")
    ]
    assert _statuses("Norway and Chile will conclude a supply agreement next month.") == [
        (*agreement, "planned")
    ]
    assert _statuses("A supply agreement between Norway and Chile is under negotiation.") == [
        (*agreement, "negotiating")
    ]
    assert _statuses("Talks between Norway and Chile, planned for May, were postponed.") == [
        (*meeting, "suspended")
    ]
    assert _statuses("If asked, Norway and Chile could sign a supply memorandum.") == []


def test_concluding_a_trip_is_no_agreement() -> None:
    body = "Chilean Defence Minister Tomás Araya will conclude his trip to Norway tomorrow."
    assert _statuses(body) == [("Visit", ("CHL", "NOR"), "planned")]


def test_signed_agreements_carry_cameo_057_and_others_the_class_code() -> None:
    from kg.mapping import extraction_quads
    from kg.vocab import DKG

    x = _x(
        "Norway and Chile signed a supply memorandum on Monday. Norway and Chile also agreed "
        "to expand pilot exchanges."
    )
    assert [(e.status, e.cameo) for e in x.events] == [("signed", "057"), ("agreed", None)]
    quads = extraction_quads(x)
    codes = sorted(
        q.object.value.rsplit("/", 1)[-1] for q in quads if q.predicate.value == str(DKG.cameo)
    )
    assert codes == ["cameo-030", "cameo-057"]


def test_parties_and_status_record_their_basis() -> None:
    x = _x("Norwegian Defence Minister Ingrid Solberg held talks in Santiago, Chile, on Monday.")
    [meeting] = x.events
    assert [
        (b.fact, b.rule, b.span.text if b.span else None, b.inferred) for b in meeting.basis
    ] == [
        ("party:CHL", "venue", "Chile", True),
        ("party:NOR", "adjective", "Norwegian", False),
        ("status:held", "trigger", meeting.evidence[0].text, False),
    ]


def test_names_with_slashes_hyphenated_years_and_appositions() -> None:
    assert _events("Japan and Mongolia held exercise East/Cooperation-2026 near Ulaanbaatar.") == [
        ("Exercise", ("JPN", "MNG"), "East/Cooperation-2026")
    ]
    assert _events("Kazakhstan and Mongolia began the Steppe Guardian-2027 exercise.") == [
        ("Exercise", ("KAZ", "MNG"), "Steppe Guardian-2027")
    ]
    assert _events("Asia's largest exercise, Coral Lantern, began in Thailand with Malaysia.") == [
        ("Exercise", ("MYS", "THA"), "Coral Lantern")
    ]
    assert _events("Britain and France signed the Harbour Gate Treaties in 2010.") == [
        ("Agreement", ("FRA", "GBR"), "Harbour Gate Treaties")
    ]


def test_what_was_agreed_is_no_clause_and_the_clause_keeps_its_meeting() -> None:
    x = _x("Norway and Chile agreed on a logistics roadmap when their ministers met in February.")
    assert [(e.type, e.status, e.label) for e in x.events] == [
        ("Agreement", "agreed", "a logistics roadmap"),
        ("Meeting", "held", "Meeting between Chile and Norway"),
    ]


def test_a_planning_conference_dates_itself_not_the_exercise() -> None:
    x = _x(
        "Norway and Chile held a planning conference on 3 March 2025 for exercise Polar "
        "Lantern, which will begin on 10 June 2025."
    )
    assert [(e.type, e.status, e.name, e.date and e.date.value) for e in x.events] == [
        ("Meeting", "held", None, "2025-03-03"),
        ("Exercise", "planned", "Polar Lantern", "2025-06-10"),
    ]


def test_implicit_visits() -> None:
    assert _events(
        "Chilean Defence Minister Tomás Araya made a guest-of-government visit to Norway."
    ) == [("Visit", ("CHL", "NOR"), None)]
    body = "Norwegian Defence Minister Ingrid Solberg was a welcome visitor in Santiago, Chile."
    assert _events(body) == [("Visit", ("CHL", "NOR"), None)]


def test_a_sentence_naming_a_known_exercise_adds_its_states_not_its_date() -> None:
    x = _x(
        "Norway and Chile held exercise Polar Lantern 2025 in March. Officers from Peru, Norway "
        "and Chile will adjust the scope of Polar Lantern next year. India, Brazil, and "
        "Argentina each sent observers to the exercise."
    )
    assert [(e.type, e.parties, e.status, e.name, e.date) for e in x.events] == [
        ("Exercise", ("CHL", "NOR", "PER"), "held", "Polar Lantern 2025", None)
    ]


def test_an_edition_year_makes_an_accord_an_exercise_and_hosted_in_is_no_meeting() -> None:
    body = (
        "Harbour Accord 2025 was the largest exercise in the region. Troops from Kenya and "
        "Tanzania took part in the exercise, hosted in Kenya by its army."
    )
    assert _statuses(body) == [("Exercise", ("KEN", "TZA"), "held")]
    assert [(e.type, e.name) for e in _x(body).events] == [("Exercise", "Harbour Accord 2025")]


def test_states_a_meeting_supports_are_not_its_parties() -> None:
    body = "Britain and Norway met in Oslo to support Finland and Sweden’s accession to NATO."
    assert _events(body) == [("Meeting", ("GBR", "NOR"), None)]


def test_a_later_state_visit_to_the_country_is_the_same_visit() -> None:
    x = _x(
        "Norwegian Defence Minister Ingrid Solberg began her state visit to Chile on Monday. "
        "During her state visit to the country, she met Chilean officials."
    )
    visits = [(e.parties, e.label, e.date and e.date.value) for e in x.events if e.type == "Visit"]
    assert visits == [(("CHL", "NOR"), "Visit by Ingrid Solberg to Chile", "2025-03-10")]


def test_meetings_with_counterparts_from_several_states_are_one_meeting_each() -> None:
    body = (
        "In Santiago, the U.S. Secretary of Defense Tom Reyes held meetings with his "
        "counterparts from Chile, Peru and Ecuador."
    )
    assert _events(body) == [
        ("Meeting", ("CHL", "USA"), None),
        ("Meeting", ("ECU", "USA"), None),
        ("Meeting", ("PER", "USA"), None),
    ]
    # without a known subject the listed states did not meet each other: no event
    assert _events("He later held meetings with counterparts from Chile, Peru and Ecuador.") == []


def test_capitalised_ministerial_talks_are_a_meeting_and_the_clause_fills_a_side() -> None:
    body = (
        "In June, the Chilean Minister of National Defense visited Norway during a tour of "
        "Europe and held Chile–Norway Defense Ministerial Talks."
    )
    assert _events(body) == [("Visit", ("CHL", "NOR"), None), ("Meeting", ("CHL", "NOR"), None)]
    body = (
        "In April, on the occasion of the Norwegian defence minister’s visit, a bilateral "
        "Defence Ministerial Meeting was held in Santiago, Chile."
    )
    assert _events(body) == [("Visit", ("CHL", "NOR"), None), ("Meeting", ("CHL", "NOR"), None)]


def test_a_named_exercise_with_one_known_side_is_a_name_not_a_relation() -> None:
    x = _x("Exercise Winter Harbour is a Norwegian-led exercise in the Arctic.")
    assert [(e.type, e.parties, e.status, e.name) for e in x.events] == [
        ("Exercise", ("NOR",), None, "Winter Harbour")
    ]


def test_remote_meetings_and_courtesy_visits_to_a_person_are_meetings() -> None:
    """ "telephone conference", "conference call" and "courtesy visit to <person>" are
    meetings; a courtesy visit paid to a person is no trip of its own."""
    body = (
        "Uruguayan Defence Minister Pablo Ferrer held a telephone conference with Bolivian "
        "Defence Minister Rosa Quispe. Later, Ghanaian Army chief Maj. Gen. Kofi Mensah made a "
        "courtesy visit to Minister Ferrer. Ferrer also joined a conference call with Peruvian "
        "Defence Minister Luis Paredes."
    )
    assert _events(body) == [
        ("Meeting", ("BOL", "URY"), None),
        ("Meeting", ("GHA", "URY"), None),
        ("Meeting", ("PER", "URY"), None),
    ]


def test_confirmed_to_and_confirmed_with_report_what_was_agreed() -> None:
    """Readout English: "the ministers confirmed to <verb>", "X confirmed with Y on <topic>";
    "confirmed to reporters" is speech, not an agreement."""
    body = (
        "Laotian Defence Minister Somsack Vongsa and Thai Defence Minister Niran Chai "
        "confirmed to hold regular staff talks on flood relief."
    )
    assert [(t, p) for t, p, _n in _events(body)] == [("Agreement", ("LAO", "THA"))]
    body = "Minister Niran of Thailand confirmed with Minister Somsack of Laos on mine clearance."
    assert [(t, p) for t, p, _n in _events(body)] == [("Agreement", ("LAO", "THA"))]
    body = "Thailand and Laos confirmed to reporters that their ministers spoke by telephone."
    assert _events(body) == []


def test_hosting_a_person_is_a_meeting_hosting_an_event_makes_the_host_a_party() -> None:
    body = "Malawian Defence Minister Grace Tembo will host her Zambian counterpart in Lilongwe."
    x = _x(body)
    assert [(e.type, e.parties, e.status) for e in x.events] == [
        ("Meeting", ("MWI", "ZMB"), "planned")
    ]
    body = "Namibia hosted the drills with troops from Angola and Zambia."
    assert _events(body) == [("Exercise", ("AGO", "NAM", "ZMB"), None)]
    body = "Angola is proud to host this inaugural meeting of Namibia, Zambia and Angola."
    assert _events(body) == [("Meeting", ("AGO", "NAM", "ZMB"), None)]


def test_a_short_quotation_inside_a_clause_starts_no_clause() -> None:
    """A scare quote ("raised to “a new stage” by ...") keeps the clause's subject."""
    body = (
        "Estonia and Finland said their ties, raised to “a new stage” by naval drills held in "
        "May, keep growing."
    )
    assert _events(body) == [("Exercise", ("EST", "FIN"), None)]


def test_a_planning_conference_has_the_parties_given_after_the_exercise_it_plans() -> None:
    body = (
        "A final planning conference for exercise Amber Coast 2026 opened with staff officers "
        "from the Latvian and Lithuanian navies."
    )
    x = _x(body)
    assert [(e.type, e.parties, e.status, e.name) for e in x.events] == [
        ("Meeting", ("LTU", "LVA"), "held", None),
        ("Exercise", ("LTU", "LVA"), "planned", "Amber Coast 2026"),
    ]


def test_we_and_you_in_a_transcript_are_the_speaker_and_the_official_addressed() -> None:
    """First person in a speaker's turn is the speaker's state, second person the state of
    the official the turn opens by addressing; both are inferred from context."""
    body = (
        "Irish Defence Minister Sean Byrne is in Reykjavik this week.\n\n"
        "ICELANDIC FOREIGN MINISTER HANNA SIGURDSSON: Minister Byrne, good morning. We are glad "
        "to host you in Reykjavik.\n\n"
        "Since your first visit to Iceland, much has changed.\n\n"
        "JOURNALIST: Is there a plan?\n\n"
        "SIGURDSSON: We are working on an arrangement with Ireland on search and rescue."
    )
    x = _x(body)
    found = [(e.type, e.parties, e.status) for e in x.events if e.type != "Statement"]
    assert found == [
        ("Meeting", ("IRL", "ISL"), "held"),
        ("Visit", ("IRL", "ISL"), "held"),
        ("Agreement", ("IRL", "ISL"), "negotiating"),
    ]
    visit = next(e for e in x.events if e.type == "Visit")
    assert [(b.fact, b.rule, b.inferred) for b in visit.basis[:2]] == [
        ("party:IRL", "context", True),
        ("party:ISL", "name", False),
    ]
    # a journalist's "we" is nobody's side: no state, so no event
    assert (
        _events("IRISH DEFENCE MINISTER SEAN BYRNE: Hello.\n\nJOURNALIST: Will we host Iceland?")
        == []
    )


def test_what_was_agreed_between_a_and_b_gives_the_sides_a_subject_lacks() -> None:
    body = (
        "On the occasion of the Slovenian defence minister’s visit, a bilateral meeting was "
        "held. The two defence ministers agreed to widen pilot training between Austria and "
        "Slovenia."
    )  # the meeting knows one side only; the pair gives both
    assert _events(body) == [("Agreement", ("AUT", "SVN"), None)]
    # a subject that names its side keeps it: a mediator is no side of the pair
    assert _events("Hungary agreed to calm relations between Austria and Slovenia.") == []
