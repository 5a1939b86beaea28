"""Where points come from and where results go: sources, sinks, the progress bar."""
