"""Near-duplicate check of the training corpora against every LFW image.

LFW View 2 must stay unseen. CelebA's identities were chosen disjoint from LFW's, but the same
photograph can sit in two corpora under other crops, so every training row's plain chip is
compared with every LFW chip by the teacher itself: both descriptors projected to the teacher's
128-D PCA space (centred, normalised), and a training row whose nearest LFW image is closer than
`--threshold` is dropped. The same photograph cropped differently scores about 0.98 (two
landmark sources on the same 40 CelebA images: mean 0.983, min 0.95); two photographs of one
person rarely pass 0.9.

    /usr/bin/python3 training/dedup.py --lfw .cache/teacher/v8/lfw --shards .cache/teacher/v8/celeba-ids ... \
        --out .cache/teacher/v8/lfw-near-duplicates.json

Writes {"exclude": ["SHARD/PATH", ...], "threshold", "counts"} for train.py's `exclude`, and prints
how many rows pass 0.85, 0.90 and 0.95.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teacher_pca  # noqa: E402
from data import read_shard  # noqa: E402
from model import matmul_t  # noqa: E402
from warm_start import load_pca  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def unit_pca(raw, pca):
    return F.normalize(torch.from_numpy(teacher_pca.project(raw, pca["mean"], pca["basis"]).astype(np.float32)), dim=1)


def nearest_lfw(train, lfw, chunk=4096):
    """For each training row, the highest cosine to any LFW row and that row's index."""
    best = torch.empty(len(train)), torch.empty(len(train), dtype=torch.long)
    for i in range(0, len(train), chunk):
        s = matmul_t(train[i : i + chunk], lfw)
        v, j = s.max(1)
        best[0][i : i + chunk], best[1][i : i + chunk] = v, j
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lfw", required=True, help="teacher cache of all LFW images (facevq teacher --views 1)")
    ap.add_argument("--shards", nargs="+", required=True)
    ap.add_argument("--pca", default=os.path.join(REPO, "models", "build"), help="folder of teacher-pca.json/.bin")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    pca = load_pca(args.pca)
    lfw_paths, lfw_status, _, lfw_t = read_shard(args.lfw)
    lfw = unit_pca(lfw_t[:, 0], pca)
    print(f"LFW: {len(lfw_paths)} images ({lfw_status.count('ok')} detected)")
    exclude, counts = [], {}
    for shard in args.shards:
        name = os.path.basename(os.path.normpath(shard))
        paths, status, _, t = read_shard(shard)
        score, j = nearest_lfw(unit_pca(t[:, 0], pca), lfw)
        hit = (score >= args.threshold).nonzero().flatten().tolist()
        counts[name] = {"rows": len(paths), **{f">={x}": int((score >= x).sum()) for x in (0.85, 0.9, 0.95)}}
        print(f"{name}: {counts[name]}")
        for i in hit[:10]:
            print(f"  {paths[i]} ~ {lfw_paths[j[i]]} ({score[i]:.3f})")
        exclude += [f"{name}/{paths[i]}" for i in hit]
    with open(args.out, "w") as f:
        json.dump({"threshold": args.threshold, "lfw": len(lfw_paths), "counts": counts, "exclude": exclude}, f, indent=1)
    print(f"dedup: {len(exclude)} training rows within {args.threshold} of an LFW image -> {args.out}")


if __name__ == "__main__":
    main()
