"""Shared helpers: data-convention checks."""

from skgesture.utils.validation import (
    Dataset,
    Recordings,
    check_dataset,
    check_recordings,
    pad_recordings,
    recording_lengths,
    restore_layout,
)

__all__ = [
    "Dataset",
    "Recordings",
    "check_dataset",
    "check_recordings",
    "pad_recordings",
    "recording_lengths",
    "restore_layout",
]
