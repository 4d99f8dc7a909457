"""Allow `python -m newsreader`."""

from newsreader.cli import main

raise SystemExit(main())
