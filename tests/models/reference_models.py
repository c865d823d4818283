#!/usr/bin/python3
"""Python references for leukoscope's model tests (run with Debian's /usr/bin/python3: torch 1.13,
torchvision 0.14, PIL). Only torch, torchvision, PIL, json and struct: no safetensors package.

  reference_models.py resnet50 OUT.safetensors IMAGE...
      torchvision resnet50 (7 classes) with fixed random weights and eval-mode batch norm whose
      running statistics were accumulated on the images; writes its state_dict, the input batch
      ("test.input") and its logits ("test.logits").
  reference_models.py hybrid OUT.safetensors IMAGE...
      the same for a reduced-depth R50+ViT hybrid written with torch.nn only, following timm.
  reference_models.py check-resnet50 FILE.safetensors
      loads a state_dict leukoscope saved into torchvision.models.resnet50(num_classes=7) with
      load_state_dict(strict=True), recomputes the logits of "test.input" and compares them with
      leukoscope's "test.logits"; exit status 1 when max |diff| >= 1e-4.
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 7

# ---------------------------------------------------------------- safetensors with struct + json
DTYPES = {torch.float32: "F32", torch.int64: "I64"}
TORCH_DTYPES = {"F32": torch.float32, "I64": torch.int64}


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        b, en = e["data_offsets"]
        buf = bytearray(data[8 + n + b:8 + n + en])
        out[name] = torch.frombuffer(buf, dtype=TORCH_DTYPES[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def load_images(paths, height, width):
    from PIL import Image
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    batch = []
    for p in paths:
        img = Image.open(p).convert("RGB").resize((width, height), Image.BILINEAR)
        t = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).reshape(height, width, 3)
        batch.append((t.permute(2, 0, 1).float() / 255.0 - mean) / std)
    return torch.stack(batch)


def randomise_norms(model):
    """Non-trivial affine parameters so a swapped weight/bias or a missed norm shows up."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)


# ---------------------------------------------------------------- hybrid, following timm
def pad_same(x, k, s, value=0.0):
    # timm/layers/padding.py get_same_padding + pad_same: TF "SAME", odd pixel right/bottom.
    ih, iw = x.shape[-2:]
    ph = max((math.ceil(ih / s) - 1) * s + k - ih, 0)
    pw = max((math.ceil(iw / s) - 1) * s + k - iw, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=value)


class StdConv2dSame(nn.Conv2d):
    # timm/layers/std_conv.py StdConv2dSame.forward (eps=1e-8 from vision_transformer_hybrid
    # _resnetv2): per-output-channel weight standardisation through F.batch_norm(training=True).
    # standardise=False (groups 0, leukoscope's batch-norm backbone): timm's Conv2dSame.
    def __init__(self, cin, cout, k, stride=1, eps=1e-8, standardise=True):
        super().__init__(cin, cout, k, stride=stride, padding=0, bias=False)
        self.eps = eps
        self.standardise = standardise

    def forward(self, x):
        x = pad_same(x, self.kernel_size[0], self.stride[0])
        w = self.weight
        if self.standardise:
            w = F.batch_norm(w.reshape(1, self.out_channels, -1), None, None,
                             training=True, momentum=0., eps=self.eps).reshape_as(w)
        return F.conv2d(x, w, None, self.stride)


class GroupNormAct(nn.GroupNorm):
    # timm/layers/norm_act.py GroupNormAct: GroupNorm(32, eps 1e-5) then ReLU (or identity).
    def __init__(self, groups, channels, act=True):
        super().__init__(groups, channels, eps=1e-5)
        self.act = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.act(super().forward(x))


class BatchNormAct(nn.BatchNorm2d):
    # timm/layers/norm_act.py BatchNormAct2d: BatchNorm2d (eps 1e-5) then ReLU (or identity).
    def __init__(self, channels, act=True):
        super().__init__(channels, eps=1e-5)
        self.act = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.act(super().forward(x))


def norm_act(groups, channels, act=True):
    # groups 0: leukoscope's batch-norm backbone (the `small` preset), else timm's GroupNorm.
    return GroupNormAct(groups, channels, act) if groups > 0 else BatchNormAct(channels, act)


