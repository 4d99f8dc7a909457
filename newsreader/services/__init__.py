"""The reader service: refresh, prefetch, open stories, history. Never imports textual or rich."""
