"""Hand-written forward, backward and optimizer steps for small dense networks, compiled with numba.

Everything is float64 and every kernel takes the same argument types whatever the network, loss or
optimizer, so one compilation (cached on disk) serves every experiment: the choices are integer codes
(``tables.py``) switched on per element, in ``formulas.py``. The branches cost little next to what they replace: a
PyTorch step of the default net is ~130-300 µs of per-op overhead, a fused one ~2 µs.

A network is ``sizes`` (widths, input first) and ``acts`` (one code per layer). Its parameters are one
flat array, layer by layer: the weight as torch stores it (out × in, row-major), then the bias.
Kernels release the GIL (``nogil``), so the window keeps its share of the interpreter while they run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .formulas import JIT_OPTIONS, activate_range, derivative_range, loss_terms, update


# --------------------------------------------------------------------------- the network


@njit(**JIT_OPTIONS)
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


@njit(**JIT_OPTIONS)
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
            if code != 9:
                activate_range(code, z, a, row, row + count)
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


@njit(**JIT_OPTIONS)
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
            derivative_range(code, z, a, da, dst, dst + n_out * count)
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


@njit(**JIT_OPTIONS)
def load_inputs(a, x, rows, lo, count):
    """Copy samples ``rows[lo:lo + count]`` of ``x`` into layer 0 of the block."""
    for r in range(count):
        i = rows[lo + r]
        for f in range(x.shape[1]):
            a[f * count + r] = x[i, f]


@njit(**JIT_OPTIONS)
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


@njit(**JIT_OPTIONS)
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
                loss += loss_terms(loss_code, a, grad, out_at + r, count, k, targets, i, 1.0) * per
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


@njit(**JIT_OPTIONS)
def train_steps(params, grads, s1, s2, counters, hyper, sizes, acts, loss_code, opt_code, wmask,
                x, targets, perms, lrs, batch_size, start_batch, n_steps,
                eval_x, eval_targets, eval_labels, n_test, threshold, classify, eval_rows,
                losses, penalties, evals):
    """Train ``n_steps`` steps from batch ``start_batch`` of the epoch whose order is ``perms[0]``.

    Epoch ``e`` of the call uses ``perms[e]`` and learning rate ``lrs[e]``; its end evaluates into
    ``evals[e]`` when ``eval_rows[e]`` is not 0. Each step's data loss and penalty go to ``losses`` and ``penalties``.
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
            total += loss_terms(loss_code, a, da, out_at + r, count, k, targets, perms[epoch, lo + r], scale)
        grads[:] = 0.0
        backward(params, grads, sizes, acts, woff, boff, aoff, count, z, a, da)
        losses[s] = total * scale
        penalties[s] = penalty(params, grads, wmask, reg_kind, reg_rate) if reg_kind else 0.0
        counters[0] += 1
        update(opt_code, params, grads, s1, s2, counters[0], hyper)
        b += 1
        if b == per_epoch:
            if eval_rows[epoch]:
                evaluate(params, sizes, acts, loss_code, eval_x, eval_targets, eval_labels, n_test, threshold,
                         classify, evals[epoch])
            b = 0
            epoch += 1
        if not math.isfinite(losses[s]) or not math.isfinite(penalties[s]):
            return s + 1
    return n_steps


@njit(**JIT_OPTIONS)
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
