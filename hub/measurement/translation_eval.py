"""chrF of a model's translations of held-out parallel rows.

The prompt is exactly how training formats a translation example (`hub.training.train_data`):
`<bos><en> English text <lang>`; the model continues greedily until its end-of-text
token, and the continuation is scored against the held-out translation with chrF
(sacrebleu's defaults: character 6-grams, beta 2), one corpus-level score per language.
Prompts of all languages share batches, sorted by length so little is padded.
"""

from __future__ import annotations

from hub.tokenizer import lang_tag

# New tokens per source token, plus a floor: room for a longer target language.
LENGTH_RATIO, LENGTH_FLOOR = 2, 8


def translation_prompts(tokenizer, special: dict, samples: dict, context_length: int) -> list:
    """(lang, prompt ids, reference, new-token budget) for every parallel row that fits."""
    en_tag = tokenizer.token_to_id(lang_tag("en"))
    if en_tag is None:
        return []
    prompts = []
    for lang, sample in samples.items():
        tag = tokenizer.token_to_id(lang_tag(lang))
        if tag is None or not sample.parallel:
            continue
        sources = tokenizer.encode_batch(
            [en for en, _ in sample.parallel], add_special_tokens=False
        )
        for encoding, (_, reference) in zip(sources, sample.parallel, strict=True):
            prompt = [special["bos"], en_tag, *encoding.ids, tag]
            budget = min(
                LENGTH_RATIO * len(encoding.ids) + LENGTH_FLOOR, context_length - len(prompt)
            )
            if budget > 0:  # a source too long for the context is skipped
                prompts.append((lang, prompt, reference, budget))
    return prompts


def chrf_by_lang(
    generator, samples: dict, context_length: int, batch_size: int, on_batch=None
) -> dict[str, float]:
    """Corpus chrF per language of `generator`'s greedy translations (languages with pairs).

    `on_batch()` is called after each batch of prompts (progress).
    """
    from sacrebleu.metrics import CHRF

    prompts = translation_prompts(generator.tokenizer, generator.special, samples, context_length)
    prompts.sort(key=lambda item: (len(item[1]), item[3]))
    hypotheses: dict[str, list[str]] = {}
    references: dict[str, list[str]] = {}
    for start in range(0, len(prompts), batch_size):
        batch = prompts[start : start + batch_size]
        budget = max(item[3] for item in batch)
        width = max(len(item[1]) for item in batch)
        budget = max(1, min(budget, context_length - width))
        outputs = generator.generate_ids([item[1] for item in batch], budget)
        for (lang, _, reference, own_budget), ids in zip(batch, outputs, strict=True):
            text = generator.tokenizer.decode(ids[:own_budget])
            hypotheses.setdefault(lang, []).append(text.strip())
            references.setdefault(lang, []).append(reference)
        if on_batch is not None:
            on_batch()
    metric = CHRF()
    return {
        lang: metric.corpus_score(hypotheses[lang], [references[lang]]).score for lang in hypotheses
    }
