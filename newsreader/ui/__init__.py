"""The Textual app: headline list, story view, Recall navigation."""
