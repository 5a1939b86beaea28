"""The numbers a plot draws, against closed forms (mpmath), and its breaks, against
where the mathematics puts them."""

from __future__ import annotations

import math
import sys

import mpmath
import numpy as np
import pytest
import sympy

from derivcli import plotting
from derivcli.plotting import sampling


def _curves(expression, span, order=2, at=None):
    return plotting.sample(expression, span, order=order, at=at)


def _truth(fn, xs):
    return np.array([float(fn(mpmath.mpf(float(x)))) for x in xs])


def test_values_are_the_derivatives_of_a_kink_and_a_wave():
    curves = _curves("abs(x) + sin(2x)", "x=-3:3")
    truths = [
        lambda x: abs(x) + mpmath.sin(2 * x),
        lambda x: mpmath.sign(x) + 2 * mpmath.cos(2 * x),
        lambda x: -4 * mpmath.sin(2 * x),
    ]
    for panel, truth in zip(curves.panels, truths, strict=True):
        kept = np.isfinite(panel.y)
        assert kept.sum() >= 1000
        assert np.allclose(panel.y[kept], _truth(truth, panel.x[kept]), rtol=1e-12, atol=1e-12)


def test_the_kink_of_abs_is_marked_where_f_prime_does_not_exist():
    curves = _curves("abs(x) + sin(2x)", "x=-3:3")
    (mark,) = curves.marks
    assert mark.at == 0 and mark.kind == "kink"
    f, first, second = curves.panels
    assert f.missing == [] and [m.at for m, _ in f.dots] == [0]
    assert f.dots[0][1] == 0.0  # f(0) = 0: the hollow dot sits on the curve
    assert [m.at for m in first.missing] == [0] and [m.at for m in second.missing] == [0]
    assert math.isnan(first.y[np.searchsorted(first.x, 0.0)])


def _joined_across(panel, point: float) -> bool:
    """Whether two finite samples on either side of point are joined by a line."""
    left = np.flatnonzero(panel.x < point)[-1]
    right = np.flatnonzero(panel.x > point)[0]
    return bool(np.isfinite(panel.y[left : right + 1]).all())


def test_poles_of_tan_are_marked_and_never_drawn_across():
    curves = _curves("tan(x)", "x=-3:3", order=1)
    assert [m.at for m in curves.marks] == [-sympy.pi / 2, sympy.pi / 2]
    for panel in curves.panels:
        assert [m.at for m in panel.missing] == [-sympy.pi / 2, sympy.pi / 2]
        for pole in (-math.pi / 2, math.pi / 2):
            assert not _joined_across(panel, pole)
        low, high = panel.window
        assert high < 1e3  # the pole's values do not squash the rest


def test_a_pole_between_samples_is_not_drawn_across():
    # 1/(x - 1/7): the pole is no sample of the grid, and still no line crosses it
    curves = _curves("1/(x - 1/7)", "x=-1:1", order=0)
    assert [m.at for m in curves.marks] == [sympy.Rational(1, 7)]
    assert not _joined_across(curves.panels[0], 1 / 7)


def test_jumps_of_floor_break_the_line_and_hold_the_value():
    (panel,) = _curves("floor(x)", "x=-2:2", order=0).panels
    assert [m.at for m, _ in panel.dots] == [-2, -1, 0, 1, 2]  # the stop too: it jumps there
    assert [value for _, value in panel.dots] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    finite = np.isfinite(panel.y[:-1]) & np.isfinite(panel.y[1:])
    assert np.abs(np.diff(panel.y))[finite].max() == 0  # never a riser between the steps


def test_the_end_of_sqrt_domain():
    f, first = _curves("sqrt(x)", "x=-1:1", order=1).panels
    assert [(m.at, m.kind, m.verdicts[:2]) for m, _ in f.dots] == [
        (0, "end", ("agree", "infinite"))
    ]
    assert [m.at for m in first.missing] == [0]
    assert np.isnan(f.y[f.x < 0]).all()  # no real value there: nothing drawn


def test_lambertws_branch_point_is_marked():
    f, first = _curves("lambertw(x)", "x=-1:1", order=1).panels
    branch = sympy.exp(-1)
    assert [m.at for m in first.missing] == [-branch]  # W' is infinite there
    assert first.missing[0].verdicts[1] == "infinite"
    assert np.isnan(f.y[f.x < -float(branch)]).all()  # no real value below it


def test_zetas_pole_is_marked_and_never_drawn_across():
    curves = _curves("zeta(s)", "s=-3:4")
    assert [m.at for m in curves.marks] == [1]
    for k, panel in enumerate(curves.panels):
        assert [m.at for m in panel.missing] == [1]
        assert not _joined_across(panel, 1.0)
        kept = np.flatnonzero(np.isfinite(panel.y))[::25]
        truth = _truth(lambda s, k=k: mpmath.zeta(s, 1, k), panel.x[kept])
        assert np.allclose(panel.y[kept], truth, rtol=1e-12, atol=0)


def test_other_variables_take_their_values_from_at():
    curves = _curves("a*x^3", "x=0:1", order=2, at="a=1/3")
    assert np.allclose(curves.panels[2].y, 2 * curves.panels[2].x, rtol=1e-12)


