#!/usr/bin/python3
"""Peer of mlpipe's linear (binary): LIBLINEAR -s 0, L2-regularised logistic
regression by trust-region Newton, from Debian's liblinear4 (the library
liblinear-train is built on), called through ctypes so that the fit time
is train() alone, not the parsing of a text file.

  peer_liblinear.py CACHE [--auc] [--C C] [--tol T]

The problem is liblinear-train's for `-s 0 -c C -B 1 -e EPS`: every row is
the expanded inputs (standardised numbers, one 1 per categorical feature;
see peer_common.py) plus a bias feature of value 1. LIBLINEAR stops at
|g| <= EPS * max(min(pos, neg), 1) / l * |g0|; mlpipe stops at
|g| <= tol * |g0|, so EPS = tol * l / max(min(pos, neg), 1) gives the same
test. Differences that remain: LIBLINEAR regularises the bias (version 2.3
has no -R), mlpipe does not. LIBLINEAR is single-threaded. Prints one JSON
line."""
import argparse
import ctypes
import ctypes.util

import numpy as np

import peer_common as pc


class FeatureNode(ctypes.Structure):
    _fields_ = [("index", ctypes.c_int), ("value", ctypes.c_double)]


class Problem(ctypes.Structure):
    _fields_ = [("l", ctypes.c_int), ("n", ctypes.c_int), ("y", ctypes.POINTER(ctypes.c_double)),
                ("x", ctypes.POINTER(ctypes.POINTER(FeatureNode))), ("bias", ctypes.c_double)]


# struct parameter of LIBLINEAR 2.1x-2.3x (linear.h, LIBLINEAR_VERSION 230)
class Parameter230(ctypes.Structure):
    _fields_ = [("solver_type", ctypes.c_int), ("eps", ctypes.c_double), ("C", ctypes.c_double),
                ("nr_weight", ctypes.c_int), ("weight_label", ctypes.POINTER(ctypes.c_int)),
                ("weight", ctypes.POINTER(ctypes.c_double)), ("p", ctypes.c_double),
                ("init_sol", ctypes.POINTER(ctypes.c_double))]


# 2.40 and later added nu and regularize_bias (-R)
class Parameter240(ctypes.Structure):
    _fields_ = [("solver_type", ctypes.c_int), ("eps", ctypes.c_double), ("C", ctypes.c_double),
                ("nr_weight", ctypes.c_int), ("weight_label", ctypes.POINTER(ctypes.c_int)),
                ("weight", ctypes.POINTER(ctypes.c_double)), ("p", ctypes.c_double),
                ("nu", ctypes.c_double), ("init_sol", ctypes.POINTER(ctypes.c_double)),
                ("regularize_bias", ctypes.c_int)]


def load_liblinear():
    name = ctypes.util.find_library("linear") or "liblinear.so.4"
    lib = ctypes.CDLL(name)
    version = ctypes.c_int.in_dll(lib, "liblinear_version").value
    lib.train.restype = ctypes.c_void_p
    lib.get_nr_feature.argtypes = [ctypes.c_void_p]
    lib.get_nr_class.argtypes = [ctypes.c_void_p]
    lib.get_labels.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.get_decfun_coef.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.get_decfun_coef.restype = ctypes.c_double
    lib.get_decfun_bias.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.get_decfun_bias.restype = ctypes.c_double
    lib.check_parameter.restype = ctypes.c_char_p
    return lib, version


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("--auc", action="store_true")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=1)  # accepted for symmetry; ignored
    a = ap.parse_args()

    lib, version = load_liblinear()
    meta, xtr, ytr = pc.load(a.cache, "meta", "train_x", "train_y")
    z, onehot = pc.expand_parts(meta, xtr)
    del xtr
    n, n_num, n_cat = z.shape[0], z.shape[1], onehot.shape[1]
    n_var = pc.n_expanded(meta)
    width = n_num + n_cat + 2  # + bias node + terminator
    nodes = np.zeros((n, width), dtype=np.dtype([("index", np.int32), ("value", np.float64)],
                                                align=True))
    assert nodes.dtype.itemsize == ctypes.sizeof(FeatureNode)
    nodes["index"][:, :n_num] = np.arange(1, n_num + 1)
    nodes["value"][:, :n_num] = z
    nodes["index"][:, n_num:n_num + n_cat] = onehot + n_num + 1
    nodes["value"][:, n_num:n_num + n_cat] = 1.0
    nodes["index"][:, -2] = n_var + 1  # liblinear-train -B 1: the bias feature
    nodes["value"][:, -2] = 1.0
    nodes["index"][:, -1] = -1
    del z, onehot
    rows = (ctypes.POINTER(FeatureNode) * n)()
    base = nodes.ctypes.data
    stride = nodes.strides[0]
    addr = ctypes.cast(rows, ctypes.POINTER(ctypes.c_void_p))
    for i in range(n):
        addr[i] = base + i * stride
    y = np.ascontiguousarray(ytr, dtype=np.float64)
    prob = Problem(l=n, n=n_var + 1, y=y.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                   x=rows, bias=1.0)

    pos = int(ytr.sum())
    eps = a.tol * n / max(min(pos, n - pos), 1)
    if version >= 240:
        param = Parameter240(solver_type=0, eps=eps, C=a.C, nr_weight=0, p=0.1, nu=0.5,
                             regularize_bias=1)
    else:
        param = Parameter230(solver_type=0, eps=eps, C=a.C, nr_weight=0, p=0.1)
    lib.check_parameter.argtypes = [ctypes.POINTER(Problem), ctypes.POINTER(type(param))]
    lib.train.argtypes = [ctypes.POINTER(Problem), ctypes.POINTER(type(param))]
    msg = lib.check_parameter(ctypes.byref(prob), ctypes.byref(param))
    if msg:
        raise SystemExit("peer_liblinear: " + msg.decode())
    lines = []
    printer = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda s: lines.append(s.decode()))
    lib.set_print_string_function(printer)

    t0 = pc.timer()
    model = lib.train(ctypes.byref(prob), ctypes.byref(param))
    fit = pc.timer() - t0

    labels = (ctypes.c_int * 2)()
    lib.get_labels(model, labels)
    li = list(labels).index(1)
    w = np.array([lib.get_decfun_coef(model, j + 1, li) for j in range(n_var)])
    b = lib.get_decfun_bias(model, li)
    text = "".join(lines)
    out = {"peer": "liblinear", "version": version, "fit_seconds": fit, "solver": "-s 0",
           "C": a.C, "eps": eps, "bias": "-B 1 (regularised)", "threads": 1,
           "newton_iterations": text.count("iter "), "train_rows": n,
           "bias_weight": b, "weight_norm": float(np.sqrt((w ** 2).sum()))}
    if a.auc:
        xte, yte = pc.load(a.cache, "test_x", "test_y")
        zt, oh = pc.expand_parts(meta, xte)
        score = zt @ w[:n_num] + w[n_num:][oh].sum(axis=1) + b
        out["auc"] = pc.auc(yte, score)
    pc.emit(out)


if __name__ == "__main__":
    main()
