"""One module per ``pricelab`` subcommand (discovered by ``experiments.cli``)."""
