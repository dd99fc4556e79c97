"""The generated PyTorch script under torchrun: two CPU processes (gloo, DDP) train what one process trains.

Why the two runs can differ at all, and by how much: with DistributedDataParallel each process computes
the mean loss of its slice of the batch, and DDP averages the two gradients. The script weights each
slice's loss by (slice size / batch size) x processes, so that average is the whole batch's mean
gradient whatever the split; with equal slices the weight is exactly 1.0. The mathematics is the same;
only the order of summation differs (two half-sums, then their mean, instead of one sum), which moves
float32 results by a few units of 1.2e-7 per step. Measured on these runs: weights differ by at most
~1.2e-7 after 4 epochs and the printed final losses agree to all 6 digits. The tolerances below
(1e-4 relative on the loss, 1e-5 on every weight) leave a wide margin for that rounding and are still
far below a real mistake: weighting the uneven slices equally (share = 1.0) moved the final loss by
1.3e-2 relative and the weights by 1.0e-2 in the same experiment.
"""

import re
import runpy
import subprocess
import sys

import pytest
import torch

from playground.codegen import pytorch_script
from playground.spec import from_dict

FINAL = re.compile(r"^final test_accuracy=(?P<acc>\S+) test_loss=(?P<loss>\S+)$", re.M)
LOSS_TOLERANCE = 1e-4  # relative, on the final test loss (see the module docstring)
WEIGHT_TOLERANCE = 1e-5  # absolute, on every weight and bias

pytestmark = pytest.mark.skipif(not torch.distributed.is_available() or not torch.distributed.is_gloo_available(),
                                reason="this torch build has no gloo backend for torch.distributed")


def experiment(batch_size):
    """51 training rows: batches of 10 end in a batch of 1, so one process gets an empty slice; the full
    batch splits 26/25. SGD with momentum and an L2 penalty, so the penalty's handling is covered too."""
    return from_dict({
        "name": "ddp check", "seed": 4, "epochs": 4, "batch_size": batch_size,
        "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "regularization": {"kind": "l2", "rate": 0.001},
        "data": {"dataset": "gauss", "samples": 102, "noise": 0.3},
        "layers": [{"type": "linear", "units": 6, "activation": "tanh"}, {"type": "linear", "units": 2}]})


@pytest.mark.parametrize("batch_size", [10, "full"])
def test_torchrun_two_processes_match_one(batch_size, tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text(pytorch_script(experiment(batch_size)), encoding="utf-8")

    # One process, in this process: no torchrun variables, so the script does not touch torch.distributed.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runpy.run_path(str(script), run_name="generated")["main"](["--save", str(tmp_path / "one.pt")])
    finally:
        torch.set_num_threads(before)
    alone = FINAL.search(capsys.readouterr().out)

    # torchrun --nproc_per_node 2 (the module torchrun runs), on the CPU: gloo. --standalone picks a free port.
    # The script leaves through os._exit after destroy_process_group: gloo's threads used to abort the
    # interpreter's teardown now and then ("terminate called without an active exception"); no retry.
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(script), "--save", str(tmp_path / "two.pt")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "2 processes (gloo)" in out
    # Only the first process prints: one line per message, not two.
    assert len(FINAL.findall(out)) == 1 and out.count("training and") == 1, out
    shared = FINAL.search(out)

    assert float(shared["loss"]) == pytest.approx(float(alone["loss"]), rel=LOSS_TOLERANCE)
    assert shared["acc"] == alone["acc"]
    one = torch.load(tmp_path / "one.pt", weights_only=True)
    two = torch.load(tmp_path / "two.pt", weights_only=True)
    assert one.keys() == two.keys()  # saved from the model itself, not DDP's wrapper ("module." names)
    for name in one:
        assert torch.allclose(one[name], two[name], rtol=0, atol=WEIGHT_TOLERANCE), name
