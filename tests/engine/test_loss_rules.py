"""Target encoding, output checks and class read-out follow the loss entry's fields, not its name: a loss
registered at run time with ``class_indices`` or ``applies`` behaves like the built-in ones that set them."""

from dataclasses import replace

import pytest
import torch

from playground.examples import load_example
from playground.losses import (LOSSES, Loss, class_probabilities, decision_threshold, encode_targets,
                               output_problem, predict_classes, signed_binary, torch_loss)
from playground.training import Trainer

LABELS = torch.tensor([0, 1, 1, 0])


def test_a_new_loss_on_class_indices_is_treated_like_cross_entropy():
    entry = Loss(**torch_loss("MultiMarginLoss"), classification=True, regression=False,
                 words="mean multi-class hinge loss", no_keras="Keras' hinge losses take one-hot or ±1 targets",
                 class_indices=True)
    with LOSSES.scoped("multi_margin", "Multi-class hinge loss on class indices.", entry):
        assert encode_targets("multi_margin", LABELS, "classification", 2, 2, "linear").dtype == torch.long
        assert "give it 2 units" in output_problem("multi_margin", "classification", 2, 1)
        assert output_problem("multi_margin", "classification", 2, 2) is None
        # The message for the wrong task lists the losses that suit it, read from the entries.
        wrong_task = output_problem("multi_margin", "regression", 0, 1)
        assert wrong_task.endswith("choose mse, l1, huber")
        exp = load_example("circle")
        exp = replace(exp, data=replace(exp.data, samples=100), loss="multi_margin")
        trainer = Trainer(exp)
        before = trainer.model[0][0].weight.detach().clone()
        trainer.train_step()
        assert not torch.equal(before, trainer.model[0][0].weight)


def test_a_new_logits_loss_reads_its_outputs_through_its_own_sigmoid():
    entry = Loss(**torch_loss("SoftMarginLoss"), classification=True, regression=False,
                 words="mean soft-margin loss", applies="sigmoid")
    with LOSSES.scoped("soft_margin_logits", "Soft margin on logits.", entry):
        assert not signed_binary("soft_margin_logits", 1, "linear")
        assert decision_threshold("soft_margin_logits", 1, "linear") == 0.0  # logits: the sigmoid is 1/2 at 0
        outputs = torch.tensor([[-2.0], [0.5]])
        assert predict_classes("soft_margin_logits", outputs, "linear").tolist() == [0, 1]
        probs = class_probabilities("soft_margin_logits", outputs, "linear", 2)
        assert probs[:, 1].tolist() == pytest.approx(torch.sigmoid(outputs[:, 0]).tolist())


def test_built_in_losses_keep_their_rules():
    assert encode_targets("cross_entropy", LABELS, "classification", 2, 2, "linear").dtype == torch.long
    assert encode_targets("mse", LABELS, "classification", 2, 1, "tanh")[:, 0].tolist() == [-1, 1, 1, -1]
    assert encode_targets("bce", LABELS, "classification", 2, 1, "linear")[:, 0].tolist() == [0, 1, 1, 0]
    assert encode_targets("mse", LABELS, "classification", 2, 2, "linear").shape == (4, 2)
    assert decision_threshold("bce", 1, "linear") == 0.0 and decision_threshold("mse", 1, "sigmoid") == 0.5
    logits = torch.tensor([[2.0, 0.0]])
    assert class_probabilities("cross_entropy", logits, "linear", 2)[0].tolist() == pytest.approx(
        torch.softmax(logits, 1)[0].tolist())
