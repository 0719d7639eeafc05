"""The torch side of :class:`~skgesture.store.RecordingStore`: items for skorch's DataLoader."""

from __future__ import annotations

import torch


class RecordingItems(torch.utils.data.Dataset):
    """Recordings of a store with their label codes, read one at a time.

    Each item is ``({"x": recording zero-padded to the store's n_frames, "lengths": n_frames_i},
    label_code)``, the items skorch makes of the in-memory ``{"x": data, "lengths": lengths}``,
    so the same batch collator trims, augments and standardises them.
    """

    def __init__(self, store, y_codes):
        self.store = store
        self.y_codes = y_codes

    def __len__(self):
        return len(self.store)

    def __getitem__(self, index):
        inputs = {"x": self.store[index], "lengths": self.store.lengths[index]}
        return inputs, self.y_codes[index]
