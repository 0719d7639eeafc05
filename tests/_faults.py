"""Faults a user brings into a training: Ctrl+C in a batch or as an epoch ends.

pytest puts tests/ on ``sys.path``, so a test file imports them with ``from _faults import ...``.
"""

from skorch.callbacks import Callback


class CtrlCAt(Callback):
    """The user presses Ctrl+C during a training batch of ``epoch``, or as it ends."""

    def __init__(self, epoch, at_epoch_end=False):
        self.epoch = epoch
        self.at_epoch_end = at_epoch_end

    def on_batch_end(self, net, training=False, **kwargs):
        if training and not self.at_epoch_end and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if self.at_epoch_end and len(net.history) == self.epoch:
            raise KeyboardInterrupt
