"""Teacher cache reader and batch augmentation.

A shard folder written by `facevq teacher` holds (rows appended in step):
  index.jsonl   one JSON per row: {"path", "status": "ok"|"fallback"|"failed", "box", "lm5"}
  crops.u8      chipsPerRow * 64*64*3 uint8 per row, HWC RGB
  teacher.f32   views * D float32 LE per row
  meta.json     views, chipsPerRow, descriptorDim (D), the teacher's name, the augmentation
The writer may be running: only rows complete in all three files are read.

Two layouts, read into one shape (crops [n, V, 64, 64, 3], teacher [n, V, D]):
- augmented (`facevq teacher --views K --augment SEED`, models v8): each of the K views is its own
  chip, re-warped from the source photo and described by the teacher as it is (consistent
  distillation);
- plain (v1-v7): one chip a row; view 1, where present, is the teacher's descriptor of the mirror
  image, whose chip is made here by flipping.

Teachers wider than 128-D (faceres, 1024-D) are projected to 128-D by a PCA (teacher_pca.py); the
loaded targets are always L2-normalised 128-D vectors.
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


def teacher_meta(folder):
    """The shard's meta.json (teacher name, views, chipsPerRow, descriptorDim)."""
    return json.load(open(os.path.join(folder, "meta.json")))


def read_shard(folder):
    """Returns (paths, status, crops uint8 [n,V,64,64,3], teacher float32 [n,V,D])."""
    meta = teacher_meta(folder)
    dim, views, chips = meta["descriptorDim"], meta["views"], meta.get("chipsPerRow", 1)
    if chips not in (1, views):
        raise ValueError(f"{folder}: {chips} chips a row for {views} views")
    floats = views * dim
    with open(os.path.join(folder, "index.jsonl"), "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")[:-1]  # the last piece is empty or a row still being written
    n = min(
        len(lines),
        os.path.getsize(os.path.join(folder, "crops.u8")) // (chips * CROP_BYTES),
        os.path.getsize(os.path.join(folder, "teacher.f32")) // (floats * 4),
    )
    rows = [json.loads(l) for l in lines[:n]]
    crops = np.fromfile(os.path.join(folder, "crops.u8"), dtype=np.uint8, count=n * chips * CROP_BYTES)
    crops = crops.reshape(n, chips, CROP, CROP, 3)
    if chips == 1 and views == 2:  # plain layout: view 1 is the mirror image
        crops = np.concatenate([crops, crops[:, :, :, ::-1]], axis=1)
    teacher = np.fromfile(os.path.join(folder, "teacher.f32"), dtype="<f4", count=n * floats)
    return (
        [r["path"] for r in rows],
        [r["status"] for r in rows],
        crops,
        teacher.reshape(n, views, dim).astype(np.float32),
    )


def identity_labels(paths, rule, repo):
    """CelebA identity ids of a shard's rows (-1 where unknown), by `rule`: "prefix" (file names
    ID_IMAGE.jpg, as CelebA_Samples names them) or "celeba-file:PATH" (image name -> id, from
    CelebA's identity_CelebA.txt, relative to the repository)."""
    if rule == "prefix":
        return [int(os.path.basename(p).split("_", 1)[0]) for p in paths]
    if rule.startswith("celeba-file:"):
        ids = {}
        with open(os.path.join(repo, rule.split(":", 1)[1])) as f:
            for line in f:
                name, ident = line.split()
                ids[name] = int(ident)
        return [ids.get(os.path.basename(p), -1) for p in paths]
    raise ValueError(f"unknown identity rule {rule!r}")


def is_val(path, val_mod=20):
    """Fixed 5% hold-out by a hash of the image path: stable while shards grow, independent of
    row order."""
    return zlib.crc32(path.encode()) % val_mod == 0


def shard_spec(entry, repo):
    """A config's shard entry: a path, or {"path", "identity": rule} (identity_labels)."""
    if isinstance(entry, str):
        entry = {"path": entry}
    return os.path.join(repo, entry["path"]), entry.get("identity")


def is_holdout(label, holdout_mod):
    """Identities kept out of training and validation alike (CelebA id % holdout_mod == 0): never
    seen people, for calibrating the profiles' thresholds on labelled impostor pairs."""
    return holdout_mod > 0 and label >= 0 and label % holdout_mod == 0


