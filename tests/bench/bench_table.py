#!/usr/bin/python3
"""Turns the run files of run-bench.sh (OUT/runs/SIZE/ALGO/*.json) into the
benchmark table: plain text on stdout, OUT/bench.csv and OUT/bench.md.

  bench_table.py --out OUT --sizes 100000,1000000 --algorithms LIST --threads 2,1
"""
import argparse
import csv
import glob
import json
import os
import statistics

PEERS = {
    "gradient_boosting": "xgboost hist",
    "random_forest": "sklearn RandomForest",
    "linear": "liblinear -s 0",
    "neural_network": "sklearn MLP",
    "decision_tree": "sklearn DecisionTree",
}
SINGLE_THREADED_PEERS = {"linear", "decision_tree"}
# the acceptance targets, checked on the 1M-row 2-thread rows
TIME_TARGET = {"gradient_boosting": 1.0, "random_forest": 0.5, "linear": 1.5, "neural_network": 1.0}
RSS_TARGET = {"gradient_boosting": 1.0}
AUC_TOLERANCE = 0.002
ACCEPT_SIZE, ACCEPT_THREADS = 1000000, 2


def load_runs(out):
    runs = []
    for path in glob.glob(os.path.join(out, "runs", "*", "*", "*.json")):
        with open(path) as f:
            try:
                runs.append(json.load(f))
            except json.JSONDecodeError:
                pass
    return runs


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def per_epoch(run):
    if run.get("train_seconds") is None:
        return None
    if run["algorithm"] == "neural_network":
        return run["train_seconds"] / run["epochs"] if run.get("epochs") else None
    return run["train_seconds"]


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def size_name(n):
    return f"{n // 1000000}M" if n % 1000000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def build_rows(runs, sizes, algorithms, threads):
    cli = {r["size"]: r for r in runs if r.get("tool") == "liblinear-train"}
    rows = []
    for n in sizes:
        for algo in algorithms:
            for j in threads:
                mine = [r for r in runs if r.get("tool") == "mlpipe" and r["algorithm"] == algo
                        and r["size"] == n and r["threads"] == j]
                pj = 1 if algo in SINGLE_THREADED_PEERS else j
                peer = [r for r in runs if r.get("tool") == "peer" and r["algorithm"] == algo
                        and r["size"] == n and r["threads"] == pj]
                if not mine and not peer:
                    continue
                ok_m = [r for r in mine if r.get("ok")]
                ok_p = [r for r in peer if r.get("ok")]
                row = {
                    "algorithm": algo, "size": n, "threads": j, "peer": PEERS[algo],
                    "peer_threads": pj,
                    "mlpipe_s": median(per_epoch(r) for r in ok_m),
                    "peer_s": median(per_epoch(r) for r in ok_p),
                    "mlpipe_wall_s": median(r.get("wall_seconds") for r in ok_m),
                    "peer_wall_s": median(r.get("wall_seconds") for r in ok_p),
                    "mlpipe_rss": median(r.get("rss_mb") for r in ok_m),
                    "peer_rss": median(r.get("rss_mb") for r in ok_p),
                    "mlpipe_auc": next((r["auc"] for r in ok_m if r.get("auc") is not None), None),
                    "peer_auc": next((r["auc"] for r in ok_p if r.get("auc") is not None), None),
                    "mlpipe_runs": len(ok_m), "peer_runs": len(ok_p),
                    "mlpipe_failed": [r.get("error", "") for r in mine if not r.get("ok")],
                    "peer_failed": [r.get("error", "") for r in peer if not r.get("ok")],
                    "load_max": max((r["load"] for r in mine + peer if r.get("load") is not None),
                                    default=None),
                    "load_timeouts": sum(1 for r in mine + peer if r.get("load_timeout")),
                    "during_max": max((r["load_during"] for r in mine + peer
                                       if r.get("load_during") is not None), default=None),
                    "retried": sum(r.get("attempts", 1) - 1 for r in mine + peer),
                    "mlpipe_set": next((r.get("set") for r in mine), None),
                    "peer_command": next((r.get("command") for r in peer), None),
                    "mlpipe_info": next((r.get("info") for r in ok_m if r.get("info")), None),
                    "peer_info": next((r.get("info") for r in ok_p if r.get("info")), None),
                    "mlpipe_epochs": next((r.get("epochs") for r in ok_m), None),
                    "peer_epochs": next((r.get("epochs") for r in ok_p), None),
                }
                if algo == "linear" and n in cli and cli[n].get("ok"):
                    row["peer_driver_rss"] = row["peer_rss"]
                    row["peer_rss"] = cli[n]["rss_mb"]
                    row["liblinear_cli_wall_s"] = cli[n]["wall_seconds"]
                row["ratio"] = ratio(row["mlpipe_s"], row["peer_s"])
                row["rss_ratio"] = ratio(row["mlpipe_rss"], row["peer_rss"])
                row["auc_diff"] = (row["mlpipe_auc"] - row["peer_auc"]
                                   if row["mlpipe_auc"] is not None and row["peer_auc"] is not None
                                   else None)
                row["checks"] = checks(row)
                rows.append(row)
    return rows


