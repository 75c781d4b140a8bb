"""The teacher's 128-D space: a PCA of its L2-normalised descriptors, fitted on training rows.

faceres describes a face in 1024 dimensions; the student's head, the profiles and the service
work in 128. models/TEACHERS.md measured that projecting faceres onto its top 128 principal
directions (fitted on UTKFace) loses nothing on LFW. The projection, y = basis @ (x/|x| - mean),
is exported beside the profiles (models/build/teacher-pca.{json,bin}) so that `facevq eval`
scores the teacher in exactly the space the student was taught in.

File layout of teacher-pca.bin: little-endian float32, mean[D] then basis[128][D], row-major.
"""

import json
import os

import numpy as np

DIM = 128


def fit(x, dim=DIM):
    """x: float [N,D] raw descriptors. Returns (mean [D], basis [dim,D], explained variance ratio)."""
    u = x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)
    mean = u.mean(0)
    c = u - mean
    cov = (c.T @ c) / max(1, len(c) - 1)
    values, vectors = np.linalg.eigh(cov.astype(np.float64))  # ascending
    order = np.argsort(values)[::-1][:dim]
    basis = vectors[:, order].T
    # A fixed sign per direction (largest entry positive) keeps refits comparable.
    basis *= np.sign(basis[np.arange(dim), np.abs(basis).argmax(1)])[:, None]
    explained = float(values[order].sum() / values.sum())
    return mean.astype(np.float32), basis.astype(np.float32), explained


def project(x, mean, basis):
    """x: [..., D] raw descriptors -> [..., dim]."""
    u = x / np.linalg.norm(x, axis=-1, keepdims=True).clip(1e-12)
    return (u - mean) @ basis.T


def write(folder, pca, teacher):
    """Writes folder/teacher-pca.json and .bin from a fitted `pca` dict (data.load's)."""
    mean, basis = pca["mean"], pca["basis"]
    with open(os.path.join(folder, "teacher-pca.bin"), "wb") as f:
        f.write(np.asarray(mean, "<f4").tobytes())
        f.write(np.asarray(basis, "<f4").tobytes())
    meta = {
        "inputDim": int(mean.shape[0]), "dim": int(basis.shape[0]), "teacher": teacher, "rows": pca["rows"],
        "explainedVariance": round(pca["explained"], 4), "fittedOn": "view 0 and view 1 teacher descriptors of the training rows",
    }
    with open(os.path.join(folder, "teacher-pca.json"), "w") as f:
        json.dump(meta, f, indent=1)
