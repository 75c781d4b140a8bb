"""The paper's method, given its best shot at facevq's bits (issue 18, part 3).

The method this project started from: a VQ-VAE on the device; in the cloud a decoder rebuilds the
face and a recognition network embeds the rebuilt face. facevq instead distils the teacher
straight into the indices. To compare the two fairly, both send the same bits: the `m` grid (4x4
positions, 4 planes of 64 entries, 48 bytes of indices).

Stage `vqvae`: the shipped encoder's architecture, the `m` product quantiser and a decoder trained
for reconstruction only, the way a VQ-VAE is trained: every image, full weight, L1 plus a
structural term (1 - SSIM), from scratch. Its reconstruction, described by the teacher, is method
(a), `paper:vqvae-teacher` in `facevq eval`.

Stage `recognizer`: the VQ-VAE frozen; a recognition network trained on its reconstructions
toward the teacher's descriptor of the original view: method (b), `paper:vqvae-recognizer`. It has
the student's architecture (encoder and head, on the unquantised latent) and starts from the
shipped student's weights (`models/`), so it brings every CPU-hour facevq's own training had, then
learns the reconstructions' look.

    /usr/bin/python3 training/paper.py --config training/configs/paper.json --stage vqvae [--resume]
    /usr/bin/python3 training/paper.py --config training/configs/paper.json --stage recognizer [--resume]
    /usr/bin/python3 training/paper.py --config training/configs/paper.json --export models/paper
    npx tsx src/cli/main.ts profile build models/paper/build/paper-m.json --out models/paper/paper-m.fvqp --max-bytes 51

Each stage writes training/out/NAME/STAGE.pt at every epoch's end and when its time budget runs
out (restart with --resume), and STAGE.log.jsonl. `--smoke` runs two steps of each stage on 64
rows (random data where the shards hold none) and exports (CI).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import augment, have_rows, load, normalise, shard_spec, synthetic, teacher_meta, to_unit  # noqa: E402
from export import BinWriter, finite  # noqa: E402
from metrics import far_thresholds  # noqa: E402
from model import (  # noqa: E402
    PROFILES, Decoder, Encoder, FusedEncoder, FusedHead, Head, ProductQuantizer, count_params, export_decoder,
    export_encoder, grid_flatten,
)
from train import distill_loss, log, lr_at  # noqa: E402
from warm_start import freeze_bn, load_encoder, load_head, load_pca  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILE = "m"  # the bits compared: facevq's `m` grid


class VQVAE(nn.Module):
    """Encoder, the `m` product quantiser and a decoder: the paper's device and receiver halves."""

    def __init__(self, cfg):
        super().__init__()
        arch = cfg["encoder"]
        self.encoder = Encoder(arch["stem"], [tuple(b) for b in arch["blocks"]])
        self.quantizer = ProductQuantizer(*PROFILES[PROFILE], cfg["ema_decay"])
        self.decoder = Decoder(tuple(cfg["decoder_widths"]))
        for m in (self.encoder, self.decoder):  # 1.6-2x faster here (measured, torch 1.13 CPU)
            m.to(memory_format=torch.channels_last)

    @torch.no_grad()
    def reconstruct(self, x01):
        """The receiver's image from the indices the device would send (eval mode, no EMA)."""
        q = self.quantizer
        return self.decoder(q.lookup(q.indices(self.encoder(normalise(x01)))))


class Recognizer(nn.Module):
    """A recognition network on 64x64 images: the student's encoder and head, no quantiser."""

    def __init__(self, cfg):
        super().__init__()
        arch = cfg["encoder"]
        self.encoder = Encoder(arch["stem"], [tuple(b) for b in arch["blocks"]])
        self.head = Head(cfg["head_hidden"], cfg["head_dropout"])
        self.encoder.to(memory_format=torch.channels_last)

    def forward(self, x01):
        return self.head(grid_flatten(self.encoder(normalise(x01).contiguous(memory_format=torch.channels_last))))


class FusedRecognizer(nn.Module):
    """Deploy form: `image` [N,3,64,64] normalised as the encoder's input -> `embedding` [N,128,1,1]."""

    def __init__(self, rec):
        super().__init__()
        self.encoder = FusedEncoder(rec.encoder.eval())
        self.head = FusedHead(rec.head.eval())

    def forward(self, x):
        return self.head(grid_flatten(self.encoder(x)))[:, :, None, None]  # [N,128,1,1]: the SDK runtime seam reads NCHW


