"""A stand-in preprocessing script: the tests only upload it as an asset."""
import os

if __name__ == "__main__":
    for name in ("train", "validation", "test"):
        os.makedirs(f"/opt/ml/processing/{name}", exist_ok=True)
