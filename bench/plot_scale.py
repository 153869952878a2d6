"""Plot of obsmeta-bench-scale's table (--tsv): per-visit costs and cone-search latency against the
archive's size, log-log. Usage: plot_scale.py TABLE.tsv OUT.png (Debian's python3-matplotlib)."""
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(tsv, png):
    with open(tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    x = [float(r["rows"]) for r in rows]

    def col(name, scale=1.0):
        out = []
        for r in rows:
            v = float(r[name])
            out.append(v * scale if not math.isnan(v) else float("nan"))
        return out

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    for name, label in (("whole_s", "whole visit: COPY + convert + commit"), ("convert_s", "obsmeta.convert()"),
                        ("maint_s", "ObsCore maintenance (incl. coverage)"), ("coverage_s", "coverage MOC maintenance")):
        left.plot(x, col(name, 1000), marker="o", label=label)
    left.plot(x, col("moc_rebuild_s", 1000), marker="s", linestyle="--", label="MOC recompute from ivoa.obscore")
    left.set_title("one new visit (378 ObsCore rows)")
    left.set_ylabel("ms")
    cones = [c for c in rows[0] if c.startswith("cone_")]
    for name in cones:
        radius, who = name.split("_")[1], name.split("_")[2]
        right.plot(x, col(name), marker="o", linestyle="-" if who == "reader" else ":", label=f"{radius} deg, {who}")
    right.set_title("cone search (planned each time)")
    right.set_ylabel("ms per query")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("ObsCore rows")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("obsmeta-bench-scale (first size converted for real, larger sizes copies of it)", fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=80)
    print(f"wrote {png}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
