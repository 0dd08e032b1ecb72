"""Exports of a run's entities to annotation and training formats, and imports of corrected annotations.

The editor's and analyst's loop: ``zhnews export FORMAT RUN_DIR --out DIR`` writes the entities of a run's
``records.jsonl`` (and, for Label Studio, the hand links) in a format another tool reads; an editor corrects
them there; ``zhnews import labelstudio|doccano FILE --out DIR`` turns the corrections back into a
``records.jsonl`` in the run's record shape, which scoring, ``zhnews eval links`` (as a JSONL corpus) and
``zhnews export conll``/``spacy`` for training read.

One module per format, each with a writer and a reader, so every format's round trip is tested:

* :mod:`~pipeline.interchange.spacy_docbin`: a spaCy ``DocBin`` (``spacy train`` data);
* :mod:`~pipeline.interchange.conll`: character BIO, one block per line of text, with an offsets sidecar;
* :mod:`~pipeline.interchange.brat`: brat standoff ``.txt`` + ``.ann`` per record;
* :mod:`~pipeline.interchange.labelstudio`: Label Studio tasks with predictions, and its labeling config;
* :mod:`~pipeline.interchange.doccano`: doccano sequence-labeling JSONL.

Every offset, in every format, is a code-point offset into the record's ``text``, end exclusive, exactly as in
``records.jsonl``; texts are written unchanged (traditional script, CRLF, astral characters and all).
:mod:`~pipeline.interchange.records` reads and writes the records; :mod:`~pipeline.interchange.offsets`
checks and repairs the offsets an annotation tool hands back.
"""
