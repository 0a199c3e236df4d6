"""One process or many: the training loop's view of torch.distributed.

Started by `torchrun --nproc-per-node N`, the environment names this process's rank and the
world size; the loop then wraps the model in DistributedDataParallel (gloo on CPU, NCCL on
GPU). Started plainly, the same methods do nothing, so the loop has a single code path.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass

import torch
import torch.distributed as torch_dist

from plumbing.errors import InputError


@dataclass
class Distributed:
    """Rank, world size and device of this process."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @classmethod
    def from_environment(cls, device: str, threads: int | None = None) -> Distributed:
        """Join the process group when started by torchrun; pick and prepare the device.

        Args:
            device: "cpu" or "cuda".
            threads: CPU threads for this process; None shares the usable cores among the
                ranks on this machine. On a busy machine fewer threads can be faster: idle
                cores are what parallel kernels need, and waiting threads spin.
        """
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
        if device == "cuda":
            if not torch.cuda.is_available():
                raise InputError("--device cuda: no CUDA device is available; use --device cpu")
            chosen = torch.device("cuda", local_rank)
            torch.cuda.set_device(chosen)
        elif device == "cpu":
            chosen = torch.device("cpu")
            # Ranks on one machine share its cores; oversubscribing them slows every rank.
            local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
            torch.set_num_threads(threads or max(1, len(os.sched_getaffinity(0)) // local))
        else:
            raise InputError(f"--device {device!r} is unknown: expected cpu or cuda")
        if world_size > 1 and not torch_dist.is_initialized():
            torch_dist.init_process_group("nccl" if chosen.type == "cuda" else "gloo")
        return cls(rank, world_size, local_rank, chosen)

    @property
    def is_main(self) -> bool:
        """Rank 0 evaluates, writes checkpoints and registers the model."""
        return self.rank == 0

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """The model as the loop trains it: DDP-wrapped when there are several ranks."""
        if self.world_size == 1:
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    def slice(self, global_batch: torch.Tensor) -> torch.Tensor:
        """This rank's share of a batch every rank drew identically."""
        share = global_batch.shape[0] // self.world_size
        return global_batch[self.rank * share : (self.rank + 1) * share]

    def no_sync(self, model: torch.nn.Module, sync: bool):
        """Skip the gradient all-reduce on accumulation micro-steps before the last."""
        if self.world_size == 1 or sync:
            return nullcontext()
        return model.no_sync()

    def mean(self, value: torch.Tensor) -> float:
        """Average of a scalar over ranks."""
        if self.world_size > 1:
            value = value.detach().clone().to(self.device)
            torch_dist.all_reduce(value, op=torch_dist.ReduceOp.SUM)
            value = value / self.world_size
        return float(value)

    def barrier(self) -> None:
        """Wait for every rank."""
        if self.world_size > 1:
            torch_dist.barrier()

    def raise_if_any(self, refusal: InputError | None) -> None:
        """Raise on every rank if any rank was refused, so none waits for the others in vain."""
        if self.world_size == 1:
            if refusal is not None:
                raise refusal
            return
        gathered: list[str | None] = [None] * self.world_size
        torch_dist.all_gather_object(gathered, None if refusal is None else str(refusal))
        refused = [f"rank {rank}: {message}" for rank, message in enumerate(gathered) if message]
        if refused:
            raise InputError("; ".join(refused))

    def check_same(self, value: str, what: str) -> None:
        """Fail loudly if ranks disagree on `value` (e.g. their weights' hash)."""
        if self.world_size == 1:
            return
        gathered: list[str | None] = [None] * self.world_size
        torch_dist.all_gather_object(gathered, value)
        print(f"rank {self.rank}: {what} {value}", flush=True)
        if len(set(gathered)) > 1:
            raise RuntimeError(f"ranks disagree on {what}: {gathered}")

    def device_name(self) -> str:
        """Human-readable device, e.g. `cpu x2` or `NVIDIA H200 x4`."""
        name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"
        return f"{name} x{self.world_size}"

    def close(self) -> None:
        """Leave the process group."""
        if self.world_size > 1 and torch_dist.is_initialized():
            torch_dist.destroy_process_group()
