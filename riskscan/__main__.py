"""`python -m riskscan` runs the command-line interface."""

from riskscan.cli import main

# Guarded, so that importing the module (another process's start-up, a tool) does not run the CLI.
if __name__ == "__main__":
    main()
