"""`python -m exhibit.cli` runs the command line."""

from exhibit.cli.main import main

main()
