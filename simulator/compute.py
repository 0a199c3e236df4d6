"""Compute from physics: what serving, training and localising a model cost on rented GPUs.

A dense Transformer (or the active part of a mixture of experts) spends about 2 N FLOPs per
token in a forward pass and 6 N per token in training (forward + backward; Kaplan et al.
2020, section 2.1; Hoffmann et al. 2022). On a GPU of peak P FLOP/s run at model FLOPs
utilisation u, a token therefore takes 2 N / (P u) GPU-seconds to serve and a training run
on D tokens 6 N D / (P u) GPU-seconds; at a price of h dollars per GPU-hour:

- serving cost per token   = 2 N / (P u_serve) x h / 3600
- training run (one model generation) = 6 N D / (P u_train) x h / 3600
- localising a region = continued pre-training on D_region regional tokens, the same
  formula with D = D_region, plus the region's post-training (instruction and preference
  data in its languages), a stated dollar figure.

So the GPU price moves serving, training and localisation together. The defaults and their
sources are in `simulator.scenario.Compute`, `simulator.scenario.firm.FirmModel` and
`simulator.parameters.Parameters`.
"""

from __future__ import annotations

SECONDS_PER_HOUR = 3600.0
SERVE_FLOPS_PER_PARAM = 2.0  # forward pass: one multiply-add per parameter per token
TRAIN_FLOPS_PER_PARAM = 6.0  # forward + backward (twice the forward)


def gpu_seconds(flops: float, peak_flops: float, utilisation: float) -> float:
    """GPU-seconds that `flops` take at `utilisation` of the GPU's peak."""
    return flops / (peak_flops * utilisation)


def serving_usd_per_token(active_params: float, peak_flops: float, utilisation: float,
                          gpu_usd_per_hour: float) -> float:
    """Dollars per token served: 2 N / (P u) GPU-seconds at the GPU's price per second."""
    seconds = gpu_seconds(SERVE_FLOPS_PER_PARAM * active_params, peak_flops, utilisation)
    return seconds * gpu_usd_per_hour / SECONDS_PER_HOUR


def training_usd(active_params: float, tokens: float, peak_flops: float, utilisation: float,
                 gpu_usd_per_hour: float) -> float:
    """Dollars of one training run: 6 N D FLOPs at the GPU's price per second."""
    seconds = gpu_seconds(TRAIN_FLOPS_PER_PARAM * active_params * tokens, peak_flops,
                          utilisation)
    return seconds * gpu_usd_per_hour / SECONDS_PER_HOUR


def training_gpu_hours(active_params: float, tokens: float, peak_flops: float,
                       utilisation: float) -> float:
    """GPU-hours of a training run on `tokens` tokens (6 N D FLOPs)."""
    flops = TRAIN_FLOPS_PER_PARAM * active_params * tokens
    return gpu_seconds(flops, peak_flops, utilisation) / SECONDS_PER_HOUR
