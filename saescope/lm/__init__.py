"""The language model side: loading models (`loading`) and residual-stream hookpoints (`hookpoints`)."""
