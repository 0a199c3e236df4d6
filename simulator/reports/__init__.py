"""Reports: the tables as data, aggregates, charts, HTML pages and their command."""
