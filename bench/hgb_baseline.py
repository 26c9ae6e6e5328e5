#!/usr/bin/python3
"""The scikit-learn baseline of `npm run bench:quality`: a pooled HistGradientBoostingClassifier.

Install once on Debian:  apt-get install -y python3-sklearn python3-pandas
Run (the bench does):    /usr/bin/python3 bench/hgb_baseline.py train.csv test.csv out.csv [--seed 42]

train.csv: a header row, numeric feature columns (empty = missing: HGB handles NaN natively) and a 0/1 column
`label` (1 = Final Test fail). test.csv: the same feature columns, no label. Writes out.csv with one column `p`,
P(fail) for every test row in order, and prints key=value lines: sklearn version, rows, train_s.

The model is scikit-learn's defaults (max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
early stopping on a 10 % validation split when there are more than 10,000 rows) with a fixed random_state: a
general-purpose learner used as it comes, not tuned to the plant.
"""
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier


def opt(name, default, cast=str):
    return cast(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


train_path, test_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
train = pd.read_csv(train_path)
test = pd.read_csv(test_path)
feats = [c for c in train.columns if c != 'label']
X, y = train[feats].to_numpy(float), train['label'].to_numpy(int)
clf = HistGradientBoostingClassifier(random_state=opt('--seed', 42, int))
t = time.perf_counter()
clf.fit(X, y)
print(f'sklearn={sklearn.__version__}')
print(f'train_rows={len(y)} test_rows={len(test)}')
print(f'train_s={time.perf_counter() - t:.3f}')
p = clf.predict_proba(test[feats].to_numpy(float))[:, list(clf.classes_).index(1)]
pd.DataFrame({'p': np.round(p, 8)}).to_csv(out_path, index=False)
