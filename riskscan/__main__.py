"""`python -m riskscan` runs the command-line interface."""

from riskscan.cli import main

main()
