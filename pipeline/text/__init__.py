"""Text utilities with no trained model: offset maps, OpenCC alignment, normalization, segmentation, tokenizer."""
