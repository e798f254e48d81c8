"""ranvier.Simulation: the compiled simulation, built from a Model or a Network."""

from ._ranvier import Simulation as _CompiledSimulation


class Simulation(_CompiledSimulation):
    """A built network. Simulation(model) takes a ranvier.Model (a model file) or a
    ranvier.Network (built in Python), copies it and builds it."""

    def __init__(self, model):
        if hasattr(model, "model") and callable(model.model):  # a Network
            model = model.model()
        super().__init__(model)
