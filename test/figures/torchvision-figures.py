#!/usr/bin/python3
"""Prints the rows of family-figures.test.ts from torchvision itself (run once with Debian's torch 1.13 and
torchvision 0.14: /usr/bin/python3 test/figures/torchvision-figures.py; nothing is downloaded).

Each member is built with weights=None. Params: every parameter; BN statistics: the running mean and variance
of every batch norm; MACs: forward hooks on one batch-1 pass at the crop size of the member's default weights
(regnet_y_128gf at 224: its default weights are 384), counting Conv2d as out_h * out_w * k_h * k_w * in/groups
* out and Linear as in * out at every position it is applied to (ConvNeXt applies its Linears per pixel).
"""
import sys

import torch
import torch.nn as nn
import torchvision.models as M

MEMBERS = [
    ("resnext.effnet", m) for m in ["resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]
] + [
    ("regnet.effnet", f"regnet_{k}_{s}") for k, sizes in [("x", ["400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf"]), ("y", ["400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf", "128gf"])] for s in sizes
] + [("convnext.effnet", f"convnext_{s}") for s in ["tiny", "small", "base", "large"]] + [
    ("densenet.effnet", f"densenet{n}") for n in [121, 161, 169, 201]
] + [("shufflenet-v2.effnet", f"shufflenet_v2_x{s}") for s in ["0_5", "1_0", "1_5", "2_0"]] + [
    ("mobilenet-v3-small.effnet", "mobilenet_v3_small"),
] + [("efficientnet-v2.effnet", f"efficientnet_v2_{s}") for s in ["s", "m", "l"]]


def resolution(name):
    if name == "regnet_y_128gf":
        return 224
    return int(M.get_model_weights(name).DEFAULT.transforms().crop_size[0])


def macs(model, res):
    total = [0]

    def conv(m, _inp, out):
        total[0] += out.shape[2] * out.shape[3] * m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups) * m.out_channels

    def linear(m, _inp, out):
        total[0] += (out.numel() // m.out_features) * m.in_features * m.out_features

    hooks = [m.register_forward_hook(conv if isinstance(m, nn.Conv2d) else linear) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, res, res))
    for h in hooks:
        h.remove()
    return total[0]


def variant(spec, name):
    if spec == "mobilenet-v3-small.effnet":
        return "undefined"
    return f"'{name.removeprefix('efficientnet_v2_')}'" if spec == "efficientnet-v2.effnet" else f"'{name}'"


for spec, name in MEMBERS if len(sys.argv) == 1 else [m for m in MEMBERS if m[1] in sys.argv[1:]]:
    model = getattr(M, name)(weights=None)
    res = resolution(name)
    params = sum(p.numel() for p in model.parameters())
    bn = sum(m.running_mean.numel() + m.running_var.numel() for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    row = [f"'{spec}',".ljust(29), f"{variant(spec, name)},".ljust(22), f"{res},".ljust(5), f"{params:_},".ljust(13), f"{bn:_},".ljust(10), f"{macs(model, res):_}"]
    print(f"  [{' '.join(row)}],", flush=True)
