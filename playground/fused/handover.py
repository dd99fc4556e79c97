"""The fused run's exchanges with PyTorch: continuing a saved run, handing over to a Trainer, taking one back.

A fused run keeps its weights and optimizer moments in flat float64 arrays; torch.optim keeps them per
parameter under its own names. These methods translate both ways, so explaining one step (autograd),
a checkpoint's optimizer state or a switch of engine mid-run continue exactly where the other left off.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..reports import Report

# Where each torch.optim keeps what the kernels keep in s1 and s2 (None: not used).
_STATE_KEYS = {"sgd": ("momentum_buffer", None), "adam": ("exp_avg", "exp_avg_sq"),
               "adamw": ("exp_avg", "exp_avg_sq"), "adagrad": ("sum", None), "rmsprop": ("square_avg", "momentum_buffer")}


class TorchHandover:
    """Mixin for FusedTrainer (its arrays ``_params``, ``_grads``, ``_s1``, ``_s2``, ``_counters``, ``_slots``)."""

    def restore(self, state: dict | None, history: list[Report] | tuple[Report, ...] = (),
                training: dict | None = None) -> None:
        """Continue a saved run: load its weights and counters, as Trainer.restore does.

        With ``training`` (a ``training_state()`` of either engine) the optimizer's moments, the schedule's
        position and the shuffle continue too; without it the optimizer state starts afresh.
        """
        if training is not None:
            from ..training import Trainer

            # Trainer checks the saved state and loads it; the fused run then takes everything from it.
            twin = Trainer(self.experiment, self.dataset, device="cpu")
            twin.restore(state, history, training)
            self._counters[0] = 0
            self.adopt(twin)
            return
        if state is not None:
            from ..checkpoint import apply_state_dict

            apply_state_dict(self.model, state, "the saved weights")
            self._read_model()
            self._reset_optimizer()
        self._continue_from(history)

    def torch_trainer(self) -> Any:
        """A PyTorch ``Trainer`` that continues exactly from here: weights, optimizer state, batch order, counters.

        For what needs autograd on the live run (explaining one step) or a switch to PyTorch mid-run.
        """
        from ..training import Trainer

        trainer = Trainer(self.experiment, self.dataset, device="cpu")
        first, second = _STATE_KEYS[self.experiment.optimizer.name]
        step = int(self._counters[0])
        with torch.no_grad():
            for p, (_, start, n) in zip(trainer.model.parameters(), self._slots):
                p.copy_(torch.from_numpy(self._params[start:start + n]).reshape(p.shape))
                if step == 0:
                    continue
                state = trainer.optimizer.state[p]
                for key, array in ((first, self._s1), (second, self._s2)):
                    if key:
                        state[key] = torch.from_numpy(array[start:start + n]).reshape(p.shape).float()
                if self.experiment.optimizer.name != "sgd":
                    state["step"] = torch.tensor(float(step))
                elif self.experiment.optimizer.momentum == 0:
                    state.pop(first, None)
        trainer._generator.set_state(self._generator.get_state())
        trainer.step, trainer.epoch, trainer._batch = self.step, self.epoch, self._batch
        trainer._perm = None if self._perm is None else torch.from_numpy(self._perm.copy())
        trainer.base_lr, trainer.total_epochs, trainer.seconds = self.base_lr, self.total_epochs, self.seconds
        trainer._set_epoch_lr()
        return trainer

    def adopt(self, twin: Any) -> None:
        """Continue from a PyTorch ``Trainer`` of the same experiment (the inverse of ``torch_trainer``).

        Takes its weights, last gradients, optimizer state, shuffle, counters and unflushed reports, so a
        fused run can hand one step to autograd (explain) and carry on where that step left off.
        """
        spec = self.experiment.optimizer
        first, second = _STATE_KEYS[spec.name]
        optimizer_steps = None
        with torch.no_grad():
            for p, (_, start, n) in zip(twin.model.parameters(), self._slots):
                self._params[start:start + n] = p.detach().reshape(-1).double().cpu().numpy()
                if p.grad is not None:
                    self._grads[start:start + n] = p.grad.detach().reshape(-1).double().cpu().numpy()
                state = twin.optimizer.state.get(p, {})
                for key, array in ((first, self._s1), (second, self._s2)):
                    if key:
                        value = state.get(key)
                        array[start:start + n] = 0.0 if value is None else value.reshape(-1).double().cpu().numpy()
                if "step" in state:
                    optimizer_steps = int(float(state["step"]))
        if optimizer_steps is None:  # SGD keeps no count: only "has it stepped" matters (the buffer's first value)
            moved = twin.step - self.step
            optimizer_steps = int(self._counters[0]) + moved if moved > 0 or self._counters[0] else twin.step
        self._counters[0] = optimizer_steps
        self._synced = False
        self._generator.set_state(twin._generator.get_state())
        self._perm = None if twin._perm is None else twin._perm.detach().cpu().numpy().astype(np.int64)
        self.step, self.epoch, self._batch = twin.step, twin.epoch, twin._batch
        self.base_lr, self.total_epochs, self.seconds = twin.base_lr, twin.total_epochs, twin.seconds
        self._set_epoch_lr()
        self._carried.extend(twin.flush(partial=True))
        self.diverged, self.divergence_message = twin.diverged, twin.divergence_message
        self.last_report = twin.last_report

    def training_state(self) -> dict[str, Any]:
        """What Trainer.training_state() would hold at this point (optimizer moments, shuffle, counters)."""
        return self.torch_trainer().training_state()
