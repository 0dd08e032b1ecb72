"""Evaluation: span metrics (strict and overlap P/R/F1, tag schemes, BIO files) and scoring runs through the stages."""
