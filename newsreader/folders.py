"""Source folders: nested with "/" ("News/Ukraine" is inside "News")."""

from __future__ import annotations

from collections.abc import Iterable


def in_folder(folder: str | None, path: str) -> bool:
    """True when `folder` is `path` or inside it ("News/Ukraine" is in "News")."""
    if not folder:
        return False
    return folder == path or folder.startswith(path + "/")


def folder_paths(folders: Iterable[str]) -> list[str]:
    """Every folder and each of its parents, as a tree in order: A, A/B, A/B/C, B."""
    paths: set[str] = set()
    for folder in folders:
        parts = [p for p in folder.split("/") if p]
        paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(paths, key=lambda p: [part.casefold() for part in p.split("/")])
