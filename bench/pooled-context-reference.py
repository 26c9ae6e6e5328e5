#!/usr/bin/python3
"""scikit-learn HistGradientBoostingClassifier (default parameters, random_state=0) trained on the rows with
split=train of a CSV and scored on split=test: prints auc= and brier= (test rows). Used by
bench/pooled-context.bench.ts. Usage: python3 pooled-context-reference.py data.csv col1,col2,...
Install on Debian: apt-get install -y python3-sklearn python3-pandas
"""
import sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score, brier_score_loss

df = pd.read_csv(sys.argv[1])
cols = sys.argv[2].split(',')
tr, te = df['split'] == 'train', df['split'] == 'test'
m = HistGradientBoostingClassifier(random_state=0).fit(df.loc[tr, cols], df.loc[tr, 'label'])
p = m.predict_proba(df.loc[te, cols])[:, 1]
print(f"auc={roc_auc_score(df.loc[te, 'label'], p):.6f}")
print(f"brier={brier_score_loss(df.loc[te, 'label'], p):.6f}")
