"""Evaluate the trained XGBoost model on the test split and write evaluation.json.

Reads the model from /opt/ml/processing/model/model.tar.gz and the test split from
/opt/ml/processing/test/data.csv (label first, no header); writes
/opt/ml/processing/evaluation/evaluation.json with regression_metrics.mse.value, the shape the
SageMaker Python SDK's examples write. Runs in the XGBoost image (xgboost and numpy).
"""
import json
import os
import pickle
import tarfile

import numpy as np
import xgboost

with tarfile.open('/opt/ml/processing/model/model.tar.gz') as tar:
    tar.extractall('/tmp/model')
model_file = '/tmp/model/xgboost-model'
try:
    # XGBoost's own format (recent versions of the built-in algorithm).
    booster = xgboost.Booster()
    booster.load_model(model_file)
except xgboost.core.XGBoostError:
    # A pickled Booster (older versions of the built-in algorithm).
    with open(model_file, 'rb') as f:
        booster = pickle.load(f)

test = np.loadtxt('/opt/ml/processing/test/data.csv', delimiter=',', ndmin=2)
labels, features = test[:, 0], test[:, 1:]
errors = labels - booster.predict(xgboost.DMatrix(features))
report = {'regression_metrics': {'mse': {'value': float(np.mean(errors ** 2)), 'standard_deviation': float(np.std(errors))}}}
os.makedirs('/opt/ml/processing/evaluation', exist_ok=True)
with open('/opt/ml/processing/evaluation/evaluation.json', 'w') as f:
    json.dump(report, f)
print(json.dumps(report))