def load(shards, val_mod=20, limit=None, statuses=("ok",), pca=None, extra=(), exclude=(), repo="", holdout_mod=0, log=print):
    """Loads the rows of all shards whose status is in `statuses`. Returns dict with train crops
    and targets of every view ([n,V,64,64,3], [n,V,128]), validation crops of view 0 (the plain
    chip) with the targets of every view, paths, CelebA identity labels (-1 where unknown), counts
    and, for a wide teacher, the PCA (mean, basis, explained) that made the targets: fitted on the
    training rows (all views) unless given (a schedule from a checkpoint keeps its targets).
    Rows of the `extra` shards only ever train: the validation split stays that of `shards`, so
    runs with and without extra data are validated on the same images. `exclude` holds
    "SHARD_FOLDER/PATH" strings of rows to drop (the near-duplicates of LFW images, dedup.py);
    identities that is_holdout(label, holdout_mod) names are dropped too."""
    paths, status, crops, teacher, train_only, labels, keys = [], [], [], [], [], [], []
    entries = [(e, False) for e in shards] + [(e, True) for e in extra]
    for entry, only_train in entries:
        folder, rule = shard_spec(entry, repo)
        p, st, c, t = read_shard(folder)
        if crops and c.shape[1] != crops[0].shape[1]:
            raise ValueError(f"{folder}: {c.shape[1]} views where the other shards have {crops[0].shape[1]}")
        paths += p
        status += st
        crops.append(c)
        teacher.append(t)
        train_only += [only_train] * len(p)
        labels += identity_labels(p, rule, repo) if rule else [-1] * len(p)
        name = os.path.basename(os.path.normpath(folder))
        keys += [f"{name}/{x}" for x in p]
    crops = np.concatenate(crops)
    teacher = np.concatenate(teacher)
    counts = {k: status.count(k) for k in ("ok", "fallback", "failed")}
    counts["rows"] = len(status)
    counts["extra_rows"] = sum(train_only)
    excluded = set(exclude)
    dropped = np.array([k in excluded for k in keys], dtype=bool)
    counts["excluded"] = int(dropped.sum())
    held = np.array([is_holdout(l, holdout_mod) for l in labels], dtype=bool)
    counts["holdout"] = int(held.sum())
    ok = np.array([s in statuses for s in status], dtype=bool) & ~dropped & ~held
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
            pca = {"mean": mean, "basis": basis, "explained": explained, "rows": int(teacher.shape[1] * len(tr_idx))}
            log(f"teacher PCA {teacher.shape[2]} -> {teacher_pca.DIM} on {pca['rows']} training descriptors: {explained:.3f} of the variance")
        teacher = teacher_pca.project(teacher, pca["mean"], pca["basis"]).astype(np.float32)
    teacher = teacher / np.linalg.norm(teacher, axis=2, keepdims=True).clip(1e-12)
    # Identity ids -> contiguous classes over the training rows (validation rows keep theirs or -1).
    ids = sorted({labels[i] for i in tr_idx if labels[i] >= 0})
    klass = {v: k for k, v in enumerate(ids)}
    train_labels = [klass.get(labels[i], -1) for i in tr_idx]
    counts.update(train=int(len(tr_idx)), val=int(len(va_idx)), identities=len(ids),
                  labelled=int(sum(l >= 0 for l in train_labels)), views=int(crops.shape[1]))
    log(f"data: {counts}")
    return {
        "pca": pca,
        "train_crops": torch.from_numpy(crops[tr_idx]),
        "train_teacher": torch.from_numpy(teacher[tr_idx]),
        "train_paths": [paths[i] for i in tr_idx],
        "train_extra": torch.tensor([train_only[i] for i in tr_idx], dtype=torch.bool),
        "train_labels": torch.tensor(train_labels, dtype=torch.long),
        "val_crops": torch.from_numpy(crops[va_idx, 0]),
        "val_teacher": torch.from_numpy(teacher[va_idx]),
        "val_paths": [paths[i] for i in va_idx],
        "counts": counts,
    }


def synthetic(n=64, seed=0, log=print):
    """Random crops and teacher vectors with the real shapes, for the smoke run where no teacher
    cache exists (CI). Exercises the code path only; never used for a real model."""
    g = torch.Generator().manual_seed(seed)
    crops = torch.randint(0, 256, (n, 2, CROP, CROP, 3), dtype=torch.uint8, generator=g)
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
        "train_labels": torch.arange(n) % 4 - (torch.arange(n) % 3 == 0).long() * 5,  # 4 classes and -1s
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


def pick_views(n, views, cfg, gen):
    """Which view of each row trains: view 0 (the plain chip) with probability `plain`
    (default 1 - `flip`, so a plain cache's mirror view keeps its old `flip` meaning), the others
    uniformly."""
    plain = cfg.get("plain", 1.0 - cfg.get("flip", 0.5))
    other = 1 + (torch.rand(n, generator=gen) * (views - 1)).long().clamp(max=max(0, views - 2))
    return torch.where(torch.rand(n, generator=gen) < plain, torch.zeros_like(other), other) if views > 1 else torch.zeros(n, dtype=torch.long)


def augment(crops_u8, teacher, cfg, gen):
    """Batch augmentation. crops [N,V,64,64,3], teacher [N,V,128]. Returns (x01 [N,3,64,64],
    target [N,128]).

    One view of each row with the teacher's descriptor of that very view (pick_views), then, for
    caches whose views are only the chip and its mirror image, the augmentation the old recipes
    used against a fixed target: a small affine jitter (shift/scale/rotation, black fill),
    brightness/contrast jitter, occasional grayscale, random black bands at the top and sides
    (UTK chips often have black top rows; LFW crops do not). A config with an augmented cache sets
    those to 0: its views carry their own jitter, described by the teacher."""
    n = crops_u8.shape[0]
    view = pick_views(n, crops_u8.shape[1], cfg, gen)
    rows = torch.arange(n)
    x = to_unit(crops_u8[rows, view])
    target = teacher[rows, view]
    u = lambda *s: torch.rand(*s, generator=gen)
    if not any(cfg.get(k, d) for k, d in (("shift_px", 3), ("scale", 0.05), ("rot_deg", 5), ("brightness", 0.15),
                                          ("contrast", 0.2), ("gray", 0.1), ("band_top", 0.3), ("band_side", 0.15))):
        return x, target

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
