"""Trains the facevq VQ-VAE + distillation heads on the teacher cache.

  /usr/bin/python3 training/train.py --config training/configs/v1.json [--smoke] [--out DIR] [--resume]

Writes DIR/last.pt every epoch (restart with --resume), DIR/best.pt (best val cosine of `m` and
`s`), DIR/log.jsonl (one JSON per epoch) and DIR/config.json.
"""

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import augment, have_rows, input_mask, load, normalise, shard_spec, synthetic  # noqa: E402
from metrics import codebook_stats, val_metrics  # noqa: E402
from model import PROFILES, CosFace, build_model, count_params, grid_flatten, matmul_t  # noqa: E402
from warm_start import freeze_bn, warm_start  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def distill_loss(e, t, mu, w):
    """e, t: L2-normalised [B,128]. 1-cos, 1-cos of the mean-centred vectors (random pairs of the
    teacher sit at cosine ~0.86: centring spreads what identifies a face), and MSE of in-batch
    similarity matrices (relational)."""
    cos = 1.0 - (e * t).sum(1).mean()
    ce, ct = F.normalize(e - mu, dim=1), F.normalize(t - mu, dim=1)
    ccos = 1.0 - (ce * ct).sum(1).mean()
    rel = F.mse_loss(matmul_t(ce, ce), matmul_t(ct, ct))
    return w["cos"] * cos + w["ccos"] * ccos + w["rel"] * rel, 1.0 - cos.item(), rel.item()


def lr_at(step, progress, cfg):
    """Linear warm-up over warmup_steps, then cosine decay over progress in [0,1]."""
    if step < cfg["warmup_steps"]:
        return cfg["lr"] * (step + 1) / cfg["warmup_steps"]
    return cfg["lr_min"] + 0.5 * (cfg["lr"] - cfg["lr_min"]) * (1 + math.cos(math.pi * min(1.0, progress)))