def conv(cin, cout, k, groups, stride=1):
    return StdConv2dSame(cin, cout, k, stride=stride, standardise=groups > 0)


class Stem(nn.Module):
    # timm resnetv2.py create_resnetv2_stem(stem_type='same', preact=False): conv, norm, pool.
    def __init__(self, width, groups):
        super().__init__()
        self.conv = conv(3, width, 7, groups, stride=2)
        self.norm = norm_act(groups, width)

    def forward(self, x):
        x = self.norm(self.conv(x))
        # timm/layers/pool2d_same.py MaxPool2dSame: SAME padding with -inf.
        return F.max_pool2d(pad_same(x, 3, 2, value=-float("inf")), 3, 2)


class DownsampleConv(nn.Module):
    # timm resnetv2.py DownsampleConv (preact=False): conv 1x1/stride, norm without activation.
    def __init__(self, cin, cout, stride, groups):
        super().__init__()
        self.conv = conv(cin, cout, 1, groups, stride=stride)
        self.norm = norm_act(groups, cout, act=False)

    def forward(self, x):
        return self.norm(self.conv(x))


class Bottleneck(nn.Module):
    # timm resnetv2.py Bottleneck (non-pre-activation): ReLU after the residual add.
    def __init__(self, cin, cout, stride, project, groups):
        super().__init__()
        mid = cout // 4
        self.downsample = DownsampleConv(cin, cout, stride, groups) if project else None
        self.conv1 = conv(cin, mid, 1, groups)
        self.norm1 = norm_act(groups, mid)
        self.conv2 = conv(mid, mid, 3, groups, stride=stride)
        self.norm2 = norm_act(groups, mid)
        self.conv3 = conv(mid, cout, 1, groups)
        self.norm3 = norm_act(groups, cout, act=False)

    def forward(self, x):
        shortcut = self.downsample(x) if self.downsample is not None else x
        x = self.norm1(self.conv1(x))
        x = self.norm2(self.conv2(x))
        x = self.norm3(self.conv3(x))
        return F.relu(x + shortcut)


class Stage(nn.Module):
    # timm resnetv2.py ResNetStage: only the first block projects and strides.
    def __init__(self, cin, cout, depth, stride, groups):
        super().__init__()
        self.blocks = nn.Sequential(*[
            Bottleneck(cin if i == 0 else cout, cout, stride if i == 0 else 1, i == 0, groups)
            for i in range(depth)])

    def forward(self, x):
        return self.blocks(x)


class ResNetV2(nn.Module):
    # timm resnetv2.py ResNetV2(preact=False, num_classes=0, global_pool=''): stem, stages; the
    # final norm and head are Identity, without parameters.
    def __init__(self, layers, channels, width, groups):
        super().__init__()
        self.stem = Stem(width, groups)
        stages, cin = [], width
        for i, (d, c) in enumerate(zip(layers, channels)):
            stages.append(Stage(cin, c, d, 1 if i == 0 else 2, groups))
            cin = c
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        return self.stages(self.stem(x))


class HybridEmbed(nn.Module):
    # timm vision_transformer_hybrid.py HybridEmbed (patch_size 1): backbone, 1x1 proj.
    def __init__(self, cfg):
        super().__init__()
        self.backbone = ResNetV2(cfg["layers"], cfg["channels"], cfg["stem_width"], cfg["groups"])
        self.proj = nn.Conv2d(cfg["channels"][-1], cfg["embed_dim"], 1)

    def forward(self, x):
        x = self.proj(self.backbone(x))
        return x, x.shape[-2:]


class Attention(nn.Module):
    # timm vision_transformer.py Attention, the non-fused path (q * scale @ k^T, softmax, @ v).
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    # timm/layers/mlp.py Mlp: fc1, exact GELU, fc2.
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    # timm vision_transformer.py Block: pre-norm, LayerNorm eps 1e-6, no layer scale.
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def resample_abs_pos_embed(posemb, new_size, num_prefix_tokens=1):
    # timm/layers/pos_embed.py resample_abs_pos_embed: bicubic, antialias=True, square old grid.
    n = posemb.shape[1] - num_prefix_tokens
    hw = int(math.sqrt(n))
    if hw * hw == n and tuple(new_size) == (hw, hw):
        return posemb
    prefix, grid = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    dim = posemb.shape[-1]
    grid = grid.reshape(1, hw, hw, dim).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=tuple(new_size), mode="bicubic", antialias=True)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat([prefix, grid], dim=1)


