"""Serving: a registered model as a bundle the usual tools open, and the product's runtime.

`export` runs an export (build, attach to the registry, place the bundle); `build` writes and
validates the bundle (`hf_folder`, `gguf_file`, `genai_build`, `model_card`, `card_data`);
`bundle` is its layout and safe reading; `runtime` generates with it.
"""
