#!/usr/bin/python3
"""Peer of mlpipe's gradient_boosting: xgboost's hist method (Debian's
python3-xgboost 1.7).

  peer_xgboost.py CACHE --threads N [--auc] [--rounds R] [--max-depth D]
                  [--learning-rate E] [--max-bin B] [--lambda L]
                  [--min-child-weight W]

Fit time covers what mlpipe's training time covers: binning the in-memory
matrix (QuantileDMatrix, the sketch with the same max_bin) plus the boosting
rounds. No validation set, no early stopping; subsample and colsample 1;
base_score is the training prior, as mlpipe's starting margin. Prints one
JSON line."""
import argparse

import peer_common as pc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--auc", action="store_true")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--max-depth", type=int, default=6)
    ap.add_argument("--learning-rate", type=float, default=0.1)
    ap.add_argument("--max-bin", type=int, default=255)
    ap.add_argument("--lambda", dest="lam", type=float, default=1.0)
    ap.add_argument("--min-child-weight", type=float, default=1.0)
    a = ap.parse_args()

    import xgboost as xgb
    xtr, ytr = pc.load(a.cache, "train_x", "train_y")
    params = {
        "objective": "binary:logistic", "tree_method": "hist", "grow_policy": "depthwise",
        "max_depth": a.max_depth, "max_leaves": 0, "eta": a.learning_rate,
        "max_bin": a.max_bin, "lambda": a.lam, "alpha": 0.0, "gamma": 0.0,
        "min_child_weight": a.min_child_weight, "subsample": 1.0,
        "colsample_bytree": 1.0, "colsample_bylevel": 1.0, "colsample_bynode": 1.0,
        "base_score": float(ytr.mean()), "nthread": a.threads, "seed": 1,
        "verbosity": 0,
    }
    t0 = pc.timer()
    dtrain = xgb.QuantileDMatrix(xtr, label=ytr, max_bin=a.max_bin, nthread=a.threads)
    t1 = pc.timer()
    booster = xgb.train(params, dtrain, num_boost_round=a.rounds)
    t2 = pc.timer()
    out = {"peer": "xgboost", "version": xgb.__version__, "fit_seconds": t2 - t0,
           "binning_seconds": t1 - t0, "boosting_seconds": t2 - t1, "rounds": a.rounds,
           "params": params, "train_rows": int(len(ytr))}
    if a.auc:
        del dtrain
        xte, yte = pc.load(a.cache, "test_x", "test_y")
        p = booster.inplace_predict(xte)
        out["auc"] = pc.auc(yte, p)
    pc.emit(out)


if __name__ == "__main__":
    main()
