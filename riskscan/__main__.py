"""`python -m riskscan` runs the command-line interface."""

from riskscan.cli import main

# Guarded: worker processes of a parallel read import this module again under another name.
if __name__ == "__main__":
    main()
