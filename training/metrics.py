"""Evaluation helpers shared by train.py and export.py."""

import numpy as np
import torch

from data import normalise, to_unit
from model import PROFILES, grid_flatten


@torch.no_grad()
def run_all(model, crops_u8, batch=512, want_recon=False):
    """Runs the eval-mode model over uint8 crops. Returns dict:
    emb[p] [N,128] for p in PROFILES + 'pre', idx[p] [N,16G] int64, recon_l1 (mean, if asked)."""
    model.eval()
    emb = {p: [] for p in list(PROFILES) + ["pre"]}
    idx = {p: [] for p in PROFILES}
    l1, count = 0.0, 0
    for i in range(0, crops_u8.shape[0], batch):
        x01 = to_unit(crops_u8[i : i + batch])
        z = model.encoder(normalise(x01))
        emb["pre"].append(model.heads["pre"](grid_flatten(z)))
        for p, q in model.quantizers.items():
            ix = q.indices(z)
            zq = q.lookup(ix)
            idx[p].append(ix)
            emb[p].append(model.heads[p](grid_flatten(zq)))
            if p == "m" and want_recon:
                l1 += (model.decoder(zq) - x01).abs().mean((1, 2, 3)).sum().item()
                count += x01.shape[0]
    out = {
        "emb": {p: torch.cat(v) for p, v in emb.items()},
        "idx": {p: torch.cat(v) for p, v in idx.items()},
    }
    if want_recon:
        out["recon_l1"] = l1 / max(1, count)
    return out


def _rank(a):
    r = np.empty(len(a), dtype=np.float64)
    r[np.argsort(a, kind="stable")] = np.arange(len(a))
    return r


def spearman_pairs(student, teacher, max_n=1500):
    """Spearman correlation between the student's and the teacher's cosine similarity over all
    pairs i<j of (at most max_n) items."""
    s = student[:max_n].numpy().astype(np.float64)
    t = teacher[:max_n].numpy().astype(np.float64)
    iu = np.triu_indices(len(s), 1)
    a, b = (s @ s.T)[iu], (t @ t.T)[iu]
    if len(a) < 2:
        return float("nan")
    return float(np.corrcoef(_rank(a), _rank(b))[0, 1])


def codebook_stats(idx, k, groups):
    """Per-plane perplexity and fraction of codes used, from grid indices [N,16G]."""
    out = []
    for g in range(groups):
        c = torch.bincount(idx[:, g::groups].flatten(), minlength=k).double()
        p = c / c.sum().clamp(min=1)
        ent = -(p[p > 0] * p[p > 0].log()).sum().item()
        out.append({"perplexity": round(float(np.exp(ent)), 1), "used": round(float((c > 0).float().mean()), 3)})
    return out


def val_metrics(model, data):
    """Val cosine to teacher view 0 and pair-similarity Spearman per rate point (+ 'pre')."""
    r = run_all(model, data["val_crops"], want_recon=True)
    t = data["val_teacher"][:, 0]
    out = {"recon_l1": round(r["recon_l1"], 4)}
    for p, e in r["emb"].items():
        out[f"cos_{p}"] = round(float((e * t).sum(1).mean()), 4)
        out[f"spearman_{p}"] = round(spearman_pairs(e, t), 4)
    return out


def far_thresholds(emb, pairs=2_000_000, seed=0, fars=(1e-2, 1e-3, 1e-4)):
    """Cosine thresholds at the given false-accept rates over random pairs of distinct rows.
    UTKFace has no identity labels: random pairs of distinct images are almost surely different
    people (a few same-person pairs only make the thresholds slightly conservative)."""
    g = np.random.default_rng(seed)
    n = emb.shape[0]
    e = emb.numpy().astype(np.float32)
    a = g.integers(0, n, pairs)
    b = (a + g.integers(1, n, pairs)) % n  # b != a
    sims = np.empty(pairs, np.float32)
    for i in range(0, pairs, 200_000):
        sims[i : i + 200_000] = (e[a[i : i + 200_000]] * e[b[i : i + 200_000]]).sum(1)
    sims.sort()
    return {f"far{('%.0e' % f).replace('-0', '-').replace('e-', 'e')}": float(sims[int(np.ceil((1 - f) * pairs)) - 1]) for f in fars}
