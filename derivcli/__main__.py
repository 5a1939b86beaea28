"""python -m derivcli."""

from derivcli.cli.entry import main

main()
