#!/usr/bin/env bash
# Reproduces the table of docs/BENCHMARKS.md: one JSON line per configuration on stdout.
# Run on an otherwise idle machine; it takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
B=bin/selfsup4j
# small batches: many steps after a warm-up, as a step takes milliseconds and the first ones
# pay for allocator and JIT warm-up
for n in 256 1024; do
  for impl in dense tiled; do
    $B bench --loss nt-xent --pairs $n --dim 128 --impl $impl --warmup 5 --steps 40
  done
done
$B bench --loss nt-xent --pairs 4096 --dim 128 --impl dense --steps 3
$B bench --loss nt-xent --pairs 4096 --dim 128 --impl tiled --warmup 2 --steps 9
$B bench --loss nt-xent --pairs 16384 --dim 128 --impl tiled --steps 2
$B bench --loss nt-xent --pairs 65536 --dim 128 --impl tiled --warmup 0 --steps 1
# tile size at N = 4096
for t in 256 1024 2048; do
  $B bench --loss nt-xent --pairs 4096 --dim 128 --impl tiled --tile $t --steps 3
done
# info-nce with a MoCo queue
$B bench --loss info-nce --pairs 1024 --queue 16384 --dim 128 --impl dense --steps 5
$B bench --loss info-nce --pairs 1024 --queue 16384 --dim 128 --impl tiled --steps 5
# memory-leak check: 10,000 steps of tiled nt-xent at N = 256
SELFSUP4J_JAVA_OPTS="-Xmx64m" $B bench --loss nt-xent --pairs 256 --dim 128 --impl tiled --steps 10000
