"""A standalone PyTorch training script (torch + numpy only) that reproduces an experiment step for step.

The script builds what the engine builds: the same data and split, ``torch.manual_seed(seed)`` before
the same ``nn.Sequential`` of (layer, activation) blocks, the same optimizer, loss, target encoding,
penalty, schedule and batch order. Run on the CPU it ends with the very weights the playground
trains; the tests check that. It is written as a short tutorial: data, model, loss, training loop.

The same file runs unchanged under ``torchrun`` with DistributedDataParallel: every process reads the
data, draws the same batch order and takes its own slice of every batch, and the gradients are
weighted so that their average is the whole batch's gradient (see ``_DISTRIBUTED``). Run alone, the
weights are 1.0 and it computes exactly what the engine computes.
"""

from __future__ import annotations

from typing import Any

from ..datasets import Dataset
from ..layers import ACTIVATIONS, LAYER_TYPES, Shape, describe_shape
from ..losses import LOSSES, decision_threshold, signed_binary
from ..optimizers import OPTIMIZERS, SCHEDULES
from . import data_location, data_section, docstring_text, join_blocks, load_for, section

def activation_code(name: str) -> str:
    """The activation as PyTorch code, e.g. ``nn.Tanh()`` or ``nn.Softmax(dim=1)``, from its registry entry."""
    return ACTIVATIONS.get(name).torch_code


def layer_code(layer: Any, shape: Shape) -> str:
    """One layer as PyTorch code, given its input shape (its registry entry writes it)."""
    return LAYER_TYPES.get(layer.type).torch_code(shape, layer.params())


def model_lines(layers: Any, input_shape: Shape) -> tuple[list[str], Shape]:
    """The ``nn.Sequential(layer, activation)`` block lines with shape comments, and the output shape."""
    lines = [f"        # input: {describe_shape(tuple(input_shape))}"]
    shape: Shape = tuple(input_shape)
    for i, layer in enumerate(layers):
        out = LAYER_TYPES.get(layer.type).output_shape(shape, layer.params())
        block = f"nn.Sequential({layer_code(layer, shape)}, {activation_code(layer.activation)}),"
        lines.append(f"        {block}  # {i + 1}: {layer.type} -> {describe_shape(out)}")
        shape = out
    return lines, shape


def target_code(loss: str, task: str, units: int, last_activation: str, num_classes: int) -> tuple[str, str]:
    """Bodies of ``encode_targets(labels)`` and ``predict_classes(outputs)`` (the rules of losses.py)."""
    predict = "    return outputs.argmax(dim=1)  # the class with the largest output"
    if task != "classification":
        return "    return labels.float()  # regression: the targets as they are", ""
    if LOSSES.get(loss).class_indices:
        encode = "    return labels.long()  # class indices: CrossEntropyLoss wants them, not one-hot vectors"
    elif units == 1:
        encode = "    y = labels.float().unsqueeze(1)  # one output unit: a column of 0s and 1s"
        if signed_binary(loss, units, last_activation):
            encode += "\n    return y * 2 - 1  # TensorFlow Playground's labels: class 0 is -1, class 1 is +1"
        else:
            encode += "\n    return y"
    else:
        encode = f"    return nn.functional.one_hot(labels.long(), {num_classes}).float()  # one column per class"
    if units == 1:
        threshold = decision_threshold(loss, units, last_activation)
        predict = f"    return (outputs[:, 0] > {threshold!r}).long()  # one output: class 1 above the threshold"
    return encode, predict


def optimizer_code(spec: Any) -> str:
    """The optimizer call with exactly the arguments the optimizer's entry passes."""
    return OPTIMIZERS.get(spec.name).torch_code(spec)


def schedule_code(spec: Any) -> str:
    """``learning_rate(epoch, epochs)`` for a schedule (its entry's formula), or '' for a constant rate."""
    summary, body = SCHEDULES.get(spec.name).code(spec)
    if not body:
        return ""
    lines = "\n".join(f"    {line}" for line in body)
    return f'def learning_rate(epoch, epochs):\n    """{summary}"""\n{lines}'


