import pytest
import torch

from hub.model import DecoderLM, apply_rotary, count_parameters, rotary_cos_sin
from hub.model_config import (
    SIZES,
    ModelConfig,
    config_for,
    flops_per_token,
    llama_mlp_width,
    parameter_count,
)


def tiny_model(seed=0, **overrides) -> DecoderLM:
    torch.manual_seed(seed)
    config = ModelConfig(
        **{
            **dict(vocab_size=97, n_layer=2, n_head=4, d_model=32, context_length=32),
            **overrides,
        }
    )
    return DecoderLM(config).eval()


def test_shapes_of_logits_and_cache():
    model = tiny_model()
    ids = torch.randint(0, 97, (3, 7))
    logits, cache = model(ids)
    assert logits.shape == (3, 7, 97)
    assert len(cache) == 2
    for key, value in cache:
        assert key.shape == value.shape == (3, 4, 7, 8)


def test_a_change_at_t_never_changes_logits_before_t():
    model = tiny_model()
    ids = torch.randint(0, 97, (2, 12))
    base, _ = model(ids)
    for t in (0, 5, 11):
        changed = ids.clone()
        changed[:, t] = (changed[:, t] + 1) % 97
        logits, _ = model(changed)
        assert torch.equal(logits[:, :t], base[:, :t])
        assert not torch.allclose(logits[:, t:], base[:, t:])


@pytest.mark.parametrize("attention", ["sdpa", "explicit"])
def test_cache_gives_the_same_logits_as_the_full_sequence(attention):
    model = tiny_model(attention=attention)
    ids = torch.randint(0, 97, (2, 10))
    full, _ = model(ids)
    logits, cache = model(ids[:, :6])
    steps = [logits]
    for t in range(6, 10):
        logits, cache = model(ids[:, t : t + 1], past_key_values=cache)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=0)
    assert cache[0][0].shape == (2, 4, 10, 8)


def test_zero_length_past_equals_no_past():
    model = tiny_model()
    ids = torch.randint(0, 97, (2, 5))
    empty = tuple((torch.zeros(2, 4, 0, 8), torch.zeros(2, 4, 0, 8)) for _ in range(2))
    mask = torch.ones(2, 5, dtype=torch.long)
    with_empty, cache = model(ids, attention_mask=mask, past_key_values=empty)
    plain, _ = model(ids)
    torch.testing.assert_close(with_empty, plain, atol=1e-5, rtol=0)
    assert cache[1][1].shape == (2, 4, 5, 8)


def test_explicit_attention_equals_sdpa():
    model = tiny_model()
    ids = torch.randint(0, 97, (3, 9))
    mask = torch.ones(3, 9, dtype=torch.long)
    mask[1, :4] = 0
    fused, _ = model(ids, attention_mask=mask)
    model.set_attention("explicit")
    explicit, _ = model(ids, attention_mask=mask)
    torch.testing.assert_close(explicit, fused, atol=1e-5, rtol=0)
    plain_fused = model(ids)[0]
    model.set_attention("sdpa")
    torch.testing.assert_close(plain_fused, model(ids)[0], atol=1e-5, rtol=0)


@pytest.mark.parametrize("attention", ["sdpa", "explicit"])
def test_left_padded_batch_matches_each_sequence_alone(attention):
    model = tiny_model(attention=attention)
    short = torch.randint(1, 97, (1, 4))
    long = torch.randint(1, 97, (1, 7))
    batch = torch.zeros(2, 7, dtype=torch.long)
    batch[0, 3:] = short
    batch[1] = long
    mask = torch.tensor([[0, 0, 0, 1, 1, 1, 1], [1] * 7])
    logits, cache = model(batch, attention_mask=mask)
    assert torch.isfinite(logits).all()
    torch.testing.assert_close(logits[0, 3:], model(short)[0][0], atol=1e-5, rtol=0)
    torch.testing.assert_close(logits[1], model(long)[0][0], atol=1e-5, rtol=0)
    # Continue generation with the cache: one new token per row, mask grows by one.
    step = torch.randint(1, 97, (2, 1))
    step_logits, _ = model(
        step, attention_mask=torch.cat([mask, torch.ones(2, 1)], 1).long(), past_key_values=cache
    )
    alone = model(torch.cat([short, step[:1]], 1))[0][0, -1]
    torch.testing.assert_close(step_logits[0, 0], alone, atol=1e-5, rtol=0)


def test_parameter_count_is_computed_from_the_shape_and_tied():
    for size in SIZES:
        config = config_for(size, vocab_size=1000)
        model = DecoderLM(config)
        assert count_parameters(model) == parameter_count(config)
        assert flops_per_token(config) > 6 * parameter_count(config)
    model = tiny_model()
    assert not any("lm_head" in name for name, _ in model.named_parameters())


