"""The pieces behind :mod:`argmine.evaluate`, one module per protocol.

- :mod:`~argmine.evaluation.structure`: scores on gold units (ARI, ARC, AbstRCT's
  two-class component figure) and which relations a corpus annotates itself;
- :mod:`~argmine.evaluation.end2end`: matching predicted segments to gold components;
- :mod:`~argmine.evaluation.microtext`: cc / ro / fu / at and the cross-validation;
- :mod:`~argmine.evaluation.report`: the printed table beside the published figures.

The public entry point is :func:`argmine.evaluate.evaluate`.
"""
