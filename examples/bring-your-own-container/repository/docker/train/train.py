"""Train a gradient-boosted regressor on the train channel (CSV, label first, no header)."""
import glob
import json
import os

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

with open('/opt/ml/input/config/hyperparameters.json') as f:
    params = json.load(f)  # SageMaker passes every hyperparameter as a string
files = glob.glob('/opt/ml/input/data/train/*.csv')
data = pd.concat(pd.read_csv(f, header=None) for f in files)
model = GradientBoostingRegressor(max_depth=int(params.get('max_depth', '4')), n_estimators=int(params.get('num_round', '200')))
model.fit(data.iloc[:, 1:], data.iloc[:, 0])
joblib.dump(model, os.path.join('/opt/ml/model', 'model.joblib'))
