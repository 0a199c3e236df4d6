"""Decision support: `simulator advise`, candidate moves ranked by NPV, risk and regret.

- `moves`: the candidate moves (scenario edits) generated from a scenario or read from a file;
- `ensemble`: the uncertainty ensemble and its runs on the batch engine (common random numbers);
- `valuation`: NPV per move and member, quantiles, probability of beating the status quo,
  regret, the robust and the best expected choice, scenario discovery;
- `drivers`: why, in the user's terms (token premium, market size, rivals, regulation);
- `report`: the terminal table, Parquet and the HTML page; `advise`: the whole pipeline.
"""
