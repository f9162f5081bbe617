#!/usr/bin/python3
"""SelfSup4J's Gloo collectives against PyTorch's own Gloo process group, side by side.

Allreduce (sum) bandwidth and allgather latency, float32, 1, 10 and 100 MB per rank, 2 ranks
on loopback: the Java side is `io.github.selfsup4j.gloo.GlooBench` (GlooCollective: JNI shim
over Debian's libgloo), the PyTorch side `torch.distributed` with backend gloo (Debian's
python3-torch 1.13, linked to the same libgloo.so.0). Both time the same calls the same way:
two warm-up calls, then 10 timed calls (5 at 100 MB), the median call. The rounds interleave
the two sides (Java first in odd rounds, PyTorch first in even ones) and the report gives the
median over rounds of each side and their ratio (Java / PyTorch: above 1, Java is slower).

What each side times is its API as a user calls it: GlooCollective copies a Java array into a
direct buffer and the result into a new Java array; PyTorch's all_gather fills tensors the
caller allocated once.

    nice -n 19 mvn -B -q -o process-classes -pl selfsup4j-gloo -am   # GlooBench and the shim
    nice -n 19 /usr/bin/python3 scripts/gloo_torch_bench.py --rounds 3

Needs only Debian's python3-torch.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

WARMUP = 2


def timed_calls(megabytes):
    return 5 if megabytes >= 100 else 10  # as GlooBench


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torch_worker(sizes):
    """One rank of the PyTorch side (RANK etc. in the environment); rank 0 prints JSON lines."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="env://")
    rank, world = dist.get_rank(), dist.get_world_size()

    def median_ms(op, n):
        for _ in range(WARMUP):
            op()
        ms = []
        for _ in range(n):
            t = time.perf_counter()
            op()
            ms.append((time.perf_counter() - t) * 1e3)
        return sorted(ms)[len(ms) // 2]  # GlooBench's median: the upper middle

    for mb in sizes:
        v = torch.zeros(mb * (1 << 20) // 4, dtype=torch.float32)
        outs = [torch.empty_like(v) for _ in range(world)]
        ms = median_ms(lambda: dist.all_reduce(v, op=dist.ReduceOp.SUM), timed_calls(mb))
        algbw = mb * (1 << 20) / (ms / 1e3) / 1e9
        if rank == 0:
            print(json.dumps({"op": "allreduce", "ranks": world, "megabytes": mb, "ms": ms,
                              "algbw_gbps": algbw,
                              "busbw_gbps": algbw * 2 * (world - 1) / world}), flush=True)
        gms = median_ms(lambda: dist.all_gather(outs, v), timed_calls(mb))
        if rank == 0:
            print(json.dumps({"op": "allgather", "ranks": world, "megabytes": mb, "ms": gms}),
                  flush=True)
        del v, outs
    dist.destroy_process_group()


def run_torch(sizes, ranks, timeout):
    port = free_port()
    procs = []
    for r in range(ranks):
        env = dict(os.environ, RANK=str(r), WORLD_SIZE=str(ranks), MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=str(port), OMP_NUM_THREADS="1")
        procs.append(subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--torch-worker", "--sizes",
             *map(str, sizes)], env=env, stdout=subprocess.PIPE, text=True))
    return collect(procs, timeout, "pytorch")


def run_java(sizes, ranks, classpath, timeout):
    # GlooBench without RANK set starts `ranks` child JVMs and relays rank 0's lines
    env = {k: v for k, v in os.environ.items()
           if k not in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    env["OMP_NUM_THREADS"] = "1"
    p = subprocess.Popen(["java", "-cp", classpath, "io.github.selfsup4j.gloo.GlooBench",
                          str(ranks), *map(str, sizes)], env=env, stdout=subprocess.PIPE,
                         text=True)
    return collect([p], timeout, "java")


def collect(procs, timeout, side):
    lines = []
    try:
        out, _ = procs[0].communicate(timeout=timeout)
        for p in procs[1:]:
            p.wait(timeout=timeout)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    if any(p.returncode != 0 for p in procs):
        raise SystemExit(f"the {side} side failed (exit codes {[p.returncode for p in procs]})")
    for line in out.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return {(d["op"], d["megabytes"]): d["ms"] for d in lines}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100],
                    help="megabytes per rank")
    ap.add_argument("--classpath", default="selfsup4j-gloo/target/classes:"
                    "selfsup4j-losses/target/classes")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per side and round")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_worker:
        torch_worker(a.sizes)
        return
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}, "
          f"{os.cpu_count()} cores", flush=True)
    runs = {"java": [], "pytorch": []}
    for r in range(a.rounds):
        order = ["java", "pytorch"] if r % 2 == 0 else ["pytorch", "java"]
        for side in order:
            t = time.perf_counter()
            res = (run_java(a.sizes, a.ranks, a.classpath, a.timeout) if side == "java"
                   else run_torch(a.sizes, a.ranks, a.timeout))
            runs[side].append(res)
            print(f"round {r + 1} {side:7s} ({time.perf_counter() - t:.1f} s): "
                  + ", ".join(f"{op} {mb} MB {ms:.2f} ms" for (op, mb), ms in res.items()),
                  flush=True)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    print(f"\nmedian of {a.rounds} rounds, {a.ranks} ranks on loopback, float32"
          f" (ratio = Java / PyTorch)")
    print("| op | MB per rank | Java ms | PyTorch ms | Java GB/s | PyTorch GB/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mb in a.sizes:
        for op in ("allreduce", "allgather"):
            j = statistics.median(x[(op, mb)] for x in runs["java"])
            p = statistics.median(x[(op, mb)] for x in runs["pytorch"])
            # allreduce: algorithm bandwidth (array bytes / time); allgather: latency only
            bw = (lambda ms: f"{mb * (1 << 20) / (ms / 1e3) / 1e9:.2f}") if op == "allreduce" \
                else (lambda ms: "")
            print(f"| {op} | {mb} | {j:.2f} | {p:.2f} | {bw(j)} | {bw(p)} | {j / p:.2f} |")


if __name__ == "__main__":
    main()
