"""Teacher cache reader and batch augmentation.

A shard folder written by `facevq teacher` holds (rows appended in step):
  index.jsonl   one JSON per row: {"path", "status": "ok"|"fallback"|"failed", "box", "lm5"}
  crops.u8      64*64*3 uint8 per row, HWC RGB, the aligned crop
  teacher.f32   2*D float32 LE per row: view 0 = the face, view 1 = the mirrored face
  meta.json     views, descriptorDim (D) and the teacher's name
The writer may be running: only rows complete in all three files are read.

Teachers wider than 128-D (faceres, 1024-D) are projected to 128-D by a PCA fitted on the training
rows (teacher_pca.py); the loaded targets are always L2-normalised 128-D vectors.
"""

import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

import teacher_pca

CROP = 64
CROP_BYTES = CROP * CROP * 3
VIEWS = 2


def teacher_meta(folder):
    """The shard's meta.json (teacher name, views, descriptorDim)."""
    meta = json.load(open(os.path.join(folder, "meta.json")))
    if meta.get("views") != VIEWS:
        raise ValueError(f"{folder}: training needs {VIEWS} teacher views (the face and its mirror image)")
    return meta


def read_shard(folder):
    """Returns (paths, status, crops uint8 [n,64,64,3], teacher float32 [n,2,D])."""
    dim = teacher_meta(folder)["descriptorDim"]
    floats = VIEWS * dim
    with open(os.path.join(folder, "index.jsonl"), "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")[:-1]  # the last piece is empty or a row still being written
    n = min(
        len(lines),
        os.path.getsize(os.path.join(folder, "crops.u8")) // CROP_BYTES,
        os.path.getsize(os.path.join(folder, "teacher.f32")) // (floats * 4),
    )
    rows = [json.loads(l) for l in lines[:n]]
    crops = np.fromfile(os.path.join(folder, "crops.u8"), dtype=np.uint8, count=n * CROP_BYTES)
    teacher = np.fromfile(os.path.join(folder, "teacher.f32"), dtype="<f4", count=n * floats)
    return (
        [r["path"] for r in rows],
        [r["status"] for r in rows],
        crops.reshape(n, CROP, CROP, 3),
        teacher.reshape(n, VIEWS, dim).astype(np.float32),
    )


def is_val(path, val_mod=20):
    """Fixed 5% hold-out by a hash of the image path: stable while shards grow, independent of
    row order."""
    return zlib.crc32(path.encode()) % val_mod == 0


