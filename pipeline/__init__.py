"""zhnews: a Chinese news analysis pipeline (ingest, OpenCC normalization, jieba, spaCy NER, link check,
stance and topic classification)."""

__version__ = "0.1.0"
