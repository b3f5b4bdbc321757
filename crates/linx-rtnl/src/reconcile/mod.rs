//! Converging a namespace on a desired state: diff, plan, apply (work in progress).
