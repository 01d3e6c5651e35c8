"""Evaluate the trained XGBoost model on the test split and write evaluation.json.

Runs in the training image (the standard pipeline's evaluation image by default: the SageMaker
XGBoost image, which has xgboost, scikit-learn and pandas). Reads the model from
/opt/ml/processing/model/model.tar.gz and the test split from /opt/ml/processing/test; writes
/opt/ml/processing/evaluation/evaluation.json in the shape SageMaker Model Monitor and the SDK write
(binary_classification_metrics.auc.value).
"""
import json
import os
import pickle
import tarfile

import pandas as pd
import xgboost
from sklearn.metrics import roc_auc_score

with tarfile.open('/opt/ml/processing/model/model.tar.gz') as tar:
    tar.extractall('.')
# The built-in algorithm saves XGBoost's own format from version 1.3-1 on, a pickle before.
model = xgboost.Booster()
try:
    model.load_model('xgboost-model')
except xgboost.core.XGBoostError:
    model = pickle.load(open('xgboost-model', 'rb'))
test = pd.read_csv('/opt/ml/processing/test/data.csv', header=None)
y, x = test.iloc[:, 0], test.iloc[:, 1:]
auc = roc_auc_score(y, model.predict(xgboost.DMatrix(x.values)))
os.makedirs('/opt/ml/processing/evaluation', exist_ok=True)
with open('/opt/ml/processing/evaluation/evaluation.json', 'w') as f:
    json.dump({'binary_classification_metrics': {'auc': {'value': auc}}}, f)
