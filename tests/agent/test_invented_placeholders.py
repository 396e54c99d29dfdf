"""A placeholder the model invents is never shown to the analyst as if it were a real value."""

from __future__ import annotations

from agent.pseudonymise import INVENTED_PLACEHOLDER, Pseudonymiser, StreamRestorer


def test_known_tokens_are_restored_and_invented_ones_are_marked() -> None:
    pseudo = Pseudonymiser()
    token = pseudo.register("Jane Marlowe", "PARTY")
    text = f"{token} was paid on <VALUE_DATE_1> through <AGENT_2>; see <PARTY_9>."
    assert pseudo.unmask(text) == (
        f"Jane Marlowe was paid on {INVENTED_PLACEHOLDER} through {INVENTED_PLACEHOLDER}; see {INVENTED_PLACEHOLDER}."
    )


def test_streamed_invented_placeholder_split_across_chunks() -> None:
    restorer = StreamRestorer(Pseudonymiser())
    out = restorer.feed("credited on <VALUE_") + restorer.feed("DATE_1> at noon") + restorer.flush()
    assert out == f"credited on {INVENTED_PLACEHOLDER} at noon"
