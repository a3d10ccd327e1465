"""GS1 element strings: split FNC1-separated data into ``[AI]value``.

A printer only sees AI digits followed by data and FNC1 after variable-length values; zint
wants the AIs in brackets. The split uses the AI lengths and the predefined value lengths of the
GS1 General Specifications (figure 7.8.5-1), never a guess on the digits inside a value.
"""

from __future__ import annotations

from collections.abc import Iterable

# Two-digit AI prefix → value length of AIs with a predefined length (GS1 GS figure 7.8.5-1).
_FIXED_VALUE = {"00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "20": 2, "41": 13} | {
    prefix: 6 for prefix in ("11", "12", "13", "14", "15", "16", "17", "18", "19")
}
_FIXED_VALUE |= {prefix: 6 for prefix in ("31", "32", "33", "34", "35", "36")}
# Two-digit AI prefix → number of digits of the AI itself (2 where not listed).
_AI_DIGITS = dict.fromkeys(("23", "24", "25", "40", "41", "42"), 3) | dict.fromkeys(
    ("31", "32", "33", "34", "35", "36", "39", "43", "70", "71", "72", "80", "81", "82"), 4
)


def bracketed(segments: Iterable[str]) -> str:
    """``["0104601234567893215ABC", "91EE06"]`` → ``"[01]04601234567893[21]5ABC[91]EE06"``.

    Raises ``ValueError`` if a segment does not start with AI digits.
    """
    return "".join(_segment(segment) for segment in segments if segment)


def _segment(segment: str) -> str:
    out = []
    position = 0
    while position < len(segment):
        prefix = segment[position : position + 2]
        ai_end = position + _AI_DIGITS.get(prefix, 2)
        ai = segment[position:ai_end]
        if len(ai) < 2 or not ai.isdigit():
            raise ValueError(f"not a GS1 application identifier: {segment[position:][:8]!r}")
        fixed = _FIXED_VALUE.get(prefix)
        end = len(segment) if fixed is None else min(len(segment), ai_end + fixed)
        out.append(f"[{ai}]{segment[ai_end:end]}")
        position = end
    return "".join(out)
