#!/usr/bin/python3
"""PyTorch DCGAN reference for `selfsup4j gan` (issue 11's target).

The usual recipe (PyTorch's DCGAN example): non-saturating BCE, Adam 2e-4 with betas
(0.5, 0.999), batch 128, weights drawn from N(0, 0.02) (BatchNorm scales from N(1, 0.02)), no
moving average. The networks are the same 28x28 DCGANs as SelfSup4J's `Dcgan` at the same
widths. It trains for a given wall time (the Java run's training seconds), then writes N
samples of the generator as an IDX unsigned-byte file, which `bin/selfsup4j gan score FILE`
scores with exactly the classifier, test images and metrics of a Java run:

    /usr/bin/python3 scripts/dcgan_reference.py --seconds 700 --out /tmp/ref.idx
    bin/selfsup4j gan score /tmp/ref.idx

Needs only Debian's python3-torch (1.13) and numpy.
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_idx(path, images):
    images = np.ascontiguousarray(images, dtype=np.uint8)
    with (gzip.open if path.endswith(".gz") else open)(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, images.ndim))
        f.write(struct.pack(">" + "I" * images.ndim, *images.shape))
        f.write(images.tobytes())


class Generator(nn.Module):
    def __init__(self, z, w):
        super().__init__()
        self.w = w
        self.project = nn.Linear(z, 2 * w * 7 * 7, bias=False)
        self.net = nn.Sequential(
            nn.BatchNorm2d(2 * w), nn.ReLU(True),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True),
            nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.net(self.project(z).view(-1, 2 * self.w, 7, 7))


class Discriminator(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True), nn.Flatten(), nn.Linear(2 * w * 7 * 7, 1))

    def forward(self, x):
        return self.net(x).view(-1)


def weights_init(m):
    name = m.__class__.__name__
    if "Conv" in name or "Linear" in name:
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif "BatchNorm" in name:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.path.join(root, "data", "fashion-mnist"))
    p.add_argument("--seconds", type=float, required=True, help="training wall time")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--z-dim", type=int, default=100)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--out", required=True, help="samples, .idx or .idx.gz")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))
    x = torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    g, d = Generator(a.z_dim, a.width), Discriminator(a.width)
    g.apply(weights_init)
    d.apply(weights_init)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    start = time.time()
    step = images = 0
    epoch = 0
    while time.time() - start < a.seconds:
        order = torch.randperm(len(x))
        for b in range(len(x) // a.batch_size):
            if time.time() - start >= a.seconds:
                break
            real = x[order[b * a.batch_size:(b + 1) * a.batch_size]]
            n = len(real)
            fake = g(torch.randn(n, a.z_dim))
            d.zero_grad()
            loss_d = bce(d(real), torch.ones(n)) + bce(d(fake.detach()), torch.zeros(n))
            loss_d.backward()
            opt_d.step()
            g.zero_grad()
            loss_g = bce(d(fake), torch.ones(n))  # non-saturating
            loss_g.backward()
            opt_g.step()
            step += 1
            images += n
            if step % 100 == 0:
                print(f"epoch {epoch + b / (len(x) // a.batch_size):.2f} step {step}"
                      f" loss_d {loss_d.item():.4f} loss_g {loss_g.item():.4f}"
                      f" {images / (time.time() - start):.0f} img/s", flush=True)
        epoch += 1
    train = time.time() - start
    out = []
    with torch.no_grad():  # training mode, as the example samples
        for s in range(0, a.count, 500):
            out.append(g(torch.randn(min(500, a.count - s), a.z_dim)))
    px = torch.cat(out).squeeze(1).numpy()
    write_idx(a.out, np.clip(np.round(255 * (px + 1) / 2), 0, 255).astype(np.uint8))
    print(f"trained {train:.0f} s: {step} steps, {images / len(x):.2f} epochs,"
          f" {images / train:.0f} img/s; wrote {a.count} samples to {a.out}")


if __name__ == "__main__":
    main()
