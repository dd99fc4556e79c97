"""Hand-written forward, backward and optimizer steps for small dense networks, compiled with numba.

Everything is float64 and every kernel takes the same argument types whatever the network, loss or
optimizer, so one compilation (cached on disk) serves every experiment: the choices are integer codes
(``tables.py``) switched on per element. The branches cost little next to what they replace: a
PyTorch step of the default net is ~300 µs of per-op overhead, a fused one ~2 µs.

A network is ``sizes`` (widths, input first) and ``acts`` (one code per layer). Its parameters are one
flat array, layer by layer: the weight as torch stores it (out × in, row-major), then the bias.
Kernels release the GIL (``nogil``), so the window keeps its share of the interpreter while they run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_OPTS = dict(cache=True, nogil=True, fastmath=False)  # fastmath would reorder sums: no longer torch's maths
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default, as the activation registry builds it
SOFTPLUS_THRESHOLD = 20.0  # nn.Softplus: linear above this, as torch computes it
HUBER_DELTA = 1.0  # nn.HuberLoss's default


# --------------------------------------------------------------------------- the per-entry tables


@njit(**_OPTS)
def sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(**_OPTS)
def tanh(x):
    # Through expm1: within 2 ulp of libm's tanh (measured 4.4e-16 relative) at 9 ns instead of 16,
    # and the default network does 60 of them per step.
    e = math.expm1(-2.0 * abs(x))
    t = -e / (2.0 + e)
    return t if x >= 0.0 else -t


@njit(**_OPTS)
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


@njit(**_OPTS)
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


@njit(**_OPTS)
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


@njit(**_OPTS)
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


# --------------------------------------------------------------------------- the network


@njit(**_OPTS)
def offsets(sizes):
    """(weight offsets, bias offsets, activation offsets) of a network of widths ``sizes``."""
    layers = sizes.shape[0] - 1
    woff = np.empty(layers, np.int64)
    boff = np.empty(layers, np.int64)
    aoff = np.empty(layers + 2, np.int64)
    p = 0
    aoff[0] = 0
    for l in range(layers):
        woff[l] = p
        p += sizes[l] * sizes[l + 1]
        boff[l] = p
        p += sizes[l + 1]
    for l in range(layers + 1):
        aoff[l + 1] = aoff[l] + sizes[l]
    return woff, boff, aoff


# Activations are stored unit-major over a block of samples: unit j of layer l, sample i is at
# (aoff[l] + j) * count + i. The innermost loops then run over samples, contiguous and branch-free,
# which is ~3× faster than one sample at a time on the default net (the per-loop overhead is shared).


@njit(**_OPTS)
def forward(params, sizes, acts, woff, boff, aoff, count, z, a):
    """The block of ``count`` samples whose inputs are in ``a`` (layer 0) through the network."""
    for l in range(sizes.shape[0] - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        src, dst, w, code = aoff[l] * count, aoff[l + 1] * count, woff[l], acts[l]
        for j in range(n_out):
            row = dst + j * count
            bias = params[boff[l] + j]
            for i in range(count):
                z[row + i] = bias
            for k in range(n_in):
                wk = params[w + j * n_in + k]
                col = src + k * count
                for i in range(count):
                    z[row + i] += wk * a[col + i]
            for i in range(count):
                a[row + i] = activate(code, z[row + i])
        if code == 9:  # softmax down each sample's column
            for i in range(count):
                m = z[dst + i]
                for j in range(1, n_out):
                    m = max(m, z[dst + j * count + i])
                total = 0.0
                for j in range(n_out):
                    e = math.exp(z[dst + j * count + i] - m)
                    a[dst + j * count + i] = e
                    total += e
                for j in range(n_out):
                    a[dst + j * count + i] /= total


@njit(**_OPTS)
def backward(params, grads, sizes, acts, woff, boff, aoff, count, z, a, da):
    """Add the block's gradients to ``grads``; ``da`` holds d loss / d output at the last layer."""
    for l in range(sizes.shape[0] - 2, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        src, dst, w, code = aoff[l] * count, aoff[l + 1] * count, woff[l], acts[l]
        if code == 9:
            for i in range(count):
                dot = 0.0
                for j in range(n_out):
                    dot += da[dst + j * count + i] * a[dst + j * count + i]
                for j in range(n_out):
                    q = dst + j * count + i
                    da[q] = a[q] * (da[q] - dot)
        else:
            for q in range(dst, dst + n_out * count):
                da[q] *= derivative(code, z[q], a[q])
        if l > 0:
            for q in range(src, src + n_in * count):
                da[q] = 0.0
        for j in range(n_out):
            row = dst + j * count
            g = 0.0
            for i in range(count):
                g += da[row + i]
            grads[boff[l] + j] += g
            for k in range(n_in):
                col = src + k * count
                g = 0.0
                for i in range(count):
                    g += da[row + i] * a[col + i]
                grads[w + j * n_in + k] += g
                if l > 0:
                    wk = params[w + j * n_in + k]
                    for i in range(count):
                        da[col + i] += wk * da[row + i]


@njit(**_OPTS)
def load_inputs(a, x, rows, lo, count):
    """Copy samples ``rows[lo:lo + count]`` of ``x`` into layer 0 of the block."""
    for r in range(count):
        i = rows[lo + r]
        for f in range(x.shape[1]):
            a[f * count + r] = x[i, f]


@njit(**_OPTS)
def penalty(params, grads, wmask, kind, rate):
    """The L1 (kind 1) or L2 (kind 2) penalty on the weights, its gradient added to ``grads``."""
    total = 0.0
    for i in range(params.shape[0]):
        if wmask[i] != 0.0:
            p = params[i]
            if kind == 2:
                total += p * p
                grads[i] += 2.0 * rate * p
            else:
                total += abs(p)
                grads[i] += rate * (1.0 if p > 0.0 else -1.0 if p < 0.0 else 0.0)
    return rate * total


BLOCK = 64  # samples per block in evaluation and plane passes


@njit(**_OPTS)
def evaluate(params, sizes, acts, loss_code, x, targets, labels, n_test, threshold, classify, result):
    """Test loss and hits over the first ``n_test`` rows, train hits over the rest, into ``result``."""
    woff, boff, aoff = offsets(sizes)
    width = aoff[-1]
    z = np.empty(width * BLOCK)
    a = np.empty(width * BLOCK)
    grad = np.empty(width * BLOCK)
    rows = np.arange(x.shape[0])
    k = sizes[-1]
    per = 1.0 if loss_code == 0 else 1.0 / k
    loss = 0.0
    test_hits = 0
    train_hits = 0
    for lo in range(0, x.shape[0], BLOCK):
        count = min(BLOCK, x.shape[0] - lo)
        load_inputs(a, x, rows, lo, count)
        forward(params, sizes, acts, woff, boff, aoff, count, z, a)
        out_at = aoff[-2] * count
        for r in range(count):
            i = lo + r
            if i < n_test:
                loss += loss_terms(loss_code, a, grad, out_at + r, count, k, targets[i], 1.0) * per
            if classify:
                if k == 1:
                    guess = 1 if a[out_at + r] > threshold else 0
                else:
                    guess = 0
                    for j in range(1, k):
                        if a[out_at + j * count + r] > a[out_at + guess * count + r]:
                            guess = j  # the first largest, as torch.argmax
                hit = guess == labels[i]
                if i < n_test:
                    test_hits += hit
                else:
                    train_hits += hit
    n_train = x.shape[0] - n_test
    result[0] = loss / n_test if n_test else np.nan
    result[1] = test_hits / n_test if n_test and classify else np.nan
    result[2] = train_hits / n_train if n_train and classify else np.nan


@njit(**_OPTS)
def train_steps(params, grads, s1, s2, counters, hyper, sizes, acts, loss_code, opt_code, wmask,
                x, targets, perms, lrs, batch_size, start_batch, n_steps,
                eval_x, eval_targets, eval_labels, n_test, threshold, classify, do_eval,
                losses, penalties, evals):
    """Train ``n_steps`` steps from batch ``start_batch`` of the epoch whose order is ``perms[0]``.

    Epoch ``e`` of the call uses ``perms[e]`` and learning rate ``lrs[e]``; its end evaluates into
    ``evals[e]`` when ``do_eval``. Each step's data loss and penalty go to ``losses`` and ``penalties``.
    Stops early after a step whose loss is not finite. Returns the number of steps taken.
    """
    woff, boff, aoff = offsets(sizes)
    width = aoff[-1]
    z = np.empty(width * batch_size)
    a = np.empty(width * batch_size)
    da = np.empty(width * batch_size)
    k = sizes[-1]
    n = x.shape[0]
    per_epoch = (n + batch_size - 1) // batch_size
    reg_kind, reg_rate = int(hyper[8]), hyper[9]
    epoch = 0
    b = start_batch
    for s in range(n_steps):
        hyper[0] = lrs[epoch]
        lo = b * batch_size
        count = min(lo + batch_size, n) - lo
        scale = 1.0 / count if loss_code == 0 else 1.0 / (count * k)
        load_inputs(a, x, perms[epoch], lo, count)
        forward(params, sizes, acts, woff, boff, aoff, count, z, a)
        out_at = aoff[-2] * count
        total = 0.0
        for r in range(count):
            total += loss_terms(loss_code, a, da, out_at + r, count, k, targets[perms[epoch, lo + r]], scale)
        grads[:] = 0.0
        backward(params, grads, sizes, acts, woff, boff, aoff, count, z, a, da)
        losses[s] = total * scale
        penalties[s] = penalty(params, grads, wmask, reg_kind, reg_rate) if reg_kind else 0.0
        counters[0] += 1
        update(opt_code, params, grads, s1, s2, counters[0], hyper)
        b += 1
        if b == per_epoch:
            if do_eval:
                evaluate(params, sizes, acts, loss_code, eval_x, eval_targets, eval_labels, n_test, threshold,
                         classify, evals[epoch])
            b = 0
            epoch += 1
        if not math.isfinite(losses[s]) or not math.isfinite(penalties[s]):
            return s + 1
    return n_steps


@njit(**_OPTS)
def plane(params, sizes, acts, points, out):
    """Every unit's output at every point in one pass: ``out[u, p]``, the input columns first."""
    woff, boff, aoff = offsets(sizes)
    width = aoff[-1]
    z = np.empty(width * BLOCK)
    a = np.empty(width * BLOCK)
    rows = np.arange(points.shape[0])
    for lo in range(0, points.shape[0], BLOCK):
        count = min(BLOCK, points.shape[0] - lo)
        load_inputs(a, points, rows, lo, count)
        forward(params, sizes, acts, woff, boff, aoff, count, z, a)
        for u in range(width):
            for r in range(count):
                out[u, lo + r] = a[u * count + r]
