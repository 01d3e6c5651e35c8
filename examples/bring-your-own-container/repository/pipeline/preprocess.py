"""Split the raw demand data into train, validation and test CSV files (label `units` first, no header).

Input:  /opt/ml/processing/input/*.csv with a header row.
Output: /opt/ml/processing/{train,validation,test}/data.csv
"""
import glob
import os

import pandas as pd

data = pd.concat(pd.read_csv(f) for f in glob.glob('/opt/ml/processing/input/*.csv')).dropna()
label = data.pop('units')
data = pd.concat([label, data.select_dtypes('number')], axis=1).sample(frac=1.0, random_state=42)
n = len(data)
splits = {'train': data[: int(0.7 * n)], 'validation': data[int(0.7 * n): int(0.85 * n)], 'test': data[int(0.85 * n):]}
for name, part in splits.items():
    os.makedirs(f'/opt/ml/processing/{name}', exist_ok=True)
    part.to_csv(f'/opt/ml/processing/{name}/data.csv', header=False, index=False)
