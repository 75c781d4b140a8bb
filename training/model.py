"""facevq model: device encoder, product quantisers, embedding heads, decoder.

Shapes and names are fixed (other code builds against them):

- Encoder: `image` float32 [N,3,64,64], (rgb/255 - 0.5)/0.5  ->  `latent` float32 [N,64,4,4].
  After export (BN folded) the graph holds only Conv, Relu and Add, plus a Cast per weight when
  the config stores them as float16 (`"encoder_weights": "float16"`, v3), and Add, Mul, Add of
  constants first when it has an input mask (`"input_mask"`, v7). Widths: `STEM`/`BLOCKS`
  below (v1, v2) or the config's `"encoder"` entry (v3).
- Quantiser (one per rate point): the 64 channels at each of the 4x4 positions are split into G
  contiguous groups of `dim` channels; each group is replaced by its nearest codebook entry
  (squared L2, ties to the lowest index). Grid order is spec/FORMAT.md §1:
  n = (y*4 + x)*G + g.
- Head (one per rate point): input x[(y*4 + x)*64 + c], c = g*dim + j (NHWC flatten of the
  quantised latent: the codebook vectors of the grid's indices concatenated in grid order, §10.4),
  1024 floats -> dense -> prelu -> dense -> l2norm -> `embedding` [N,128].
- Decoder: `latent` [N,64,4,4] (the `m` quantised latent) -> `image` [N,3,64,64] in [0,1].
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_C = 64
GRID_H = 4
GRID_W = 4
HEAD_IN = LATENT_C * GRID_H * GRID_W  # 1024
EMB_DIM = 128

# Rate points: name -> (G planes, dim per plane, K entries per plane).
PROFILES = {
    "m": (4, 16, 64),
    "s": (2, 32, 128),
    "xs": (1, 64, 256),
}


# --------------------------------------------------------------------------------------------
# Encoder
# --------------------------------------------------------------------------------------------


class ConvBN(nn.Module):
    """Conv (no bias) + BatchNorm; folded into one biased Conv at export."""

    def __init__(self, cin, cout, k, stride=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))

    def fused(self):
        """A plain Conv2d equal to conv+bn in eval mode."""
        w = self.conv.weight
        bn = self.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        conv = nn.Conv2d(
            self.conv.in_channels, self.conv.out_channels, self.conv.kernel_size,
            self.conv.stride, self.conv.padding, groups=self.conv.groups, bias=True,
        )
        conv.weight.data = (w * scale.reshape(-1, 1, 1, 1)).detach().clone()
        conv.bias.data = (bn.bias - bn.running_mean * scale).detach().clone()
        return conv


class DWBlock(nn.Module):
    """Depthwise 3x3 (stride s) + BN + ReLU, pointwise 1x1 + BN, [+ residual], ReLU."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.dw = ConvBN(cin, cin, 3, stride, groups=cin)
        self.pw = ConvBN(cin, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.pw(F.relu(self.dw(x)))
        if self.residual:
            y = y + x
        return F.relu(y)


# The v1/v2 encoder: stem width, then (cin, cout, stride) per block. A config's "encoder" entry
# ({"stem": C, "blocks": [[cin, cout, stride], ...]}) replaces it.
STEM = 16
BLOCKS = [
    (16, 32, 1),    # 32x32
    (32, 64, 2),    # 16x16
    (64, 64, 1),    # 16x16 residual
    (64, 64, 1),    # 16x16 residual
    (64, 128, 2),   # 8x8
    (128, 128, 1),  # 8x8 residual
    (128, 128, 2),  # 4x4
]


def mask_input(x, keep):
    """Sets the pixels where `keep` is 0 to black (-1 after `normalise`); `keep` None: no mask.
    Written so the graph holds one 64x64 constant: Add 1, Mul keep, Add -1."""
    return x if keep is None else (x + 1) * keep + -1.0


class Encoder(nn.Module):
    def __init__(self, stem=STEM, blocks=BLOCKS, input_mask=False):
        super().__init__()
        assert blocks[0][0] == stem and all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
        assert 64 // 2 // 2 ** sum(b[2] == 2 for b in blocks) == GRID_H, "the blocks must reach the 4x4 grid"
        # A fixed mask of the chip (1 = keep, 0 = always black), set by train.py from the training
        # chips: where the alignment template reaches outside most training photos, the chip is
        # black in training but shows forehead and hair in the wild; the encoder never looks there.
        self.register_buffer("keep", torch.ones(1, 1, 64, 64) if input_mask else None)
        self.stem = ConvBN(3, stem, 3, 2)  # 64 -> 32
        self.blocks = nn.ModuleList([DWBlock(*b) for b in blocks])
        self.proj = nn.Conv2d(blocks[-1][1], LATENT_C, 1, bias=True)  # no ReLU: the latent is signed

    def forward(self, x):
        x = F.relu(self.stem(mask_input(x, self.keep)))
        for b in self.blocks:
            x = b(x)
        return self.proj(x)


class _FusedBlock(nn.Module):
    def __init__(self, block):
        super().__init__()
        self.dw = block.dw.fused()
        self.pw = block.pw.fused()
        self.residual = block.residual

    def forward(self, x):
        y = self.pw(torch.relu(self.dw(x)))
        if self.residual:
            y = y + x
        return torch.relu(y)


class FusedEncoder(nn.Module):
    """Deploy form of Encoder: BN folded into the convs (Conv, Relu, Add; the input mask adds a Mul)."""

    def __init__(self, enc):
        super().__init__()
        self.register_buffer("keep", enc.keep)
        self.stem = enc.stem.fused()
        self.blocks = nn.ModuleList([_FusedBlock(b) for b in enc.blocks])
        self.proj = nn.Conv2d(enc.proj.in_channels, LATENT_C, 1, bias=True)
        self.proj.load_state_dict(enc.proj.state_dict())

    def forward(self, x):
        x = torch.relu(self.stem(mask_input(x, self.keep)))
        for b in self.blocks:
            x = b(x)
        return self.proj(x)


# --------------------------------------------------------------------------------------------
# Product quantiser
# --------------------------------------------------------------------------------------------


def matmul_t(a, b):
    """a [M,k] @ b[N,k].T as a 1x1 convolution. Debian's torch links the generic reference BLAS:
    addmm runs ~15x slower than the same product as an MKL-DNN 1x1 conv (measured here)."""
    return F.conv2d(a[:, :, None, None], b[:, :, None, None]).flatten(1)


class Dense(nn.Linear):
    """nn.Linear (same parameters) computed through matmul_t's 1x1 conv, for training speed."""

    def forward(self, x):
        return F.conv2d(x[:, :, None, None], self.weight[:, :, None, None], self.bias).flatten(1)


def nearest(vectors, codebook):
    """Index of the nearest codebook row per vector (squared L2; argmin keeps the first = lowest
    index on ties). vectors [M,d], codebook [K,d] -> [M] int64."""
    d = (
        vectors.pow(2).sum(1, keepdim=True)
        - 2.0 * matmul_t(vectors.contiguous(), codebook.contiguous())
        + codebook.pow(2).sum(1)[None, :]
    )
    return d.argmin(1)


class ProductQuantizer(nn.Module):
    """G independent EMA codebooks over contiguous channel groups of the latent."""

    def __init__(self, groups, dim, k, decay=0.99, eps=1e-5):
        super().__init__()
        assert groups * dim == LATENT_C
        self.groups, self.dim, self.k = groups, dim, k
        self.decay, self.eps = decay, eps
        self.register_buffer("codebook", torch.randn(groups, k, dim) * 0.1)
        self.register_buffer("ema_count", torch.ones(groups, k))
        self.register_buffer("ema_sum", self.codebook.clone())
        self.register_buffer("usage", torch.ones(groups, k))  # slow EMA of use, for restarts
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    def split(self, z):
        """[N,64,4,4] -> [G, N*16, dim] in grid order (n, y, x) per plane."""
        n = z.shape[0]
        v = z.permute(0, 2, 3, 1).reshape(n * GRID_H * GRID_W, self.groups, self.dim)
        return v.permute(1, 0, 2)

    def merge(self, v, n):
        """[G, N*16, dim] -> [N,64,4,4]."""
        v = v.permute(1, 0, 2).reshape(n, GRID_H, GRID_W, LATENT_C)
        return v.permute(0, 3, 1, 2)

    def indices(self, z):
        """[N,64,4,4] -> [N, 16*G] int64 indices in grid order n = (y*4+x)*G + g."""
        v = self.split(z)
        idx = torch.stack([nearest(v[g], self.codebook[g]) for g in range(self.groups)], 0)
        n = z.shape[0]
        return idx.reshape(self.groups, n, GRID_H * GRID_W).permute(1, 2, 0).reshape(n, -1)

    def lookup(self, idx):
        """[N, 16*G] indices -> quantised latent [N,64,4,4]."""
        n = idx.shape[0]
        i = idx.reshape(n, GRID_H * GRID_W, self.groups).permute(2, 0, 1).reshape(self.groups, -1)
        v = torch.stack([self.codebook[g][i[g]] for g in range(self.groups)], 0)
        return self.merge(v, n)

    @torch.no_grad()
    def kmeans_init(self, z, iters=10, seed=0):
        gen = torch.Generator().manual_seed(seed)
        v = self.split(z.detach())
        for g in range(self.groups):
            x = v[g]
            c = x[torch.randperm(x.shape[0], generator=gen)[: self.k]].clone()
            if c.shape[0] < self.k:  # tiny batches (smoke runs): pad with jittered copies
                extra = c[torch.randint(c.shape[0], (self.k - c.shape[0],), generator=gen)]
                c = torch.cat([c, extra + 0.01 * torch.randn(extra.shape, generator=gen)], 0)
            for _ in range(iters):
                a = nearest(x, c)
                cnt = torch.bincount(a, minlength=self.k).float()
                s = torch.zeros_like(c).index_add_(0, a, x)
                used = cnt > 0
                c[used] = s[used] / cnt[used, None]
            self.codebook[g] = c
            self.ema_sum[g] = c.clone()
            self.ema_count[g] = 1.0
        self.initialised.fill_(True)

    @torch.no_grad()
    def ema_update(self, v, idx):
        """v [G,M,dim] latents, idx [G,M] their codes."""
        for g in range(self.groups):
            onehot_cnt = torch.bincount(idx[g], minlength=self.k).float()
            s = torch.zeros(self.k, self.dim).index_add_(0, idx[g], v[g])
            self.ema_count[g].mul_(self.decay).add_(onehot_cnt, alpha=1 - self.decay)
            self.ema_sum[g].mul_(self.decay).add_(s, alpha=1 - self.decay)
            total = self.ema_count[g].sum()
            cnt = (self.ema_count[g] + self.eps) / (total + self.k * self.eps) * total
            self.codebook[g] = self.ema_sum[g] / cnt[:, None]
            self.usage[g].mul_(0.99).add_(onehot_cnt / max(1.0, float(v.shape[1])) * self.k, alpha=0.01)

    @torch.no_grad()
    def restart_dead(self, z, threshold=0.03, generator=None):
        """Re-seed codes whose usage EMA (1.0 = uniform share) fell below threshold with random
        current latents. Returns how many were restarted."""
        v = self.split(z.detach())
        restarted = 0
        for g in range(self.groups):
            dead = (self.usage[g] < threshold).nonzero().flatten()
            if dead.numel() == 0:
                continue
            pick = torch.randint(v.shape[1], (dead.numel(),), generator=generator)
            new = v[g][pick] + 0.01 * torch.randn(dead.numel(), self.dim, generator=generator)
            self.codebook[g][dead] = new
            self.ema_sum[g][dead] = new
            self.ema_count[g][dead] = 1.0
            self.usage[g][dead] = 1.0
            restarted += dead.numel()
        return restarted

    def forward(self, z):
        """Returns (zq with straight-through gradient, indices [N,16G], commitment loss)."""
        n = z.shape[0]
        v = self.split(z)
        with torch.no_grad():
            idx = torch.stack([nearest(v[g], self.codebook[g]) for g in range(self.groups)], 0)
            if self.training:
                self.ema_update(v.detach(), idx)
            q = torch.stack([self.codebook[g][idx[g]] for g in range(self.groups)], 0)
        commit = F.mse_loss(v, q)
        zq = self.merge(v + (q - v).detach(), n)
        grid_idx = idx.reshape(self.groups, n, GRID_H * GRID_W).permute(1, 2, 0).reshape(n, -1)
        return zq, grid_idx, commit


# --------------------------------------------------------------------------------------------
# Head and decoder
# --------------------------------------------------------------------------------------------


def grid_flatten(zq):
    """[N,64,4,4] -> [N,1024] with x[(y*4+x)*64 + c] (spec §10.4 grid order)."""
    return zq.permute(0, 2, 3, 1).reshape(zq.shape[0], HEAD_IN)


class Head(nn.Module):
    """dense(+BN folded at export) -> prelu -> [dropout] -> dense -> l2norm."""

    def __init__(self, hidden=256, dropout=0.1):
        super().__init__()
        self.fc1 = Dense(HEAD_IN, hidden)
        self.bn = nn.BatchNorm1d(hidden)
        self.act = nn.PReLU(hidden)
        self.drop = nn.Dropout(dropout)
        self.fc2 = Dense(hidden, EMB_DIM)

    def forward(self, x):
        y = self.fc2(self.drop(self.act(self.bn(self.fc1(x)))))
        return F.normalize(y, dim=1, eps=1e-12)

    @torch.no_grad()
    def fused_layers(self):
        """The head as spec §10.4 layers: [(op, tensors...)] with BN folded into fc1."""
        scale = self.bn.weight / torch.sqrt(self.bn.running_var + self.bn.eps)
        w1 = self.fc1.weight * scale[:, None]
        b1 = (self.fc1.bias - self.bn.running_mean) * scale + self.bn.bias
        return [
            ("dense", w1.clone(), b1.clone()),
            ("prelu", self.act.weight.clone()),
            ("dense", self.fc2.weight.clone(), self.fc2.bias.clone()),
            ("l2norm",),
        ]


class FusedHead(nn.Module):
    """Deploy form of Head, for ONNX parity tests: input `x` [N,1024] -> `embedding` [N,128]."""

    def __init__(self, head):
        super().__init__()
        (_, w1, b1), (_, alpha), (_, w2, b2), _ = head.fused_layers()
        self.fc1 = nn.Linear(w1.shape[1], w1.shape[0])
        self.fc1.weight.data, self.fc1.bias.data = w1, b1
        self.act = nn.PReLU(alpha.numel())
        self.act.weight.data = alpha
        self.fc2 = nn.Linear(w2.shape[1], w2.shape[0])
        self.fc2.weight.data, self.fc2.bias.data = w2, b2

    def forward(self, x):
        y = self.fc2(self.act(self.fc1(x)))
        return y / torch.clamp(torch.sqrt((y * y).sum(1, keepdim=True)), min=1e-12)


class CosFace(nn.Module):
    """Identity supervision where labels exist (CosFace, Wang et al. 2018): one unit centre per
    identity in the embedding space; loss = cross-entropy of s * (cos - margin at the true class).
    Rows labelled -1 (no identity known) do not count. Training only: nothing of it ships."""

    def __init__(self, classes, scale=30.0, margin=0.35):
        super().__init__()
        self.centres = nn.Parameter(torch.randn(classes, EMB_DIM) * 0.01)
        self.scale, self.margin = scale, margin

    def forward(self, e, labels):
        keep = labels >= 0
        if not bool(keep.any()):
            return e.new_zeros(())
        e, labels = e[keep], labels[keep]
        cos = matmul_t(e, F.normalize(self.centres, dim=1))
        logits = self.scale * (cos - self.margin * F.one_hot(labels, cos.shape[1]).to(cos.dtype))
        return F.cross_entropy(logits, labels)


class Decoder(nn.Module):
    """[N,64,4,4] -> [N,3,64,64] in [0,1]. Each x2 stage is conv3x3 (a -> 4b) + PixelShuffle
    (ONNX DepthToSpace): ConvTranspose2d's backward is ~5x slower on this CPU build (measured)."""

    def __init__(self, widths=(96, 64, 32, 16, 8)):
        super().__init__()
        w = widths
        layers = [nn.Conv2d(LATENT_C, w[0], 3, 1, 1), nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True)]
        for a, b in zip(w[:-1], w[1:]):
            layers += [nn.Conv2d(a, 4 * b, 3, 1, 1), nn.PixelShuffle(2), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        layers += [nn.Conv2d(w[-1], 3, 3, 1, 1), nn.Sigmoid()]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


class FaceVQ(nn.Module):
    """Everything trained together: encoder, one quantiser + head per rate point, a head on the
    unquantised latent (training aid only) and the decoder on the `m` latent."""

    def __init__(self, head_hidden=256, head_dropout=0.1, decay=0.99, decoder_widths=(96, 64, 32, 16, 8), encoder=None, input_mask=False):
        super().__init__()
        arch = (encoder["stem"], [tuple(b) for b in encoder["blocks"]]) if encoder else (STEM, BLOCKS)
        self.encoder = Encoder(*arch, input_mask=input_mask)
        self.quantizers = nn.ModuleDict({p: ProductQuantizer(g, d, k, decay) for p, (g, d, k) in PROFILES.items()})
        self.heads = nn.ModuleDict({p: Head(head_hidden, head_dropout) for p in list(PROFILES) + ["pre"]})
        self.decoder = Decoder(tuple(decoder_widths))


def build_model(cfg):
    """The FaceVQ a training config describes (train.py and export.py build it the same way)."""
    return FaceVQ(
        cfg["head_hidden"], cfg["head_dropout"], cfg["ema_decay"], cfg["decoder_widths"], cfg.get("encoder"),
        input_mask=cfg.get("input_mask") is not None,
    )


# --------------------------------------------------------------------------------------------
# ONNX export and graph accounting
# --------------------------------------------------------------------------------------------

ENCODER_OPS = {"Conv", "Relu", "Add", "Mul", "Constant"}


def _inline_identity_initializers(m):
    """torch.onnx.export deduplicates equal initializers (e.g. all-zero biases of a fresh model)
    and links the copies with Identity nodes; give each consumer its own initializer instead so the
    graph keeps to Conv/Relu/Add."""
    import copy

    inits = {t.name: t for t in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = copy.deepcopy(inits[n.input[0]])
            t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    return m


def _float16_initializers(m):
    """Stores every float initializer as float16, each followed by a Cast back to float32 at the
    top of the graph: half the bytes on the device, the same float32 arithmetic (ONNX Conv needs
    equal input and weight types; runtimes fold the Casts once, at load)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    casts, inits = [], []
    for t in m.graph.initializer:
        if t.data_type != TensorProto.FLOAT:
            inits.append(t)
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name + ".f16")
        inits.append(half)
        casts.append(helper.make_node("Cast", [half.name], [t.name], name=f"cast:{t.name}", to=TensorProto.FLOAT))
    del m.graph.initializer[:]
    m.graph.initializer.extend(inits)
    nodes = casts + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return m


def round_to_float16(module):
    """Rounds every parameter to the nearest float16 value (kept as float32): the weights the
    device runs after a float16 export."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.half().float())
    return module


def export_encoder(enc, path, weights="float32"):
    """Writes the deploy-form encoder to `path` with its weights stored as `weights` ("float32" or
    "float16"). Returns the deployed module (BN folded; float16-rounded weights if so stored), whose
    outputs are the ONNX graph's."""
    import onnx

    assert weights in ("float32", "float16"), weights
    fused = FusedEncoder(enc.eval()).eval()
    x = torch.zeros(1, 3, 64, 64)
    with torch.no_grad():
        ref = enc(x.normal_())
        got = fused(x)
    err = (ref - got).abs().max().item()
    assert err < 1e-3, f"BN folding mismatch {err}"
    if weights == "float16":
        round_to_float16(fused)
    torch.onnx.export(
        fused, x, path, opset_version=13, do_constant_folding=True,
        input_names=["image"], output_names=["latent"],
        dynamic_axes={"image": {0: "N"}, "latent": {0: "N"}},
    )
    m = _inline_identity_initializers(onnx.load(path))
    allowed = ENCODER_OPS
    if weights == "float16":
        m = _float16_initializers(m)
        allowed = ENCODER_OPS | {"Cast"}
    onnx.save(m, path)
    onnx.checker.check_model(m)
    ops = {n.op_type for n in m.graph.node}
    assert ops <= allowed, f"encoder uses ops outside {allowed}: {ops - allowed}"
    return fused


def export_head(head, path):
    import onnx

    fused = FusedHead(head.eval()).eval()
    x = torch.randn(2, HEAD_IN)
    with torch.no_grad():
        err = (head(x) - fused(x)).abs().max().item()
    assert err < 1e-4, f"head folding mismatch {err}"
    torch.onnx.export(
        fused, x, path, opset_version=13, do_constant_folding=True,
        input_names=["x"], output_names=["embedding"],
        dynamic_axes={"x": {0: "N"}, "embedding": {0: "N"}},
    )
    onnx.checker.check_model(onnx.load(path))


def export_decoder(dec, path):
    import onnx

    dec = dec.eval()
    torch.onnx.export(
        dec, torch.randn(1, LATENT_C, GRID_H, GRID_W), path, opset_version=13,
        do_constant_folding=True, input_names=["latent"], output_names=["image"],
        dynamic_axes={"latent": {0: "N"}, "image": {0: "N"}},
    )
    onnx.checker.check_model(onnx.load(path))


def onnx_flops(path, input_shape=(1, 3, 64, 64)):
    """FLOPs per image counted from the ONNX graph: 2*MACs for Conv (+1 per output element for
    bias), 1 per element for Relu, Add and Mul, none for the weight Casts of a float16 export. Returns
    (flops, {op: flops})."""
    import onnx
    from onnx import shape_inference

    m = onnx.load(path)
    # Pin the dynamic batch to 1 so shapes infer to numbers.
    for vi in list(m.graph.input) + list(m.graph.output):
        d = vi.type.tensor_type.shape.dim
        if len(d) and not d[0].HasField("dim_value"):
            d[0].dim_value = input_shape[0]
    m = shape_inference.infer_shapes(m)
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    inits = {t.name: list(t.dims) for t in m.graph.initializer}
    total, by_op = 0, {}
    for n in m.graph.node:
        if n.op_type == "Cast":  # float16 weights to float32: once per load, not per image
            inits[n.output[0]] = inits[n.input[0]]
            continue
        if n.op_type == "Constant":  # the input mask's scalars
            continue
        out = shapes[n.output[0]]
        numel = 1
        for d in out:
            numel *= d
        if n.op_type == "Conv":
            w = inits[n.input[1]]  # [cout, cin/group, kh, kw]
            macs = numel * w[1] * w[2] * w[3]
            f = 2 * macs + (numel if len(n.input) > 2 else 0)
        elif n.op_type in ("Relu", "Add", "Mul"):
            f = numel
        else:
            raise ValueError(f"unexpected op {n.op_type}")
        by_op[n.op_type] = by_op.get(n.op_type, 0) + f
        total += f
    return total // input_shape[0], by_op


def count_params(module):
    return sum(p.numel() for p in module.parameters())
