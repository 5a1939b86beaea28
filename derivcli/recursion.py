"""Room on the stack for expressions nested as deeply as the parser admits (200 levels).

sympy builds, differentiates, evaluates and prints recursively: at 200 levels
sin(sin(...)) needs a recursion limit of 1,500, x*(1+x*(1+...)) 4,000 and
exp(x - exp(x - ...)) 6,800 (sympy's constructor of exp recurses through its argument),
measured, beyond Python's default limit of 1,000. Within room_for, the limit is
raised to what the expressions' depth needs, and put back afterwards.

Why that is safe: Python 3.11 runs a Python-to-Python call without a C frame; only
calls through C (a slot, a builtin taking a callback, lru_cache) take C stack, about
0.5 KB each and 1 KB per tree level while sympy prints (measured with VmStk). The
limit is raised only in the main thread, whose stack is the process's (8 MB by
default), and never beyond one frame per KB of it, so that even a recursion that goes
through C at every frame stops with RecursionError before the stack ends: a
RecursionError is an error message, a stack overflow kills the process. Elsewhere (a
host program's threads, whose stacks can be 512 KB) the limit is left as it is.

The limit is raised only as far as a deep expression needs, so that for ordinary
expressions a runaway recursion inside mpmath (its binary splitting at a precision of
2^1000 bits, measured) still ends at once with RecursionError, as before.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

try:  # imported here, not while parsing (tests/expr/test_hostile.py audits what parsing does)
    import resource
except ImportError:  # not Unix
    resource = None

# Recursion (Python frames, and C calls that count against the same limit) per level
# of an expression tree, with a margin: measured up to 10 (sympy's diff, evalf and
# printer, derivcli's exact_at and lowering; x*(1+x*(1+...)) has two tree levels per
# parenthesis).
FRAMES_PER_LEVEL = 16
# The same per level of the parser's nesting: 5 to 8 for most expressions, 34 for
# exp(x - exp(x - ...)), where sympy's constructor of each exp goes down through its
# argument again (6,788 needed at 200 levels, 1.9 MB of C stack), measured.
PARSE_FRAMES_PER_LEVEL = 40
# Frames left for whatever runs at the leaves (sympy's assumptions, mpmath).
HEADROOM = 500
# C stack allowed per Python frame when the limit is raised (see the module's text).
BYTES_PER_FRAME = 1_024
_DEFAULT_STACK = 8 << 20  # the main thread's stack where the soft limit is unlimited


def tree_depth(exprs) -> int:
    """The depth of the deepest of the expression trees (a leaf is depth 1), without
    recursion, each distinct subtree once."""
    depths: dict = {}
    deepest = 0
    for root in exprs:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in depths:
                continue
            args = getattr(node, "args", ())
            if expanded or not args:
                depths[node] = 1 + max((depths[arg] for arg in args), default=0)
                continue
            stack.append((node, True))
            stack.extend((arg, False) for arg in args if arg not in depths)
        deepest = max(deepest, depths[root])
    return deepest


TOO_DEEP = "the expression is too deeply nested to process"


@contextmanager
def room_for(exprs, *, refuse: bool = False):
    """Within the block, Python's recursion limit is high enough for sympy to work on
    the expressions (see the module's text). refuse: a RecursionError that leaves the
    block (where the limit could not be raised: another thread) is a LimitError."""
    with room(tree_depth(exprs) * FRAMES_PER_LEVEL):
        if not refuse:
            yield
            return
        try:
            yield
        except RecursionError:
            from derivcli.errors import LimitError

            raise LimitError(TOO_DEEP) from None


@contextmanager
def room_for_parsing(text: str, max_levels: int):
    """Room to parse text, whose nesting is at most max_levels (the parser refuses
    more) and at most the number of characters that open a level."""
    opening = sum(text.count(ch) for ch in "([|-+^√∛∜")
    with room(min(opening, max_levels) * PARSE_FRAMES_PER_LEVEL):
        yield


@contextmanager
def room(frames: int):
    """Within the block, at least frames Python frames beyond those in use now (and
    HEADROOM more), where the stack can hold them; otherwise the limit stays."""
    previous = sys.getrecursionlimit()
    needed = _frames_in_use() + frames + HEADROOM
    if needed <= previous or threading.current_thread() is not threading.main_thread():
        yield
        return
    sys.setrecursionlimit(max(previous, min(needed, _most_frames())))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _frames_in_use() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def _most_frames() -> int:
    """The most frames the main thread's stack holds at BYTES_PER_FRAME each."""
    soft = 1 << 20  # not Unix: no more than 1 MB's worth
    if resource is not None:
        try:
            soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
        except (OSError, ValueError):
            soft = _DEFAULT_STACK
        if soft == resource.RLIM_INFINITY or soft <= 0:
            soft = _DEFAULT_STACK
    return soft // BYTES_PER_FRAME
