#!/usr/bin/python3
"""Write the model weights of a run's last.ckpt as a safetensors file, so that a copy of the run
folder with them as best.safetensors can be scored by `leukoscope evaluate` — the last epoch
instead of the best-validation one (bench/RESULTS.md, "Mixup for the small ViT Hybrid").

    /usr/bin/python3 bench/last_checkpoint_weights.py RUN/last.ckpt COPY/best.safetensors

last.ckpt is a LibTorch serialize archive; Python's torch.jit.load reads it, its "model" entry
holding the parameters and buffers under the same names leukoscope's safetensors use. Debian's
torch suffices: the file is written by the tests' own safetensors writer.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "models"))
from reference_models import save_safetensors  # noqa: E402


def main(source, destination):
    model = torch.jit.load(source).model
    tensors = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    save_safetensors(destination, tensors, {"source": os.path.basename(source)})
    print(f"{destination}: {len(tensors)} tensors")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: last_checkpoint_weights.py RUN/last.ckpt OUT.safetensors")
    main(sys.argv[1], sys.argv[2])
