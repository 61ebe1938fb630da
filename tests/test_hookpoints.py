import pytest
import torch

from saescope.config.hookpoints import HookpointError, hookpoint_label
from saescope.lm.hookpoints import capture_residuals, decoder_layers


def test_labels():
    assert hookpoint_label("layers.35") == "l36"
    with pytest.raises(HookpointError, match=r"layers\.N"):
        hookpoint_label("blocks.3")


@pytest.mark.parametrize("which", ["tiny_qwen3", pytest.param("smollm2", marks=pytest.mark.slow)])
def test_capture_is_the_block_output_before_the_final_norm(which, request):
    lm = request.getfixturevalue(which)
    model = lm.model
    n = len(decoder_layers(model))
    ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 0, 0]])
    mask = torch.tensor([[1] * 8, [1] * 6 + [0] * 2])
    with torch.no_grad():
        full = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    middle, last = f"layers.{n // 2}", f"layers.{n - 1}"
    got = capture_residuals(model, ids, mask, [middle, last])
    torch.testing.assert_close(got[middle], full.hidden_states[n // 2 + 1])
    # hidden_states[-1] has the final norm applied; the hookpoint must not.
    normed = model.model.norm(got[last])
    torch.testing.assert_close(normed, full.hidden_states[-1])
    assert not torch.allclose(got[last], full.hidden_states[-1])


def test_forward_stops_after_the_deepest_hookpoint(tiny_qwen3):
    model = tiny_qwen3.model
    calls: list[str] = []
    handles = [layer.register_forward_hook(lambda *_, i=i: calls.append(f"block{i}"))
               for i, layer in enumerate(decoder_layers(model))]
    handles.append(model.lm_head.register_forward_hook(lambda *_: calls.append("lm_head")))
    try:
        capture_residuals(model, torch.tensor([[1, 2, 3]]), None, ["layers.1", "layers.0"])
    finally:
        for h in handles:
            h.remove()
    assert calls == ["block0", "block1"]


def test_unknown_hookpoint_lists_valid_ones(tiny_qwen3):
    with pytest.raises(HookpointError, match=r"layers\.0 … layers\.3"):
        capture_residuals(tiny_qwen3.model, torch.tensor([[1, 2]]), None, ["layers.9"])
