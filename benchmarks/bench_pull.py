"""Benchmark: `ocihist pull` (metadata only) vs skopeo on an 8-platform index, 50 ms per request.

Starts Debian's docker-registry on 127.0.0.1, pushes an 8-platform index built with umoci,
puts a proxy adding latency in front, then counts requests and times
  - ocihist: one `pull` of the index (a fresh Python process, so start-up is included);
  - skopeo: `skopeo inspect --raw` of the index, then per platform `skopeo inspect --raw` and
    `skopeo inspect --config` of the platform manifest.
Usage: python benchmarks/bench_pull.py [--delay 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.registry.faultproxy import FaultProxy  # noqa: E402
from tests.registry.images import Layout, skopeo_push, umoci_image  # noqa: E402
from tests.registry.servers import Registry  # noqa: E402

PLATFORMS = (("amd64", None), ("arm64", "v8"), ("arm", "v7"), ("arm", "v6"), ("386", None),
             ("ppc64le", None), ("s390x", None), ("riscv64", None))
PULL = ("import sys; from ocihist.pull import pull; "
        "sys.exit(0 if pull([sys.argv[1]], sys.argv[2]).ok else 1)")


def setup(work: Path) -> tuple[Registry, list[str]]:
    layout = work / "layout"
    umoci_image(layout, "base", [("hello.txt", b"hello\n"), ("motd", b"welcome\n")])
    lay = Layout(layout)
    children = [lay.platform_variant("base", a, v) for a, v in PLATFORMS]
    lay.index("eight", children)
    registry = Registry(work / "registry")
    skopeo_push(f"oci:{layout}:eight", f"docker://{registry.host}/bench/eight:v1",
                all_images=True)
    return registry, [c["digest"] for c in children]


def run_ocihist(proxy: FaultProxy, work: Path, n: int) -> float:
    dest = work / f"out{n}"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", PULL, f"{proxy.host}/bench/eight:v1", str(dest)],
                   check=True)
    return time.perf_counter() - start


def _skopeo(args: list[str]) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)}: {proc.stderr.strip()}")


def run_skopeo(proxy: FaultProxy, children: list[str]) -> float:
    base = ["skopeo", "inspect", "--tls-verify=false"]
    start = time.perf_counter()
    subprocess.run([*base, "--raw", f"docker://{proxy.host}/bench/eight:v1"], check=True,
                   capture_output=True)
    for digest in children:
        ref = f"docker://{proxy.host}/bench/eight@{digest}"
        _skopeo([*base, "--raw", ref])
        _skopeo([*base, "--config", ref])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        registry, children = setup(work)
        proxy = FaultProxy(registry.url, delay=args.delay)
        try:
            figures: dict[str, tuple[list[float], int]] = {}
            for name, job in (("ocihist", lambda n: run_ocihist(proxy, work, n)),
                              ("skopeo", lambda n: run_skopeo(proxy, children))):
                times = []
                for n in range(args.runs):
                    proxy.clear()
                    times.append(job(n))
                figures[name] = (times, len(proxy.seen))
                if name == "ocihist":
                    kinds = [f"{s.method} {s.path.split('/')[-2] if s.path != '/v2/' else 'ping'}"
                             for s in proxy.seen]
                    breakdown = {k: kinds.count(k) for k in sorted(set(kinds))}
        finally:
            proxy.stop()
            registry.stop()
    ours, theirs = (statistics.median(figures[k][0]) for k in ("ocihist", "skopeo"))
    report = {
        "platforms": len(PLATFORMS), "delay_per_request_s": args.delay, "runs": args.runs,
        "ocihist": {"median_s": round(ours, 3), "requests": figures["ocihist"][1],
                    "breakdown": breakdown},
        "skopeo": {"median_s": round(theirs, 3), "requests": figures["skopeo"][1]},
        "time_ratio_ocihist_over_skopeo": round(ours / theirs, 3),
        "request_ratio": round(figures["ocihist"][1] / figures["skopeo"][1], 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
