"""`python -m callflow.cli`: how `serve` and the demo start workers."""

from callflow.cli.app import main

main()
