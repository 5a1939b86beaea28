"""Instant answers: a warm server behind the ordinary command, and an interactive prompt.

address.py (where the socket is, and whose server it is), protocol.py (the messages),
client.py (the console script's first step: stdlib only), worker.py (the warm process
and the child that answers one command), daemon.py (the server), repl.py (the prompt).
"""
