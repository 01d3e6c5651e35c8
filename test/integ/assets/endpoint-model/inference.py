"""A linear model served by the SageMaker scikit-learn image (the integ endpoint's model).

model.tar.gz holds model.json (the weights) and this script under code/; the model's environment
names them (SAGEMAKER_PROGRAM, SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code), as the SageMaker
Python SDK does for a framework model. The image decodes text/csv into rows and encodes the
predictions for the Accept type: rows "1,2,3" and "4,5,6" answer [8.5, 19.0] in application/json.
"""
import json
import os

import numpy as np


def model_fn(model_dir):
    with open(os.path.join(model_dir, 'model.json')) as f:
        return json.load(f)


def predict_fn(input_data, model):
    rows = np.atleast_2d(np.asarray(input_data, dtype=float))
    return rows @ np.asarray(model['weights'], dtype=float) + float(model['intercept'])
