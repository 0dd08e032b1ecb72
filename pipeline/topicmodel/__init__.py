"""Topic models over our own tokens: a thin wrapper over scikit-learn's NMF and LDA, NPMI coherence, corpora."""

from pipeline.topicmodel.coherence import npmi_coherence
from pipeline.topicmodel.model import METHODS, TopicModel

__all__ = ["METHODS", "TopicModel", "npmi_coherence"]
