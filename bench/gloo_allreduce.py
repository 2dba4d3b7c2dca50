#!/usr/bin/python3
"""Gloo all-reduce over loopback between 2 processes (torch.distributed in Debian's
python3-torch, the Gloo scgrad's ranks use): median milliseconds for one step's gradient buffer
of the logistic model (20,001 floats), the two-layer model (1,000,153) and a larger one.
Run by bench/distributed_benchmark.sh."""
import os, statistics, time
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

def rank_main(rank, sizes, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT="29713")
    dist.init_process_group("gloo", rank=rank, world_size=2)
    for n in sizes:
        x = torch.ones(n)
        for _ in range(5):
            dist.all_reduce(x)
        times = []
        for _ in range(50):
            t = time.perf_counter()
            dist.all_reduce(x)
            times.append(time.perf_counter() - t)
        if rank == 0:
            out[n] = statistics.median(times) * 1e3
    dist.destroy_process_group()

if __name__ == "__main__":
    torch.set_num_threads(1)
    sizes = [20_001, 1_000_153, 4_000_000]
    with mp.Manager() as manager:
        out = manager.dict()
        mp.spawn(rank_main, args=(sizes, out), nprocs=2)
        for n in sizes:
            print(f"| {n:,} | {n * 4 / 1e6:.2f} | {out[n]:.2f} |")