def support_code(layers: Any) -> str:
    """The source of the helper modules the layers' code uses (a Recurrent wrapper, say), each once, in use order."""
    names: list[str] = []
    for layer in layers:
        names += [n for n in LAYER_TYPES.get(layer.type).torch_support if n not in names]
    if not names:
        return ""
    from ..sequence_layers import class_source

    return "".join(class_source(name) + "\n\n\n" for name in names)


def pytorch_script(experiment: Any, dataset: Dataset | None = None) -> str:
    """A runnable PyTorch script for ``experiment``; ``dataset`` saves reloading data the caller already has."""
    exp = experiment
    ds = load_for(exp, dataset)
    data = data_section(exp, ds)
    model, out_shape = model_lines(exp.layers, ds.input_shape)
    last = exp.layers[-1].activation
    classify = ds.task == "classification"
    encode, predict = target_code(exp.loss, ds.task, out_shape[0], last, ds.num_classes)
    reg = exp.regularization
    penalty = reg.kind != "none" and reg.rate > 0
    imports = ["argparse", "math", "os", "sys", *(i for i in data.imports if not i.startswith("from"))]
    import_lines = [f"import {name}" for name in sorted(set(imports))] + [i for i in data.imports if i.startswith("from")]
    import_lines += ["", "import numpy as np", "import torch", "import torch.distributed as dist", "from torch import nn"]
    batch = '"full"' if exp.batch_size == "full" else str(exp.batch_size)
    description = f"\n{docstring_text(exp.description)}\n" if exp.description else ""
    blocks = [
        f'"""{docstring_text(exp.name)} (nn-playground experiment, exported as a PyTorch script).\n{description}\n'
        "It needs only PyTorch and numpy. Run it with\n\n"
        "    python this_script.py [--epochs N] [--save weights.pt]" + (" [--data PATH]" if data.has_path else "") +
        "\n\nOn the CPU it reproduces the playground's run exactly: the same data, initial weights, batches\n"
        "and updates, so it prints the numbers the playground shows. It also runs unchanged on several\n"
        "processes, GPUs or machines with torchrun (DistributedDataParallel), for example\n\n"
        "    torchrun --nproc_per_node 2 this_script.py\n\n"
        "Each process then takes its share of every batch and only the first one prints and saves.\n"
        + ("Without --data the data is read from beside this script (DATA_NAME below).\n" if data.has_path else "")
        + '"""\n\n' + "\n".join(import_lines) + "\n\n"
        f"SEED = {exp.seed}  # seeds the data, the initial weights and the batch order\n"
        f"EPOCHS = {exp.epochs}\nBATCH_SIZE = {batch}  # \"full\": the whole training set in every step\n"
        f"LEARNING_RATE = {exp.optimizer.lr!r}",
        data.code,
        section("2. Model") + "\n" + support_code(exp.layers) +
        "def build_model():\n"
        '    """The layer stack. Each block is nn.Sequential(layer, activation), as in nn-playground, so the\n'
        '    weight names ("0.0.weight", ...) match its weights files."""\n'
        "    torch.manual_seed(SEED)  # PyTorch's default initialisation draws the starting weights from this\n"
        "    return nn.Sequential(\n" + "\n".join(model) + "\n    )",
        section("3. Loss, targets and optimizer") + "\n"
        f"loss_fn = {LOSSES.get(exp.loss).torch_code}  # {LOSSES.description(exp.loss)}",
        f'def encode_targets(labels):\n    """What the loss compares the outputs with."""\n{encode}',
        f'def predict_classes(outputs):\n    """Predicted class per row."""\n{predict}' if classify else "",
        "def make_optimizer(model):\n"
        "    # foreach=False: nn-playground's choice on the CPU (a loop over a few tiny tensors is faster than\n"
        "    # the fused kernels); it changes nothing but speed.\n"
        f"    return {optimizer_code(exp.optimizer)}",
        schedule_code(exp.schedule),
    ]
    if penalty:
        op = "w.pow(2).sum()" if reg.kind == "l2" else "w.abs().sum()"
        blocks.append(
            "def penalty(weights):\n"
            f'    """{reg.kind.upper()} regularization: rate times the sum of {"squared" if reg.kind == "l2" else "absolute"}'
            ' weights (biases are not penalised)."""\n'
            f"    return {reg.rate!r} * sum({op} for w in weights)")
    blocks.append(section("4. Training") + "\n" +
                  _training_code(data.has_path, classify, penalty, bool(schedule_code(exp.schedule)),
                                 any(layer.type == "batchnorm" for layer in exp.layers)))
    return join_blocks(blocks)


