"""The `newsreader` command (and `python -m newsreader`): cli.run, no collections while loading."""

import gc


def run() -> None:
    """`cli.run` with no garbage collection while its modules load.

    Imports only allocate what they keep, so the collections they set off found next to nothing
    and took 15-20 ms of a start (~40 of them, before the app's own hold began). `cli` turns
    collections back on: for a headless command once its arguments are parsed, for the app
    after its first frame (ui/gc_pacing).
    """
    gc.disable()
    from newsreader.cli import run as run_command

    run_command()


if __name__ == "__main__":
    run()
