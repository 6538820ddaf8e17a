#!/usr/bin/python3
"""scikit-learn peers (Debian's python3-sklearn 1.2) of mlpipe's
random_forest, decision_tree and neural_network.

  peer_sklearn.py random_forest  CACHE --threads N [--auc] [--trees T]
                  [--min-samples-leaf L] [--max-depth D]
  peer_sklearn.py decision_tree  CACHE [--auc] [--min-samples-leaf L] [--max-depth D]
  peer_sklearn.py neural_network CACHE --threads N [--auc] [--hidden H]
                  [--batch B] [--epochs E] [--learning-rate R] [--alpha A]

Trees train on the encoded codes as numbers (float32, as scikit-learn's
trees use), max_depth 0 meaning unlimited. The network trains on the
expanded inputs (float32; see peer_common.py) with early stopping off: a
fixed number of epochs. Fit time is time.perf_counter() around fit().
Prints one JSON line."""
import argparse
import warnings

import peer_common as pc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("algorithm", choices=["random_forest", "decision_tree", "neural_network"])
    ap.add_argument("cache")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--auc", action="store_true")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--min-samples-leaf", type=int, default=5)
    ap.add_argument("--max-depth", type=int, default=0)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--alpha", type=float, default=1e-4)
    a = ap.parse_args()

    import sklearn
    out = {"peer": "sklearn", "version": sklearn.__version__, "algorithm": a.algorithm}
    depth = a.max_depth if a.max_depth > 0 else None
    if a.algorithm == "neural_network":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
        xtr, ytr = pc.load(a.cache, "train_z", "train_y")
        model = MLPClassifier(hidden_layer_sizes=(a.hidden,), activation="relu", solver="adam",
                              alpha=a.alpha, batch_size=a.batch, learning_rate_init=a.learning_rate,
                              max_iter=a.epochs, shuffle=True, random_state=1, tol=1e-4,
                              early_stopping=False, n_iter_no_change=a.epochs + 1,
                              beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        warnings.simplefilter("ignore", ConvergenceWarning)
    elif a.algorithm == "random_forest":
        from sklearn.ensemble import RandomForestClassifier
        xtr, ytr = pc.load(a.cache, "train_x", "train_y")
        model = RandomForestClassifier(n_estimators=a.trees, criterion="gini", max_features="sqrt",
                                       min_samples_leaf=a.min_samples_leaf, max_depth=depth,
                                       bootstrap=True, n_jobs=a.threads, random_state=1)
    else:
        from sklearn.tree import DecisionTreeClassifier
        xtr, ytr = pc.load(a.cache, "train_x", "train_y")
        model = DecisionTreeClassifier(criterion="gini", max_depth=depth,
                                       min_samples_leaf=a.min_samples_leaf, random_state=1)
        a.threads = 1  # scikit-learn grows a single tree on one thread
    t0 = pc.timer()
    model.fit(xtr, ytr)
    out["fit_seconds"] = pc.timer() - t0
    out["threads"] = a.threads
    out["train_rows"] = int(len(ytr))
    out["params"] = {k: v for k, v in model.get_params().items() if not callable(v)}
    if a.algorithm == "neural_network":
        out["epochs"] = int(model.n_iter_)
    elif a.algorithm == "random_forest":
        out["mean_leaves"] = sum(t.get_n_leaves() for t in model.estimators_) / len(model.estimators_)
        out["mean_depth"] = sum(t.get_depth() for t in model.estimators_) / len(model.estimators_)
    else:
        out["leaves"] = int(model.get_n_leaves())
        out["depth"] = int(model.get_depth())
    if a.auc:
        del xtr
        xte, yte = pc.load(a.cache, "test_z" if a.algorithm == "neural_network" else "test_x",
                           "test_y")
        out["auc"] = pc.auc(yte, model.predict_proba(xte)[:, 1])
    pc.emit(out)


if __name__ == "__main__":
    main()
