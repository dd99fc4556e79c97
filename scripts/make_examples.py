"""Writes the built-in examples in assets/examples/ from the definitions below (run from the repo root).

With --train it also trains each one and prints its final test metrics, to check the examples still teach what
their descriptions promise.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import json, time
from playground.spec import from_dict
L=lambda u,a="tanh": {"type":"linear","units":u,"activation":a}
out=lambda u: {"type":"linear","units":u,"activation":"linear"}
ex = {
 "circle": dict(name="Circle: TensorFlow Playground's default", description="Two rings of points. The default network ([4, 2] tanh) learns a round boundary within a few seconds.", data={"dataset":"circle"}, layers=[L(4),L(2),out(2)]),
 "xor": dict(name="XOR needs a hidden layer", description="Points labelled by the sign of x1·x2. No straight line separates them, so the network needs a hidden layer (or the x1x2 feature).", data={"dataset":"xor"}, layers=[L(4),L(4),out(2)], optimizer={"name":"sgd","lr":0.1}),
 "gauss": dict(name="Two Gaussian blobs", description="Two clouds of points that a single straight line separates; even a network with no hidden layer learns it.", data={"dataset":"gauss"}, layers=[L(4),L(2),out(2)]),
 "spiral": dict(name="Spiral", description="Two interleaved spirals: the hardest 2-D set. Extra features (sin) and more units help.", data={"dataset":"spiral","features":["x1","x2","sin_x1","sin_x2"]}, layers=[L(8),L(8),out(2)], optimizer={"name":"adam","lr":0.01}, epochs=300),
 "moons": dict(name="Two moons", description="Two interleaving half circles; a small relu network bends its boundary around them.", data={"dataset":"moons","noise":0.1}, layers=[L(8,"relu"),L(8,"relu"),out(2)], optimizer={"name":"adam","lr":0.01}),
 "blobs": dict(name="Three blobs (three classes)", description="Three clusters: a 3-way classifier with cross-entropy and three output units.", data={"dataset":"blobs","noise":0.1}, layers=[L(4),out(3)]),
 "reg-plane": dict(name="Regression: a plane", description="Predict a number that grows linearly across the plane; the loss is mean squared error.", data={"dataset":"reg-plane","samples":1200}, layers=[L(4),L(2),out(1)], loss="mse"),
 "reg-gauss": dict(name="Regression: six bumps", description="Predict a surface of six Gaussian bumps of alternating sign.", data={"dataset":"reg-gauss","samples":1200}, layers=[L(8),L(8),out(1)], loss="mse", optimizer={"name":"adam","lr":0.01}),
 "digits-mlp": dict(name="Digits: a multi-layer perceptron", description="8×8 handwritten digits through the classic MLP shape (64 → 128 → 10), relu and Adam.", data={"dataset":"digits","test_fraction":0.25}, layers=[{"type":"flatten"},L(128,"relu"),out(10)], optimizer={"name":"adam","lr":0.001}, batch_size=64, epochs=30),
 "digits-cnn": dict(name="Digits: a small CNN", description="Two convolution + pooling stages learn stroke filters, then a linear layer picks the digit.", data={"dataset":"digits","test_fraction":0.25}, layers=[{"type":"conv2d","filters":8,"kernel":3,"padding":1,"activation":"relu"},{"type":"maxpool2d","kernel":2},{"type":"conv2d","filters":16,"kernel":3,"padding":1,"activation":"relu"},{"type":"maxpool2d","kernel":2},{"type":"flatten"},out(10)], optimizer={"name":"adam","lr":0.003}, batch_size=32, epochs=20),
}
import sys
from playground.training import Trainer
for k,v in ex.items():
    e=from_dict(v)
    open(f"assets/examples/{k}.json","w").write(e.to_json())
    if "--train" in sys.argv:
        t=Trainer(e); s=time.time(); h=t.train(); 
        last=[r for r in h if r.epoch_end][-1]
        print(k, round(time.time()-s,2), "test_loss", round(last.test_loss,4), "acc", last.test_accuracy, h[-1].status)
