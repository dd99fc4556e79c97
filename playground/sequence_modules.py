"""PyTorch modules for sequence layers, written so that the exported script can carry their source.

``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` return a tuple (every step's output, and the final state), and
``nn.Embedding`` wants integer ids; an ``nn.Sequential`` block wants one tensor in and one out. These
small wrappers bridge that. The model builder uses them, and the PyTorch export copies this file's
class sources verbatim (``sequence_layers.class_source`` reads them without importing torch) so a generated script computes exactly what the engine does.

Shapes: a sequence batch is ``(batch, time, features)`` (``batch_first``); token ids arrive as a
sequence of one feature holding whole numbers.
"""

from __future__ import annotations

import torch
from torch import nn


class Recurrent(nn.Module):
    """nn.RNN, nn.LSTM or nn.GRU over (batch, time, features), giving one tensor: the last step, or every step."""

    def __init__(self, cell, input_size, hidden_size, num_layers=1, bidirectional=False, dropout=0.0,
                 every_step=False):
        super().__init__()
        self.rnn = getattr(nn, cell)(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                                     bidirectional=bidirectional, dropout=dropout)
        self.every_step = every_step

    def forward(self, x):
        out, _ = self.rnn(x)  # nn.LSTM returns (output, (h, c)); nn.RNN and nn.GRU return (output, h)
        if self.every_step:
            return out  # (batch, time, hidden × directions)
        if not self.rnn.bidirectional:
            return out[:, -1]
        # The backward direction reads the sequence from its end, so its final state is at step 0 (as in Keras).
        h = self.rnn.hidden_size
        return torch.cat([out[:, -1, :h], out[:, 0, h:]], dim=1)


class TokenEmbedding(nn.Module):
    """nn.Embedding for a sequence of token ids given as one feature per step: (batch, time, 1) → (batch, time, dim)."""

    def __init__(self, vocab, dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)

    def forward(self, x):
        return self.embedding(x[..., 0].long())
