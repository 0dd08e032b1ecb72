"""Which types a model file may name: ours, and scikit-learn estimator classes; nothing else."""

from __future__ import annotations

import pytest

from pipeline.core.modelio import _is_trusted


@pytest.mark.parametrize(
    "name",
    [
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "pipeline.classify.stance.StanceClassifier",
    ],
)
def test_estimators_and_our_types_are_trusted(name: str) -> None:
    assert _is_trusted(name)


@pytest.mark.parametrize(
    "name",
    [
        "os.system",
        "builtins.eval",
        "sklearn.utils._bunch.Bunch",  # a scikit-learn class, but no estimator
        "sklearn.linear_model.NoSuchModel",
        "sklearn.no_such_module.Model",
        "sklearnx.Model",
        "pipeline.core.modelio.LoadedModel",
    ],
)
def test_anything_else_is_refused(name: str) -> None:
    assert not _is_trusted(name)