def checks(row):
    """[(criterion, PASS/FAIL/n/a)] for the acceptance rows, [] elsewhere."""
    algo = row["algorithm"]
    if row["size"] != ACCEPT_SIZE or row["threads"] != ACCEPT_THREADS:
        return []
    out = []
    if algo in TIME_TARGET:
        t = TIME_TARGET[algo]
        what = "train time per epoch" if algo == "neural_network" else "train time"
        r = row["ratio"]
        out.append((f"{algo}: {what} <= {t}x {row['peer']}",
                    "n/a" if r is None else "PASS" if r <= t else "FAIL",
                    "-" if r is None else f"{r:.2f}x"))
    if algo in RSS_TARGET:
        t = RSS_TARGET[algo]
        r = row["rss_ratio"]
        out.append((f"{algo}: peak RSS of mltrain <= {t}x {row['peer']}",
                    "n/a" if r is None else "PASS" if r <= t else "FAIL",
                    "-" if r is None else f"{r:.2f}x"))
    if algo in TIME_TARGET:
        d = row["auc_diff"]
        out.append((f"{algo}: test AUC no more than {AUC_TOLERANCE} below {row['peer']}",
                    "n/a" if d is None else "PASS" if d >= -AUC_TOLERANCE else "FAIL",
                    "-" if d is None else f"{d:+.4f}"))
    return out


def mark(row):
    if not row["checks"]:
        return ""
    states = {c[1] for c in row["checks"]}
    return "FAIL" if "FAIL" in states else "n/a" if "n/a" in states else "PASS"


COLUMNS = [
    ("algorithm", "algorithm"), ("size", "size"), ("thr", "threads"),
    ("mlpipe s", "mlpipe_s"), ("peer s", "peer_s"), ("ratio", "ratio"),
    ("mltrain wall", "mlpipe_wall_s"),
    ("mlpipe MB", "mlpipe_rss"), ("peer MB", "peer_rss"), ("RSS ratio", "rss_ratio"),
    ("mlpipe AUC", "mlpipe_auc"), ("peer AUC", "peer_auc"), ("AUC diff", "auc_diff"),
    ("load b/d", "load_max"), ("accept", None),
]


def cells(row):
    name = row["algorithm"] + (" /epoch" if row["algorithm"] == "neural_network" else "")
    runs = ""
    if row["mlpipe_runs"] < row.get("_repeat", 0) or row["peer_runs"] < row.get("_repeat", 0):
        runs = f" [{row['mlpipe_runs']}/{row['peer_runs']} runs]"
    return [
        name + runs, size_name(row["size"]), str(row["threads"]),
        fmt(row["mlpipe_s"], ".3f"), fmt(row["peer_s"], ".3f") + ("*" if row["peer_threads"] != row["threads"] else ""),
        fmt(row["ratio"], ".2f"), fmt(row["mlpipe_wall_s"], ".2f"),
        fmt(row["mlpipe_rss"], ".0f"), fmt(row["peer_rss"], ".0f") + ("+" if "peer_driver_rss" in row else ""),
        fmt(row["rss_ratio"], ".2f"),
        fmt(row["mlpipe_auc"], ".4f"), fmt(row["peer_auc"], ".4f"), fmt(row["auc_diff"], "+.4f"),
        fmt(row["load_max"], ".2f") + "/" + fmt(row["during_max"], ".2f")
        + ("!" if row["load_timeouts"] else ""), mark(row),
    ]


