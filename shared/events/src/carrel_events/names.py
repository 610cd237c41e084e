"""Names that people read: no character that hides, reorders or controls text.

A zero-width space makes two names look the same, a right-to-left override
shows a name backwards, and a NUL or line break breaks exports and logs. A
name is refused for any control, format, surrogate, private-use, unassigned
or line-separating character. The zero-width joiners (U+200C, U+200D) are let
through between two letters, where scripts such as Persian and Malayalam need
them.

The gateway, profile and teams apply it at their doors (request bodies and
CSV imports). Known shortcoming: the event contracts do not apply it yet, so
events recorded before the rule may still hold such names.
"""

import unicodedata

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})


def plain_name(value: str) -> str:
    """The name, unchanged, or a ValueError saying which character it may not hold."""
    for index, char in enumerate(value):
        if unicodedata.category(char) in _REFUSED_CATEGORIES and not _joins(
            value, index
        ):
            label = unicodedata.name(char, "a control character")
            msg = f"must not contain U+{ord(char):04X} ({label.lower()})"
            raise ValueError(msg)
    return value


def _joins(value: str, index: int) -> bool:
    """A zero-width joiner between two letters, as a script needs it."""
    if value[index] not in _JOINERS or not 0 < index < len(value) - 1:
        return False
    return all(
        unicodedata.category(value[i])[0] in "LM" for i in (index - 1, index + 1)
    )
