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
        return math.tanh(x)
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
def loss_terms(code, out, target, grad, scale):
    """Sum of one sample's loss terms; writes d(mean loss)/d out into ``grad`` (``scale`` = 1 / count)."""
    k = out.shape[0]
    total = 0.0
    if code == 0:  # cross-entropy on logits; target[0] is the class index
        m = out[0]
        for j in range(1, k):
            m = max(m, out[j])
        s = 0.0
        for j in range(k):
            s += math.exp(out[j] - m)
        lse = m + math.log(s)
        label = int(target[0])
        for j in range(k):
            grad[j] = (math.exp(out[j] - lse) - (1.0 if j == label else 0.0)) * scale
        return lse - out[label]
    for j in range(k):
        o, t = out[j], target[j]
        d = o - t
        if code == 1:  # mse
            total += d * d
            grad[j] = 2.0 * d * scale
        elif code == 2:  # bce on logits, in the stable form
            total += max(o, 0.0) - o * t + math.log1p(math.exp(-abs(o)))
            grad[j] = (sigmoid(o) - t) * scale
        elif code == 3:  # l1
            total += abs(d)
            grad[j] = (1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0) * scale
        else:  # huber
            a = abs(d)
            total += 0.5 * d * d if a < HUBER_DELTA else HUBER_DELTA * (a - 0.5 * HUBER_DELTA)
            grad[j] = min(max(d, -HUBER_DELTA), HUBER_DELTA) * scale
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


@njit(**_OPTS)
def forward(params, sizes, acts, woff, boff, aoff, row, z, a):
    """One sample through the network: pre-activations into ``z``, outputs into ``a`` (input first)."""
    for k in range(sizes[0]):
        a[k] = row[k]
    for l in range(sizes.shape[0] - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        src, dst, w, code = aoff[l], aoff[l + 1], woff[l], acts[l]
        for j in range(n_out):
            s = params[boff[l] + j]
            base = w + j * n_in
            for k in range(n_in):
                s += params[base + k] * a[src + k]
            z[dst + j] = s
            a[dst + j] = activate(code, s)
        if code == 9:  # softmax over the row
            m = z[dst]
            for j in range(1, n_out):
                m = max(m, z[dst + j])
            total = 0.0
            for j in range(n_out):
                a[dst + j] = math.exp(z[dst + j] - m)
                total += a[dst + j]
            for j in range(n_out):
                a[dst + j] /= total


@njit(**_OPTS)
def backward(params, grads, sizes, acts, woff, boff, aoff, z, a, da):
    """Accumulate one sample's gradients; ``da`` holds d loss / d output at the last layer's offset."""
    for l in range(sizes.shape[0] - 2, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        src, dst, w, code = aoff[l], aoff[l + 1], woff[l], acts[l]
        if code == 9:
            dot = 0.0
            for j in range(n_out):
                dot += da[dst + j] * a[dst + j]
            for j in range(n_out):
                da[dst + j] = a[dst + j] * (da[dst + j] - dot)
        else:
            for j in range(n_out):
                da[dst + j] *= derivative(code, z[dst + j], a[dst + j])
        if l > 0:
            for k in range(n_in):
                da[src + k] = 0.0
        for j in range(n_out):
            delta = da[dst + j]
            grads[boff[l] + j] += delta
            base = w + j * n_in
            for k in range(n_in):
                grads[base + k] += delta * a[src + k]
                if l > 0:
                    da[src + k] += params[base + k] * delta


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


@njit(**_OPTS)
def predicted(out, threshold):
    """The predicted class: one output against ``threshold``, else the first largest output."""
    if out.shape[0] == 1:
        return 1 if out[0] > threshold else 0
    best = 0
    for j in range(1, out.shape[0]):
        if out[j] > out[best]:
            best = j
    return best


@njit(**_OPTS)
def evaluate(params, sizes, acts, loss_code, x, targets, labels, n_test, threshold, classify, result):
    """Test loss and hits over the first ``n_test`` rows, train hits over the rest, into ``result``."""
    woff, boff, aoff = offsets(sizes)
    width = aoff[-1]
    z = np.empty(width)
    a = np.empty(width)
    k = sizes[-1]
    grad = np.empty(k)
    out_at = aoff[-2]
    per = 1.0 if loss_code == 0 else 1.0 / k
    loss = 0.0
    test_hits = 0
    train_hits = 0
    for i in range(x.shape[0]):
        forward(params, sizes, acts, woff, boff, aoff, x[i], z, a)
        out = a[out_at:out_at + k]
        if i < n_test:
            loss += loss_terms(loss_code, out, targets[i], grad, 1.0) * per
        if classify:
            hit = predicted(out, threshold) == labels[i]
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
    z = np.empty(width)
    a = np.empty(width)
    da = np.empty(width)
    k = sizes[-1]
    out_at = aoff[-2]
    n = x.shape[0]
    per_epoch = (n + batch_size - 1) // batch_size
    reg_kind, reg_rate = int(hyper[8]), hyper[9]
    epoch = 0
    b = start_batch
    for s in range(n_steps):
        hyper[0] = lrs[epoch]
        lo = b * batch_size
        hi = min(lo + batch_size, n)
        count = hi - lo
        scale = 1.0 / count if loss_code == 0 else 1.0 / (count * k)
        grads[:] = 0.0
        total = 0.0
        for r in range(lo, hi):
            i = perms[epoch, r]
            forward(params, sizes, acts, woff, boff, aoff, x[i], z, a)
            total += loss_terms(loss_code, a[out_at:out_at + k], targets[i], da[out_at:out_at + k], scale)
            backward(params, grads, sizes, acts, woff, boff, aoff, z, a, da)
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
    """Every unit's output at every point in one pass: ``out[p]`` is the activation vector, input first."""
    woff, boff, aoff = offsets(sizes)
    z = np.empty(aoff[-1])
    for p in range(points.shape[0]):
        forward(params, sizes, acts, woff, boff, aoff, points[p], z, out[p])
