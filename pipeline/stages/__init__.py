"""The stages a run config names: thin adapters from an :class:`~pipeline.core.article.Article` to a capability.

Each module registers one factory with :func:`pipeline.core.registry.register_stage`, declaring the article fields
it reads and writes; the work itself lives in the capability's own subpackage (``pipeline.text``,
``pipeline.ner``, ``pipeline.linkcheck``, ``pipeline.classify``, ``pipeline.topicmodel``).
"""