class VitHybrid(nn.Module):
    # timm vision_transformer.py VisionTransformer (class token, global_pool='token',
    # dynamic_img_size-style _pos_embed: resample to the actual grid, then add).
    def __init__(self, cfg, num_classes, grid):
        super().__init__()
        d = cfg["embed_dim"]
        self.patch_embed = HybridEmbed(cfg)
        self.cls_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, grid * grid + 1, d) * 0.02)
        self.blocks = nn.Sequential(*[Block(d, cfg["heads"], cfg["mlp_dim"]) for _ in range(cfg["depth"])])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, num_classes)

    def forward(self, x):
        x, size = self.patch_embed(x)
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + resample_abs_pos_embed(self.pos_embed, size)
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


# Reduced depth, every component: two blocks in stage 0, stride-2 stages, GN(32), pos_embed on a
# 4x4 grid (64 px) resampled to the 7x6 grid of a 100x90 input (asymmetric SAME pads on the way).
HYBRID_TEST = dict(layers=[2, 1, 1], channels=[128, 256, 512], stem_width=32, groups=32,
                   embed_dim=96, depth=2, heads=4, mlp_dim=192, image_size=64, grid=4,
                   input_hw=[100, 90])
# The same with the `small` preset's batch-norm backbone (groups 0: BN, convs not standardised).
HYBRID_BN_TEST = dict(HYBRID_TEST, groups=0)


def main():
    mode = sys.argv[1]
    torch.manual_seed(1234)
    torch.set_num_threads(2)
    if mode == "check-resnet50":
        import torchvision
        tensors = load_safetensors(sys.argv[2])
        x, expected = tensors.pop("test.input"), tensors.pop("test.logits")
        model = torchvision.models.resnet50(num_classes=NUM_CLASSES)
        model.load_state_dict(tensors, strict=True)
        model.eval()
        with torch.no_grad():
            diff = (model(x) - expected).abs().max().item()
        print(f"max |diff| = {diff:.3g}")
        sys.exit(0 if diff < 1e-4 else 1)

    if mode == "resnet50-names":
        import torchvision
        model = torchvision.models.resnet50(num_classes=1000)
        params = dict(model.named_parameters())
        print("# torchvision resnet50(num_classes=1000).state_dict() in order: kind name shape")
        print("# generated by: /usr/bin/python3 reference_models.py resnet50-names")
        for k, v in model.state_dict().items():
            print("param" if k in params else "buffer", k, ",".join(map(str, v.shape)))
        return

    out, images = sys.argv[2], sys.argv[3:]
    if mode == "resnet50":
        import torchvision
        model = torchvision.models.resnet50(num_classes=NUM_CLASSES)
        x = load_images(images, 136, 120)
        meta = {"model": "resnet50", "num_classes": str(NUM_CLASSES)}
    elif mode in ("hybrid", "hybrid-bn"):
        cfg = HYBRID_TEST if mode == "hybrid" else HYBRID_BN_TEST
        model = VitHybrid(cfg, NUM_CLASSES, cfg["grid"])
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, nn.Linear):
                    m.weight.normal_(0.0, 0.05)
                    m.bias.normal_(0.0, 0.02)
        x = load_images(images, *cfg["input_hw"])
        meta = {"model": "vit-hybrid", "num_classes": str(NUM_CLASSES), "config": json.dumps(cfg)}
    else:
        sys.exit(f"unknown mode {mode}")
    randomise_norms(model)
    # Running statistics accumulated on the real batch (cumulative average), so eval-mode batch
    # norm is non-trivial yet keeps activations in range through all 16 bottlenecks.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
    model.train()
    with torch.no_grad():
        model(x)
        model(x.flip(-1))
    model.eval()
    with torch.no_grad():
        logits = model(x)
    tensors = dict(model.state_dict())
    tensors["test.input"] = x
    tensors["test.logits"] = logits
    save_safetensors(out, tensors, meta)
    print(f"{mode}: {sum(p.numel() for p in model.parameters())} params, logits std {logits.std().item():.3g}")


if __name__ == "__main__":
    main()
