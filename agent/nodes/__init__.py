"""Graph nodes: plain functions of (state, runtime) returning partial state updates."""
