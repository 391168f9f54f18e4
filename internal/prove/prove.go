// Package prove holds manyi's reliability proofs: tests that drive the real binary as a
// separate process and break it on purpose (kill -9 under load, restarts), then check that
// nothing acknowledged was lost or stored twice. They are slow by nature, so they run with
// `make prove` (MANYI_PROVE=1) rather than with the unit tests; docs/reliability.md records
// their figures and method.
package prove
