#!/usr/bin/env bash
# The SLURM sweep backend against a real cluster: brings up munged, slurmctld and slurmd from the
# Debian packages by hand (no systemd; configuration, state, sockets and logs in a temporary
# directory; loopback only), runs a 4-point sweep with one point made to fail through it, checks
# what came back, resumes it, and stops the daemons by PID.
#
# usage: slurm_sweep.sh DMASIM SCENARIO
# Exit 77 (ctest's skip) with the reason when it cannot run here: not root, or packages missing.
set -uo pipefail
dmasim=$1
scenario=$2

skip() { echo "SKIPPED: $*" >&2; exit 77; }
fail() {
  echo "FAILED: $*" >&2
  for f in "$work"/*.log "$work"/*.out; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs; run as root (CI does)"
missing=()
for cmd in munged slurmctld slurmd sbatch squeue sinfo scancel python3; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
[ ${#missing[@]} -eq 0 ] || skip "not installed: ${missing[*]} (Debian: munge slurmctld slurmd slurm-client; scripts/install-deps installs them)"

# Short path: munge's and slurm's UNIX sockets must fit in sun_path.
work=$(mktemp -d /tmp/dmasim-slurm.XXXXXX)
chmod 711 "$work"  # munged wants every client able to reach its socket
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- munge: a fresh key, its own socket ---------------------------------------------------------
dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge.key"
munged --foreground --force --socket="$work/munge.sock" --key-file="$work/munge.key" \
  --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munged.seed" \
  >"$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge.sock" ] && break; sleep 0.1; done
[ -S "$work/munge.sock" ] || fail "munged did not create its socket"

# --- slurm: two free loopback ports, one node, one partition ------------------------------------
read -r ctld_port slurmd_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
mkdir -p "$work/state" "$work/spool"
cpus=$(nproc)
cat >"$work/slurm.conf" <<EOF
ClusterName=dmasimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=dmasim-node NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=dmasim Nodes=dmasim-node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N dmasim-node >"$work/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 120); do
  state=$(sinfo --noheader --nodes=dmasim-node --format=%t 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || fail "the node did not come up idle (state '$state')"
echo "cluster up: slurmctld on 127.0.0.1:$ctld_port, node dmasim-node with $cpus CPUs"

# --- a 4-point sweep, point 3 made to fail at run time (its results file cannot be written) --------
out=$work/sweep
# slurm_sweep NAME EXIT SUMMARY ARRAY: the sweep through the cluster, its exit code, its summary
# line and the --array of the batch script it wrote.
slurm_sweep() {
  "$dmasim" sweep "$scenario" --vary "drivers.0.script.buffers.0.size=4KiB,8KiB,16KiB,32KiB" \
    --backend slurm --jobs 2 --poll 0.5 --out "$out" >"$work/$1.out" 2>&1
  local code=$?
  cat "$work/$1.out"
  [ $code -eq "$2" ] || fail "$1: exited $code, expected $2"
  grep -q "$3" "$work/$1.out" || fail "$1: no line '$3'"
  grep -q -- "--array=$4" "$out/slurm/sweep.sbatch" || fail "$1: the batch script has no --array=$4"
}
mkdir -p "$out/points/3-drivers.0.script.buffers.0.size=32KiB/resolved.yaml"
slurm_sweep sweep1 1 "4 points, 4 run, 0 already complete, 1 failed" "0-3%2"
job=$(sed -n 's/.*SLURM job \([0-9]*\):.*/\1/p' "$work/sweep1.out")
[ -n "$job" ] || fail "the sweep did not name its SLURM job"

python3 - "$out/sweep.csv" "$job" "$out" <<'EOF' || fail "sweep.csv"
import csv, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
job, out = sys.argv[2], sys.argv[3]
assert len(rows) == 4, f"{len(rows)} rows"
assert [r["status"] for r in rows] == ["ok", "ok", "ok", "failed"], [r["status"] for r in rows]
assert "cannot write" in rows[3]["error"] and "resolved.yaml" in rows[3]["error"], rows[3]["error"]
for i, r in enumerate(rows[:3]):
    d = os.path.join(out, "points", f"{i}-drivers.0.script.buffers.0.size={r['drivers.0.script.buffers.0.size']}")
    task = open(os.path.join(d, "slurm_task")).read().split()[0]
    assert task == f"{job}_{i}", f"point {i} ran as {task}, not array task {job}_{i}"
    assert int(r["total_ns"].split(".")[0]) > 0 and r["violations"] == "0", r
# Twice the buffer, more DRAM traffic: the points really differ.
assert int(rows[0]["dram_bytes"]) < int(rows[1]["dram_bytes"]) < int(rows[2]["dram_bytes"])
print("sweep.csv: 3 ok points from array tasks", job + "_0..2", "and the failing point's error")
EOF

# --- the same points locally give the same figures ----------------------------------------------
"$dmasim" sweep "$scenario" --vary "drivers.0.script.buffers.0.size=4KiB,8KiB,16KiB" --jobs 2 --quiet \
  --out "$work/local" || fail "the local sweep failed"
python3 - "$out/sweep.csv" "$work/local/sweep.csv" <<'EOF' || fail "SLURM and local figures differ"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))[:3]
b = list(csv.DictReader(open(sys.argv[2])))
assert a == b, "\n".join(f"{x}\n{y}" for x, y in zip(a, b) if x != y)
print("the SLURM points' rows equal the local sweep's")
EOF

# --- resume: the failing point made runnable, only it runs again ---------------------------------
rmdir "$out/points/3-drivers.0.script.buffers.0.size=32KiB/resolved.yaml"
slurm_sweep sweep2 0 "4 points, 1 run, 3 already complete, 0 failed" "0-0%2"
echo "PASSED"