# Joining torchrun's processes. It has no settings from the experiment, so it is one constant.
_DISTRIBUTED = '''\
def setup_distributed(device_name):
    """Join torchrun's process group when there is one; returns (rank, number of processes, device).

    torchrun starts one copy of this script per process and tells each its place in WORLD_SIZE, RANK and
    LOCAL_RANK. Run alone (python this_script.py) there is one process and nothing to set up."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return 0, 1, torch.device(device_name or "cpu")
    device = torch.device(device_name or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda":  # one GPU per process: the LOCAL_RANK-th GPU of this machine
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]) if device.index is None else device.index)
        torch.cuda.set_device(device)
    # nccl passes the gradients between GPUs directly; gloo passes them between CPUs.
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank(), world_size, device'''


def _training_code(has_path: bool, classify: bool, penalty: bool, scheduled: bool, batchnorm: bool) -> str:
    """The evaluation function, the training loop and the command line, specialised to this experiment."""
    from ..torch_evaluation import EVAL_CHUNK  # imports torch, so only when code is really generated

    ev_zero = "    total, correct = torch.zeros((), device=x.device), torch.zeros((), device=x.device)\n" if classify else \
        "    total = torch.zeros((), device=x.device)\n"
    ev_count = f"        correct += (predict_classes(outputs) == labels[start:start + {EVAL_CHUNK}]).sum()\n" if classify else ""
    ev_ret = "    return (total / len(x)).item(), (correct / len(x)).item()\n" if classify else \
        "    return (total / len(x)).item(), None\n"
    acc_print = '  test accuracy {test_accuracy:.3f}' if classify else ""
    acc_final = "test_accuracy={test_accuracy:.4f} " if classify else ""
    lr = ("        for group in optimizer.param_groups:  # the schedule sets the rate at the start of each epoch\n"
          "            group[\"lr\"] = learning_rate(epoch, args.epochs)\n") if scheduled else ""
    weights = "    weights = [p for p in model.parameters() if p.dim() > 1]  # weights only, not biases\n" if penalty else ""
    # The penalty is added unweighted: every process adds the same one, and DDP averages the copies.
    backward = ("            (loss * share + penalty(weights)).backward()  # the penalty shapes the weights but is not reported\n"
                if penalty else "            (loss * share).backward()\n")
    sync_bn = ("        if device.type == \"cuda\":  # batch statistics over the whole batch, not each process's share\n"
               "            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)\n") if batchnorm else ""
    return _DISTRIBUTED + f'''


@torch.no_grad()
def evaluate(model, x, targets, labels):
    """Mean loss{" and accuracy" if classify else ""} over a whole set, in eval mode (dropout off, batchnorm frozen)."""
    if len(x) == 0:
        return math.nan, math.nan
    model.eval()
{ev_zero}    for start in range(0, len(x), {EVAL_CHUNK}):  # in chunks, so big sets fit in memory
        outputs = model(x[start:start + {EVAL_CHUNK}])
        total += loss_fn(outputs, targets[start:start + {EVAL_CHUNK}]) * len(outputs)
{ev_count}    model.train()
{ev_ret}

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over the training set")
    parser.add_argument("--save", metavar="PATH", help="write the trained weights (a state_dict) to PATH")
    parser.add_argument("--device", help="cpu or cuda (default: cpu; under torchrun, a GPU per process when there are GPUs)")
{data_location.ARGUMENT if has_path else ""}    args = parser.parse_args(argv)
    rank, world_size, device = setup_distributed(args.device)
    main_process = rank == 0  # only the first process prints and saves

    x_train, y_train, x_test, y_test = {data_location.load_call(has_path)}
    x_train, x_test = torch.as_tensor(x_train, device=device), torch.as_tensor(x_test, device=device)
    labels_train, labels_test = torch.as_tensor(y_train, device=device), torch.as_tensor(y_test, device=device)
    targets_train, targets_test = encode_targets(labels_train), encode_targets(labels_test)
    if main_process:
        print(f"{{len(x_train)}} training and {{len(x_test)}} test samples")

    model = build_model().to(device)
    net = model  # what the training steps run: the model itself, or its DDP wrapper
    if world_size > 1:
{sync_bn}        # DDP averages the processes' gradients during backward, so every copy takes the same step.
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    optimizer = make_optimizer(model)
{weights}    generator = torch.Generator(device=device).manual_seed(SEED)  # a separate random stream for the batch order
    n = len(x_train)
    batch_size = n if BATCH_SIZE == "full" else min(BATCH_SIZE, n)
    steps = math.ceil(n / batch_size)
    every_row = torch.arange(n, device=device)
    if main_process and world_size > 1:
        print(f"{{world_size}} processes ({{dist.get_backend()}}), each takes its share of every batch of {{batch_size}}")
    print_every = max(1, args.epochs // 10)
    for epoch in range(args.epochs):
{lr}        if batch_size < n:
            order = torch.randperm(n, generator=generator, device=device)  # a new shuffle every epoch
        losses = []
        for step in range(steps):
            if batch_size < n:
                batch = order[step * batch_size:(step + 1) * batch_size]
            else:  # full batch: the order would not change the gradient, so there is no shuffle
                batch = every_row
            # Every process draws the same order, so the batch is the same everywhere, and each takes its
            # slice: sizes differ by at most one when the batch does not divide evenly; alone, all of it.
            mine = batch.tensor_split(world_size)[rank]
            xb, yb = (x_train, targets_train) if len(mine) == n else (x_train[mine], targets_train[mine])
            outputs = net(xb)
            # An empty slice (a batch smaller than the number of processes) still runs, adding nothing.
            loss = loss_fn(outputs, yb) if len(xb) else outputs.sum()
            # DDP averages the gradients over the processes; weighting each slice's mean loss by
            # (its size / batch size) * processes makes that average the whole batch's mean gradient,
            # equal slices or not. Alone, or with equal slices, the weight is exactly 1.0.
            share = len(xb) * world_size / len(batch)
            optimizer.zero_grad(set_to_none=True)
{backward}            optimizer.step()
            losses.append(loss.detach() * share)
        if (epoch + 1) % print_every == 0 or epoch == 0:
            train_loss = torch.stack(losses).mean()
            if world_size > 1:
                dist.all_reduce(train_loss)  # each process holds its slices' part of the mean: add them up
                train_loss /= world_size
            if main_process:
                test_loss, test_accuracy = evaluate(model, x_test, targets_test, labels_test)
                print(f"epoch {{epoch + 1:5d}}  train loss {{train_loss.item():.4f}}  test loss {{test_loss:.4f}}{acc_print}")

    if main_process:
        test_loss, test_accuracy = evaluate(model, x_test, targets_test, labels_test)
        print(f"final {acc_final}test_loss={{test_loss:.6g}}")
        if args.save:
            torch.save(model.state_dict(), args.save)  # load it back with model.load_state_dict(torch.load(PATH))
            print(f"saved the weights to {{args.save!r}}")
    if world_size > 1:
        del net  # free DDP (its reducer holds the process group) before the group is taken down
        dist.barrier()  # wait for the first process to finish saving, so no process leaves the group early
        dist.destroy_process_group()
    return model


if __name__ == "__main__":
    main()
    if dist.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Under torchrun, leave without Python's interpreter teardown: the process group is already
        # destroyed and everything is saved, but gloo's C++ threads can still abort that teardown
        # ("terminate called without an active exception", about one run in twelve with PyTorch 2.14).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
'''
