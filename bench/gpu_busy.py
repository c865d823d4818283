"""Runs a training command and records how busy the GPU was, and when each epoch ended.

    python3 bench/gpu_busy.py EPOCH_LOG MARK_FILE RESULT.json -- COMMAND ARGS...

While COMMAND runs, every 20 ms: NVML's utilisation counter (the share of its last sample period,
1/6 s to 1 s, in which at least one kernel ran: nvidia-smi's utilization.gpu), the number of lines
in EPOCH_LOG (leukoscope's log.jsonl, or the file the reference's stdout goes to: one line per
epoch) and MARK_FILE's modification time (leukoscope's last.ckpt, rewritten after each epoch's log
line: its next training loop starts then; "-" for none). RESULT.json holds {"rc", "nvml", "wall_s",
"readings": [[seconds, busy %]], "line_times": [seconds at which line k+1 appeared],
"mark_times": [seconds at which MARK_FILE changed]}, all seconds since COMMAND started; the
caller cuts the readings into training-loop windows (scripts/device/gpu-end-to-end.sh).

Without NVML (a CPU machine, a dry run) COMMAND still runs, "nvml" is false and busy is null.
Exits with COMMAND's status.
"""
import json, os, subprocess, sys, threading, time

if len(sys.argv) < 6 or sys.argv[4] != "--":
    sys.exit("usage: gpu_busy.py EPOCH_LOG MARK_FILE RESULT.json -- COMMAND ARGS...")
epoch_log, mark_file, result_path, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]

try:
    import pynvml
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
except Exception as e:  # no driver, no GPU, no package: a dry run
    print(f"gpu_busy: no NVML ({type(e).__name__}: {e}); timing only", file=sys.stderr)
    handle = None


def lines_written():
    try:
        with open(epoch_log, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def mark():
    try:
        return os.stat(mark_file).st_mtime_ns
    except OSError:
        return None


readings, line_times, mark_times = [], [], []
done = threading.Event()
start = time.perf_counter()


def sample():
    last_mark = mark()
    while not done.is_set():
        now = round(time.perf_counter() - start, 3)
        readings.append([now, pynvml.nvmlDeviceGetUtilizationRates(handle).gpu if handle else None])
        line_times.extend([now] * (lines_written() - len(line_times)))
        m = mark()
        if m != last_mark and m is not None:
            mark_times.append(now)
        last_mark = m
        done.wait(0.02)


sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
rc = subprocess.call(command)
done.set()
sampler.join()
wall = time.perf_counter() - start

with open(result_path, "w") as f:
    json.dump({"rc": rc, "nvml": handle is not None, "wall_s": round(wall, 2), "readings": readings,
               "line_times": line_times, "mark_times": mark_times}, f)
sys.exit(rc)
