"""A Taylor polynomial from its coefficients' checks: the text derivcli parses back,
and each term's powers, exact value, number and verdict (JSON's results[])."""

from __future__ import annotations

import functools
import math

import sympy

from derivcli.symbolic import to_text

# A coefficient with one of these verdicts does not exist at the point.
MISSING = ("not differentiable", "undefined", "infinite")


def fields(powers: list[tuple[int, ...]], variables, point: dict, checks: list, numbers) -> dict:
    """{"polynomial": text or None, "terms": [...]}, one term per entry of powers;
    numbers: torch's, in order (null where not finite, as JSON has no inf)."""
    by_name = {symbol.name: value for symbol, value in point.items()}
    printed = functools.cache(to_text)  # each value once (sympy's printer: ~1 ms each)
    terms = [
        {
            "powers": {name: count for name, count in zip(variables, power, strict=True) if count},
            "exact": None if check.exact is None else printed(check.exact),
            "numeric": number if math.isfinite(number) else None,
            "exists": check.verdict not in MISSING,
            "verdict": check.verdict,
        }
        for power, check, number in zip(powers, checks, numbers, strict=True)
    ]
    known = all(
        term["exists"] and check.exact is not None
        for term, check in zip(terms, checks, strict=True)
    )
    polynomial = (
        text([c.exact for c in checks], powers, variables, [by_name[v] for v in variables], printed)
        if known
        else None
    )
    return {"polynomial": polynomial, "terms": terms}


def reason(fields_of: dict) -> str | None:
    """Why the point has no polynomial (None where it has one)."""
    if fields_of.get("polynomial") is not None:
        return None
    missing = [t for t in fields_of["terms"] if not t["exists"]]
    if missing:
        names = ", ".join(monomial_words(t["powers"]) for t in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        return f"no Taylor polynomial here: the coefficients of {names}{more} do not exist"
    return "no Taylor polynomial here: a coefficient's exact value could not be evaluated"


def monomial_words(powers: dict) -> str:
    """A term's powers as text: x^2*y; 1 for the constant term."""
    return "*".join(name if n == 1 else f"{name}^{n}" for name, n in powers.items()) or "1"


def text(coefficients: list, powers: list, variables, centre: list, printed=to_text) -> str:
    """sum of c * (x - x0)^a ... as derivcli's syntax, zero terms left out; "0" for none
    (printed: how a number is printed)."""
    shifts = [_shift(name, value) for name, value in zip(variables, centre, strict=True)]
    parts = []
    for coefficient, power in zip(coefficients, powers, strict=True):
        if coefficient == 0:
            continue
        factors = [
            shift if count == 1 else f"{shift}^{count}"
            for shift, count in zip(shifts, power, strict=True)
            if count
        ]
        parts.append(_term(coefficient, "*".join(factors), printed))
    if not parts:
        return "0"
    joined = parts[0]
    for part in parts[1:]:
        joined += f" - {part[1:]}" if part.startswith("-") else f" + {part}"
    return joined


def _shift(name: str, value) -> str:
    if value == 0:
        return name
    if value.is_negative:
        return f"({name} + {to_text(-value)})"
    return f"({name} - {to_text(value)})"


def _term(coefficient, monomial: str, printed) -> str:
    shown = printed(coefficient)
    if not monomial:  # the constant term, first: a sum needs no parentheses
        return shown
    if coefficient == 1:
        return monomial
    if coefficient == -1:
        return f"-{monomial}"
    # a sum in parentheses; a quotient needs none (a/b*x is (a/b)*x)
    return f"({shown})*{monomial}" if isinstance(coefficient, sympy.Add) else f"{shown}*{monomial}"
