"""Which torch device a network goes to: the one rule the estimators and persistence share."""

from __future__ import annotations

__all__ = ["resolve_device"]


def resolve_device(device):
    """``"auto"`` -> CUDA when available; ``"cuda"`` without CUDA is a clear error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' but torch finds no CUDA device here; use device='auto' or 'cpu'."
        )
    return device
