"""The network: encoder, heads, tokenization and the model that joins them.

Importing this package does not import torch; its modules do. What the command line
needs without torch lives here.

Example:
    >>> PRECISIONS
    ('auto', 'float32', 'bfloat16')
"""

#: Accepted values of ``precision`` (see :func:`argmine.nn.encoder.compute_dtype`).
PRECISIONS = ("auto", "float32", "bfloat16")
