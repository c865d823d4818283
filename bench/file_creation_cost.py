#!/usr/bin/env python3
"""What the kernel charges for writing a preprocessing cache's entries (bench/first_epoch_cache_io.sh).

Writes COUNT files of SIZE bytes into a fresh folder under ROOT, spread over 256 sub-folders as
the cache spreads its entries, then syncs; prints the wall time and the whole machine's system
and steal time (/proc/stat ticks of 1/100 s) over the writes and the writeback. Run it with the
same bytes in few and in many files, on the disk and on tmpfs, to separate the cost per file
from the cost per byte:

  python3 bench/file_creation_cost.py /tmp 2998 49206      # C-NMC fold 0's entries at 128 px
  python3 bench/file_creation_cost.py /tmp 30 4920600      # the same bytes in 30 files
  python3 bench/file_creation_cost.py /dev/shm 2998 49206  # the same entries on tmpfs
"""
import os
import shutil
import sys
import tempfile
import time


def machine_ticks():
    fields = list(map(int, open('/proc/stat').readline().split()[1:]))
    system = fields[2] + fields[5] + fields[6]  # system, irq, softirq
    return system, fields[7]  # and steal


def main():
    root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    folder = tempfile.mkdtemp(prefix='file-creation-', dir=root)
    try:
        for i in range(256):
            os.makedirs(f'{folder}/{i:02x}')
        payload = os.urandom(size)
        system0, steal0 = machine_ticks()
        start = time.time()
        for i in range(count):
            path = f'{folder}/{i % 256:02x}/{i}.bmp'
            with open(path + '.tmp', 'wb') as f:  # temporary + rename, no fsync: as the cache writes
                f.write(payload)
            os.rename(path + '.tmp', path)
        written = time.time()
        os.sync()
        synced = time.time()
        system1, steal1 = machine_ticks()
        print(f'{root}: {count} x {size} B: write {written - start:.2f} s, sync {synced - written:.2f} s, '
              f'system {system1 - system0} ticks, steal {steal1 - steal0} ticks')
    finally:
        shutil.rmtree(folder)


if __name__ == '__main__':
    main()
