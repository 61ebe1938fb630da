"""A local web explorer over a reverse feature index (and steer-eval results): `saescope serve`.

The app is `saescope.serve.app.create_app`; it is not imported here, so `saescope.serve.errors` stays cheap."""
