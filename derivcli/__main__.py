"""python -m derivcli."""

from derivcli.cli.app import main

main()
