"""Tables, image ZIPs and text in: defensive reading (tables), target and class profile, the column plan and
encoding (preprocess), images as pixel rows, and the bundled samples (catalogue, builders, writer)."""
