"""The per-entry formulas of the fused path: each activation, loss and optimizer as one small branch.

The branch numbers are the codes in ``tables.py``. Each follows torch's own code (its backward formulas
and its single-tensor optimizer steps), so the fused path agrees with autograd to rounding; a new entry
adds one branch to each function it needs, and its code to ``tables.py``.

numba's disk cache keys each kernel on its own file only: after editing this file alone, touch
``kernels.py`` too (or clear ``__pycache__``), or the kernels keep the formulas they were compiled with.
"""

from __future__ import annotations

import math

from numba import njit

JIT_OPTIONS = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")  # fastmath would reorder sums: no longer torch's maths
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default, as the activation registry builds it
SOFTPLUS_THRESHOLD = 20.0  # nn.Softplus: linear above this, as torch computes it
HUBER_DELTA = 1.0  # nn.HuberLoss's default


# --------------------------------------------------------------------------- the per-entry tables


@njit(**JIT_OPTIONS)
def sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# expm1 on [-40, 0] without a libm call, so that a loop of tanh vectorizes (libm's expm1 does not: the
# default network's 60 tanh per step were a quarter of its step). Cody-Waite reduction y = n ln2 + r,
# expm1(r) by its Taylor series to degree 13 (|r| <= ln2/2: truncation below 1e-17), and 2^n built exactly
# from the bits of -n. Measured against libm over [-40, 0]: within 2 ulp.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.0 / math.log(2.0)
_TANH_ONE = 20.0  # tanh(x) rounds to 1 beyond 19.06


@njit(**JIT_OPTIONS)
def _expm1_negative(y):
    n = math.floor(y * _INV_LN2 + 0.5)
    r = (y - n * _LN2_HI) - n * _LN2_LO
    p = 1.0 / 6227020800.0
    for f in (479001600.0, 39916800.0, 3628800.0, 362880.0, 40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0, 1.0):
        p = p * r + 1.0 / f
    p *= r
    m = int(-n)
    scale = 1.0
    half = 0.5
    for bit in range(6):  # 2^n for n down to -63, one power of two per bit: exact
        scale *= half if (m >> bit) & 1 else 1.0
        half *= half
    return scale * p + (scale - 1.0)


@njit(**JIT_OPTIONS)
def tanh(x):
    # -expm1(-2|x|) / (2 + expm1(-2|x|)): accurate near 0, where 1 - exp would cancel
    e = _expm1_negative(-2.0 * min(abs(x), _TANH_ONE))
    return math.copysign(-e / (2.0 + e), x)


@njit(**JIT_OPTIONS)
def activate(code, x):
    """Element-wise activation ``code`` at ``x`` (softmax, code 9, is done row-wise by the caller)."""
    if code == 0:
        return x
    if code == 1:
        return x if x > 0.0 else 0.0
    if code == 2:
        return x if x > 0.0 else LEAKY_SLOPE * x
    if code == 3:
        return x if x > 0.0 else math.expm1(x)
    if code == 4:
        return 0.5 * x * (1.0 + math.erf(x * _SQRT_HALF))
    if code == 5:
        return x * sigmoid(x)
    if code == 6:
        return sigmoid(x)
    if code == 7:
        return tanh(x)
    if code == 8:
        return x if x > SOFTPLUS_THRESHOLD else math.log1p(math.exp(x))
    return x


@njit(**JIT_OPTIONS)
def derivative(code, x, y):
    """d activation / dx at input ``x`` with output ``y``, as torch's backward computes it."""
    if code == 0:
        return 1.0
    if code == 1:
        return 1.0 if x > 0.0 else 0.0
    if code == 2:
        return 1.0 if x > 0.0 else LEAKY_SLOPE
    if code == 3:
        return 1.0 if x > 0.0 else math.exp(x)
    if code == 4:
        return 0.5 * (1.0 + math.erf(x * _SQRT_HALF)) + x * math.exp(-0.5 * x * x) * _INV_SQRT_2PI
    if code == 5:
        s = sigmoid(x)
        return s * (1.0 + x * (1.0 - s))
    if code == 6:
        return y * (1.0 - y)
    if code == 7:
        return 1.0 - y * y
    if code == 8:
        return 1.0 if x > SOFTPLUS_THRESHOLD else sigmoid(x)
    return 1.0


@njit(**JIT_OPTIONS)
def activate_range(code, z, a, lo, hi):
    """``a[q] = activate(code, z[q])`` for lo <= q < hi, the branch taken once, outside the loop.

    Each branch passes a constant code, so the formula inlines into a loop the compiler can vectorize.
    """
    if code == 7:
        for q in range(lo, hi):
            a[q] = activate(7, z[q])
    elif code == 1:
        for q in range(lo, hi):
            a[q] = activate(1, z[q])
    elif code == 0:
        for q in range(lo, hi):
            a[q] = z[q]
    else:
        for q in range(lo, hi):
            a[q] = activate(code, z[q])


