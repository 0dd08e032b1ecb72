"""Character-level NER for jieba-segmented Chinese Docs: a BiLSTM-CRF in torch, hosted in a spaCy component.

Modules: ``features`` (per-character inputs from a Doc), ``crf`` and ``model`` (the network), ``component``
(the spaCy factory ``zhnews_char_ner``), ``charspans`` (character spans as real ``doc.ents``), ``gazetteer`` (the
name-list component), ``loader`` (a saved pipeline, once per process), ``data`` (training data built the run-time
way), ``train`` (``zhnews train ner``), ``labels`` (BIOES).
"""
