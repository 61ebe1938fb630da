"""The index's decoder-side tables (nearest features by decoder cosine, logit lens) against independent
brute-force computations: the full cosine matrix of torch.nn.functional.cosine_similarity and the dense logits,
each row sorted in float64 with ties to the lower index."""

import numpy as np
import pyarrow as pa
import pytest
import torch
import torch.nn.functional as F
from conftest import make_sae
from torch import nn

from saescope.index.decoder import (
    LOGITS_FILE,
    NEIGHBOURS_FILE,
    decoder_tables,
    lens_weights,
    logit_lens,
    logits_table,
    nearest_features,
    neighbours_table,
    raw_directions,
)
from saescope.index.errors import ReverseIndexError
from saescope.lm.loading import LoadedModel

D_IN, D_SAE = 16, 50
NEIGHBOURS_COLUMNS = [("feature", pa.int32()), ("rank", pa.int8()), ("neighbour", pa.int32()),
                      ("cosine", pa.float32())]
LOGITS_COLUMNS = [("feature", pa.int32()), ("direction", pa.string()), ("rank", pa.int8()),
                  ("token_id", pa.int32()), ("token", pa.string()), ("logit", pa.float32())]


def ranked(scores: np.ndarray, n: int, exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each row's n highest scores and their columns, highest first, equal scores in column order."""
    scores = scores.copy()
    if exclude_self:
        np.fill_diagonal(scores, -np.inf)
        n = min(n, scores.shape[1] - 1)
    columns = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    ids = np.lexsort((columns, -scores), axis=1)[:, :n]  # by score descending, then by column
    return ids, np.take_along_axis(scores, ids, axis=1)


def brute_neighbours(w: torch.Tensor, n: int) -> tuple[np.ndarray, np.ndarray]:
    w = w.double()
    cos = F.cosine_similarity(w[:, None, :], w[None, :, :], dim=-1)  # eps: 0 for a zero row
    return ranked(cos.numpy(), n, exclude_self=True)


def brute_lens(directions: torch.Tensor, unembedding: torch.Tensor, norm_weight: torch.Tensor | None, n: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    d = directions.double() if norm_weight is None else directions.double() * norm_weight.double()
    logits = (d @ unembedding.double().T).numpy()
    top_ids, top = ranked(logits, n)
    low_ids, low = ranked(-logits, n)
    return top_ids, top, low_ids, -low


def random_rows(seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(D_SAE, D_IN, generator=gen) * torch.rand(D_SAE, 1, generator=gen) * 3


@pytest.mark.parametrize("block_rows", [1, 7, 16, 49, 50, 4096])
def test_nearest_features_match_the_full_cosine_matrix(block_rows: int) -> None:
    w = random_rows()
    indices, cosines = nearest_features(w, n=6, block_rows=block_rows)
    expected_ids, expected = brute_neighbours(w, 6)
    assert indices.dtype == torch.int64 and cosines.dtype == torch.float32
    assert indices.shape == cosines.shape == (D_SAE, 6)
    np.testing.assert_array_equal(indices.numpy(), expected_ids)
    np.testing.assert_allclose(cosines.numpy(), expected, atol=1e-6)


def test_raw_directions_scale_w_dec_by_input_std() -> None:
    sae = make_sae(D_IN, D_SAE, tied=False, std=(0.1, 5.0))
    expected = sae.W_dec.detach().double() * sae.input_std.double()
    directions = raw_directions(sae)
    assert directions.dtype == torch.float32 and not directions.requires_grad
    np.testing.assert_allclose(directions.numpy(), expected.numpy(), rtol=1e-6)
    # input_std changes which features are near: the raw-space ranking is not W_dec's
    assert not np.array_equal(brute_neighbours(expected, 6)[0], brute_neighbours(sae.W_dec.detach(), 6)[0])
    np.testing.assert_array_equal(nearest_features(directions, 6, block_rows=9)[0].numpy(),
                                  brute_neighbours(expected, 6)[0])


@pytest.mark.parametrize("block_rows", [1, 4, 5, 64])
def test_zero_rows_and_exact_ties_go_to_the_lower_feature(block_rows: int) -> None:
    # Scaled and negated basis vectors and zero rows: every cosine is exactly -1, 0 or 1, so most rows tie at
    # the cut-off and the stable tie-break decides.
    d_in, d_sae = 4, 21
    w = torch.zeros(d_sae, d_in)
    for f in range(d_sae):
        if f % 5 != 3:
            w[f, f % d_in] = (f + 1) * (-1 if f % 3 == 0 else 1)
    indices, cosines = nearest_features(w, n=8, block_rows=block_rows)
    expected_ids, expected = brute_neighbours(w, 8)
    assert not cosines.isnan().any()
    np.testing.assert_array_equal(indices.numpy(), expected_ids)
    np.testing.assert_array_equal(cosines.numpy(), expected.astype(np.float32))
    np.testing.assert_array_equal(indices[3].numpy(), [0, 1, 2, 4, 5, 6, 7, 8])  # zero row: all cosines 0
    assert (cosines[3] == 0).all()


def test_nearest_features_with_n_at_least_d_sae_give_every_other_feature() -> None:
    w = random_rows()[:6]
    for n in (5, 6, 40):
        indices, cosines = nearest_features(w, n=n, block_rows=4)
        assert indices.shape == cosines.shape == (6, 5)
        expected_ids, expected = brute_neighbours(w, 5)
        np.testing.assert_array_equal(indices.numpy(), expected_ids)
        np.testing.assert_allclose(cosines.numpy(), expected, atol=1e-6)
        for f in range(6):
            assert sorted(indices[f].tolist()) == [g for g in range(6) if g != f]
    assert nearest_features(w[:1], n=3)[0].shape == (1, 0)
    with pytest.raises(ValueError, match="block_rows"):
        nearest_features(w, block_rows=0)


@pytest.mark.parametrize("block_rows", [1, 7, 50, 1024])
@pytest.mark.parametrize("with_norm", [True, False])
def test_logit_lens_matches_the_dense_logits(block_rows: int, with_norm: bool) -> None:
    gen = torch.Generator().manual_seed(1)
    directions = random_rows(2)
    directions[4] = 0  # a zero direction: every logit 0, tokens in id order
    unembedding = torch.randn(300, D_IN, generator=gen)
    norm_weight = torch.randn(D_IN, generator=gen) * 2 if with_norm else None
    got = logit_lens(directions, unembedding, norm_weight, n=7, block_rows=block_rows)
    expected = brute_lens(directions, unembedding, norm_weight, 7)
    assert [t.dtype for t in got] == [torch.int64, torch.float32, torch.int64, torch.float32]
    for g, e in zip(got, expected, strict=True):
        assert g.shape == (D_SAE, 7)
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got[0][4].numpy(), np.arange(7))
    np.testing.assert_array_equal(got[2][4].numpy(), np.arange(7))
    assert (got[1][4] == 0).all() and (got[3][4] == 0).all()
    assert (got[1][:, :-1] >= got[1][:, 1:]).all() and (got[3][:, :-1] <= got[3][:, 1:]).all()


@pytest.mark.parametrize("block_rows", [3, 1024])
def test_logit_lens_orders_equal_logits_by_token_id(block_rows: int) -> None:
    # Small integers: every logit is an exact integer whatever the summation order, and many tie, within the
    # kept tokens as well as at the cut-off (where topk alone picks and orders ties arbitrarily).
    gen = torch.Generator().manual_seed(3)
    directions = torch.randint(-2, 3, (D_SAE, D_IN), generator=gen).float()
    unembedding = torch.randint(-1, 2, (300, D_IN), generator=gen).float()
    norm_weight = torch.randint(1, 3, (D_IN,), generator=gen).float()
    got = logit_lens(directions, unembedding, norm_weight, n=12, block_rows=block_rows)
    for g, e in zip(got, brute_lens(directions, unembedding, norm_weight, 12), strict=True):
        np.testing.assert_array_equal(g.numpy(), e)


def test_logit_lens_caps_n_at_the_vocabulary_and_checks_widths() -> None:
    directions, unembedding = random_rows()[:3], torch.randn(5, D_IN)
    got = logit_lens(directions, unembedding, None, n=9)
    assert got[0].shape == (3, 5)
    for row in (*got[0], *got[2]):
        assert sorted(row.tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(ReverseIndexError, match="unembedding"):
        logit_lens(directions, torch.randn(5, D_IN + 1), None)


class Headless(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(3, 3)


class GemmaRMSNorm(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(3))


class Stub(nn.Module):
    """A causal-LM-shaped module with an output embedding and the given final norm at model.norm."""

    def __init__(self, norm: nn.Module | None) -> None:
        super().__init__()
        self.lm_head = nn.Linear(3, 11, bias=False)
        self.model = nn.Module()
        if norm is not None:
            self.model.norm = norm

    def get_output_embeddings(self) -> nn.Module:
        return self.lm_head


def test_lens_weights_of_a_qwen3(tiny_qwen3: LoadedModel) -> None:
    model = tiny_qwen3.model
    unembedding, norm_weight = lens_weights(model)
    assert unembedding.data_ptr() == model.lm_head.weight.data_ptr()
    assert unembedding.shape == (model.config.vocab_size, model.config.hidden_size)
    assert norm_weight is not None and norm_weight.data_ptr() == model.model.norm.weight.data_ptr()


def test_lens_weights_name_what_is_missing() -> None:
    with pytest.raises(ReverseIndexError, match="get_output_embeddings"):
        lens_weights(Headless())
    with pytest.raises(ReverseIndexError, match=r"model\.norm"):
        lens_weights(Stub(None))
    with pytest.raises(ReverseIndexError, match="GemmaRMSNorm"):
        lens_weights(Stub(GemmaRMSNorm()))
    with pytest.raises(ReverseIndexError, match="LayerNorm"):
        lens_weights(Stub(nn.LayerNorm(3)))


def test_neighbours_table_columns_and_order() -> None:
    indices = torch.tensor([[2, 1], [0, 2], [1, 0]])
    cosines = torch.tensor([[0.5, 0.25], [0.75, -0.5], [0.125, -1.0]])
    table = neighbours_table(indices, cosines)
    assert table.schema == pa.schema(NEIGHBOURS_COLUMNS)
    assert table.to_pydict() == {"feature": [0, 0, 1, 1, 2, 2], "rank": [0, 1, 0, 1, 0, 1],
                                 "neighbour": [2, 1, 0, 2, 1, 0], "cosine": [0.5, 0.25, 0.75, -0.5, 0.125, -1.0]}
    with pytest.raises(ReverseIndexError, match="127"):
        neighbours_table(torch.zeros(1, 128, dtype=torch.int64), torch.zeros(1, 128))


def test_logits_table_columns_order_and_null_tokens() -> None:
    table = logits_table(torch.tensor([[5, 3], [1, 2]]), torch.tensor([[2.0, 1.0], [4.0, 3.0]]),
                         torch.tensor([[7, 0], [9, 8]]), torch.tensor([[-3.0, -1.0], [-2.0, -0.5]]), None)
    assert table.schema == pa.schema(LOGITS_COLUMNS)
    assert table.to_pydict() == {
        "feature": [0, 0, 0, 0, 1, 1, 1, 1],
        "direction": ["promoted", "promoted", "suppressed", "suppressed"] * 2,
        "rank": [0, 1, 0, 1] * 2, "token_id": [5, 3, 7, 0, 1, 2, 9, 8], "token": [None] * 8,
        "logit": [2.0, 1.0, -3.0, -1.0, 4.0, 3.0, -2.0, -0.5]}


def test_decoder_tables_of_a_tiny_qwen3(tiny_qwen3: LoadedModel) -> None:
    model, tokenizer = tiny_qwen3.model, tiny_qwen3.tokenizer
    sae = make_sae(model.config.hidden_size, 40, tied=False, std=(0.2, 3.0))
    directions = sae.W_dec.detach().double() * sae.input_std.double()
    tables = decoder_tables(sae, model, tokenizer, neighbours=4, lens_tokens=3, device=torch.device("cpu"))
    assert sorted(tables) == sorted([NEIGHBOURS_FILE, LOGITS_FILE])

    neighbours = tables[NEIGHBOURS_FILE]
    assert neighbours.schema == pa.schema(NEIGHBOURS_COLUMNS)
    expected_ids, expected = brute_neighbours(directions, 4)
    np.testing.assert_array_equal(neighbours["feature"].to_numpy(), np.repeat(np.arange(40), 4))
    np.testing.assert_array_equal(neighbours["rank"].to_numpy(), np.tile(np.arange(4), 40))
    np.testing.assert_array_equal(neighbours["neighbour"].to_numpy(), expected_ids.reshape(-1))
    np.testing.assert_allclose(neighbours["cosine"].to_numpy(), expected.reshape(-1), atol=1e-6)

    logits = tables[LOGITS_FILE]
    assert logits.schema == pa.schema(LOGITS_COLUMNS)
    top_ids, top, low_ids, low = brute_lens(directions, model.lm_head.weight.detach(),
                                            model.model.norm.weight.detach(), 3)
    ids = np.concatenate([top_ids, low_ids], axis=1).reshape(-1)
    np.testing.assert_array_equal(logits["feature"].to_numpy(), np.repeat(np.arange(40), 6))
    assert logits["direction"].to_pylist() == (["promoted"] * 3 + ["suppressed"] * 3) * 40
    np.testing.assert_array_equal(logits["rank"].to_numpy(), np.tile(np.arange(3), 80))
    np.testing.assert_array_equal(logits["token_id"].to_numpy(), ids)
    np.testing.assert_allclose(logits["logit"].to_numpy(), np.concatenate([top, low], axis=1).reshape(-1),
                               rtol=1e-5, atol=1e-5)
    assert logits["token"].to_pylist() == [tokenizer.decode([int(i)]) for i in ids]


def test_decoder_tables_choose_tables_by_settings(tiny_qwen3: LoadedModel) -> None:
    sae, cpu = make_sae(tiny_qwen3.d_model, 12, tied=False), torch.device("cpu")
    assert list(decoder_tables(sae, None, None, 3, 5, cpu)) == [NEIGHBOURS_FILE]
    assert decoder_tables(sae, None, None, 0, 5, cpu) == {}
    assert decoder_tables(sae, tiny_qwen3.model, None, 0, 0, cpu) == {}
    only_lens = decoder_tables(sae, tiny_qwen3.model, None, 0, 2, cpu)
    assert list(only_lens) == [LOGITS_FILE]
    assert only_lens[LOGITS_FILE]["token"].null_count == 12 * 4  # no tokenizer: token ids only
    with pytest.raises(ReverseIndexError, match="127"):
        decoder_tables(sae, None, None, 128, 0, cpu)
    with pytest.raises(ReverseIndexError, match="get_output_embeddings"):
        decoder_tables(sae, Headless(), None, 3, 2, cpu)


def test_tokens_past_the_tokenizer_vocabulary_are_null(tiny_qwen3: LoadedModel) -> None:
    tokenizer = tiny_qwen3.tokenizer
    vocab = len(tokenizer)
    table = logits_table(torch.tensor([[vocab + 5, 1]]), torch.tensor([[1.0, 0.5]]), torch.tensor([[1, vocab]]),
                         torch.tensor([[-1.0, -0.5]]), tokenizer)
    assert table["token"].to_pylist() == [None, tokenizer.decode([1]), tokenizer.decode([1]), None]