def test_a_smooth_function_has_no_marks():
    curves = _curves("exp(x)", "x=-1:1", order=3)
    assert curves.marks == [] and len(curves.panels) == 4
    assert np.allclose(curves.panels[3].y, np.exp(curves.panels[3].x), rtol=1e-12)


def test_two_variables_give_f_on_a_grid_and_its_gradient():
    field = plotting.sample("x*y + sin(y)", "x=-2:2,y=-1:1")
    gx, gy = np.meshgrid(field.x, field.y)
    assert np.allclose(field.f, gx * gy + np.sin(gy), rtol=1e-13, atol=1e-13)
    ax, ay, fx, fy = field.arrows
    assert np.allclose(fx, ay) and np.allclose(fy, ax + np.cos(ay), rtol=1e-13)


@pytest.mark.parametrize("order", [0, 3])
def test_orders_at_the_ends_of_what_is_allowed(order):
    assert len(_curves("x^4", "x=0:1", order=order).panels) == order + 1


def test_many_poles_are_all_found_quickly():
    curves = _curves("tan(50x)", "x=-3:3", order=0)
    poles = [(math.pi / 2 + k * math.pi) / 50 for k in range(-100, 100)]
    inside = [p for p in poles if -3 <= p <= 3]
    assert [m.x for m in curves.marks] == pytest.approx(inside, rel=1e-15)
    assert all(m.verdicts[0] == "undefined" for m in curves.marks)


def test_a_value_torch_gets_imprecisely_still_exists():
    # |sin(20x)| at its kinks: torch's sin(20·float(x)) is ~1e-15, not 0 (imprecise); f
    # exists there, f′ does not
    curves = _curves("abs(sin(20x))", "x=-1:1", order=1)
    kinks = [k * math.pi / 20 for k in range(-6, 7)]
    assert [m.x for m in curves.marks] == pytest.approx(kinks, rel=1e-15)
    assert all(m.exists(0) and not m.exists(1) and m.kind == "kink" for m in curves.marks)


@pytest.mark.parametrize(
    ("expression", "span"),
    [
        ("log(x)", "x=-1:1"),
        ("atanh(x)", "x=-2:2"),
        ("acoth(x)", "x=-2:2"),
        ("log(x^2-1)", "x=-2:2"),
        ("sqrt(x)", "x=-1:1"),
    ],
)
def test_no_derivative_is_drawn_where_f_is_undefined(expression, span):
    x = sympy.Symbol("x")
    domain = sympy.calculus.util.continuous_domain(sympy.sympify(expression), x, sympy.S.Reals)
    curves = _curves(expression, span)
    for panel in curves.panels:
        drawn = panel.x[np.isfinite(panel.y)]
        assert len(drawn) >= 450
        assert all(domain.contains(sympy.Float(v)) for v in drawn), panel.label
    (note,) = curves.notes
    assert note.startswith("f(x) is undefined (or not real) for x from ")


def test_f_undefined_on_the_whole_range_draws_nothing_and_says_so():
    curves = _curves("log(x)", "x=-3:-1")
    assert not any(np.isfinite(panel.y).any() for panel in curves.panels)
    assert curves.notes == [
        "f(x) is undefined (or not real) on all of x from -3 to -1: nothing drawn"
    ]


def test_gradient_arrows_only_where_f_is_defined():
    data = plotting.sample("log(x*y)", "x=-1:1,y=-1:1")
    ax, ay, fx, fy = data.arrows
    drawn = np.isfinite(fx) & np.isfinite(fy)
    assert drawn.any() and np.all(ax[drawn] * ay[drawn] > 0)


def test_overflow_is_said_and_one_signed_values_are_not_padded_across_0():
    curves = _curves("exp(exp(x))", "x=0:10")
    (note,) = curves.notes
    edge = math.log(math.log(sys.float_info.max))  # where exp(exp(x)) passes float64's max
    assert note.startswith("values overflow float64 (±1.8e308), not drawn: f(x) for x from ")
    start = float(note.split("f(x) for x from ")[1].split()[0])
    assert edge < start < edge + 0.02
    for panel in curves.panels:
        assert panel.window[0] == 0.0 and panel.window[1] > 0


def test_the_window_pads_by_a_twentieth_of_the_range():
    assert sampling.visible_window(np.array([1.0, 3.0]), poles=False) == (0.9, 3.1)
    assert sampling.visible_window(np.array([0.0, 2.0]), poles=False) == (0.0, 2.1)
    assert sampling.visible_window(np.array([-2.0, -1.0]), poles=False) == (-2.05, -0.95)
    assert sampling.visible_window(np.array([-1.0, 1.0]), poles=False) == (-1.1, 1.1)


def test_a_pole_of_two_variables_is_found_and_the_shading_clipped():
    data = plotting.sample("1/(x^2+y^2)", "x=-1:1,y=-1:1")
    rows, columns = np.nonzero(data.infinite)
    assert list(zip(data.x[columns], data.y[rows], strict=True)) == [(0.0, 0.0)]
    low, high = data.clipped
    assert low == pytest.approx(0.5) and high == pytest.approx(1 / (2 / 200) ** 2)  # next to 0
    assert data.shade[0] >= low and data.shade[1] < high / 50


def test_smooth_values_are_shaded_without_clipping():
    data = plotting.sample("x*y", "x=-2:2,y=-1:1")
    assert data.clipped is None and data.shade == pytest.approx((-2.0, 2.0))
