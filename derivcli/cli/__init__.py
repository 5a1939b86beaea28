"""The command line: the typer app (app) and the process that supervises it (watchdog)."""
