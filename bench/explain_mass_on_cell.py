"""Where a run's Grad-CAM maps put their mass: on the cell or on the black canvas around it.

    python3 bench/explain_mass_on_cell.py MAPS_DIR      # MAPS_DIR from `leukoscope evaluate RUN --explain MAPS_DIR`

For every NNNN-NAME.grad-cam.map.png (the raw map, 16-bit grey) the left panel of its
NNNN-NAME.grad-cam.png (the cell as the model saw it) is shrunk to the map's size; the cell is what
is brighter than 20 there, as in tests/cli/test_cli_explain_real_cells.cpp. Prints the median and
mean share of each map's mass on the cell and the share of the image the cell covers.
"""
import os, statistics, sys

import numpy as np
from PIL import Image

maps_dir = sys.argv[1]
on_cell, area = [], []
for name in sorted(os.listdir(maps_dir)):
    if not name.endswith(".grad-cam.map.png"):
        continue
    m = np.asarray(Image.open(os.path.join(maps_dir, name)), dtype=np.float64) / 65535.0
    picture = Image.open(os.path.join(maps_dir, name[: -len(".map.png")] + ".png")).convert("L")
    side = (picture.width - 4) // 2
    view = np.asarray(picture.crop((0, 0, side, side)).resize((m.shape[1], m.shape[0]), Image.BOX))
    cell = view > 20
    if m.sum() <= 0:
        continue  # a flat map has no mass to place
    on_cell.append(m[cell].sum() / m.sum())
    area.append(cell.mean())
print(f"{len(on_cell)} maps: Grad-CAM mass on the cell median {statistics.median(on_cell):.3f}, "
      f"mean {statistics.mean(on_cell):.3f}; the cell is {statistics.mean(area):.3f} of the image")
