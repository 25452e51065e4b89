package dev.pfgm.server.runtime;

/** A model ready to serve: its card and its network. */
public record LoadedModel(ModelCard card, OrtFieldNetwork network) {}
