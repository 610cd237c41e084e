"""An index of names (labels, synonyms, titles) for autocomplete and for text.

Every name is folded once when the index is built. A search ranks an exact
name first, then names that start with the query, then names whose words
start with the query's words, then close spellings by rapidfuzz; a text scan
finds the names that occur in a longer text as whole words, typos allowed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from carrel_vocabulary.text import fold, words

EXACT = 1.0
_PREFIX = 0.8
_WORD_PREFIX = 0.7
_FUZZY = 0.65
_FUZZY_CUTOFF = 75.0
_TYPO_CUTOFF = 90.0
_MIN_TYPO_LENGTH = 5


@dataclass(frozen=True)
class Term:
    """One name of an entry: the entry's key, the name as written, folded."""

    key: int
    name: str
    folded: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """A name found for a query, with how well it fits, 0 to 1."""

    term: Term
    score: float


@dataclass(frozen=True)
class Mention:
    """A name found in a text, at a word position, with how well it fits."""

    term: Term
    score: float
    start: int
    end: int


class TermIndex:
    """The names of a set of entries, folded and grouped for fast lookup."""

    def __init__(self, names: Iterable[tuple[int, str]]) -> None:
        self.terms = tuple(self._term(key, name) for key, name in names)
        self.folded = [term.folded for term in self.terms]
        self._by_words: dict[tuple[str, ...], list[Term]] = defaultdict(list)
        self._by_length: dict[int, list[Term]] = defaultdict(list)
        for term in self.terms:
            self._by_words[term.words].append(term)
            self._by_length[len(term.words)].append(term)

    @staticmethod
    def _term(key: int, name: str) -> Term:
        folded_words = words(name)
        return Term(key, name, " ".join(folded_words), folded_words)

    def search(self, query: str) -> list[Hit]:
        """The best hit of each entry for an autocomplete query, best first."""
        folded = fold(query)
        if not folded:
            return []
        best: dict[int, Hit] = {}
        for hit in (*self._literal_hits(folded), *self._fuzzy_hits(folded)):
            known = best.get(hit.term.key)
            if known is None or hit.score > known.score:
                best[hit.term.key] = hit
        return sorted(best.values(), key=lambda hit: (-hit.score, hit.term.folded))

    def _literal_hits(self, folded: str) -> Iterable[Hit]:
        query_words = folded.split()
        for term in self.terms:
            coverage = len(folded) / max(len(term.folded), 1)
            if term.folded == folded:
                yield Hit(term, EXACT)
            elif term.folded.startswith(folded):
                yield Hit(term, _PREFIX + 0.15 * coverage)
            elif _each_starts_a_word(query_words, term.words):
                yield Hit(term, _WORD_PREFIX + 0.1 * coverage)

    def _fuzzy_hits(self, folded: str) -> Iterable[Hit]:
        found = process.extract(
            folded,
            self.folded,
            scorer=fuzz.WRatio,
            score_cutoff=_FUZZY_CUTOFF,
            limit=30,
        )
        for _, score, index in found:
            yield Hit(self.terms[index], _FUZZY * score / 100)

    def mentions(self, text: str) -> list[Mention]:
        """Names that occur in ``text`` as whole words; a longer name wins."""
        text_words = words(text)
        found = [*self._exact_mentions(text_words), *self._typo_mentions(text_words)]
        found.sort(key=lambda m: (-(m.end - m.start), -m.score, m.start))
        kept: list[Mention] = []
        for mention in found:
            if not any(_inside(mention, longer) for longer in kept):
                kept.append(mention)
        return kept

    def _exact_mentions(self, text_words: tuple[str, ...]) -> Iterable[Mention]:
        for length in self._by_length:
            for start in range(len(text_words) - length + 1):
                window = text_words[start : start + length]
                for term in self._by_words.get(window, ()):
                    yield Mention(term, EXACT, start, start + length)

    def _typo_mentions(self, text_words: tuple[str, ...]) -> Iterable[Mention]:
        for length, terms in self._by_length.items():
            choices = [term.folded for term in terms]
            for start in range(len(text_words) - length + 1):
                window = " ".join(text_words[start : start + length])
                if len(window) < _MIN_TYPO_LENGTH:
                    continue
                close = process.extract(
                    window,
                    choices,
                    scorer=fuzz.ratio,
                    score_cutoff=_TYPO_CUTOFF,
                    limit=3,
                )
                for _, score, index in close:
                    if score < 100:
                        term = terms[index]
                        yield Mention(term, 0.9 * score / 100, start, start + length)


def _each_starts_a_word(query_words: list[str], term_words: tuple[str, ...]) -> bool:
    return all(any(w.startswith(q) for w in term_words) for q in query_words)


def _inside(mention: Mention, other: Mention) -> bool:
    if mention.term.key == other.term.key and mention.start == other.start:
        return True
    covers = other.start <= mention.start and mention.end <= other.end
    return covers and (other.end - other.start) > (mention.end - mention.start)