def test_weights_carry_llamas_names_and_shapes():
    model = tiny_model(n_kv_head=2)
    shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert shapes["model.embed_tokens.weight"] == (97, 32)
    assert shapes["model.norm.weight"] == (32,)
    layer = "model.layers.1."
    assert shapes[layer + "self_attn.q_proj.weight"] == (32, 32)
    assert shapes[layer + "self_attn.k_proj.weight"] == (16, 32)  # 2 kv heads of 8
    assert shapes[layer + "mlp.gate_proj.weight"] == (96, 32)
    assert shapes[layer + "mlp.down_proj.weight"] == (32, 96)
    assert shapes[layer + "input_layernorm.weight"] == (32,)
    assert len(shapes) == 2 + 2 * 9  # no biases, no separate lm_head


def test_mlp_width_is_llamas_two_thirds_of_four_d_rounded_to_32():
    assert [llama_mlp_width(d) for d in (64, 256, 512)] == [192, 704, 1376]
    assert llama_mlp_width(4096, multiple=256) == 11008  # Llama-7B's intermediate_size
    for size, shape in SIZES.items():
        assert shape["intermediate_size"] == llama_mlp_width(shape["d_model"]), size


@pytest.mark.parametrize("attention", ["sdpa", "explicit"])
def test_grouped_kv_heads_equal_repeated_full_heads(attention):
    grouped = tiny_model(n_kv_head=2, attention=attention)
    full = tiny_model(attention=attention)
    state = grouped.state_dict()
    for i in range(2):
        for proj in ("k_proj", "v_proj"):
            name = f"model.layers.{i}.self_attn.{proj}.weight"
            # Query heads 2g and 2g+1 share key/value head g.
            state[name] = state[name].view(2, 1, 8, 32).expand(2, 2, 8, 32).reshape(32, 32)
    full.load_state_dict(state)
    ids = torch.randint(0, 97, (2, 6))
    logits, cache = grouped(ids)
    assert cache[0][0].shape == (2, 2, 6, 8)
    torch.testing.assert_close(logits, full(ids)[0], atol=1e-5, rtol=0)


def test_config_round_trips_through_a_dict():
    config = config_for("small", vocab_size=8000)
    assert ModelConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        (dict(n_head=3), "does not divide"),
        (dict(n_head=32, d_model=32), "even"),
        (dict(n_layer=0), "n_layer"),
        (dict(vocab_size=-1), "vocab_size"),
        (dict(context_length=2.5), "context_length"),
        (dict(dropout=1.0), "dropout"),
        (dict(attention="flash"), "attention"),
        (dict(n_kv_head=3), "n_kv_head"),
        (dict(intermediate_size=-1), "intermediate_size"),
    ],
)
def test_bad_configs_are_refused_with_the_reason(kwargs, reason):
    base = dict(vocab_size=97, n_layer=2, n_head=4, d_model=32, context_length=32)
    with pytest.raises(ValueError, match=reason):
        ModelConfig(**{**base, **kwargs})


def test_unknown_size_and_keys_are_refused():
    with pytest.raises(ValueError, match="huge"):
        config_for("huge", 100)
    with pytest.raises(ValueError, match="n_layers"):
        ModelConfig.from_dict({"n_layers": 2})


def _rotate(x, positions):
    cos, sin = rotary_cos_sin(positions, x.shape[-1], 10000.0)
    return apply_rotary(x, cos, sin)


def test_rotary_turns_each_pair_by_its_positions_angle():
    head_dim, half = 8, 4
    x = torch.randn(1, 1, 5, head_dim)
    positions = torch.arange(5).unsqueeze(0) * 7
    rotated = _rotate(x, positions)
    # RoFormer: pair (x_i, x_{i+d/2}) turns by position x base^(-2i/d).
    theta = positions[0, :, None].double() * 10000.0 ** (-2 * torch.arange(half) / head_dim)
    x1, x2 = x[0, 0, :, :half].double(), x[0, 0, :, half:].double()
    expected = torch.cat(
        (x1 * theta.cos() - x2 * theta.sin(), x1 * theta.sin() + x2 * theta.cos()), dim=-1
    )
    torch.testing.assert_close(rotated[0, 0].double(), expected, atol=1e-5, rtol=1e-5)
    # Scores depend on the distance between positions only, and norms are kept.
    q, k = torch.randn(2, 1, 1, 1, head_dim)

    def score(at_q, at_k):
        return (_rotate(q, torch.tensor([[at_q]])) * _rotate(k, torch.tensor([[at_k]]))).sum()

    torch.testing.assert_close(score(3, 10), score(40, 47), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(rotated.norm(dim=-1), x.norm(dim=-1))
