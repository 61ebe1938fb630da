"""Stage 2: train a TopK SAE with AuxK on a harvested activation dataset."""
