"""Transformers for skeleton recordings, and data augmentation.

Transformers (Pipeline steps; each accepts every layout of the data conventions):

- :class:`SkeletonPadder` -- recordings of any length to a fixed number of frames;
- :class:`Flattener` -- one row of numbers per recording, for tabular models;
- :class:`SkeletonNormalizer` -- position, size and facing direction removed;
- :class:`JointSelector` -- a subset of the joints;
- :class:`FrameRateResampler` -- one frame rate, from the recordings' time stamps or a source rate;
- :class:`JointImputer` -- missing positions (NaN) filled from neighbouring frames.

Augmentations live in :mod:`skgesture.preprocessing.augment`; they are applied by classifiers
during training, never as Pipeline steps.
"""

from skgesture.preprocessing import augment
from skgesture.preprocessing._flatten import Flattener
from skgesture.preprocessing._impute import JointImputer
from skgesture.preprocessing._normalize import SkeletonNormalizer
from skgesture.preprocessing._padding import SkeletonPadder
from skgesture.preprocessing._resample import FrameRateResampler
from skgesture.preprocessing._select import JointSelector

__all__ = [
    "FrameRateResampler",
    "Flattener",
    "JointImputer",
    "JointSelector",
    "SkeletonNormalizer",
    "SkeletonPadder",
    "augment",
]
