"""Running a comparison: the protocol (splits), fold matrices, resampling a fold, the fold work (jobs, per-technique
start and finish), local and Dask dispatch, results and their metrics."""
