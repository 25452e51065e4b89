"""A small digit classifier on the training split; its penultimate features drive evaluate.py.

    nice -n 15 python3 models/train/classifier.py --out models/train/out/classifier.pt
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from args import ranged  # noqa: E402
from data import load_npz  # noqa: E402

FEATURES = 128


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, FEATURES)
        self.head = nn.Linear(FEATURES, 10)

    def features(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return F.relu(self.fc(h.flatten(1)))

    def forward(self, x):
        return self.head(self.features(x))


def shift(x, gen, max_shift=2):
    """Random translation by up to max_shift pixels (background is -1)."""
    dx, dy = torch.randint(-max_shift, max_shift + 1, (2,), generator=gen).tolist()
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)
    return padded[:, :, max_shift + dy:max_shift + dy + 28, max_shift + dx:max_shift + dx + 28]


def train(data, epochs=4, batch=64, seed=0, subset=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(data["train_x"][: subset or None])
    y = torch.from_numpy(data["train_y"][: subset or None])
    net = Classifier()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(net(shift(x[idx], gen)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return net.eval()


def accuracy(net, x, y):
    with torch.no_grad():
        pred = net(torch.from_numpy(x)).argmax(1).numpy()
    return float((pred == y).mean())


def load(path):
    net = Classifier()
    net.load_state_dict(torch.load(path, map_location="cpu"))
    return net.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="models/train/out/mnist.npz")
    ap.add_argument("--out", default="models/train/out/classifier.pt")
    ap.add_argument("--epochs", type=ranged(int, 1, 1000, "--epochs"), default=4)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_npz(a.data)
    net = train(data, a.epochs)
    torch.save(net.state_dict(), a.out)
    print(f"held-out accuracy {accuracy(net, data['test_x'], data['test_y']):.4f} "
          f"({len(data['test_y'])} digits)")


if __name__ == "__main__":
    main()
