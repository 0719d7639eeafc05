"""Export of fitted skgesture classifiers to other runtimes.

:func:`export_onnx` writes a fitted classifier, or a Pipeline ending in one, as an ONNX model
that takes raw padded positions and true lengths and returns class probabilities, with the
estimator's whole preprocessing inside; it needs the ``onnx`` extra
(``pip install skgesture[onnx]``). See ``docs/deploy.md``.
"""

from skgesture.export.onnx import export_onnx

__all__ = ["export_onnx"]