def progress_of(step, total, seconds, cfg):
    """Fraction of the run done: by steps, or by wall time when time_budget_min is set and the
    machine is slower than planned (the schedule then ends early but still anneals fully)."""
    p = step / max(1, total)
    if cfg.get("time_budget_min"):
        p = max(p, seconds / (cfg["time_budget_min"] * 60))
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--smoke", action="store_true", help="1 epoch on <=64 images (CI)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    ap.add_argument("--epochs", type=int, default=None, help="override the config (short tests)")
    args = ap.parse_args()

    cfg = json.load(open(args.config))
    if args.smoke:
        cfg.update(epochs=1, limit=64, batch=32, vq_warmup_steps=1, warmup_steps=1, eval_every=1)
    if args.epochs is not None:
        cfg["epochs"] = args.epochs
    out = args.out or os.path.join(REPO, "training", "out", cfg["name"] + ("-smoke" if args.smoke else ""))
    os.makedirs(out, exist_ok=True)
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)

    torch.set_num_threads(cfg.get("threads", 2))
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    random.seed(cfg["seed"])
    gen = torch.Generator().manual_seed(cfg["seed"])

    # A new schedule from a finished run's weights (codebooks included) keeps that run's teacher
    # targets: its PCA, even when extra shards would have moved a refit.
    init = torch.load(os.path.join(REPO, cfg["init"])) if cfg.get("init") else None
    model = build_model(cfg)
    # Or from the shipped model files (warm_start.py), whose teacher PCA it keeps likewise.
    init_pca = init.get("pca") if init else warm_start(model, os.path.join(REPO, cfg["init_models"])) if cfg.get("init_models") else None
    shards, extra = cfg["shards"], cfg.get("extra_shards", [])
    exclude = json.load(open(os.path.join(REPO, cfg["exclude"])))["exclude"] if cfg.get("exclude") else []
    if args.smoke and not have_rows([shard_spec(s, REPO)[0] for s in shards]):
        cfg["synthetic"] = True  # CI without a teacher cache: random data, code path only
        data = synthetic(cfg["limit"], cfg["seed"], log=log)
    else:
        data = load(
            shards, val_mod=cfg["val_mod"], limit=cfg.get("limit"), statuses=tuple(cfg.get("statuses", ["ok"])),
            pca=init_pca, extra=extra, exclude=exclude, repo=REPO, holdout_mod=cfg.get("holdout_identity_mod", 0), log=log,
        )
    xs, ts = data["train_crops"], data["train_teacher"]
    n = xs.shape[0]
    labels = data["train_labels"]
    mu = ts[:, 0].mean(0)  # teacher mean direction, for the centred losses
    w = cfg["loss"]

    if cfg.get("input_mask") is not None:
        # From the main shards' plain training chips only, so extra data does not move the mask.
        model.encoder.keep.copy_(input_mask(xs[~data["train_extra"]][:, 0], cfg["input_mask"]))
        log(f"input mask: {1 - model.encoder.keep.mean().item():.3f} of the chip is black in more than {cfg['input_mask']} of the training chips")
    if init:  # a run from before the input mask has no `keep`: the one just computed stays
        missing, unexpected = model.load_state_dict(init["model"], strict=False)
        if unexpected or set(missing) - {"encoder.keep"}:
            raise SystemExit(f"{cfg['init']} does not match the config: missing {missing}, unexpected {unexpected}")
        log(f"weights from {cfg['init']} (epoch {init['epoch']}, step {init['step']})")
    if cfg.get("channels_last", True):  # 1.6x faster encoder fwd+bwd here (measured, torch 1.13 CPU)
        model.encoder.to(memory_format=torch.channels_last)
        model.decoder.to(memory_format=torch.channels_last)
    log(
        f"params: encoder {count_params(model.encoder)}, decoder {count_params(model.decoder)}, "
        f"head {count_params(model.heads['m'])} each"
    )
    head_params = [p for h in model.heads.values() for p in h.parameters()]
    # Identity supervision on the labelled rows (CelebA), beside the distillation: loss.identity.
    classes = int(labels.max()) + 1 if len(labels) else 0
    cosface = CosFace(classes, **cfg.get("cosface", {})) if w.get("identity") and classes > 0 else None
    if cosface is not None:
        head_params += list(cosface.parameters())
        log(f"identity loss: {classes} identities, {int((labels >= 0).sum())} labelled training rows")
    opt = torch.optim.AdamW(
        [
            {"params": list(model.encoder.parameters()) + list(model.decoder.parameters()), "weight_decay": cfg["wd"]},
            {"params": head_params, "weight_decay": cfg["wd_head"]},
        ],
        lr=cfg["lr"],
    )
    steps_per_epoch = max(1, n // cfg["batch"])
    total = steps_per_epoch * cfg["epochs"]
    step, epoch0, best = 0, 0, -1.0
    t_used = 0.0  # training seconds in earlier runs (resume)
    ckpt_path = os.path.join(out, "last.pt")
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        if cosface is not None:
            cosface.load_state_dict(ck["cosface"])
        opt.load_state_dict(ck["opt"])
        step, epoch0, best, t_used = ck["step"], ck["epoch"], ck["best"], ck.get("train_seconds", 0.0)
        gen.set_state(ck["gen"])
        torch.set_rng_state(ck["torch_rng"])
        log(f"resumed from {ckpt_path}: epoch {epoch0}, step {step}")
    logf = open(os.path.join(out, "log.jsonl"), "a")
    t_start = time.time()

    def train_mode():
        model.train()
        if cfg.get("freeze_bn"):
            freeze_bn(model)

    for epoch in range(epoch0, cfg["epochs"]):
        train_mode()
        t0 = time.time()
        perm = torch.randperm(n, generator=gen)
        sums, cnt = {}, 0
        idx_epoch = {p: [] for p in PROFILES}
        restarts = {p: 0 for p in PROFILES}
        stop = False
        for bi in range(steps_per_epoch):
            sel = perm[bi * cfg["batch"] : (bi + 1) * cfg["batch"]]
            x01, target = augment(xs[sel], ts[sel], cfg["augment"], gen)
            progress = progress_of(step, total, t_used + time.time() - t_start, cfg)
            lr = lr_at(step, progress, cfg)
            for g_ in opt.param_groups:
                g_["lr"] = lr

            z = model.encoder(normalise(x01).contiguous(memory_format=torch.channels_last))
            vq_on = step >= cfg["vq_warmup_steps"]
            if vq_on and not bool(model.quantizers["m"].initialised):
                with torch.no_grad():  # k-means init from current latents of a few batches
                    model.eval()
                    pick = torch.randperm(n, generator=gen)[: cfg["kmeans_images"]]
                    zi = torch.cat([model.encoder(normalise(augment(xs[pick[i : i + 256]], ts[pick[i : i + 256]], cfg["augment"], gen)[0]))
                                    for i in range(0, len(pick), 256)])
                    for q in model.quantizers.values():
                        q.kmeans_init(zi, seed=cfg["seed"])
                    train_mode()
                log(f"step {step}: codebooks initialised by k-means on {zi.shape[0]} images")

            loss_pre, cos_pre, _ = distill_loss(model.heads["pre"](grid_flatten(z)), target, mu, w)
            loss = w["pre"] * loss_pre
            parts = {"pre_cos": cos_pre}
            zq_m = z
            for p, q in model.quantizers.items():
                if vq_on:
                    zq, ix, commit = q(z)
                    idx_epoch[p].append(ix)
                    loss = loss + w["commit"] * commit
                    parts[f"commit_{p}"] = commit.item()
                else:
                    zq = z
                emb = model.heads[p](grid_flatten(zq))
                lp, cp, rp = distill_loss(emb, target, mu, w)
                loss = loss + w["profile"][p] * lp
                if cosface is not None:
                    li = cosface(emb, labels[sel])
                    loss = loss + w["identity"] * w["profile"][p] * li
                    parts[f"id_{p}"] = li.item()
                parts[f"cos_{p}"], parts[f"rel_{p}"] = cp, rp
                if p == "m":
                    zq_m = zq
            nr = cfg["recon_batch"]  # the decoder is the costliest part: train it on a slice
            rec = model.decoder(zq_m[:nr])
            l1 = (rec - x01[:nr]).abs().mean()
            loss = loss + w["recon"] * l1
            parts["recon"], parts["loss"] = l1.item(), loss.item()

            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            opt.step()
            if vq_on and step % cfg["restart_every"] == 0:
                for p, q in model.quantizers.items():
                    restarts[p] += q.restart_dead(z.detach(), cfg["restart_threshold"], gen)
            step += 1
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v
            cnt += 1
            if bi % cfg["print_every"] == 0:
                ips = (bi + 1) * cfg["batch"] / (time.time() - t0)
                log(f"epoch {epoch} step {bi}/{steps_per_epoch} loss {parts['loss']:.4f} cos_m {parts['cos_m']:.4f} "
                    f"recon {parts['recon']:.4f} lr {lr:.2e} progress {progress:.3f} {ips:.0f} img/s")
            if progress_of(step, total, t_used + time.time() - t_start, cfg) >= 1.0:
                stop = True
                break

        dt = time.time() - t0
        rec_ = {"epoch": epoch + 1, "step": step, "seconds": round(dt, 1), "img_per_s": round(cnt * cfg["batch"] / dt, 1), "lr": lr}
        rec_.update({k: round(v / max(1, cnt), 5) for k, v in sums.items()})
        for p in PROFILES:
            if idx_epoch[p]:
                g, _, k = PROFILES[p]
                rec_[f"codes_{p}"] = codebook_stats(torch.cat(idx_epoch[p]), k, g)
                rec_[f"restarts_{p}"] = restarts[p]
        last_epoch = epoch + 1 == cfg["epochs"] or stop
        if (epoch + 1) % cfg["eval_every"] == 0 or last_epoch:
            rec_["val"] = val_metrics(model, data)
        t_train = t_used + time.time() - t_start
        rec_["train_seconds"] = round(t_train, 1)
        log(json.dumps(rec_))
        logf.write(json.dumps(rec_) + "\n")
        logf.flush()

        state = {
            "model": model.state_dict(), "opt": opt.state_dict(), "step": step, "epoch": epoch + 1,
            "best": best, "gen": gen.get_state(), "torch_rng": torch.get_rng_state(), "config": cfg,
            "counts": data["counts"], "train_seconds": t_train, "val": rec_.get("val"), "finished": last_epoch,
            "pca": data["pca"], "cosface": cosface.state_dict() if cosface is not None else None,
        }
        if "val" in rec_:
            score = (rec_["val"]["cos_m"] + rec_["val"]["cos_s"]) / 2
            if score > best:
                best = score
                state["best"] = best
                torch.save(state, os.path.join(out, "best.pt"))
        torch.save(state, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        if stop:
            log(f"stopping at step {step}: schedule complete (progress 1.0; time_budget_min={cfg.get('time_budget_min')})")
            break
    log(f"done in {time.time() - t_start:.0f}s; checkpoints in {out}")


if __name__ == "__main__":
    main()
