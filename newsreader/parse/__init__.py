"""Pure parsing: bytes or str in, sanitised models out (feeds, story pages, encodings)."""
