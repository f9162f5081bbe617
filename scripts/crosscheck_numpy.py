#!/usr/bin/env python3
"""Cross-checks `bin/selfsup4j loss` against independent numpy implementations.

Each loss is written here from its paper / the authors' code (plain numpy, float64), evaluated
on the same random inputs, and compared with the JSON Lines answers of the loss command.
Usage: scripts/crosscheck_numpy.py   (needs python3 with numpy; prints one line per loss)
"""
import json
import os
import subprocess
import sys

import numpy as np

rng = np.random.default_rng(7)


def norm(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def lse(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def nt_xent(zi, zj, tau=0.5):
    # SimCLR: 2N rows, positives i <-> i+N, self excluded
    z = norm(np.concatenate([zi, zj]))
    n = len(zi)
    s = z @ z.T / tau
    np.fill_diagonal(s, -np.inf)
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return np.mean(lse(s) - s[np.arange(2 * n), pos])


def info_nce(q, k, queue, tau=0.07):
    q, k, queue = norm(q), norm(k), norm(queue)
    logits = np.concatenate([np.sum(q * k, 1, keepdims=True), q @ queue.T], 1) / tau
    return np.mean(lse(logits) - logits[:, 0])


def hcl(o1, o2, tau=0.5, tau_plus=0.1, beta=1.0):
    # Robinson et al. 2021, authors' code (hard estimator)
    o1, o2 = norm(o1), norm(o2)
    b = len(o1)
    out = np.concatenate([o1, o2])
    neg = np.exp(out @ out.T / tau)
    mask = np.ones((2 * b, 2 * b), bool)
    for i in range(b):
        mask[i, i] = mask[i, i + b] = mask[i + b, i] = mask[i + b, i + b] = False
    neg = neg[mask].reshape(2 * b, -1)
    pos = np.exp(np.sum(o1 * o2, -1) / tau)
    pos = np.concatenate([pos, pos])
    nn = 2 * b - 2
    imp = np.exp(beta * np.log(neg))
    reweight = (imp * neg).sum(-1) / imp.mean(-1)
    ng = (-tau_plus * nn * pos + reweight) / (1 - tau_plus)
    ng = np.maximum(ng, nn * np.e ** (-1 / tau))
    return np.mean(-np.log(pos / (pos + ng)))


def vicreg(x, y):
    n, d = x.shape
    inv = np.mean((x - y) ** 2)
    x = x - x.mean(0)
    y = y - y.mean(0)
    std_x = np.sqrt(x.var(0, ddof=1) + 1e-4)
    std_y = np.sqrt(y.var(0, ddof=1) + 1e-4)
    var = np.mean(np.maximum(0, 1 - std_x)) / 2 + np.mean(np.maximum(0, 1 - std_y)) / 2
    cx = x.T @ x / (n - 1)
    cy = y.T @ y / (n - 1)
    off = lambda c: (c ** 2).sum() - (np.diag(c) ** 2).sum()
    cov = off(cx) / d + off(cy) / d
    return 25 * inv + 25 * var + cov


def barlow(z1, z2, lam=0.0051):
    n = len(z1)
    bn = lambda z: (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)
    c = bn(z1).T @ bn(z2) / n
    on = ((np.diag(c) - 1) ** 2).sum()
    off = (c ** 2).sum() - (np.diag(c) ** 2).sum()
    return on + lam * off


def contrastive(x1, x2, y, m=1.0):
    d = np.linalg.norm(x1 - x2, axis=1)
    return np.mean(y * d ** 2 + (1 - y) * np.maximum(0, m - d) ** 2)


def triplet(a, p, n, m=1.0):
    dist = lambda u, v: np.linalg.norm(u - v + 1e-6, axis=1)
    return np.mean(np.maximum(0, dist(a, p) - dist(a, n) + m))


def softplus(x):
    return np.logaddexp(0, x)


def cases():
    a, b, c = (rng.normal(size=(6, 4)) for _ in range(3))
    y = np.array([1, 0, 1, 0, 0, 1])
    r, f = rng.normal(size=5), rng.normal(size=4)
    logits = rng.normal(size=(5, 3))
    t = np.array([0, 2, 1, 1, 0])
    logp = logits - lse(logits)[:, None]
    yield "nt-xent", {}, {"z_i": a, "z_j": b}, nt_xent(a, b)
    yield "info-nce", {}, {"query": a, "key": b, "queue": c}, info_nce(a, b, c)
    yield "hcl", {}, {"out_1": a, "out_2": b}, hcl(a, b)
    yield "vicreg", {}, {"z_i": a, "z_j": b}, vicreg(a, b)
    yield "barlow-twins", {}, {"z1": a, "z2": b}, barlow(a, b)
    yield "contrastive", {}, {"x1": a, "x2": b, "label": y}, contrastive(a, b, y)
    yield "triplet", {}, {"anchor": a, "positive": b, "negative": c}, triplet(a, b, c)
    yield "gan-bce", {}, {"real_logits": r, "fake_logits": f}, \
        np.mean(softplus(-r)) + np.mean(softplus(f))
    yield "wgan", {}, {"real_logits": r, "fake_logits": f}, f.mean() - r.mean()
    yield "hinge-gan", {}, {"real_logits": r, "fake_logits": f}, \
        np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
    yield "mse", {}, {"input": a, "target": b}, np.mean((a - b) ** 2)
    yield "cross-entropy", {"label_smoothing": 0.1}, {"logits": logits, "target": t}, \
        np.mean(0.9 * -logp[np.arange(5), t] + 0.1 * -logp.mean(1))
    yield "nll", {}, {"log_probs": logp, "target": t}, -np.mean(logp[np.arange(5), t])
    yield "hinge", {}, {"scores": r, "labels": np.array([1, -1, 1, -1, 1])}, \
        np.mean(np.maximum(0, 1 - np.array([1, -1, 1, -1, 1]) * r))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rows = list(cases())
    lines = "".join(json.dumps({"loss": n, "options": o,
                                "inputs": {k: v.tolist() for k, v in i.items()}}) + "\n"
                    for n, o, i, _ in rows)
    out = subprocess.run([os.path.join(root, "bin", "selfsup4j"), "loss"], input=lines,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    worst = 0.0
    for (name, _, _, ref), line in zip(rows, out):
        got = json.loads(line)["loss"]
        err = abs(got - ref) / max(1.0, abs(ref))
        worst = max(worst, err)
        print(f"{name:14s} numpy {ref:.12f}  selfsup4j {got:.12f}  rel.err {err:.1e}")
    print(f"worst relative error {worst:.1e}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
