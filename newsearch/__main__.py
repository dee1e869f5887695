"""``python -m newsearch`` runs the command line."""

from newsearch.cli import main

main()