def load(shards, val_mod=20, limit=None, statuses=("ok",), pca=None, extra=(), log=print):
    """Loads the rows of all shards whose status is in `statuses`. Returns dict with train/val
    crops, teacher targets (128-D, L2-normalised), paths, counts and, for a wide teacher, the PCA
    (mean, basis, explained) that made the targets: fitted on the training rows (both views)
    unless given (export passes the checkpoint's, so its targets match training's exactly).
    Rows of the `extra` shards only ever train: the validation split stays that of `shards`, so
    runs with and without extra data are validated on the same images."""
    paths, status, crops, teacher, train_only = [], [], [], [], []
    for s, only_train in [(s, False) for s in shards] + [(s, True) for s in extra]:
        p, st, c, t = read_shard(s)
        paths += p
        status += st
        crops.append(c)
        teacher.append(t)
        train_only += [only_train] * len(p)
    crops = np.concatenate(crops) if crops else np.zeros((0, CROP, CROP, 3), np.uint8)
    teacher = np.concatenate(teacher) if teacher else np.zeros((0, VIEWS, 128), np.float32)
    counts = {k: status.count(k) for k in ("ok", "fallback", "failed")}
    counts["rows"] = len(status)
    counts["extra_rows"] = sum(train_only)
    ok = np.array([s in statuses for s in status], dtype=bool)
    val = np.array([is_val(p, val_mod) and not x for p, x in zip(paths, train_only)], dtype=bool)
    tr_idx = np.nonzero(ok & ~val)[0]
    va_idx = np.nonzero(ok & val)[0]
    if limit is not None:
        tr_idx = tr_idx[:limit]
        va_idx = va_idx[: max(8, limit // 4)]
    if pca is not None and teacher.shape[2] <= teacher_pca.DIM:
        raise ValueError(f"a PCA was given for a {teacher.shape[2]}-D teacher, which needs none")
    if teacher.shape[2] > teacher_pca.DIM:
        if pca is None:
            mean, basis, explained = teacher_pca.fit(teacher[tr_idx].reshape(-1, teacher.shape[2]))
            pca = {"mean": mean, "basis": basis, "explained": explained, "rows": int(2 * len(tr_idx))}
            log(f"teacher PCA {teacher.shape[2]} -> {teacher_pca.DIM} on {pca['rows']} training descriptors: {explained:.3f} of the variance")
        teacher = teacher_pca.project(teacher, pca["mean"], pca["basis"]).astype(np.float32)
    teacher = teacher / np.linalg.norm(teacher, axis=2, keepdims=True).clip(1e-12)
    counts.update(train=int(len(tr_idx)), val=int(len(va_idx)))
    log(f"data: {counts}")
    return {
        "pca": pca,
        "train_crops": torch.from_numpy(crops[tr_idx].copy()),
        "train_teacher": torch.from_numpy(teacher[tr_idx].copy()),
        "train_paths": [paths[i] for i in tr_idx],
        "train_extra": torch.tensor([train_only[i] for i in tr_idx], dtype=torch.bool),
        "val_crops": torch.from_numpy(crops[va_idx].copy()),
        "val_teacher": torch.from_numpy(teacher[va_idx].copy()),
        "val_paths": [paths[i] for i in va_idx],
        "counts": counts,
    }


def synthetic(n=64, seed=0, log=print):
    """Random crops and teacher vectors with the real shapes, for the smoke run where no teacher
    cache exists (CI). Exercises the code path only; never used for a real model."""
    g = torch.Generator().manual_seed(seed)
    crops = torch.randint(0, 256, (n, CROP, CROP, 3), dtype=torch.uint8, generator=g)
    teacher = F.normalize(torch.randn(n, 2, 128, generator=g) + 3.0, dim=2)
    nv = max(8, n // 4)
    counts = {"ok": n + nv, "fallback": 0, "failed": 0, "rows": n + nv, "train": n, "val": nv, "synthetic": True}
    log(f"data: SYNTHETIC (no teacher cache found) {counts}")
    vc = torch.randint(0, 256, (nv, CROP, CROP, 3), dtype=torch.uint8, generator=g)
    vt = F.normalize(torch.randn(nv, 2, 128, generator=g) + 3.0, dim=2)
    return {
        "pca": None,
        "train_crops": crops, "train_teacher": teacher, "train_paths": [f"synthetic/{i}" for i in range(n)],
        "train_extra": torch.zeros(n, dtype=torch.bool),
        "val_crops": vc, "val_teacher": vt, "val_paths": [f"synthetic/v{i}" for i in range(nv)],
        "counts": counts,
    }


def have_rows(shards):
    return any(os.path.exists(os.path.join(s, "index.jsonl")) and os.path.getsize(os.path.join(s, "index.jsonl")) > 0 for s in shards)


def to_unit(crops_u8):
    """uint8 [N,64,64,3] -> float [N,3,64,64] in [0,1]."""
    return crops_u8.permute(0, 3, 1, 2).float().div_(255.0)


def input_mask(crops_u8, share):
    """The encoder's fixed input mask, float32 [1,1,64,64]: 0 where more than `share` of the crops
    are black (all three channels 0), 1 elsewhere."""
    black = (crops_u8.amax(3) == 0).float().mean(0)
    return (black <= share).float()[None, None]


def normalise(x01):
    """[0,1] -> the encoder's input, (x - 0.5) / 0.5."""
    return (x01 - 0.5) / 0.5


def augment(crops_u8, teacher, cfg, gen):
    """Batch augmentation. Returns (x01 [N,3,64,64], target [N,128]).

    flip (target = teacher view 1), small affine jitter (shift/scale/rotation, black fill),
    brightness/contrast jitter, occasional grayscale, random black bands at the top and sides
    (UTK chips often have black top rows; LFW crops do not: the model must not care)."""
    n = crops_u8.shape[0]
    x = to_unit(crops_u8)
    u = lambda *s: torch.rand(*s, generator=gen)

    flip = u(n) < cfg.get("flip", 0.5)
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    target = torch.where(flip[:, None], teacher[:, 1], teacher[:, 0])

    shift = cfg.get("shift_px", 3) * 2.0 / CROP
    scale = 1.0 + (u(n) * 2 - 1) * cfg.get("scale", 0.05)
    rot = (u(n) * 2 - 1) * math.radians(cfg.get("rot_deg", 5))
    tx, ty = (u(n) * 2 - 1) * shift, (u(n) * 2 - 1) * shift
    cos, sin = torch.cos(rot) / scale, torch.sin(rot) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    b = (u(n) * 2 - 1) * cfg.get("brightness", 0.15)
    c = 1.0 + (u(n) * 2 - 1) * cfg.get("contrast", 0.2)
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * c[:, None, None, None] + mean + b[:, None, None, None]
    gray = u(n) < cfg.get("gray", 0.1)
    g = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None].expand_as(x)
    x = torch.where(gray[:, None, None, None], g, x).clamp_(0, 1)

    rows = torch.arange(CROP)
    top = (u(n) < cfg.get("band_top", 0.3)).float() * (u(n) * cfg.get("band_top_max", 16)).floor()
    left = (u(n) < cfg.get("band_side", 0.15)).float() * (u(n) * cfg.get("band_side_max", 8)).floor()
    right = (u(n) < cfg.get("band_side", 0.15)).float() * (u(n) * cfg.get("band_side_max", 8)).floor()
    keep_r = rows[None, :] >= top[:, None]  # [N,H]
    keep_c = (rows[None, :] >= left[:, None]) & (rows[None, :] < CROP - right[:, None])  # [N,W]
    mask = (keep_r[:, :, None] & keep_c[:, None, :]).float()[:, None]
    return x * mask, target
