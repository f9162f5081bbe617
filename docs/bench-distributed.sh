#!/usr/bin/env bash
# Training throughput of one process with 2 compute threads against 2 processes with 1 thread
# each (SimCLR, default network, global batch 256), run alternately ROUNDS times because the
# machine is shared and noisy. One JSON line per run on stdout:
# config, images_per_second (training, whole run), train_seconds, collective_seconds (rank 0:
# time inside collective calls, communication plus waiting for the other rank).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${ROUNDS:-2}"
OUT="$(mktemp -d)"
COMMON=(--limit 7680 --epochs 1 --probe-epochs 1 --no-baselines --no-progress --seed 42)
run() {
  local name="$1"; shift
  local dir="$OUT/$name-$RANDOM"
  "$ROOT/bin/selfsup4j" train "${COMMON[@]}" --runs-dir "$dir" "$@" >/dev/null 2>"$dir.err" || {
    echo "{\"config\": \"$name\", \"error\": \"see $dir.err\"}"; return; }
  python3 - "$name" "$dir" <<'PY'
import glob, json, sys
m = json.load(open(glob.glob(sys.argv[2] + "/*/metrics.json")[0]))
print(json.dumps({"config": sys.argv[1], "world_size": m["world_size"],
                  "images_per_second": round(m["images_per_second"], 1),
                  "train_seconds": round(m["train_seconds"], 2),
                  "collective_seconds": round(m.get("collective_seconds", 0.0), 2)}))
PY
}
for r in $(seq "$ROUNDS"); do
  run "1x2threads" --batch-size 256 --threads 2
  run "2x1thread-syncbn" --batch-size 128 --nproc-per-node 2
  run "2x1thread-rankbn" --batch-size 128 --nproc-per-node 2 --norm rank-batch
done
rm -rf "$OUT"
