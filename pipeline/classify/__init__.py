"""Stance and topic classifiers: scikit-learn estimators, their training, evaluation and model cards."""
