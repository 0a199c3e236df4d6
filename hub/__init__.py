"""Multilingual model hub: corpus, tokenizers, models, ONNX bundles and their measured cost."""
