"""``python -m tracker``: the command line, as the ``tracker`` script runs it."""

from cli import main

if __name__ == "__main__":
    main(prog_name="tracker")
