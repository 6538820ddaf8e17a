#!/usr/bin/python3
"""scikit-learn / liblinear peers for linear_nn_bench.c on an mlprep model directory.

Reads DIR/datasource.json and DIR/data/{train,test}.csv.zst (the encoded matrix the C
models see), applies the same input expansion (numbers standardised with the
training mean and population sd, categories one-hot over all their codes incl.
OTHER), and trains the peer:

  linear_nn_peer.py DIR linear [C]          LogisticRegression / multinomial / Ridge(alpha=1/C)
  linear_nn_peer.py DIR neural_network [--hidden H] [--batch B] [--epochs E] [--no-early-stop]
  linear_nn_peer.py DIR libsvm OUT_PREFIX   writes OUT_PREFIX.{train,test} for liblinear-train

Prints one JSON line with the fit time and the test metric (AUC, accuracy, R^2).
Run with /usr/bin/python3 (the system scikit-learn 1.2).
"""
import json
import subprocess
import sys
import time

import numpy as np


def load(d):
    ds = json.load(open(d + "/datasource.json"))
    cols = [c for c in ds["columns"] if c["included"]]
    kinds = ["category" if c["type"] in ("string", "boolean") else "number" for c in cols]
    levels = [len(c["encoder"]["values"]) + 1 if k == "category" else 0 for c, k in zip(cols, kinds)]

    def read(split):
        raw = subprocess.run(["zstd", "-dc", f"{d}/data/{split}.csv.zst"], check=True,
                             capture_output=True).stdout
        m = np.loadtxt(raw.decode().splitlines()[1:], delimiter=",", ndmin=2)
        return m[:, :-1], m[:, -1]

    xtr, ytr = read("train")
    xte, yte = read("test")
    return ds["model_type"], kinds, levels, xtr, ytr, xte, yte


def expand(kinds, levels, xtr, xte):
    num = [j for j, k in enumerate(kinds) if k == "number"]
    mean = xtr[:, num].mean(axis=0)
    sd = xtr[:, num].std(axis=0)
    const = xtr[:, num].min(axis=0) == xtr[:, num].max(axis=0)
    scale = np.where(const | (sd == 0), 0.0, 1.0 / np.where(sd == 0, 1, sd))

    def one(x):
        parts = [(x[:, num] - mean) * scale]
        for j, k in enumerate(kinds):
            if k == "category":
                code = np.clip(x[:, j].astype(int), 0, levels[j] - 1)
                oh = np.zeros((x.shape[0], levels[j]))
                oh[np.arange(x.shape[0]), code] = 1
                parts.append(oh)
        return np.hstack(parts)

    return one(xtr), one(xte)


def metric(task, yte, p):
    from sklearn.metrics import r2_score, roc_auc_score
    if task == "binary":
        return "auc", roc_auc_score(yte, p)
    if task == "regression":
        return "r2", r2_score(yte, p)
    return "accuracy", float(np.mean(np.argmax(p, axis=1) == yte))


def main():
    d, what = sys.argv[1], sys.argv[2]
    task, kinds, levels, xtr, ytr, xte, yte = load(d)
    ztr, zte = expand(kinds, levels, xtr, xte)
    if what == "libsvm":
        for name, z, y in (("train", ztr, ytr), ("test", zte, yte)):
            with open(f"{sys.argv[3]}.{name}", "w") as f:
                for row, label in zip(z, y):
                    nz = np.nonzero(row)[0]
                    f.write(("+1" if label else "-1") + "".join(f" {j + 1}:{row[j]:.9g}" for j in nz) + "\n")
        return
    args = sys.argv[3:]
    t0 = time.time()
    info = {}
    if what == "linear":
        C = float(args[0]) if args else 1.0
        if task == "regression":
            from sklearn.linear_model import Ridge
            mdl = Ridge(alpha=1.0 / C).fit(ztr, ytr)
            p = mdl.predict(zte)
        else:
            from sklearn.linear_model import LogisticRegression
            mdl = LogisticRegression(C=C, max_iter=10000, tol=1e-8).fit(ztr, ytr)
            p = mdl.predict_proba(zte)
            p = p[:, 1] if task == "binary" else p
    else:
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        opt = {"hidden": 100, "batch": 200, "epochs": 200}
        early = True
        i = 0
        while i < len(args):
            if args[i] == "--no-early-stop":
                early = False
            else:
                opt[args[i][2:]] = int(args[i + 1])
                i += 1
            i += 1
        kw = dict(hidden_layer_sizes=(opt["hidden"],), batch_size=opt["batch"], max_iter=opt["epochs"],
                  early_stopping=early, random_state=1)
        if task == "regression":
            mu, sd = ytr.mean(), ytr.std()
            mdl = MLPRegressor(**kw).fit(ztr, (ytr - mu) / sd)
            p = mdl.predict(zte) * sd + mu
        else:
            mdl = MLPClassifier(**kw).fit(ztr, ytr)
            p = mdl.predict_proba(zte)
            p = p[:, 1] if task == "binary" else p
        info = {"epochs": mdl.n_iter_}
    seconds = time.time() - t0
    name, value = metric(task, yte, p)
    print(json.dumps({"peer": what, "rows": len(ytr), "fit_seconds": round(seconds, 3), name: round(value, 6), **info}))


main()
