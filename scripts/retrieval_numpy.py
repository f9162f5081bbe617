#!/usr/bin/env python3
"""Scores `bin/selfsup4j embed` output with numpy alone and compares it with the run's report.

Precision@1, R-Precision and MAP@R as Musgrave et al. 2020 ("A Metric Learning Reality Check")
and pytorch-metric-learning's AccuracyCalculator define them: cosine similarity, R = the number
of references with the query's label (the query itself excluded when the references are the
queries), MAP@R = mean over queries of (1/R) * sum over the top R of precision@i at each hit.
Written from those definitions, independently of the Java code (eval.Retrieval).

Usage (closed protocol: test queries among training references):
    bin/selfsup4j embed RUN --split test --out /tmp/q.npy
    bin/selfsup4j embed RUN --split train --out /tmp/r.npy
    scripts/retrieval_numpy.py /tmp/q.npy /tmp/r.npy RUN/metrics.json
Open protocol (queries = references): give the same file twice; labels are read from
FILE.labels.npy beside each file. Needs python3 with numpy.
"""
import json
import sys

import numpy as np


def load(path):
    x = np.load(path).astype(np.float64)
    y = np.load(path[: -len(".npy")] + ".labels.npy")
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12), y


def scores(q, ql, r, rl, same, chunk=500):
    p1 = rp = mapr = 0.0
    counts = {c: int(np.sum(rl == c)) for c in np.unique(rl)}
    for s in range(0, len(q), chunk):
        sim = q[s:s + chunk] @ r.T
        if same:
            sim[np.arange(len(sim)), np.arange(s, s + len(sim))] = -np.inf
        for i in range(len(sim)):
            label = ql[s + i]
            big_r = counts.get(label, 0) - (1 if same else 0)
            if big_r <= 0:
                continue
            top = np.argpartition(-sim[i], big_r - 1)[:big_r]
            top = top[np.argsort(-sim[i][top], kind="stable")]
            hit = rl[top] == label
            p1 += hit[0]
            rp += hit.sum() / big_r
            ranks = np.arange(1, big_r + 1)
            mapr += np.sum(np.cumsum(hit) / ranks * hit) / big_r
    n = len(q)
    return {"precision_at_1": p1 / n, "r_precision": rp / n, "map_at_r": mapr / n}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    qf, rf, metrics = sys.argv[1:]
    q, ql = load(qf)
    r, rl = (q, ql) if rf == qf else load(rf)
    got = scores(q, ql, r, rl, rf == qf)
    with open(metrics) as f:
        reported = json.load(f)
    worst = 0.0
    for k, v in got.items():
        diff = abs(v - reported[k])
        worst = max(worst, diff)
        print(f"{k}: numpy {v:.6f}  run {reported[k]:.6f}  |diff| {diff:.2e}")
    # float32 embeddings: a near-tie can order two neighbours differently in float64
    sys.exit(0 if worst < 1e-3 else 1)


if __name__ == "__main__":
    main()
