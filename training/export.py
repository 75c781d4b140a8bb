"""Exports a trained checkpoint.

  /usr/bin/python3 training/export.py --ckpt training/out/v1/best.pt --out models/
  /usr/bin/python3 training/export.py --random --out models/     # placeholder ONNX files only

Writes OUT/encoder.onnx (BN folded, Conv/Relu/Add only, plus weight Casts when the config stores
float16 weights; fails over 25 MFLOPs or 300 KB),
OUT/decoder-m.onnx, OUT/head-{m,s,xs}.onnx (parity tests) and, per rate point, the profile
manifest OUT/build/P.json + OUT/build/P.bin that `facevq profile build` turns into a spec §10
profile. Offsets and lengths in the manifest count float32 elements of the .bin (little-endian).
"""

import argparse
import datetime
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teacher_pca  # noqa: E402
from data import load, shard_spec, synthetic, teacher_meta  # noqa: E402
from metrics import far_thresholds, run_all, spearman_pairs  # noqa: E402
from model import (  # noqa: E402
    GRID_H, GRID_W, PROFILES, FaceVQ, build_model, count_params, export_decoder, export_encoder, export_head, onnx_flops,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_MFLOPS = 25.0
MAX_ONNX_BYTES = 300_000
THRESHOLD_PAIRS = 4_000_000


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class BinWriter:
    """Appends float32 arrays; returns {offset, length} in float32 elements."""

    def __init__(self):
        self.parts, self.n = [], 0

    def add(self, t):
        a = np.ascontiguousarray(t.detach().cpu().numpy() if torch.is_tensor(t) else t, dtype="<f4").ravel()
        ref = {"offset": self.n, "length": int(a.size)}
        self.parts.append(a)
        self.n += a.size
        return ref

    def bytes(self):
        return np.concatenate(self.parts).astype("<f4").tobytes()


def export_onnx(model, out, weights="float32"):
    """Writes the ONNX files; returns (encoder info for the manifests, the deployed encoder)."""
    enc_path = os.path.join(out, "encoder.onnx")
    deployed = export_encoder(model.encoder, enc_path, weights)
    flops, by_op = onnx_flops(enc_path)
    size = os.path.getsize(enc_path)
    info = {
        "params": count_params(model.encoder),
        "mflops": round(flops / 1e6, 3),
        "mflopsByOp": {k: round(v / 1e6, 3) for k, v in by_op.items()},
        "onnxBytes": size,
        "weights": weights,
    }
    if model.encoder.keep is not None:  # the share of the chip the encoder blacks out
        info["inputMasked"] = round(1 - model.encoder.keep.mean().item(), 4)
    log(f"encoder.onnx: {info['params']} params, {info['mflops']} MFLOPs (graph count, 2*MACs + bias/Relu/Add/Mul), {size} bytes")
    if flops / 1e6 > MAX_MFLOPS or size > MAX_ONNX_BYTES:
        raise SystemExit(f"encoder over the limits: {flops / 1e6:.2f} MFLOPs (max {MAX_MFLOPS}), {size} bytes (max {MAX_ONNX_BYTES})")
    export_decoder(model.decoder, os.path.join(out, "decoder-m.onnx"))
    for p in PROFILES:
        export_head(model.heads[p], os.path.join(out, f"head-{p}.onnx"))
    log(f"wrote decoder-m.onnx ({os.path.getsize(os.path.join(out, 'decoder-m.onnx'))} bytes), head-{{{','.join(PROFILES)}}}.onnx")
    return info, deployed


def head_numpy(layers, bin_f32, x):
    """Runs a manifest head (§10.4) in numpy, straight from the .bin: a check of the layout."""
    get = lambda r: bin_f32[r["offset"] : r["offset"] + r["length"]].astype(np.float64)
    y = x.astype(np.float64)
    for l in layers:
        if l["op"] == "dense":
            y = y @ get(l["weight"]).reshape(l["out"], l["in"]).T + get(l["bias"])
        elif l["op"] == "prelu":
            y = np.where(y >= 0, y, get(l["alpha"]) * y)
        elif l["op"] == "l2norm":
            y = y / np.maximum(np.sqrt((y * y).sum(1, keepdims=True)), 1e-12)
    return y


def entropy_bytes(idx, counts, k):
    """Mean ideal code length (bytes) of the rows of idx [N,L] under per-position tables built
    from training counts with +1 smoothing: what a static range coder (§6) approaches."""
    c = np.asarray(counts, dtype=np.float64) + 1.0
    p = c / c.sum(1, keepdims=True)
    bits = -np.log2(p[np.arange(idx.shape[1])[None, :], idx]).sum(1)
    return float(bits.mean() / 8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt")
    ap.add_argument("--out", default=os.path.join(REPO, "models"))
    ap.add_argument("--random", action="store_true", help="export a randomly initialised model (placeholders)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    if args.random:
        torch.manual_seed(0)
        export_onnx(FaceVQ().eval(), args.out)
        return
    ck = torch.load(args.ckpt)
    cfg = ck["config"]
    model = build_model(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    enc_info, deployed = export_onnx(model, args.out, cfg.get("encoder_weights", "float32"))
    # Indices, entropy tables, thresholds and metrics come from the encoder the device runs (BN
    # folded, weights as stored), so the profile describes exactly the ONNX file's output.
    model.encoder = deployed

    if cfg.get("synthetic"):  # a smoke checkpoint trained on random data (CI): same for the export
        data = synthetic(cfg["limit"], cfg["seed"], log=log)
        crop_meta = {"size": 64, "channels": 3, "template": None}
    else:
        exclude = json.load(open(os.path.join(REPO, cfg["exclude"])))["exclude"] if cfg.get("exclude") else []
        data = load(cfg["shards"], val_mod=cfg["val_mod"], statuses=tuple(cfg.get("statuses", ["ok"])), pca=ck.get("pca"),
                    extra=cfg.get("extra_shards", []), exclude=exclude, repo=REPO, holdout_mod=cfg.get("holdout_identity_mod", 0), log=log)
        meta = teacher_meta(shard_spec(cfg["shards"][0], REPO)[0])
        crop_meta, teacher_name = meta["crop"], meta["teacher"]
    log("running the model over the training and validation sets")
    tr = run_all(model, data["train_crops"][:, 0])  # the plain chips: what a device sends
    va = run_all(model, data["val_crops"], want_recon=True)
    t_val = data["val_teacher"][:, 0]
    build = os.path.join(args.out, "build")
    os.makedirs(build, exist_ok=True)
    if data["pca"] is not None:
        pca = data["pca"]
        teacher_pca.write(build, pca, teacher_name)
        log(f"teacher PCA written: {pca['basis'].shape[0]} of {pca['mean'].shape[0]} dims, {pca['explained']:.3f} of the variance")

    for p, (G, dim, K) in PROFILES.items():
        q = model.quantizers[p]
        w = BinWriter()
        codebooks = [w.add(q.codebook[g]) for g in range(G)]  # entry-major, K*dim
        layers = []
        for l in model.heads[p].fused_layers():
            if l[0] == "dense":
                layers.append({"op": "dense", "in": int(l[1].shape[1]), "out": int(l[1].shape[0]), "weight": w.add(l[1]), "bias": w.add(l[2])})
            elif l[0] == "prelu":
                layers.append({"op": "prelu", "alpha": w.add(l[1])})
            else:
                layers.append({"op": "l2norm"})
        idx_tr = tr["idx"][p].numpy()
        plane = [np.bincount(idx_tr[:, g::G].ravel(), minlength=K).tolist() for g in range(G)]
        position = [np.bincount(idx_tr[:, n], minlength=K).tolist() for n in range(idx_tr.shape[1])]
        thresholds = far_thresholds(tr["emb"][p], THRESHOLD_PAIRS, seed=cfg["seed"])
        e_val = va["emb"][p]
        bits = GRID_H * GRID_W * G * math.ceil(math.log2(K))
        metrics = {
            "valCosToTeacher": round(float((e_val * t_val).sum(1).mean()), 4),
            "valSpearmanPairs": round(spearman_pairs(e_val, t_val), 4),
            "valImages": int(len(e_val)),
            "fixedBodyBytes": math.ceil(bits / 8),
            "valEntropyBytesPosition": round(entropy_bytes(va["idx"][p].numpy(), position, K), 2),
            "planePerplexity": [round(float(2 ** (-(lambda c: (c[c > 0] * np.log2(c[c > 0])).sum())(np.array(c) / sum(c)))), 1) for c in plane],
            "thresholdPairs": THRESHOLD_PAIRS,
        }
        if p == "m":
            metrics["valReconL1"] = round(va["recon_l1"], 4)
        binary = w.bytes()
        manifest = {
            "name": p,
            "grid": {"h": GRID_H, "w": GRID_W, "k": [K] * G, "dim": [dim] * G},
            "codebooks": codebooks,
            "head": {"dim": 128, "layers": layers},
            "counts": {"plane": plane, "position": position},
            "thresholds": thresholds,
            "thresholdsNote": "cosine thresholds of quantised-path embeddings at FAR 1e-2/1e-3/1e-4 over "
            f"{THRESHOLD_PAIRS} random pairs of distinct UTKFace training images; UTKFace has no identity "
            "labels, so random pairs are almost surely different people (impostors)",
            "crop": crop_meta,
            "encoder": {"file": "encoder.onnx", "mean": 0.5, "std": 0.5, **enc_info},
            "metrics": metrics,
            "meta": {
                "trainingData": "SYNTHETIC random data (smoke test, not a model)" if cfg.get("synthetic") else f"UTKFace (aligned crops; teacher = {teacher_name}); rows with "
                f"status {' or '.join(cfg.get('statuses', ['ok']))}; 5% hold-out by crc32(path) % 20 == 0; "
                + (
                    f"plus {data['counts']['extra_rows']} training-only rows of {', '.join(cfg['extra_shards'])}: "
                    "evaluate only on faces of other people (for LFW DevTrain: View 1 DevTest)"
                    if cfg.get("extra_shards") else "LFW never used in training"
                ),
                "counts": data["counts"],  # rows in the cache at export time (counts, thresholds, val)
                "trainedOnCounts": ck.get("counts"),  # rows that existed when training started
                "seed": cfg["seed"],
                "config": cfg["name"],
                "initFrom": cfg.get("init"),  # a run that starts from another's weights
                "epochs": ck["epoch"],
                "steps": ck["step"],
                "trainSeconds": round(ck.get("train_seconds", 0.0)),
                "checkpoint": os.path.relpath(os.path.abspath(args.ckpt), REPO),
                "date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        # Check: the manifest head, run from the .bin, equals the torch head on quantised inputs.
        from model import grid_flatten

        with torch.no_grad():
            x = grid_flatten(q.lookup(va["idx"][p][:16])).numpy()
        y = head_numpy(layers, np.frombuffer(binary, dtype="<f4"), x)
        err = float(np.abs(y - e_val[:16].numpy()).max())
        assert err < 1e-4, f"{p}: manifest head differs from torch by {err}"
        with open(os.path.join(build, f"{p}.bin"), "wb") as f:
            f.write(binary)
        with open(os.path.join(build, f"{p}.json"), "w") as f:
            json.dump(finite(manifest), f, indent=1, allow_nan=False)
        log(f"{p}: {len(binary)} bytes .bin, metrics {metrics}, thresholds {thresholds}")


def finite(value):
    """The manifest with NaN and infinities (undefined metrics on tiny smoke sets) as null, so the
    file stays valid JSON."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


if __name__ == "__main__":
    main()
