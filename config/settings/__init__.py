"""Settings modules: ``base`` (everything, driven by the environment), ``local``, ``test``, ``production``."""
