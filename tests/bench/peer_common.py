"""Shared by the benchmark peer drivers (run with /usr/bin/python3, the Debian
numpy / scikit-learn / xgboost).

The peers train on exactly the rows mlpipe trains on: mlprep's encoded
matrices DIR/data/{train,test}.csv.zst, converted once per model directory
into .npy files (`peer_common.py prepare DIR CACHE`). Values are parsed as
doubles and rounded to float, as mlpipe's dataset loader does, so both sides
see the same numbers.

Linear models and networks get mlpipe's input expansion (common/models/
expand.c): numeric features standardised with the training mean and
population sd (two-pass, in double, from the float values; a constant
column becomes exactly 0), categorical and boolean features one-hot over
all their codes including OTHER (a code out of range counts as OTHER);
columns ordered numbers first, then each category's levels.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np


def log(msg):
    print("peer: " + msg, file=sys.stderr, flush=True)


# ---- conversion ------------------------------------------------------------

def _read_encoded(path):
    """The encoded CSV (header, historical_result last) as float32 X, float64 y."""
    proc = subprocess.Popen(["zstd", "-dcq", path], stdout=subprocess.PIPE)
    header = proc.stdout.readline().decode().rstrip("\n").split(",")
    m = np.loadtxt(proc.stdout, delimiter=",", dtype=np.float64, ndmin=2)
    if proc.wait() != 0:
        sys.exit(f"peer: zstd -dc '{path}' failed")
    if header[-1] != "historical_result":
        sys.exit(f"peer: '{path}': last column is not historical_result")
    return header[:-1], np.ascontiguousarray(m[:, :-1].astype(np.float32)), m[:, -1].copy()


def prepare(model_dir, cache):
    """Writes CACHE/{train,test}_{x,y}.npy, the expanded matrices and meta.json."""
    os.makedirs(cache, exist_ok=True)
    ds = json.load(open(os.path.join(model_dir, "datasource.json")))
    if ds.get("model_type") != "binary":
        sys.exit("peer: the benchmark expects a binary model")
    cols = {c["name"]: c for c in ds["columns"]}
    t0 = time.perf_counter()
    names, xtr, ytr = _read_encoded(os.path.join(model_dir, "data", "train.csv.zst"))
    names_te, xte, yte = _read_encoded(os.path.join(model_dir, "data", "test.csv.zst"))
    if names != names_te:
        sys.exit("peer: train and test columns differ")
    kinds, levels = [], []
    for n in names:
        c = cols[n]
        if c["type"] in ("string", "boolean"):
            kinds.append("category")
            levels.append(len(c["encoder"]["values"]) + 1)  # + OTHER
        else:
            kinds.append("number")
            levels.append(0)
    for name, a in (("train_x", xtr), ("train_y", ytr), ("test_x", xte), ("test_y", yte)):
        np.save(os.path.join(cache, name + ".npy"), a)
    meta = {"features": names, "kinds": kinds, "levels": levels,
            "train_rows": int(len(ytr)), "test_rows": int(len(yte)),
            "train_positive": int(ytr.sum()), "test_positive": int(yte.sum())}
    meta.update(standardisation(meta, xtr))
    with open(os.path.join(cache, "meta.json"), "w") as f:
        json.dump(meta, f)
    ztr = expand_dense(meta, xtr)
    np.save(os.path.join(cache, "train_z.npy"), ztr)
    np.save(os.path.join(cache, "test_z.npy"), expand_dense(meta, xte))
    del ztr
    write_libsvm(meta, xtr, ytr, os.path.join(cache, "train.libsvm"))
    log(f"prepared {cache} in {time.perf_counter() - t0:.1f} s "
        f"({len(ytr)} train, {len(yte)} test rows, {len(names)} features, "
        f"{n_expanded(meta)} expanded columns)")


# ---- expansion ---------------------------------------------------------------

def standardisation(meta, xtr):
    """Training mean and 1/sd of each numeric feature, as mp_expand_fit()."""
    mean, scale = [], []
    for j, k in enumerate(meta["kinds"]):
        if k != "number":
            continue
        x = xtr[:, j].astype(np.float64)
        lo, hi = float(x.min()), float(x.max())
        mu = float(x.sum() / len(x))
        ss = float(((x - mu) ** 2).sum())
        if lo == hi or not np.isfinite(mu) or not ss > 0 or not np.isfinite(ss):
            mean.append(lo if np.isfinite(lo) else 0.0)
            scale.append(0.0)
        else:
            mean.append(mu)
            s = 1.0 / np.sqrt(ss / len(x))
            scale.append(float(s) if np.isfinite(s) else 0.0)
    return {"mean": mean, "scale": scale}


def n_expanded(meta):
    return meta["kinds"].count("number") + sum(meta["levels"])


def expand_parts(meta, x):
    """Standardised numbers (n x n_num, float64) and the active one-hot
    column of each categorical feature (n x n_cat, int64, 0-based within
    the one-hot block)."""
    num = [j for j, k in enumerate(meta["kinds"]) if k == "number"]
    cat = [j for j, k in enumerate(meta["kinds"]) if k == "category"]
    z = (x[:, num].astype(np.float64) - np.asarray(meta["mean"])) * np.asarray(meta["scale"])
    z[~np.isfinite(z)] = 0.0
    onehot = np.empty((x.shape[0], len(cat)), dtype=np.int64)
    offset = 0
    for c, j in enumerate(cat):
        levels = meta["levels"][j]
        v = x[:, j]
        code = np.where((v >= 0) & (v < levels), v, levels - 1).astype(np.int64)
        onehot[:, c] = offset + np.minimum(code, levels - 1)
        offset += levels
    return z, onehot


def expand_dense(meta, x, dtype=np.float32):
    """The dense expanded matrix: numbers, then the one-hot block."""
    z, onehot = expand_parts(meta, x)
    n_num = z.shape[1]
    out = np.zeros((x.shape[0], n_expanded(meta)), dtype=dtype)
    out[:, :n_num] = z
    rows = np.arange(x.shape[0])
    for c in range(onehot.shape[1]):
        out[rows, n_num + onehot[:, c]] = 1
    return out


def write_libsvm(meta, x, y, path):
    """LIBLINEAR's text format of the expanded rows: every standardised
    number (1-based indices 1..n_num) and one 1 per categorical feature;
    the bias column is added by liblinear-train -B 1."""
    z, onehot = expand_parts(meta, x)
    n_num = z.shape[1]
    fmt = "%d " + " ".join(f"{j + 1}:%.17g" for j in range(n_num)) + \
        "".join(" %d:1" for _ in range(onehot.shape[1])) + "\n"
    idx = onehot + n_num + 1
    tmp = path + ".tmp"
    with open(tmp, "w", buffering=1 << 20) as f:
        for i in range(len(y)):
            f.write(fmt % ((int(y[i]),) + tuple(z[i].tolist()) + tuple(idx[i].tolist())))
    os.replace(tmp, path)


# ---- driver helpers ----------------------------------------------------------

def load(cache, *names):
    out = []
    for n in names:
        if n == "meta":
            out.append(json.load(open(os.path.join(cache, "meta.json"))))
        else:
            out.append(np.load(os.path.join(cache, n + ".npy")))
    return out


def auc(y, score):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, score))


def emit(result):
    """The driver's one JSON line on stdout."""
    print(json.dumps(result), flush=True)


def timer():
    return time.perf_counter()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: peer_common.py prepare MODEL_DIR CACHE_DIR")
