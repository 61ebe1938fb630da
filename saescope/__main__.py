from saescope.cli import run

run()
