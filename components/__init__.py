"""One ComponentResource per concern of the environment; `environment.Environment` wires them."""