def text_table(rows):
    head = [c[0] for c in COLUMNS]
    body = [cells(r) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)] if body else [len(h) for h in head]
    lines = ["  ".join(h.ljust(w) if i < 1 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(x.ljust(w) if i < 1 else x.rjust(w) for i, (x, w) in enumerate(zip(b, widths))))
    return "\n".join(lines)


def md_table(rows):
    head = [c[0] for c in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(x.replace("*", "\\*") for x in cells(r)) + " |")
    return "\n".join(lines)


def legend(settings):
    v = settings.get("versions", {})
    return [
        "mlpipe s  = mltrain's training time from model.json (.algorithms.ALGO.seconds: binning/",
        "            expansion + training + writing models/ALGO.json.zst; data loading excluded),",
        "            median of the runs; neural_network rows are seconds per epoch.",
        "peer s    = the peer's fit time, time.perf_counter() around fit()/train() inside the driver",
        "            (xgboost: QuantileDMatrix from the in-memory matrix + xgb.train), median.",
        "ratio     = mlpipe s / peer s (below 1: mlpipe faster).",
        "mltrain wall = wall seconds of the whole mltrain process (loading the CSV included), median.",
        "MB        = peak RSS (/usr/bin/time -v, median of the runs) of mltrain and of the peer's process",
        f"            (the Python drivers carry ~{settings.get('python_import_rss_mb', 0):.0f} MB of interpreter and imports).",
        "AUC       = test AUC: mlpipe's from mlbatch + mlanalyze (analysis/ALGO.test.json),",
        "            the peer's from sklearn.metrics.roc_auc_score, same test rows; diff = mlpipe - peer.",
        "load b/d  = most cores all processes used in the ~1 s before a run of the row (b), and",
        "            most cores other processes used during a run of the row (d; busy time of",
        "            /proc/stat less the run's own CPU time). Runs wait for b < "
        f"{settings.get('max_load', 0.2)}; '!' = gave up waiting;",
        "            runs shorter than 120 s disturbed by d >= the same limit were done again.",
        "accept    = the issue's targets, checked on the 1M-row 2-thread rows (details below).",
        "*         = the peer is single-threaded (liblinear; scikit-learn's single tree): its 1-thread",
        "            figures are shown on every row.",
        "+         = linear: peer MB is liblinear-train's own peak RSS on the same problem (text file).",
        f"Peers: xgboost {v.get('xgboost', '?')}, scikit-learn {v.get('sklearn', '?')}, "
        f"liblinear {v.get('liblinear', '?')} (Debian 12).",
    ]


def notes(rows, settings):
    out = []
    if not settings.get("wait", True):
        out.append("NOT WAITED FOR A QUIET MACHINE (--no-wait): development figures only.")
    timeouts = sum(r["load_timeouts"] for r in rows)
    if timeouts:
        out.append(f"LOAD: {timeouts} run(s) started with the machine still busy after "
                   f"{settings.get('wait_timeout')} s of waiting (rows marked '!').")
    rep = settings.get("repeat")
    for r in rows:
        tag = f"{r['algorithm']} {size_name(r['size'])} -j{r['threads']}"
        if rep and r["mlpipe_runs"] and r["mlpipe_runs"] < rep:
            out.append(f"{tag}: mlpipe measured {r['mlpipe_runs']} time(s), not {rep}.")
        if rep and r["peer_runs"] and r["peer_runs"] < rep:
            out.append(f"{tag}: {r['peer']} measured {r['peer_runs']} time(s), not {rep} "
                       f"(a run took {r['peer_wall_s']:.0f} s).")
        if r.get("retried"):
            out.append(f"{tag}: {r['retried']} run(s) done again because other processes "
                       f"disturbed them.")
        if r["mlpipe_failed"]:
            out.append(f"{tag}: mltrain FAILED: {r['mlpipe_failed'][0].strip()[:200]}")
        if r["peer_failed"]:
            out.append(f"{tag}: peer FAILED: {r['peer_failed'][0].strip()[:200]}")
        if not r["mlpipe_runs"] and not r["mlpipe_failed"]:
            out.append(f"{tag}: not measured for mlpipe (not in mltrain --list).")
        if r["algorithm"] == "neural_network" and r["mlpipe_epochs"] and r["peer_epochs"] \
                and r["mlpipe_epochs"] != r["peer_epochs"]:
            out.append(f"{tag}: epochs differ: mlpipe {r['mlpipe_epochs']}, peer {r['peer_epochs']}.")
    seen = set()
    for r in rows:
        if r["algorithm"] in seen:
            continue
        seen.add(r["algorithm"])
        out.append(f"{r['algorithm']}: mltrain --set {r['algorithm']}.{{{r['mlpipe_set'] or ''}}}")
        words = [os.path.basename(w) if w.startswith("/") and w.endswith(".py")
                 else "CACHE" if w.startswith("/") else w for w in (r["peer_command"] or "").split()]
        out.append(f"{'':{len(r['algorithm'])}}  peer: {' '.join(words)}")
    for r in rows:
        if r["algorithm"] == "linear" and r.get("liblinear_cli_wall_s") and r["threads"] == rows[0]["threads"]:
            info = r.get("peer_info") or {}
            mi = r.get("mlpipe_info") or {}
            out.append(f"linear {size_name(r['size'])}: liblinear-train wall {r['liblinear_cli_wall_s']:.1f} s "
                       f"(parsing the text file included), driver RSS {fmt(r.get('peer_driver_rss'), '.0f')} MB; "
                       f"Newton iterations liblinear {info.get('newton_iterations', '?')}, "
                       f"mlpipe {mi.get('iterations', '?')}.")
    out.append("linear: LIBLINEAR 2.3 regularises its bias term (-B 1, no -R); mlpipe does not "
               "regularise the intercept. Same stopping rule: |g| <= 1e-4 |g0| "
               "(LIBLINEAR -e = 1e-4 * l / min(pos, neg)).")
    out.append("neural_network: no early stopping on either side (mlpipe validation_fraction=0, "
               "patience=epochs; sklearn early_stopping=False, n_iter_no_change > epochs); "
               "mlpipe keeps the epoch with the lowest training loss, sklearn the last.")
    out.append("random_forest: mlpipe splits on at most 255 histogram bins per feature (max_bins=255), "
               "scikit-learn on exact thresholds; mlpipe's min_samples_leaf counts bootstrap-sampled "
               "rows, scikit-learn's distinct rows.")
    out.append("decision_tree: exact CART on both (the category codes as numbers).")
    out.append("gradient_boosting: max_bins 255 on both (mlpipe's limit; the encoded matrix has no "
               "missing cells, so no missing bin); base score = training prior on both.")
    return out


def acceptance(rows):
    lines = []
    for r in rows:
        for what, state, value in r["checks"]:
            lines.append(f"  {state:4}  {what}: {value}")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--algorithms", required=True)
    ap.add_argument("--threads", required=True)
    a = ap.parse_args()
    sizes = sorted(int(s) for s in a.sizes.split(","))
    algorithms = a.algorithms.split(",")
    threads = [int(t) for t in a.threads.split(",")]
    try:
        settings = json.load(open(os.path.join(a.out, "settings.json")))
    except (OSError, json.JSONDecodeError):
        settings = {}
    rows = build_rows(load_runs(a.out), sizes, algorithms, threads)
    for r in rows:
        r["_repeat"] = settings.get("repeat", 0)
    head = (f"mlpipe {settings.get('mlpipe', '?')} vs peers on gen_synth.py data "
            f"(seed {settings.get('seed', '?')}, 7-of-10 split), {settings.get('cores', '?')} cores "
            f"{settings.get('cpu', '')}, started {settings.get('started', '?')}")
    acc = acceptance(rows)
    text = [head, "", text_table(rows), ""] + legend(settings) + [""]
    if acc:
        text += ["Acceptance (1M rows, 2 threads):"] + acc + [""]
    text += ["Notes:"] + ["  " + n for n in notes(rows, settings)]
    print("\n".join(text))

    with open(os.path.join(a.out, "bench.csv"), "w", newline="") as f:
        keys = ["algorithm", "size", "threads", "peer", "peer_threads", "mlpipe_s", "peer_s", "ratio",
                "mlpipe_wall_s", "peer_wall_s", "mlpipe_rss", "peer_rss", "rss_ratio", "mlpipe_auc",
                "peer_auc", "auc_diff", "load_max", "load_timeouts", "mlpipe_runs", "peer_runs"]
        w = csv.writer(f)
        w.writerow(keys + ["accept"])
        for r in rows:
            w.writerow([r.get(k) for k in keys] + [mark(r)])
    with open(os.path.join(a.out, "bench.md"), "w") as f:
        f.write(f"# {head}\n\n{md_table(rows)}\n\n```\n" + "\n".join(legend(settings)) + "\n```\n\n")
        if acc:
            f.write("## Acceptance (1M rows, 2 threads)\n\n" + "\n".join("-" + x[1:] for x in acc) + "\n\n")
        f.write("## Notes\n\n" + "\n".join("- " + n for n in notes(rows, settings)) + "\n")


if __name__ == "__main__":
    main()
