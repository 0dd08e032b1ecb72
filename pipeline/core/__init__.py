"""The run itself: the article record, the config, the stage registry and contract, the runner, the output folder."""
