"""What the benchmark scripts share (standard library only): messages, tool selection,
finding or building the dechaff binary, and timing one command."""
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIME = "/usr/bin/time"


def reporters(name):
    """(log, die) for a script called `name`: progress lines `[name] ...` and a fatal
    `name: error: ...` (exit 2), both on stderr."""
    def log(msg):
        print(f"[{name}] {msg}", file=sys.stderr, flush=True)

    def die(msg, code=2):
        print(f"{name.replace('-', '_')}: error: {msg}", file=sys.stderr)
        sys.exit(code)

    return log, die


def check_common(args, known, die):
    """The tools --only names (all `known` by default), checked; --repeat checked; --work made
    absolute and created."""
    tools = known if not args.only else tuple(t.strip() for t in args.only.split(",") if t.strip())
    for t in tools:
        if t not in known:
            die(f"unknown tool {t!r}; choose from {', '.join(known)}")
    if args.repeat < 1:
        die("--repeat must be >= 1")
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    return tools


def ensure_dechaff(args, log, die, leave_out):
    """The dechaff binary --dechaff names; the default one is built with `cargo build
    --release` when missing (unless --no-build). `leave_out` says how to run without it."""
    path = os.path.abspath(args.dechaff)
    if os.access(path, os.X_OK):
        return path
    default = os.path.join(REPO, "target", "release", "dechaff")
    if path == default and not args.no_build and shutil.which("cargo"):
        log("dechaff binary missing: cargo build --release")
        r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
        if r.returncode == 0 and os.access(path, os.X_OK):
            return path
        die(f"`cargo build --release` did not produce {path} (exit {r.returncode}). "
            f"Fix the build, pass --dechaff PATH, or {leave_out}")
    die(f"dechaff binary not found at {path}. Build it with `cargo build --release`, "
        f"pass --dechaff PATH, or {leave_out}")


def run_measured(cmd, env, log_path):
    """Run cmd, its stderr to `log_path`; return (exit code, wall seconds, CPU seconds
    (user + system), peak RSS in MB of that process).

    Peak RSS comes from GNU time's %M when /usr/bin/time exists (its child is forked from the
    small `time` process, so nothing of ours is counted); otherwise from os.wait4's ru_maxrss,
    which also counts this (small) process's resident memory at fork time. CPU time is
    os.wait4's, which includes the waited-for children of `time`.
    """
    rss_file = log_path + ".rss"
    use_time = os.access(TIME, os.X_OK)
    full = [TIME, "-f", "%M", "-o", rss_file, *cmd] if use_time else cmd
    with open(log_path, "w") as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=errf, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = code = os.waitstatus_to_exitcode(status)
    rss_kib = usage.ru_maxrss                      # KiB on Linux
    if use_time:
        try:
            rss_kib = int(open(rss_file).read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    return code, wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024
