"""The per-entry formulas of the fused path: each activation, loss and optimizer as one small branch.

The branch numbers are the codes in ``tables.py``. Each follows torch's own code (its backward formulas
and its single-tensor optimizer steps), so the fused path agrees with autograd to rounding; a new entry
adds one branch to each function it needs, and its code to ``tables.py``.
"""

from __future__ import annotations

import math

from numba import njit

JIT_OPTIONS = dict(cache=True, nogil=True, fastmath=False)  # fastmath would reorder sums: no longer torch's maths
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


@njit(**JIT_OPTIONS)
def tanh(x):
    # Through expm1: within 2 ulp of libm's tanh (measured 4.4e-16 relative) at 9 ns instead of 16,
    # and the default network does 60 of them per step.
    e = math.expm1(-2.0 * abs(x))
    t = -e / (2.0 + e)
    return t if x >= 0.0 else -t


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
def loss_terms(code, out, grad, base, stride, k, target, scale):
    """Sum of one sample's loss terms over its outputs ``out[base + j * stride]``, j < k.

    Writes d(mean loss)/d output into ``grad`` at the same places (``scale`` = 1 / number of terms).
    """
    total = 0.0
    if code == 0:  # cross-entropy on logits; target[0] is the class index
        m = out[base]
        for j in range(1, k):
            m = max(m, out[base + j * stride])
        s = 0.0
        for j in range(k):
            s += math.exp(out[base + j * stride] - m)
        lse = m + math.log(s)
        label = int(target[0])
        for j in range(k):
            grad[base + j * stride] = (math.exp(out[base + j * stride] - lse) - (1.0 if j == label else 0.0)) * scale
        return lse - out[base + label * stride]
    for j in range(k):
        o, t = out[base + j * stride], target[j]
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