def _gaussian_window(size=11, sigma=1.5):
    g = torch.exp(-((torch.arange(size) - size // 2).float() ** 2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(3, 1, size, size).contiguous()


WINDOW = _gaussian_window()


def ssim(x, y, c1=0.01**2, c2=0.03**2):
    """Mean SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5) of images in [0,1], per
    channel, valid positions only."""
    conv = lambda t: F.conv2d(t, WINDOW, groups=3)
    mx, my = conv(x), conv(y)
    vx, vy, cxy = conv(x * x) - mx * mx, conv(y * y) - my * my, conv(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean()


def load_data(cfg, smoke):
    """The training and validation rows, with the targets of the shipped student (its teacher PCA);
    a smoke run takes 64 of them, or random data where no cache exists (the code path only)."""
    if smoke and not have_rows([shard_spec(s, REPO)[0] for s in cfg["shards"]]):
        return synthetic(64, cfg["seed"], log=log)
    exclude = json.load(open(os.path.join(REPO, cfg["exclude"])))["exclude"] if cfg.get("exclude") else []
    pca = load_pca(os.path.join(REPO, cfg["recognizer"]["init_models"], "build"))
    return load(cfg["shards"], val_mod=cfg["val_mod"], limit=64 if smoke else None, statuses=tuple(cfg["statuses"]), pca=pca,
                exclude=exclude, repo=REPO, holdout_mod=cfg.get("holdout_identity_mod", 0), log=log)


class Schedule:
    """Steps, wall-clock budget and checkpoints of one stage; resumes exactly from STAGE.pt."""

    def __init__(self, out, stage, scfg, modules, opt, gen, resume):
        self.path, self.scfg, self.modules, self.opt, self.gen = os.path.join(out, f"{stage}.pt"), scfg, modules, opt, gen
        self.step, self.epoch, self.seconds, self.finished = 0, 0, 0.0, False
        if resume and os.path.exists(self.path):
            ck = torch.load(self.path)
            for name, m in modules.items():
                m.load_state_dict(ck[name])
            opt.load_state_dict(ck["opt"])
            gen.set_state(ck["gen"])
            torch.set_rng_state(ck["torch_rng"])
            self.step, self.epoch, self.seconds, self.finished = ck["step"], ck["epoch"], ck["seconds"], ck["finished"]
            log(f"resumed {self.path}: epoch {self.epoch}, step {self.step}, {self.seconds:.0f} s trained" + (", finished" if self.finished else ""))
        self.logf = open(os.path.join(out, f"{stage}.log.jsonl"), "a")
        self.t0 = time.time() - self.seconds

    def progress(self):
        return (time.time() - self.t0) / (self.scfg["time_budget_min"] * 60)

    def lr(self):
        lr = lr_at(self.step, self.progress(), self.scfg)
        for g in self.opt.param_groups:
            g["lr"] = lr
        return lr

    def save(self, record, finished):
        self.seconds = time.time() - self.t0
        record.update(epoch=self.epoch, step=self.step, train_seconds=round(self.seconds, 1))
        log(json.dumps(record))
        self.logf.write(json.dumps(record) + "\n")
        self.logf.flush()
        state = {name: m.state_dict() for name, m in self.modules.items()}
        state.update(opt=self.opt.state_dict(), gen=self.gen.get_state(), torch_rng=torch.get_rng_state(), step=self.step,
                     epoch=self.epoch, seconds=self.seconds, finished=finished, record=record)
        torch.save(state, self.path + ".tmp")
        os.replace(self.path + ".tmp", self.path)


def run_stage(cfg, data, schedule, batch, step_fn, val_fn):
    """Epochs of shuffled batches until the time budget is spent; saves at each epoch's end."""
    if schedule.finished:
        return
    xs, ts = data["train_crops"], data["train_teacher"]
    steps_per_epoch = max(1, xs.shape[0] // batch)
    max_steps = schedule.scfg.get("max_steps")
    while True:
        perm = torch.randperm(xs.shape[0], generator=schedule.gen)
        sums, count, t_epoch = {}, 0, time.time()
        done = False
        for bi in range(steps_per_epoch):
            sel = perm[bi * batch : (bi + 1) * batch]
            x01, target = augment(xs[sel], ts[sel], cfg["augment"], schedule.gen)
            lr = schedule.lr()
            parts = step_fn(x01, target)
            schedule.step += 1
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v
            count += 1
            if bi % cfg["print_every"] == 0:
                log(f"epoch {schedule.epoch} step {bi}/{steps_per_epoch} {json.dumps({k: round(v, 4) for k, v in parts.items()})} "
                    f"lr {lr:.2e} progress {schedule.progress():.3f} {count * batch / (time.time() - t_epoch):.0f} img/s")
            done = schedule.progress() >= 1.0 or (max_steps is not None and schedule.step >= max_steps)
            if done:
                break
        schedule.epoch += 1
        record = {k: round(v / max(1, count), 5) for k, v in sums.items()}
        record["val"] = val_fn()
        schedule.save(record, done)
        if done:
            return


def train_vqvae(cfg, args, out):
    scfg = cfg["vqvae"]
    data = load_data(cfg, args.smoke)
    gen = torch.Generator().manual_seed(cfg["seed"])
    model = VQVAE(cfg)
    log(f"vqvae: encoder {count_params(model.encoder)} params, decoder {count_params(model.decoder)}")
    opt = torch.optim.AdamW(list(model.encoder.parameters()) + list(model.decoder.parameters()), lr=scfg["lr"], weight_decay=scfg["wd"])
    schedule = Schedule(out, "vqvae", scfg, {"model": model}, opt, gen, args.resume)
    q = model.quantizer
    if not bool(q.initialised):  # k-means on the untrained encoder's latents, as train.py does
        with torch.no_grad():
            pick = torch.randperm(data["train_crops"].shape[0], generator=gen)[: scfg["kmeans_images"]]
            q.kmeans_init(model.encoder(normalise(to_unit(data["train_crops"][pick, 0]))), seed=cfg["seed"])

    def step(x01, _target):
        model.train()
        z = model.encoder(normalise(x01).contiguous(memory_format=torch.channels_last))
        zq, _, commit = q(z)
        rec = model.decoder(zq)
        l1 = (rec - x01).abs().mean()
        structural = 1.0 - ssim(rec, x01)
        loss = l1 + scfg["ssim"] * structural + scfg["commit"] * commit
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), scfg["clip"])
        opt.step()
        if schedule.step % scfg["restart_every"] == 0:
            q.restart_dead(z.detach(), scfg["restart_threshold"], gen)
        return {"l1": l1.item(), "ssim": 1.0 - structural.item(), "commit": commit.item()}

    def val():
        model.eval()
        x = to_unit(data["val_crops"])
        l1, s = 0.0, 0.0
        for i in range(0, x.shape[0], 256):
            rec = model.reconstruct(x[i : i + 256])
            l1 += (rec - x[i : i + 256]).abs().mean().item() * rec.shape[0]
            s += ssim(rec, x[i : i + 256]).item() * rec.shape[0]
        return {"l1": round(l1 / x.shape[0], 5), "ssim": round(s / x.shape[0], 5)}

    run_stage(cfg, data, schedule, scfg["batch"], step, val)


def load_vqvae(cfg, out):
    ck = torch.load(os.path.join(out, "vqvae.pt"))
    model = VQVAE(cfg)
    model.load_state_dict(ck["model"])
    return model.eval()


def train_recognizer(cfg, args, out):
    scfg = cfg["recognizer"]
    vq = load_vqvae(cfg, out)
    for p in vq.parameters():
        p.requires_grad_(False)
    rec = Recognizer(cfg)
    models = os.path.join(REPO, scfg["init_models"])  # the shipped student's weights
    load_encoder(rec.encoder, os.path.join(models, "encoder.onnx"))
    load_head(rec.head, os.path.join(models, f"head-{PROFILE}.onnx"))
    data = load_data(cfg, args.smoke)
    gen = torch.Generator().manual_seed(cfg["seed"] + 1)
    opt = torch.optim.AdamW(rec.parameters(), lr=scfg["lr"], weight_decay=scfg["wd"])
    schedule = Schedule(out, "recognizer", scfg, {"model": rec}, opt, gen, args.resume)
    mu = data["train_teacher"][:, 0].mean(0)

    def step(x01, target):
        rec.train()
        freeze_bn(rec)  # the shipped weights' batch norms are folded: keep their statistics
        e = rec(vq.reconstruct(x01))
        loss, cos, rel = distill_loss(e, target, mu, scfg["loss"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(rec.parameters(), scfg["clip"])
        opt.step()
        return {"loss": loss.item(), "cos": cos, "rel": rel}

    @torch.no_grad()
    def val():
        rec.eval()
        x, t = to_unit(data["val_crops"]), data["val_teacher"][:, 0]
        cos_rec, cos_orig = 0.0, 0.0
        for i in range(0, x.shape[0], 256):
            xb, tb = x[i : i + 256], t[i : i + 256]
            cos_rec += (rec(vq.reconstruct(xb)) * tb).sum().item()
            cos_orig += (rec(xb) * tb).sum().item()  # the same network on the original chip
        return {"cos_reconstruction": round(cos_rec / x.shape[0], 4), "cos_original": round(cos_orig / x.shape[0], 4)}

    if schedule.step == 0:
        log(f"recognizer before training: {json.dumps(val())}")
    run_stage(cfg, data, schedule, scfg["batch"], step, val)


def export(cfg, args, out, dest):
    """encoder.onnx, decoder-m.onnx and recognizer.onnx into `dest`, and the profile manifest
    build/paper-m.json + .bin for `facevq profile build`."""
    import onnx

    os.makedirs(os.path.join(dest, "build"), exist_ok=True)
    torch.set_num_threads(cfg["threads"])
    vq = load_vqvae(cfg, out)
    vq.encoder = export_encoder(vq.encoder, os.path.join(dest, "encoder.onnx"), cfg["encoder_weights"])
    export_decoder(vq.decoder, os.path.join(dest, f"decoder-{PROFILE}.onnx"))
    rec = Recognizer(cfg)
    rec.load_state_dict(torch.load(os.path.join(out, "recognizer.pt"))["model"])
    fused = FusedRecognizer(rec.eval()).eval()
    path = os.path.join(dest, "recognizer.onnx")
    torch.onnx.export(fused, torch.zeros(1, 3, 64, 64), path, opset_version=13, do_constant_folding=True,
                      input_names=["image"], output_names=["embedding"],
                      dynamic_axes={"image": {0: "N"}, "embedding": {0: "N"}})
    onnx.checker.check_model(onnx.load(path))

    data = load_data(cfg, args.smoke)
    G, dim, K = PROFILES[PROFILE]
    q = vq.quantizer
    with torch.no_grad():
        idx = torch.cat([q.indices(vq.encoder(normalise(to_unit(data["train_crops"][i : i + 512, 0]))))
                         for i in range(0, data["train_crops"].shape[0], 512)])
        latent = F.normalize(grid_flatten(q.lookup(idx)), dim=1)
    w = BinWriter()
    idx = idx.numpy()
    manifest = {
        "name": f"paper-{PROFILE}",
        "grid": {"h": 4, "w": 4, "k": [K] * G, "dim": [dim] * G},
        "codebooks": [w.add(q.codebook[g]) for g in range(G)],
        # The paper's receiver embeds the reconstruction, not the indices: this profile's head is
        # the normalised latent itself (spec §10.4 needs one), and no method of ours uses it.
        "head": {"dim": G * dim * 16, "layers": [{"op": "l2norm"}]},
        "counts": {"plane": [np.bincount(idx[:, g::G].ravel(), minlength=K).tolist() for g in range(G)],
                   "position": [np.bincount(idx[:, n], minlength=K).tolist() for n in range(idx.shape[1])]},
        "thresholds": far_thresholds(latent, 1_000_000, seed=cfg["seed"]),
        "thresholdsNote": "cosine of the normalised latents at FAR 1e-2/1e-3/1e-4 over random pairs of training images; unused",
        "crop": teacher_meta(shard_spec(cfg["shards"][0], REPO)[0])["crop"] if "synthetic" not in data["counts"] else {"size": 64, "channels": 3, "template": None},
        "encoder": {"file": "encoder.onnx", "mean": 0.5, "std": 0.5, "weights": cfg["encoder_weights"]},
        "meta": {"method": "the paper's VQ-VAE (training/paper.py)", "config": cfg["name"], "counts": data["counts"],
                 "stages": {s: torch.load(os.path.join(out, f"{s}.pt"))["record"] for s in ("vqvae", "recognizer")}},
    }
    with open(os.path.join(dest, "build", f"paper-{PROFILE}.bin"), "wb") as f:
        f.write(w.bytes())
    with open(os.path.join(dest, "build", f"paper-{PROFILE}.json"), "w") as f:
        json.dump(finite(manifest), f, indent=1, allow_nan=False)
    log(f"wrote {dest}: encoder.onnx, decoder-{PROFILE}.onnx, recognizer.onnx, build/paper-{PROFILE}.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--stage", choices=["vqvae", "recognizer"])
    ap.add_argument("--export", metavar="DIR", help="write the ONNX files and the profile manifest")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="a few steps of each stage on random data, then export (CI)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cfg = json.load(open(args.config))
    if args.smoke:
        for s in ("vqvae", "recognizer"):
            cfg[s].update(max_steps=2, batch=16, kmeans_images=64)
    out = args.out or os.path.join(REPO, "training", "out", cfg["name"] + ("-smoke" if args.smoke else ""))
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(cfg["seed"])
    if args.smoke:
        train_vqvae(cfg, args, out)
        train_recognizer(cfg, args, out)
        export(cfg, args, out, args.export or os.path.join(out, "export"))
    elif args.stage == "vqvae":
        train_vqvae(cfg, args, out)
    elif args.stage == "recognizer":
        train_recognizer(cfg, args, out)
    elif args.export:
        export(cfg, args, out, args.export)
    else:
        ap.error("give --stage, --export or --smoke")


if __name__ == "__main__":
    main()
