import numpy as np

from saescope.data.templating import ROLE_CODES, tokenize_conversation

MESSAGES = [
    {"role": "system", "content": "You answer in one short sentence."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "The capital of France is Paris."},
    {"role": "user", "content": "And of Spain?"},
    {"role": "assistant", "content": "Madrid."},
]


def test_tokens_carry_role_and_turn(smollm2_tokenizer):
    tok = tokenize_conversation(smollm2_tokenizer, MESSAGES, max_tokens=1000)
    assert not tok.truncated and len(tok) == tok.full_length
    text_of = {
        role: smollm2_tokenizer.decode(tok.token_ids[tok.roles == code].tolist())
        for role, code in ROLE_CODES.items()
    }
    assert text_of["system"] == MESSAGES[0]["content"]
    assert text_of["user"] == "What is the capital of France?And of Spain?"
    assert text_of["assistant"] == "The capital of France is Paris.Madrid."
    assert "<|im_start|>" in text_of["template"] and "Paris" not in text_of["template"]
    # The whole templated text is reproduced, in order.
    assert smollm2_tokenizer.decode(tok.token_ids.tolist()) == smollm2_tokenizer.apply_chat_template(
        MESSAGES, tokenize=False
    )
    spain = smollm2_tokenizer.decode(tok.token_ids[(tok.turns == 2) & (tok.roles == ROLE_CODES["user"])].tolist())
    assert spain == "And of Spain?"
    assert set(np.unique(tok.turns[tok.roles == ROLE_CODES["system"]])) == {0}
    # The header of turn 2's user message belongs to turn 2.
    first_turn2 = int(np.argmax(tok.turns == 2))
    assert tok.roles[first_turn2] == ROLE_CODES["template"]


def test_truncation_is_recorded(smollm2_tokenizer):
    tok = tokenize_conversation(smollm2_tokenizer, MESSAGES, max_tokens=12)
    assert tok.truncated and len(tok) == 12 and tok.full_length > 12
