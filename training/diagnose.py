"""How far the student is from the teacher on faces it never trained on, and what closing the gap
would buy. Development data only: run it on LFW View 1 (a `facevq teacher --pairs
pairsDevTrain.txt` cache), never on View 2.

  /usr/bin/python3 training/diagnose.py --ckpt training/out/v6/best.pt \\
      --cache .cache/teacher/lfw-devtrain --pairs ../shared/data/lfw-protocol/pairsDevTrain.txt \\
      [--mask-from training/out/v7/best.pt]

For each profile it prints the mean cosine between the student's and the teacher's embeddings of
the cached chips, and the pairs' best-threshold accuracy and ROC AUC. `--mask-from CKPT` also runs the
student on chips blacked out by the input mask that CKPT's encoder holds: v7's mask, tried on a
model trained without it. Last, a mixing curve: embeddings
norm(a * teacher + (1 - a) * student) for a from 0 to 1, their cosine to the teacher and their
accuracy, i.e. roughly how close to the teacher the student must get for a given accuracy.

Scores come from the float PyTorch model, not the exported ONNX and codec path of `facevq eval`,
so they agree with it closely but not exactly.
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teacher_pca  # noqa: E402
from data import read_shard  # noqa: E402
from metrics import run_all  # noqa: E402
from model import PROFILES, build_model  # noqa: E402


def lfw_pairs(pairs_file, row_of):
    """(row a, row b, same) for each pair of an LFW pairs file whose two images are cached."""
    image = lambda person, n: f"{person}/{person}_{int(n):04d}.jpg"  # noqa: E731
    out = []
    for line in open(pairs_file).read().split("\n")[1:]:
        f = line.split()
        if len(f) == 3:
            a, b, same = image(f[0], f[1]), image(f[0], f[2]), 1
        elif len(f) == 4:
            a, b, same = image(f[0], f[1]), image(f[2], f[3]), 0
        else:
            continue
        if a in row_of and b in row_of:
            out.append((row_of[a], row_of[b], same))
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)


def verification(emb, pairs):
    """(best-threshold accuracy %, ROC AUC) of cosine scores over the pairs."""
    score = (emb[pairs[:, 0]] * emb[pairs[:, 1]]).sum(1)
    same = pairs[:, 2] == 1
    order = np.argsort(-score, kind="stable")
    s, y = score[order], same[order]
    # Accept the k best-scoring pairs, k = 0..n (ties broken by order: an upper bound, as usual).
    correct = np.concatenate([[(~y).sum()], (~y).sum() + np.cumsum(np.where(y, 1, -1))])
    ranks = np.empty(len(score))
    ranks[np.argsort(score, kind="stable")] = np.arange(1, len(score) + 1)
    npos, nneg = same.sum(), (~same).sum()
    auc = (ranks[same].sum() - npos * (npos + 1) / 2) / max(1, npos * nneg)
    return 100 * correct.max() / len(s), auc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--cache", required=True, help="a facevq teacher cache of View-1 images (2 views)")
    ap.add_argument("--pairs", required=True, help="the LFW pairs file those images come from")
    ap.add_argument("--mask-from", default=None, help="also try the input mask of this checkpoint")
    args = ap.parse_args()
    torch.set_num_threads(1)

    ck = torch.load(args.ckpt)
    model = build_model(ck["config"])
    model.load_state_dict(ck["model"])
    paths, _, crops, teacher = read_shard(args.cache)
    t = unit(teacher_pca.project(teacher[:, 0], ck["pca"]["mean"], ck["pca"]["basis"]))
    pairs = lfw_pairs(args.pairs, {p: i for i, p in enumerate(paths)})
    print(f"{len(paths)} chips, {len(pairs)} pairs; the teacher: accuracy {verification(t, pairs)[0]:.2f}%")

    inputs = {"as trained": crops}
    if args.mask_from is not None:
        keep = torch.load(args.mask_from)["model"]["encoder.keep"][0, 0].numpy().astype(np.uint8)
        inputs[f"chips masked ({1 - keep.mean():.3f} black)"] = crops * keep[None, :, :, None]
    student = {}
    for name, chips in inputs.items():
        emb = run_all(model, torch.from_numpy(np.ascontiguousarray(chips)))["emb"]
        for p in PROFILES:
            e = unit(emb[p].numpy())
            student[(name, p)] = e
            acc, auc = verification(e, pairs)
            print(f"{name:32s} {p:2s}: cosine to the teacher {(e * t).sum(1).mean():.3f}, accuracy {acc:.2f}%, AUC {auc:.4f}")

    name = list(inputs)[-1]
    print(f"mixing curve, profile m, {name}:")
    for a in np.linspace(0, 1, 11):
        mix = unit(a * t + (1 - a) * student[(name, "m")])
        print(f"  a {a:.1f}: cosine to the teacher {(mix * t).sum(1).mean():.3f}, accuracy {verification(mix, pairs)[0]:.2f}%")


if __name__ == "__main__":
    main()