@njit(**JIT_OPTIONS)
def derivative_range(code, z, a, da, lo, hi):
    """``da[q] *= derivative(code, z[q], a[q])`` for lo <= q < hi, the branch outside the loop."""
    if code == 7:
        for q in range(lo, hi):
            da[q] *= derivative(7, z[q], a[q])
    elif code == 1:
        for q in range(lo, hi):
            da[q] *= derivative(1, z[q], a[q])
    elif code != 0:
        for q in range(lo, hi):
            da[q] *= derivative(code, z[q], a[q])


@njit(**JIT_OPTIONS)
def loss_terms(code, out, grad, base, stride, k, targets, row, scale):
    """Sum of one sample's loss terms over its outputs ``out[base + j * stride]``, j < k.

    Its targets are ``targets[row]`` (a row index, not a view: a view per sample costs a reference count).
    Writes d(mean loss)/d output into ``grad`` at the same places (``scale`` = 1 / number of terms).
    """
    total = 0.0
    if code == 0:  # cross-entropy on logits; targets[row, 0] is the class index
        m = out[base]
        for j in range(1, k):
            m = max(m, out[base + j * stride])
        s = 0.0
        for j in range(k):
            e = math.exp(out[base + j * stride] - m)
            grad[base + j * stride] = e
            s += e
        # torch takes the softmax as exp(o - lse); e / s is the same to rounding, at half the exps
        inv = 1.0 / s
        label = int(targets[row, 0])
        for j in range(k):
            grad[base + j * stride] = (grad[base + j * stride] * inv - (1.0 if j == label else 0.0)) * scale
        return m + math.log(s) - out[base + label * stride]
    for j in range(k):
        o, t = out[base + j * stride], targets[row, j]
        d = o - t
        if code == 1:  # mse
            total += d * d
            g = 2.0 * d
        elif code == 2:  # bce on logits, in the stable form
            total += max(o, 0.0) - o * t + math.log1p(math.exp(-abs(o)))
            g = sigmoid(o) - t
        elif code == 3:  # l1
            total += abs(d)
            g = 1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0
        else:  # huber
            a = abs(d)
            total += 0.5 * d * d if a < HUBER_DELTA else HUBER_DELTA * (a - 0.5 * HUBER_DELTA)
            g = min(max(d, -HUBER_DELTA), HUBER_DELTA)
        grad[base + j * stride] = g * scale
    return total


@njit(**JIT_OPTIONS)
def update(code, params, grads, s1, s2, step, hyper):
    """One torch.optim step (its single-tensor code, defaults as in tables.py) over the flat parameters."""
    lr, momentum, decay, nesterov = hyper[0], hyper[1], hyper[2], hyper[3] > 0.0
    beta1, beta2, eps, alpha = hyper[4], hyper[5], hyper[6], hyper[7]
    n = params.shape[0]
    if code == 0:  # sgd: the buffer starts as the first gradient; Nesterov looks ahead along it
        for i in range(n):
            g = grads[i] + decay * params[i]
            if momentum != 0.0:
                s1[i] = g if step == 1 else momentum * s1[i] + g
                g = g + momentum * s1[i] if nesterov else s1[i]
            params[i] -= lr * g
    elif code == 1 or code == 2:  # adam (L2 in the gradient) or adamw (decoupled decay)
        c1 = 1.0 - beta1 ** step
        c2 = math.sqrt(1.0 - beta2 ** step)
        size = lr / c1
        for i in range(n):
            g = grads[i]
            if code == 2:
                params[i] *= 1.0 - lr * decay
            else:
                g += decay * params[i]
            s1[i] += (g - s1[i]) * (1.0 - beta1)
            s2[i] = s2[i] * beta2 + (1.0 - beta2) * g * g
            params[i] -= size * s1[i] / (math.sqrt(s2[i]) / c2 + eps)
    elif code == 3:  # adagrad
        for i in range(n):
            g = grads[i] + decay * params[i]
            s1[i] += g * g
            params[i] -= lr * g / (math.sqrt(s1[i]) + eps)
    else:  # rmsprop: eps outside the square root
        for i in range(n):
            g = grads[i] + decay * params[i]
            s1[i] = s1[i] * alpha + (1.0 - alpha) * g * g
            avg = math.sqrt(s1[i]) + eps
            if momentum > 0.0:
                s2[i] = s2[i] * momentum + g / avg
                params[i] -= lr * s2[i]
            else:
                params[i] -= lr * g / avg
