"""Plain data the layers pass around: sources, headlines and structured stories (stdlib only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockType = Literal["paragraph", "heading", "quote", "image", "list"]
RelatedKind = Literal["recall", "read_also", "related"]
ThreadRelation = Literal["self", "recall", "read_also", "followed_by"]

# The exact key order of a thread entry's JSON form (the `thread --format json` contract).
THREAD_ENTRY_KEYS = ("url", "title", "published", "source", "lead", "relation", "depth")
# The exact key order of a story's JSON form (the `read --format json` contract).
STORY_KEYS = (
    "url", "canonical_url", "title", "published", "updated", "authors", "source", "dateline",
    "views", "lead", "blocks", "related", "tags", "language", "encoding", "warnings", "links",
)


@dataclass(frozen=True, slots=True)
class Source:
    """A feed the user follows."""

    name: str
    url: str
    folder: str | None = None


@dataclass(slots=True)
class Headline:
    """One entry of a feed: enough to list it and to fetch the full story."""

    id: str  # stable: guid, else link, else hash(title + date)
    source_url: str  # the feed it came from
    source_name: str
    title: str
    url: str  # the story page; "" when the feed gave no openable link
    published: str | None = None  # ISO 8601 with offset
    summary: str = ""
    seen: str | None = None  # ISO 8601: when newsreader first saw it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Headline:
        try:
            return cls(**data)  # the stored form has just the fields: half the time of filtering
        except TypeError:  # keys this version does not know are dropped; a missing one raises
            return cls(**{k: data[k] for k in cls.__slots__ if k in data})


@dataclass(slots=True)
class Dateline:
    """A "Kyiv • UNN" line: where the story was filed and by which agency."""

    place: str | None = None
    agency: str | None = None


@dataclass(slots=True)
class Block:
    """One piece of a story body."""

    type: BlockType
    text: str = ""
    attribution: str | None = None  # quotes: "Zelenskyy noted"
    src: str | None = None  # images
    alt: str | None = None
    caption: str | None = None
    items: list[str] = field(default_factory=list)  # lists

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "text": self.text}
        if self.type == "quote":
            out["attribution"] = self.attribution
        elif self.type == "image":
            out.update(src=self.src, alt=self.alt, caption=self.caption)
        elif self.type == "list":
            out["items"] = list(self.items)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            type=data["type"],
            text=data.get("text") or "",
            attribution=data.get("attribution"),
            src=data.get("src"),
            alt=data.get("alt"),
            caption=data.get("caption"),
            items=list(data.get("items") or []),
        )


@dataclass(slots=True)
class RelatedLink:
    """A "Recall" / "Read also" / related-story link found in a story."""

    kind: RelatedKind
    title: str
    url: str  # absolute
    summary: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "url": self.url, "summary": self.summary}


@dataclass(slots=True)
class BodyLink:
    """A link in the story's own text (not a Recall / Read-also link): its words, its target
    and the index of the block whose text holds them."""

    text: str
    url: str  # absolute http(s)
    block: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "url": self.url, "block": self.block}


@dataclass(slots=True)
class Story:
    """A parsed story: structured, sanitised, ready to show or to dump as JSON."""

    url: str
    canonical_url: str | None = None
    title: str = ""
    published: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    dateline: Dateline | None = None
    views: int | None = None
    lead: str | None = None
    blocks: list[Block] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Last in the JSON: added after the rest, and stories cached before it load without it.
    links: list[BodyLink] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "published": self.published,
            "updated": self.updated,
            "authors": list(self.authors),
            "source": self.source,
            "dateline": (
                {"place": self.dateline.place, "agency": self.dateline.agency}
                if self.dateline
                else None
            ),
            "views": self.views,
            "lead": self.lead,
            "blocks": [b.to_dict() for b in self.blocks],
            "related": [r.to_dict() for r in self.related],
            "tags": list(self.tags),
            "language": self.language,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
            "links": [link.to_dict() for link in self.links],
        }
        return {key: values[key] for key in STORY_KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        dateline = data.get("dateline")
        return cls(
            url=data["url"],
            canonical_url=data.get("canonical_url"),
            title=data.get("title") or "",
            published=data.get("published"),
            updated=data.get("updated"),
            authors=list(data.get("authors") or []),
            source=data.get("source"),
            dateline=Dateline(dateline.get("place"), dateline.get("agency")) if dateline else None,
            views=data.get("views"),
            lead=data.get("lead"),
            blocks=[Block.from_dict(b) for b in data.get("blocks") or []],
            related=[
                RelatedLink(r["kind"], r.get("title") or "", r["url"], r.get("summary"))
                for r in data.get("related") or []
            ],
            tags=list(data.get("tags") or []),
            language=data.get("language"),
            encoding=data.get("encoding"),
            warnings=list(data.get("warnings") or []),
            links=[
                BodyLink(link.get("text") or "", link["url"], int(link.get("block") or 0))
                for link in data.get("links") or []
            ],
        )


@dataclass(slots=True)
class ThreadEntry:
    """One story of a thread: how it is related to the story the thread was asked for.

    `depth` counts links from that story (0 for itself); `cached` says whether it can be read
    offline (an entry not cached has what the linking story said of it: title and summary).
    """

    url: str
    title: str
    relation: ThreadRelation
    depth: int
    published: str | None = None
    source: str | None = None
    lead: str | None = None
    cached: bool = True

    def to_dict(self) -> dict[str, Any]:
        values = {"url": self.url, "title": self.title, "published": self.published,
                  "source": self.source, "lead": self.lead, "relation": self.relation,
                  "depth": self.depth}
        return {key: values[key] for key in THREAD_ENTRY_KEYS}
