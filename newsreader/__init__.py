"""newsreader: a terminal news reader with an offline cache and Recall navigation."""

__version__ = "0.1.0"
