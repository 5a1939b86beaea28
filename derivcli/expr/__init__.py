"""Text to expressions: the parser and the function table's metadata."""
