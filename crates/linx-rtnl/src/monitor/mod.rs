//! Watching a namespace: typed rtnetlink multicast events (work in progress).
