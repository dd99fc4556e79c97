"""How PyTorch's Trainer evaluates: test loss and accuracy, and train accuracy, in one chunked forward pass.

The values stay device tensors (no host sync): ``Trainer.flush`` reads them back with the training
points. Which epoch ends evaluate is ``playground.evaluation_policy``'s decision; this is the how.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from .losses import predict_classes

EVAL_CHUNK = 4096  # evaluate big sets in chunks of at most this many samples...
# ...holding about this many activation values: cache-sized chunks evaluate a small CNN twice as fast
# as 4096-sample ones (60 vs 137 ms for 3,000 MNIST-sized images, bench row 1c; docs/performance.md).
EVAL_ACTIVATIONS = 4_000_000
TRAIN_EVAL_LIMIT = 1024  # train accuracy is measured on at most this many training samples (±1.6 % at worst)


class TorchEvaluation:
    """Mixin for Trainer (its model, loss, tensors, ``check`` and ``_evaluation`` policy)."""

    def _timed_evaluation(self) -> tuple[Any, Any, Any]:
        """``evaluate_tensors()``, timed for an adaptive run (on the CPU, where the time is the work done)."""
        if not self._evaluation.adaptive:
            return self.evaluate_tensors()
        started = time.perf_counter()
        metrics = self.evaluate_tensors()
        self._evaluation.evaluated(time.perf_counter() - started)
        return metrics

    def _plan_evaluation(self) -> list[tuple[torch.Tensor, torch.Tensor | None, torch.Tensor, int]]:
        """Chunks of (inputs, test targets, labels, test rows) over the test set, then the train sample.

        One forward pass serves both the test metrics and the train accuracy, so a tiny net pays
        the per-op overhead once per epoch, not twice. Chunks are views, except the one that
        straddles the two sets, which is copied here once (at most one chunk of memory).
        """
        per_sample = math.prod(self.dataset.input_shape) + sum(
            math.prod(layer.output_shape) for layer in self.check.layers if layer.output_shape)
        chunk = max(1, min(EVAL_CHUNK, EVAL_ACTIVATIONS // max(1, per_sample)))
        n_test = self.x_test.shape[0]
        n_train = min(TRAIN_EVAL_LIMIT, self.x_train.shape[0]) if self.dataset.task == "classification" else 0
        chunks = []
        for start in range(0, n_test + n_train, chunk):
            stop = min(start + chunk, n_test + n_train)
            tests = max(0, min(stop, n_test) - start)
            if tests == stop - start:
                x, labels = self.x_test[start:stop], self.labels_test[start:stop]
            elif tests == 0:
                x, labels = self.x_train[start - n_test:stop - n_test], self.labels_train[start - n_test:stop - n_test]
            else:
                x = torch.cat([self.x_test[start:], self.x_train[:stop - n_test]])
                labels = torch.cat([self.labels_test[start:], self.labels_train[:stop - n_test]])
            chunks.append((x, self.y_test[start:start + tests] if tests else None, labels, tests))
        return chunks

    @torch.no_grad()
    def evaluate_tensors(self) -> tuple[Any, Any, Any]:
        """Test loss, test accuracy and train accuracy as device tensors (no host sync).

        Test metrics cover the whole test set; train accuracy its first TRAIN_EVAL_LIMIT samples.
        """
        if self._has_modes:
            self.model.eval()
        try:
            model, loss_fn = self.model, self.loss_fn
            classify = self.dataset.task == "classification"
            loss_sum = test_hits = train_hits = None
            for x, y, labels, tests in self._eval_chunks:
                out = model(x)
                if tests:
                    loss = loss_fn(out if tests == out.shape[0] else out[:tests], y)
                    loss = loss if len(self._eval_chunks) == 1 else loss * tests
                    loss_sum = loss if loss_sum is None else loss_sum + loss
                if classify:
                    hits = predict_classes(self.experiment.loss, out, self._last_activation) == labels
                    if tests:
                        part = (hits if tests == out.shape[0] else hits[:tests]).sum()
                        test_hits = part if test_hits is None else test_hits + part
                    if tests < out.shape[0]:
                        part = (hits if tests == 0 else hits[tests:]).sum()
                        train_hits = part if train_hits is None else train_hits + part
        finally:
            if self._has_modes:
                self.model.train()
        n_test = self.x_test.shape[0]
        n_train = min(TRAIN_EVAL_LIMIT, self.x_train.shape[0])
        test_loss = None if loss_sum is None else loss_sum if len(self._eval_chunks) == 1 else loss_sum / n_test
        test_acc = None if test_hits is None else test_hits / n_test
        train_acc = None if train_hits is None else train_hits / n_train
        return test_loss, test_acc, train_acc
