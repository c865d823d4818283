#!/usr/bin/python3
"""Checkpoints made by the real libraries, for leukoscope's weight-interchange tests (run with
Debian's /usr/bin/python3: torch 1.13, torchvision 0.14, plus timm and safetensors from PyPI, which
scripts/install-python-refs.sh puts in a folder for PYTHONPATH). Unlike reference_models.py, the
models here are the libraries' own classes and the files are written by safetensors itself.

  timm_reference.py vit OUT.safetensors [IMAGE...]
      timm.create_model('vit_base_r50_s16_224', num_classes=7), timm's random initialisation under
      a fixed seed, with non-trivial norm affines, class token, position embedding and head; writes
      its state_dict() unchanged plus the input batch ("test.input") and its eval-mode logits
      ("test.logits") with safetensors.torch.save_file.
  timm_reference.py resnet50 OUT.safetensors [IMAGE...]
      the same for torchvision.models.resnet50(num_classes=7), batch-norm running statistics
      accumulated by train-mode forwards on the batch (num_batches_tracked included).
  timm_reference.py check vit|resnet50 FILE.safetensors
      the other direction: the library's model loads FILE (a state_dict leukoscope wrote, plus
      "test.input" and leukoscope's "test.logits") with safetensors.torch.load_file and
      load_state_dict(strict=True), recomputes the logits and compares; exit status 1 when
      max |diff| >= 1e-4.
  timm_reference.py versions
      one line: python, torch, torchvision, timm and safetensors versions.

The input is IMAGE... resized to 224x224 and ImageNet-normalised when given, else 2 images of
seeded N(0, 1) noise. The metadata names the libraries' versions.
"""
import os
import sys

import torch
import torch.nn as nn

NUM_CLASSES = 7
SIZE = 224


def versions():
    import safetensors
    import timm
    import torchvision
    return (f"python {sys.version.split()[0]}, torch {torch.__version__}, torchvision {torchvision.__version__}, "
            f"timm {timm.__version__}, safetensors {safetensors.__version__}")


def input_batch(images):
    if images:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from reference_models import load_images
        return load_images(images, SIZE, SIZE)
    return torch.randn(2, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(7))


def randomise_norms(model):
    """Non-trivial affine parameters so a swapped weight/bias or a missed norm shows up (timm's
    GroupNormAct and LayerNorm subclass torch's)."""
    n = 0
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
            n += 1
    return n


def make_vit():
    import timm
    model = timm.create_model("vit_base_r50_s16_224", pretrained=False, num_classes=NUM_CLASSES)
    randomise_norms(model)
    with torch.no_grad():
        # timm draws cls_token ~ N(0, 1e-6) and the head ~ N(0, 0.02): a class token that was not
        # loaded, or a head that was, would hardly show in the logits.
        model.cls_token.normal_(0.0, 0.1)
        model.pos_embed.normal_(0.0, 0.1)
        model.head.weight.normal_(0.0, 0.05)
        model.head.bias.normal_(0.0, 0.1)
    return model


def make_resnet50(x):
    import torchvision
    model = torchvision.models.resnet50(num_classes=NUM_CLASSES)
    randomise_norms(model)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average: statistics of the batch, not of the init
    model.train()
    with torch.no_grad():
        model(x)
        model(x.flip(-1))
        model(x * 1.5 + 0.2)
    return model


def check(kind, path):
    from safetensors.torch import load_file
    tensors = load_file(path)
    x, expected = tensors.pop("test.input"), tensors.pop("test.logits")
    if kind == "vit":
        import timm
        model = timm.create_model("vit_base_r50_s16_224", pretrained=False, num_classes=expected.shape[1])
    else:
        import torchvision
        model = torchvision.models.resnet50(num_classes=expected.shape[1])
    model.load_state_dict(tensors, strict=True)
    model.eval()
    with torch.no_grad():
        diff = (model(x) - expected).abs().max().item()
    print(f"{kind}: {len(tensors)} tensors loaded with strict=True, max |diff| = {diff:.3g}; {versions()}")
    return 0 if diff < 1e-4 else 1


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mode = sys.argv[1]
    if mode == "versions":
        print(versions())
        return
    torch.set_num_threads(min(2, torch.get_num_threads()))
    if mode == "check" and len(sys.argv) == 4 and sys.argv[2] in ("vit", "resnet50"):
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if mode not in ("vit", "resnet50") or len(sys.argv) < 3:
        sys.exit(__doc__)
    from safetensors.torch import save_file

    out, images = sys.argv[2], sys.argv[3:]
    torch.manual_seed(1234)
    x = input_batch(images)
    model = make_vit() if mode == "vit" else make_resnet50(x)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    # state_dict() exactly as the library names it: that is what is under test.
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors["test.input"] = x.contiguous()
    tensors["test.logits"] = logits.contiguous()
    meta = {"format": "pt", "model": "vit_base_r50_s16_224" if mode == "vit" else "torchvision resnet50",
            "num_classes": str(NUM_CLASSES), "versions": versions()}
    save_file(tensors, out, metadata=meta)
    print(f"{mode}: {len(tensors) - 2} tensors, {sum(p.numel() for p in model.parameters())} params, "
          f"logits std {logits.std().item():.3g}; {versions()}")


if __name__ == "__main__":
    main()
