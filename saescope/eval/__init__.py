"""Stage 4: evaluate an SAE: intrinsic metrics over stored activations, core-plus with the SAE spliced in."""
