"""A tiny causal LM built in-process (no download): a byte-level BPE tokenizer trained on crm_gym's own texts,
TRL's shipped Qwen 2.5 chat template (it renders tools and TRL parses its tool calls), a 2-layer Qwen2 model."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import trl
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, system_text
from crm_gym.envs.crm_arena import CrmArenaEnv

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MARKUP = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]


def corpus(suite: str, episodes: int = 8) -> list[str]:
    """Texts a model of this env reads and writes: system texts, tool specs, oracle calls."""
    env = CrmArenaEnv(suite=suite, drift_level="high", stable_tools=True)
    texts = []
    for seed in range(episodes):
        observation, _ = env.reset(seed=seed)
        texts += [system_text(observation, ANSWER_TOOL_INSTRUCTIONS), observation["prompt"]]
        texts += [json.dumps(a, ensure_ascii=False) for a in env.oracle_actions()]
    texts.append(json.dumps(env.tool_specs(), ensure_ascii=False))
    return texts


def tiny_tokenizer(texts: list[str], vocab_size: int = 3000) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on ``texts``, with Qwen's special tokens and chat template."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(texts, trainer)
    template = (Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja").read_text()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
        chat_template=template,
    )
    fast.add_tokens(MARKUP)  # plain added tokens, as in Qwen's vocabulary: decoding keeps them
    return fast


def tiny_model(tokenizer: PreTrainedTokenizerFast, seed: int = 0) -> Qwen2ForCausalLM:
    """A 2-layer Qwen2 model sized to the tokenizer."""
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=32_768,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    return Qwen2ForCausalLM(config)
