"""Evaluate the model on the test split; write evaluation.json (regression_metrics.mape.value).

Reads the model from /opt/ml/processing/model/model.tar.gz and the test split from
/opt/ml/processing/test; writes /opt/ml/processing/evaluation/evaluation.json.
"""
import json
import os
import tarfile

import joblib
import pandas as pd
from sklearn.metrics import mean_absolute_percentage_error

with tarfile.open('/opt/ml/processing/model/model.tar.gz') as tar:
    tar.extractall('.')
model = joblib.load('model.joblib')
test = pd.read_csv('/opt/ml/processing/test/data.csv', header=None)
mape = mean_absolute_percentage_error(test.iloc[:, 0], model.predict(test.iloc[:, 1:]))
os.makedirs('/opt/ml/processing/evaluation', exist_ok=True)
with open('/opt/ml/processing/evaluation/evaluation.json', 'w') as f:
    json.dump({'regression_metrics': {'mape': {'value': mape}}}, f)
