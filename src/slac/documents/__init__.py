"""Documents rendered from evaluation results: compliance statements."""
