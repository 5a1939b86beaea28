"""One pipeline for every run: a typed request, a source of points, an engine, the
exact check where the format asks for it, and a sink (derivcli.run.pipeline)."""
