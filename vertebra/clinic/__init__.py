"""The composition: the clinic assembled from the pathway's apps.

The top layer of the import contracts (pyproject.toml): the demo clinic, which walks every stage
of the pathway through its services, and the `vertebra` command line. Nothing in the pathway's
apps imports it.
"""
