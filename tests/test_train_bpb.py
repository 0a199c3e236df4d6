import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from hub.measurement.bpb import IGNORE, bits_per_byte, score_rows, scoring_rows
from hub.model import DecoderLM
from hub.model_config import ModelConfig


@given(
    ids=st.lists(st.integers(3, 50), max_size=40),
    context=st.integers(3, 12),
)
def test_scoring_rows_score_every_token_once_within_the_context(ids, context):
    rows = scoring_rows(ids, [0, 1], eos=2, context_length=context)
    scored = [t for _, targets in rows for t in targets if t != IGNORE]
    assert scored == [*ids, 2]
    for inputs, targets in rows:
        assert inputs[:2] == [0, 1]
        assert len(inputs) == len(targets) <= context
        assert inputs[2:] == targets[1:-1]  # each input predicts the next target


def test_bits_per_byte_and_padding_free_scores():
    assert bits_per_byte(math.log(2) * 8, 8) == 1.0
    assert math.isnan(bits_per_byte(1.0, 0))
    torch.manual_seed(0)
    model = DecoderLM(ModelConfig(vocab_size=20, n_layer=1, n_head=2, d_model=8, context_length=8))
    short = scoring_rows([5, 6], [0, 1], 2, 8)
    long = scoring_rows([7, 8, 9, 10, 11], [0, 1], 2, 8)
    together = score_rows(model.eval(), short + long, pad_id=3)
    apart = score_rows(model, short, pad_id=3) + score_rows(model, long, pad_id=3)
    assert abs(together - apart) < 1e-4
