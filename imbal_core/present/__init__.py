"""What a person reads: verdict words, metric tables, plotly charts, the lessons' computations, the JSON
export and the offline HTML report."""
