#!/usr/bin/env python3
"""Write the model weights of a run's last.ckpt as a safetensors file, so that a copy of the run
folder with them as best.safetensors can be scored by `leukoscope evaluate` — the last epoch
instead of the best-validation one (bench/RESULTS.md, "Mixup for the small ViT Hybrid").

    python3 bench/last_checkpoint_weights.py RUN/last.ckpt COPY/best.safetensors

last.ckpt is a LibTorch serialize archive; Python's torch.jit.load reads it, its "model" entry
holding the parameters and buffers under the same names leukoscope's safetensors use.
"""
import json
import struct
import sys

import torch

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def main(source, destination):
    model = torch.jit.load(source).model
    tensors = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        data = tensor.reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(destination, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for data in blobs:
            out.write(data)
    print(f"{destination}: {len(tensors)} tensors")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: last_checkpoint_weights.py RUN/last.ckpt OUT.safetensors")
    main(sys.argv[1], sys.argv[2])
