"""The answer verifier: every code, BIC, amount, date, reference and status word must agree with the sources."""

from __future__ import annotations

from datetime import date

from agent.verifier import Sources, known_codes, sentence_problems, verify

FINDINGS = (
    "PAY-90000001: USD 48,250.00 from Alpine Textiles GmbH to Great Lakes Components Inc. [E1]\n"
    "The payment is at HUDSUS33 with ACSP/G002 (credit may not be confirmed the same day) since "
    "2026-11-16 09:47 UTC; it has not been forwarded. [E2]\n"
    "Proposed, awaiting approval: investigation CCNR to HUDSUS33. [E1] [E2]"
)


def _src(states: set[str] | None = None) -> Sources:
    return Sources(FINDINGS, known_codes(), set() if states is None else states, today=date(2026, 11, 20))


def test_supported_sentences_are_kept():
    text = (
        "PAY-90000001 for USD 48,250.00 is at HUDSUS33 with ACSP/G002 since 16 November [E2]. "
        "It has not been credited yet, and a CCNR investigation awaits approval."
    )
    verdict = verify(text, _src())
    assert verdict.unsupported == 0 and verdict.text.startswith("PAY-90000001")


def test_each_kind_of_unsupported_claim_is_removed_and_counted():
    src = _src()
    assert sentence_problems("It stopped at BNPAFRPPXXX.", src) == ["BIC BNPAFRPPXXX"]
    assert sentence_problems("The status reason is G004.", src) == ["code G004"]
    assert sentence_problems("The amount was USD 4,957.50.", src) == ["amount 4,957.50"]
    assert sentence_problems("It was received on 2 March.", src) == ["date 2026-03-02"]
    assert sentence_problems("See PAY-90000002.", src) == ["reference PAY-90000002"]
    assert sentence_problems("The beneficiary was credited.", src) == ["status credited"]
    assert sentence_problems("The payment was rejected.", src) == ["status rejected"]
    text = "The payment is at HUDSUS33. The beneficiary was credited on 2026-11-16. Expect news in 24 hours."
    verdict = verify(text, src)
    assert verdict.unsupported == 1 and "credited" not in verdict.text
    assert "24 hours" in verdict.text  # small numbers are not amounts: wording, not facts


def test_status_words_follow_the_payment_state_and_negation():
    credited = _src({"credited"})
    assert sentence_problems("The payment was credited.", credited) == []
    assert sentence_problems("The payment has not been credited.", credited) == ["status not credited"]
    assert sentence_problems("The payment has not been credited.", _src()) == []


def test_general_answers_check_status_words_against_the_section_text():
    src = Sources("A rejected payment is answered with camt.029 RJCR [SOP-003 §2].", known_codes(), None)
    assert sentence_problems("A rejected recall gets camt.029 RJCR [SOP-003 §2].", src) == []
    assert sentence_problems("The funds are returned with FOCR.", src) == ["code FOCR", "status returned"]


def test_repetition_loops_and_repeated_sentences_are_cut():
    loop = "The payment is at HUDSUS33 with ACSP/G002 and the payment is at HUDSUS33 with ACSP/G002 and more."
    verdict = verify(f"{loop} The payment is at HUDSUS33. The payment is at HUDSUS33.", _src())
    assert verdict.repetitions == 2
    assert verdict.text.count("HUDSUS33") == 2  # the loop cut at its repeat, the duplicate sentence dropped


def test_a_decision_the_sources_do_not_record_is_removed():
    src = _src()
    assert sentence_problems("The recall was approved and executed.", src) == ["action approved"]
    assert sentence_problems("The recall has been executed.", src) == ["action executed"]
    assert sentence_problems("Supervisor authorised the investigation.", src) == ["action authorised"]
    assert sentence_problems("The investigation has not been approved yet.", src) == []
    assert sentence_problems("An investigation awaits approval.", src) == []
    assert sentence_problems("It will be executed once a supervisor decides.", src) == []


def test_refused_is_a_rejection_claim_like_rejected():
    assert sentence_problems("The payment was refused due to a wrong creditor account.", _src()) == [
        "status rejected"
    ]
    assert sentence_problems("The payment was refused.", _src({"rejected"})) == []


def test_a_position_must_be_the_agent_the_tracker_places_the_payment_at():
    src = Sources(
        FINDINGS + "\nThe creditor agent is LAKEUS44. [E1]", known_codes(), set(), position="HUDSUS33XXX"
    )
    assert sentence_problems("The payment is at HUDSUS33 with ACSP/G002.", src) == []
    assert sentence_problems("The payment is at LAKEUS44 with ACSP/G002.", src) == [
        "position LAKEUS44 (the tracker says HUDSUS33XXX)"
    ]
    assert sentence_problems("It is now at LAKEUS44.", src) == [
        "position LAKEUS44 (the tracker says HUDSUS33XXX)"
    ]
    assert sentence_problems("It goes on to LAKEUS44 once HUDSUS33 forwards it.", src) == []
    unknown = Sources(FINDINGS + "\nLAKEUS44 [E1]", known_codes(), set())  # no tracker: nothing to compare
    assert sentence_problems("The payment is at LAKEUS44.", unknown) == []


def test_a_status_word_about_a_request_is_not_the_payment_state():
    # The payment is credited; a refused recall or a rejected proposal does not make it "rejected".
    refused = Sources(
        FINDINGS + "\nRejected by supervisor2: investigation CONR to HUDSUS33.", known_codes(), {"credited"}
    )
    for sentence in (
        "The supervisor rejected the CONR.",
        "Our recall was refused by the beneficiary bank.",
        "The cancellation request was rejected.",
        "The supervisor declined the proposed investigation.",
    ):
        assert sentence_problems(sentence, refused) == [], sentence
    assert sentence_problems("The payment was rejected.", refused) == ["status rejected"]
    # Where the sources record no refusal the claim is a decision nobody took: removed, like "was approved".
    assert sentence_problems("The supervisor rejected the CCNR.", _src()) == ["request rejected"]
    assert sentence_problems("Our recall was refused.", _src()) == ["request refused"]
    assert sentence_problems("The recall has not been rejected.", _src()) == []
