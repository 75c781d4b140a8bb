"""Starts a training run from shipped model files instead of a checkpoint.

The checkpoints of earlier runs live in ignored folders and do not survive a new machine; the
shipped files do: `models/encoder.onnx` (batch norm folded into the convolutions), the heads
`models/head-P.onnx`, the codebooks and the teacher's PCA in `models/build/`. This puts them back
into a FaceVQ: each folded convolution becomes the convolution of its ConvBN with the batch norm
set to the identity (scale 1, shift = the folded bias, running mean 0, running variance 1 - eps),
and the same for the heads' BatchNorm1d. Training must then keep those batch norms' statistics
fixed (`freeze_bn`), or the first batch would renormalise every layer and undo the start.

The decoder and the `pre` head are not shipped as trainable weights: they start fresh.
"""
import json
import os

import numpy as np
import torch

PROFILE_NAMES = ("m", "s", "xs")


def _initializers(path):
    import onnx
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i).astype(np.float32) for i in onnx.load(path).graph.initializer}


def _set_identity_bn(bn, shift):
    with torch.no_grad():
        bn.weight.fill_(1.0)
        bn.bias.copy_(torch.from_numpy(shift))
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)


def _load_conv_bn(convbn, weights, prefix):
    with torch.no_grad():
        convbn.conv.weight.copy_(torch.from_numpy(weights[f"{prefix}.weight.f16"]))
    _set_identity_bn(convbn.bn, weights[f"{prefix}.bias.f16"])


def load_encoder(encoder, path):
    """The folded encoder at `path` (float16 weights, `P.weight.f16` / `P.bias.f16` names) into
    `encoder`. The input mask is not taken: the run decides its own."""
    w = _initializers(path)
    _load_conv_bn(encoder.stem, w, "stem")
    for i, block in enumerate(encoder.blocks):
        _load_conv_bn(block.dw, w, f"blocks.{i}.dw")
        _load_conv_bn(block.pw, w, f"blocks.{i}.pw")
    with torch.no_grad():
        encoder.proj.weight.copy_(torch.from_numpy(w["proj.weight.f16"]))
        encoder.proj.bias.copy_(torch.from_numpy(w["proj.bias.f16"]))


def load_head(head, path):
    """A head's ONNX file (fc1 with its batch norm folded, prelu, fc2) into `head`."""
    w = _initializers(path)
    with torch.no_grad():
        head.fc1.weight.copy_(torch.from_numpy(w["fc1.weight"]))
        head.fc1.bias.zero_()
        head.act.weight.copy_(torch.from_numpy(w["act.weight"]))
        head.fc2.weight.copy_(torch.from_numpy(w["fc2.weight"]))
        head.fc2.bias.copy_(torch.from_numpy(w["fc2.bias"]))
    _set_identity_bn(head.bn, w["fc1.bias"])


def load_codebooks(quantizer, manifest, binary):
    """The codebooks of a profile manifest (models/build/P.json and .bin) into `quantizer`."""
    m = json.load(open(manifest))
    data = np.fromfile(binary, dtype="<f4")
    with torch.no_grad():
        for g, ref in enumerate(m["codebooks"]):
            book = torch.from_numpy(data[ref["offset"] : ref["offset"] + ref["length"]].reshape(quantizer.k, quantizer.dim).copy())
            quantizer.codebook[g] = book
            quantizer.ema_sum[g] = book
            quantizer.ema_count[g] = 1.0
        quantizer.initialised.fill_(True)


def load_pca(folder):
    """The teacher PCA of models/build (teacher-pca.json + .bin: the mean, then the basis rows)."""
    meta = json.load(open(os.path.join(folder, "teacher-pca.json")))
    data = np.fromfile(os.path.join(folder, "teacher-pca.bin"), dtype="<f4")
    d, k = meta["inputDim"], meta["dim"]
    if data.size != d + d * k:
        raise ValueError(f"teacher-pca.bin holds {data.size} floats, expected {d + d * k}")
    return {"mean": data[:d].copy(), "basis": data[d:].reshape(k, d).copy(), "explained": meta["explainedVariance"], "rows": meta["rows"]}


def warm_start(model, models_dir):
    """Fills `model` from the shipped files in `models_dir`; returns the teacher PCA they used."""
    load_encoder(model.encoder, os.path.join(models_dir, "encoder.onnx"))
    build = os.path.join(models_dir, "build")
    for p in PROFILE_NAMES:
        load_head(model.heads[p], os.path.join(models_dir, f"head-{p}.onnx"))
        load_codebooks(model.quantizers[p], os.path.join(build, f"{p}.json"), os.path.join(build, f"{p}.bin"))
    return load_pca(build)


def freeze_bn(module):
    """Puts every batch norm of `module` in eval mode (fixed statistics, trainable scale and
    shift); call after each `model.train()`."""
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.eval()
