"""Allow `python -m newsreader`."""

from newsreader.cli import run

run()
