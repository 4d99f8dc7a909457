"""How a typed query matches text, the same for the list's filter (/) and the search (S)."""

from __future__ import annotations


def query_words(query: str) -> list[str]:
    """The words of a query, case-folded; every one of them must be found."""
    return [word.casefold() for word in query.split()]


def has_all(words: list[str], folded: str) -> bool:
    """Whether case-folded text holds every word, anywhere and in any order."""
    return all(word in folded for word in words)


def spans(words: list[str], text: str) -> list[tuple[int, int]]:
    """Where the words occur in `text` (any case): (start, end) pairs, for highlighting."""
    folded = text.casefold()
    found: list[tuple[int, int]] = []
    for word in words:
        start = folded.find(word)
        while word and start != -1:
            found.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    return sorted(found)
