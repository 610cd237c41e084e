"""Folding text so that spelling variants of one word compare equal.

Librarians write "cataloguing" in London and "cataloging" in Chicago,
"digitisation" and "digitization"; the vocabulary folds both sides of every
comparison the same way, so a search never depends on the writer's spelling.
"""

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9+#]+")
_IZE = re.compile(r"(?<=[a-z]{3})([iy])z(e|es|ed|ing|ation|ations|er|ers)$")
_CATALOG = re.compile(r"^catalog(s|ed|er|ers|ing)?$")
_CATALOG_ENDINGS = {
    None: "catalogue",
    "s": "catalogues",
    "ed": "catalogued",
    "er": "cataloguer",
    "ers": "cataloguers",
    "ing": "cataloguing",
}


def fold(text: str) -> str:
    """Lower case, plain ASCII, single spaces, British spelling of -ise words."""
    return " ".join(words(text))


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, in order."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return tuple(
        _fold_word(word) for word in _NOT_WORD.split(ascii_text.lower()) if word
    )


@lru_cache(maxsize=4096)
def _fold_word(word: str) -> str:
    catalog = _CATALOG.match(word)
    if catalog:
        return _CATALOG_ENDINGS[catalog.group(1)]
    return _IZE.sub(lambda match: f"{match.group(1)}s{match.group(2)}", word)
