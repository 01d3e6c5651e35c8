"""Split the integ data set into train, validation and test CSV files (label first, no header).

Input:  /opt/ml/processing/input/*.csv with a header row and a `target` column.
Output: /opt/ml/processing/{train,validation,test}/data.csv

Standard library only, so it runs in any Python 3 image (the integ apps run it in the XGBoost one).
"""
import csv
import glob
import os
import random

rows = []
for name in sorted(glob.glob('/opt/ml/processing/input/**/*.csv', recursive=True)):
    with open(name, newline='') as f:
        reader = csv.DictReader(f)
        features = [c for c in reader.fieldnames if c != 'target']
        rows.extend([row['target']] + [row[c] for c in features] for row in reader)
if not rows:
    raise SystemExit('No CSV rows under /opt/ml/processing/input')

random.Random(42).shuffle(rows)
n = len(rows)
splits = {'train': rows[: int(0.7 * n)], 'validation': rows[int(0.7 * n): int(0.85 * n)], 'test': rows[int(0.85 * n):]}
for split, part in splits.items():
    os.makedirs(f'/opt/ml/processing/{split}', exist_ok=True)
    with open(f'/opt/ml/processing/{split}/data.csv', 'w', newline='') as f:
        csv.writer(f).writerows(part)
    print(f'{split}: {len(part)} rows')
