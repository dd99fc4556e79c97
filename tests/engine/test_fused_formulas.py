"""The fused path's own elementary functions against libm, over the whole range a network feeds them."""

from __future__ import annotations

import math

import numpy as np

from playground.fused.formulas import _expm1_negative, activate_range, derivative_range, tanh


def _ulps(got: float, expected: float) -> float:
    return abs(got - expected) / math.ulp(expected) if expected else abs(got)


def test_tanh_is_within_a_few_ulp_of_libm():
    xs = np.concatenate([np.linspace(-25.0, 25.0, 20001), np.geomspace(1e-300, 1.0, 400),
                         -np.geomspace(1e-300, 1.0, 400), [0.5 * math.log(3.0), 19.06, 19.07, 40.0, 1e300]])
    worst = max(_ulps(tanh(x), math.tanh(x)) for x in xs)
    assert worst <= 4.0
    assert tanh(-0.0) == 0.0 and math.copysign(1.0, tanh(-0.0)) == -1.0
    assert tanh(math.inf) == 1.0 and tanh(-math.inf) == -1.0 and math.isnan(tanh(math.nan))


def test_expm1_on_the_reduced_range_is_within_one_ulp():
    ys = -np.geomspace(1e-300, 40.0, 20000)
    assert max(_ulps(_expm1_negative(y), math.expm1(y)) for y in ys) <= 1.0


def test_range_versions_apply_the_formula_to_every_element():
    """The hoisted loops (one per code) compute what the element-wise formula does, for every code."""
    from playground.fused.formulas import activate, derivative
    from playground.fused.tables import ACTIVATION_CODES, SOFTMAX

    z = np.linspace(-3.0, 3.0, 13)
    for code in set(ACTIVATION_CODES.values()) - {SOFTMAX}:
        a = np.full_like(z, np.nan)
        activate_range(code, z, a, 2, 11)
        expected = np.array([activate(code, v) for v in z[2:11]])
        np.testing.assert_array_equal(a[2:11], expected, err_msg=f"activation code {code}")
        assert np.isnan(a[:2]).all() and np.isnan(a[11:]).all()  # nothing outside the range is touched
        da = np.ones_like(z)
        derivative_range(code, z, a, da, 2, 11)
        np.testing.assert_array_equal(da[2:11], [derivative(code, zv, av) for zv, av in zip(z[2:11], a[2:11])])
