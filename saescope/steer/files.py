"""The files `saescope steer-eval` writes into `steer.out` (read back by the explorer)."""

RELIABILITY_FILE = "steering_reliability.parquet"
PROMPTS_FILE = "steering_prompts.parquet"
REPORT_FILE = "report.md"
SUMMARY_FILE = "summary.json"  # written last: its presence says the run is complete
